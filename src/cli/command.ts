/** The shape every `src/cli/commands/*.ts` module exports. */
import type { CommandSpec, ParsedArgs } from './args.ts';

export interface Io {
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
}

export interface CommandContext extends Io {
  readonly args: ParsedArgs;
  readonly env: NodeJS.ProcessEnv;
}

export interface Command {
  readonly spec: CommandSpec;
  /** Runs the command; failures are thrown as CliError and printed by the dispatcher. */
  run(ctx: CommandContext): Promise<void>;
}
