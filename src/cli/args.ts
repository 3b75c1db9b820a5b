/** Command-line parsing on node:util parseArgs, with the typed option helpers commands share. */
import { parseArgs } from 'node:util';
import { usageError } from './errors.ts';
import { formatRow, columnWidths } from './table.ts';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Placeholder shown in help, e.g. `MB`. */
  readonly arg?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** One-line synopsis, e.g. `atoll rm NAME`. */
  readonly usage: string;
  /** Names of the required positionals, in order; no others are accepted. */
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Whether the command talks to a server (and so takes --url and --token). */
  readonly client: boolean;
}

export type OptionValue = string | boolean | string[] | undefined;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, OptionValue>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

/** Options every server-talking command accepts. */
export const CLIENT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  url: { type: 'string', arg: 'URL', help: 'server URL (env ATOLL_URL, default http://127.0.0.1:8787)' },
  token: { type: 'string', arg: 'TOKEN', help: 'admin token (env ATOLL_TOKEN)' },
};

function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...(spec.client ? CLIENT_OPTIONS : {}), help: HELP_OPTION };
}

/** Parses a command's arguments strictly; a wrong command line throws a USAGE error. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries(allOptions(spec)).map(([name, o]) => [
      name,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  let parsed: { values: Record<string, OptionValue>; positionals: string[] };
  try {
    // The option table is built at run time, so parseArgs cannot infer the value types; they follow OptionSpec.
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (err) {
    // parseArgs appends a long hint about `--`; its first sentence is the useful part.
    const message = err instanceof Error ? err.message.split(/\.\s/)[0] : String(err);
    throw usageError(`${message} (see atoll ${spec.name} --help)`);
  }
  const help = parsed.values.help === true;
  if (!help) {
    const want = spec.positionals.length;
    if (parsed.positionals.length < want) {
      throw usageError(`missing ${spec.positionals[parsed.positionals.length]} (usage: ${spec.usage})`);
    }
    if (parsed.positionals.length > want) {
      throw usageError(`unexpected argument "${parsed.positionals[want]}" (usage: ${spec.usage})`);
    }
  }
  return { values: parsed.values, positionals: parsed.positionals, help };
}

/** The help text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(allOptions(spec)).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.arg ? ` ${o.arg}` : ''}`;
    return ['  ' + flag, o.help + (o.multiple ? ' (repeatable)' : '')];
  });
  const widths = columnWidths(['', ''], rows);
  return [
    `${spec.summary}`,
    '',
    `usage: ${spec.usage}`,
    '',
    'options:',
    ...rows.map((row) => formatRow(row, widths)),
  ].join('\n');
}

/** A string option, or undefined when absent. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A string option the command cannot do without. */
export function requiredString(args: ParsedArgs, name: string): string {
  const value = stringOption(args, name);
  if (value === undefined || value === '') throw usageError(`--${name} is required`);
  return value;
}

/** A repeatable string option, empty when absent. */
export function listOption(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value : [];
}

/** An integer option within [min, max], or undefined when absent. */
export function intOption(
  args: ParsedArgs,
  name: string,
  range: { min: number; max?: number },
): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  // Number('') is 0 and Number('1e3') is 1000: insist on plain digits instead.
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < range.min || Number(raw) > max) {
    const bound = range.max === undefined ? `>= ${range.min}` : `between ${range.min} and ${range.max}`;
    throw usageError(`--${name} must be an integer ${bound}, got "${raw}"`);
  }
  return Number(raw);
}

/** `--env K=V` pairs as an object; the value may itself contain '='. */
export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? '' : pair.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw usageError(`--env expects KEY=VALUE with KEY a valid variable name, got "${pair}"`);
    }
    env[key] = pair.slice(eq + 1);
  }
  return env;
}
