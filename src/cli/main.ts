/** The `atoll` command: dispatch, help, and turning every failure into one line and an exit code. */
import { commandHelp, parseCommandArgs } from './args.ts';
import type { Command, Io } from './command.ts';
import { CliError } from './errors.ts';
import { deploy } from './commands/deploy.ts';
import { invoke } from './commands/invoke.ts';
import { logs } from './commands/logs.ts';
import { ls } from './commands/ls.ts';
import { rm } from './commands/rm.ts';
import { rollback } from './commands/rollback.ts';
import { serve } from './commands/serve.ts';
import { versions } from './commands/versions.ts';
import { formatRow, columnWidths } from './table.ts';

export const COMMANDS: ReadonlyMap<string, Command> = new Map(
  [serve, deploy, invoke, ls, rm, versions, rollback, logs].map((c) => [c.spec.name, c]),
);

/** Top-level help: the command list. */
export function usage(): string {
  const rows = [...COMMANDS.values()].map((c) => ['  ' + c.spec.name, c.spec.summary]);
  return [
    'usage: atoll <command> [options]',
    '',
    'commands:',
    ...rows.map((row) => formatRow(row, columnWidths(['', ''], rows))),
    '',
    'Run `atoll <command> --help` for a command\'s options.',
  ].join('\n');
}

/** Runs the CLI and returns the process exit code: 0 ok, 1 failure, 2 usage error. */
export async function main(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return 0;
  }
  const command = COMMANDS.get(name);
  if (!command) {
    io.err(`error: USAGE: unknown command "${name}" (run atoll --help)`);
    return 2;
  }
  try {
    const args = parseCommandArgs(command.spec, rest);
    if (args.help) {
      io.out(commandHelp(command.spec));
      return 0;
    }
    await command.run({ args, env, out: io.out, err: io.err });
    return 0;
  } catch (err) {
    return report(err, io);
  }
}

function report(err: unknown, io: Io): number {
  if (err instanceof CliError) {
    io.err(`error: ${err.code}: ${err.message}`);
    for (const line of detailLines(err)) io.err(line);
    return err.exitCode;
  }
  // A bug in the CLI itself: still one line, but keep the stack reachable for a bug report.
  const message = err instanceof Error ? err.message : String(err);
  io.err(`error: INTERNAL: ${message}`);
  if (process.env.ATOLL_DEBUG && err instanceof Error && err.stack) io.err(err.stack);
  return 1;
}

/**
 * Compile errors get one `file:line:column: message` line each, the form editors can jump to;
 * config errors, whose message already names the first issue, one `  field: message` line
 * per issue when there are several.
 */
function detailLines(err: CliError): string[] {
  const details = err.details as { errors?: unknown; issues?: unknown } | undefined;
  if (err.code === 'COMPILE_ERROR' && Array.isArray(details?.errors)) {
    return details.errors.map((e: { file?: string; line?: number; column?: number; message?: string }) =>
      `${e.file ?? '?'}:${e.line ?? 0}:${e.column ?? 0}: ${e.message ?? ''}`);
  }
  if (err.code === 'INVALID_CONFIG' && Array.isArray(details?.issues) && details.issues.length > 1) {
    return details.issues.map((i: { path?: unknown; message?: unknown }) =>
      `  ${i.path === undefined || i.path === '' ? '(body)' : String(i.path)}: ${String(i.message ?? '')}`);
  }
  return [];
}
