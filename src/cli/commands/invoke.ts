/** `atoll invoke NAME [--data JSON]`: a direct, Lambda-style invocation. */
import { intOption, stringOption } from '../args.ts';
import { call, connectionFrom, functionPath } from '../client.ts';
import type { Command } from '../command.ts';
import { usageError } from '../errors.ts';

export const invoke: Command = {
  spec: {
    name: 'invoke',
    summary: "Invoke a function with a JSON event and print the handler's result.",
    usage: 'atoll invoke NAME [--data JSON] [--version V]',
    positionals: ['NAME'],
    client: true,
    options: {
      data: { type: 'string', short: 'd', arg: 'JSON', help: 'the event, as JSON (default {})' },
      version: { type: 'string', arg: 'V', help: 'invoke this version instead of the live one' },
    },
  },

  async run(ctx) {
    const name = ctx.args.positionals[0]!;
    const data = stringOption(ctx.args, 'data') ?? '{}';
    try {
      JSON.parse(data);
    } catch (err) {
      // Caught here so a typo costs no round trip and is reported as the user's mistake.
      throw usageError(`--data is not valid JSON: ${(err as Error).message}`);
    }
    const version = intOption(ctx.args, 'version', { min: 1 });
    const conn = connectionFrom(ctx.args, ctx.env);
    const query = version === undefined ? '' : `?version=${version}`;
    const result = await call(conn, 'POST', functionPath(name, `/invoke${query}`), {
      rawBody: data,
      longRunning: true,
    });
    if (result !== undefined) ctx.out(JSON.stringify(result, null, 2));
  },
};
