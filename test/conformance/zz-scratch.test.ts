import { it, expect } from 'vitest';
import { startTestServer } from '../helpers/server.ts';
it('scratch', async () => {
  const s = await startTestServer();
  const src = `export default { fetch() { return new Response(JSON.stringify({ strict: (function () { return this; })() === undefined })); } };`;
  await s.deploy('s1', { 'index.js': src }, { entry: 'index.js' });
  await s.deploy('s2', { 'index.ts': src });
  console.log('js', await (await s.fn('s1')).text(), 'ts', await (await s.fn('s2')).text());
  await s.close();
});
