/** `atoll serve`: runs the gateway in this process until SIGINT or SIGTERM. */
import { AtollError } from '../../errors/index.ts';
import { parseAllowList } from '../../sandbox-host/outbound/allow-list.ts';
import { intOption, listOption, stringOption } from '../args.ts';
import type { Command, CommandContext } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { columnWidths, formatRow } from '../table.ts';

export const serve: Command = {
  spec: {
    name: 'serve',
    summary: 'Start an Atoll server.',
    usage: 'atoll serve [--port 8787] [--host 127.0.0.1] [--data ./.atoll] [--functions DIR] [--fetch-allow HOST[:PORT],...]',
    positionals: [],
    client: false,
    options: {
      port: { type: 'string', short: 'p', arg: 'PORT', help: 'port to listen on (env ATOLL_PORT, default 8787; 0 = any)' },
      host: { type: 'string', arg: 'HOST', help: 'address to bind (env ATOLL_HOST, default 127.0.0.1)' },
      data: { type: 'string', arg: 'DIR', help: 'data directory (env ATOLL_DATA, default ./.atoll)' },
      functions: { type: 'string', arg: 'DIR', help: 'deploy every function in DIR at start-up' },
      'billing-ms': { type: 'string', arg: 'N', help: 'billing granularity in ms (default 1)' },
      'fetch-allow': {
        type: 'string', multiple: true, arg: 'HOST[:PORT],...',
        help: 'hosts outbound fetch may reach although loopback or private, e.g. 10.0.0.5:8080,[::1] (env ATOLL_FETCH_ALLOW)',
      },
    },
  },

  async run(ctx) {
    // Only flags that were given are passed: startAtoll falls back to ATOLL_* env vars itself.
    const opts: StartOptions = {};
    const port = intOption(ctx.args, 'port', { min: 0, max: 65535 });
    if (port !== undefined) opts.port = port;
    const host = stringOption(ctx.args, 'host');
    if (host !== undefined) opts.host = host;
    const dataDir = stringOption(ctx.args, 'data');
    if (dataDir !== undefined) opts.dataDir = dataDir;
    const functionsDir = stringOption(ctx.args, 'functions');
    if (functionsDir !== undefined) opts.functionsDir = functionsDir;
    const billing = intOption(ctx.args, 'billing-ms', { min: 1 });
    if (billing !== undefined) opts.billingGranularityMs = billing;
    const fetchAllow = listOption(ctx.args, 'fetch-allow');
    if (fetchAllow.length > 0) {
      try {
        parseAllowList(fetchAllow);
      } catch (err) {
        throw usageError(`--fetch-allow: ${(err as Error).message}`);
      }
      opts.fetchAllow = fetchAllow;
    }

    // Loaded lazily so the client commands start without the gateway's dependencies.
    const { startAtoll } = await import('../../gateway/index.ts');
    const server = await startAtoll(opts).catch((err: unknown) => {
      // A bad ATOLL_* setting is the operator's to fix: say which, not "internal error".
      if (err instanceof AtollError && err.code === 'INVALID_CONFIG') throw new CliError(err.code, err.message, err.details);
      throw err;
    });
    // Listening for signals before the banner says so: a supervisor that stops the server as
    // soon as it reads "listening" (a fast `docker stop`, a test) must get a clean shutdown.
    const stopped = untilSignal(ctx);
    printBanner(ctx, server);
    await stopped;
    await server.close();
    ctx.err('atoll stopped');
  },
};

/** What startAtoll accepts (src/gateway/index.ts). */
interface StartOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  functionsDir?: string;
  billingGranularityMs?: number;
  fetchAllow?: string[];
}

interface Started {
  url: string;
  adminToken: string;
  /** True when the token was created on this start, not taken from the env or the data dir. */
  adminTokenGenerated?: boolean;
  deployed: { name: string; url: string }[];
}

function printBanner(ctx: CommandContext, server: Started): void {
  ctx.out(`atoll listening on ${server.url}`);
  const rows = server.deployed.map((fn) => ['  ' + fn.name, fn.url]);
  const widths = columnWidths(['', ''], rows);
  for (const row of rows) ctx.out(formatRow(row, widths));
  // An operator-supplied token is not echoed into logs; one Atoll made must be shown to be usable.
  if (ctx.env.ATOLL_ADMIN_TOKEN) ctx.out('admin token: from ATOLL_ADMIN_TOKEN');
  else if (server.adminTokenGenerated) ctx.out(`admin token: ${server.adminToken} (generated now, kept in the data directory)`);
  else ctx.out(`admin token: ${server.adminToken} (from the data directory)`);
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once, for a shutdown that hangs. */
function untilSignal(ctx: CommandContext): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      ctx.err(`${signal}: shutting down (send again to force)`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once(signal, () => process.exit(130));
      process.once(signal === 'SIGINT' ? 'SIGTERM' : 'SIGINT', () => process.exit(130));
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
