/** `atoll versions NAME`: a function's version history. */
import { call, connectionFrom, functionPath } from '../client.ts';
import type { Command } from '../command.ts';
import { cell, formatBytes, formatTime } from '../format.ts';
import { renderTable } from '../table.ts';

interface VersionSummary {
  version: number;
  live: boolean;
  createdAt?: string | number;
  sha256?: string;
  size?: number;
}

export const versions: Command = {
  spec: {
    name: 'versions',
    summary: "List a function's versions; * marks the live one.",
    usage: 'atoll versions NAME',
    positionals: ['NAME'],
    client: true,
    options: {},
  },

  async run(ctx) {
    const name = ctx.args.positionals[0]!;
    const conn = connectionFrom(ctx.args, ctx.env);
    const result = (await call(conn, 'GET', functionPath(name, '/versions'))) as { versions: VersionSummary[] };
    const rows = result.versions.map((v) => [
      cell(v.version),
      v.live ? '*' : '',
      formatTime(v.createdAt),
      formatBytes(v.size),
      // 12 hex digits identify a bundle among a function's versions, like a short git SHA.
      typeof v.sha256 === 'string' ? v.sha256.slice(0, 12) : '-',
    ]);
    const lines = renderTable(['VERSION', 'LIVE', 'CREATED', 'SIZE', 'SHA'], rows, ['right', 'left', 'left', 'right']);
    for (const line of lines) ctx.out(line);
  },
};
