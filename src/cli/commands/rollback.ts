/** `atoll rollback NAME --to V`: points the live alias at an earlier (or later) version. */
import { intOption } from '../args.ts';
import { call, connectionFrom, functionPath } from '../client.ts';
import type { Command } from '../command.ts';
import { usageError } from '../errors.ts';

export const rollback: Command = {
  spec: {
    name: 'rollback',
    summary: 'Make an existing version of a function the live one.',
    usage: 'atoll rollback NAME --to VERSION',
    positionals: ['NAME'],
    client: true,
    options: {
      to: { type: 'string', arg: 'VERSION', help: 'the version to make live (required)' },
    },
  },

  async run(ctx) {
    const name = ctx.args.positionals[0]!;
    const version = intOption(ctx.args, 'to', { min: 1 });
    if (version === undefined) throw usageError('--to is required');
    const conn = connectionFrom(ctx.args, ctx.env);
    const result = (await call(conn, 'POST', functionPath(name, '/rollback'), { body: { version } })) as {
      name: string;
      liveVersion: number;
    };
    ctx.out(`${result.name} live version is now ${result.liveVersion}`);
  },
};
