/** `atoll rm NAME`: removes a function and all its versions. */
import { call, connectionFrom, functionPath } from '../client.ts';
import type { Command } from '../command.ts';

export const rm: Command = {
  spec: {
    name: 'rm',
    summary: 'Remove a function and all its versions.',
    usage: 'atoll rm NAME',
    positionals: ['NAME'],
    client: true,
    options: {},
  },

  async run(ctx) {
    const name = ctx.args.positionals[0]!;
    const conn = connectionFrom(ctx.args, ctx.env);
    await call(conn, 'DELETE', functionPath(name));
    ctx.out(`deleted ${name}`);
  },
};
