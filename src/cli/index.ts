/** Entry point of the `atoll` binary (bin/atoll.js imports this module for its effect). */
import { relaunchWithGatewayFlags } from './gateway-flags.ts';

// First, before the CLI's modules load: for `serve` this may replace the process.
relaunchWithGatewayFlags();
const { main } = await import('./main.ts');

const io = {
  out: (line: string) => void process.stdout.write(line + '\n'),
  err: (line: string) => void process.stderr.write(line + '\n'),
};

// exitCode rather than exit(): pending stdout writes to a pipe are flushed before the process ends.
process.exitCode = await main(process.argv.slice(2), io, process.env);
