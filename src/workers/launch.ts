/**
 * How a worker process is started: its command line (rlimits through `prlimit`, the
 * unprivileged uid/gid through `setpriv` when the server runs as root), its environment
 * (the Lambda variables and the function's own, nothing of the gateway's), and how every
 * process it left behind is killed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NAMESPACE_PORT } from './runtime-api.ts';
import { UNSAFE_ENV } from './unsafe-env.ts';
import type { FunctionLimits } from '../limits/index.ts';

/** Largest file a worker may write (RLIMIT_FSIZE); past it the writer gets SIGXFSZ. */
export const MAX_WORKER_FILE_BYTES = 64 * 1024 * 1024;
export const MAX_WORKER_OPEN_FILES = 1024;
/** Processes and threads per worker uid (RLIMIT_NPROC counts per real uid, and not at all for root). */
export const MAX_WORKER_PROCESSES = 64;
/** RLIMIT_CPU head room over one invocation: the watchdog acts long before; this is the backstop if it cannot. */
export const CPU_BACKSTOP_EXTRA_S = 60;
/** The address-space limit sits this far above memoryMb: runtimes reserve far more than they touch. */
const ADDRESS_SPACE_EXTRA_MB = 1024;

/** Who a worker runs as; undefined uid: the server's own (not root). */
export interface WorkerIdentity {
  uid: number | undefined;
  gid: number | undefined;
}

export interface LaunchSpec {
  program: string;
  args: string[];
  identity: WorkerIdentity;
  limits: FunctionLimits;
  startupCpuMs: number;
  /** Run in a network namespace of its own, the Runtime API relayed from this Unix socket. */
  isolatedNetwork: { socketPath: string } | undefined;
}

/** The relay that serves the Runtime API inside a worker's own network namespace. */
export const NETNS_BRIDGE = fileURLToPath(new URL('./netns-bridge.pl', import.meta.url));

/** RLIMIT_CPU in seconds for a worker: it is recycled before its total CPU gets near. */
export function cpuBackstopSeconds(limits: FunctionLimits, startupCpuMs: number): number {
  return Math.ceil((startupCpuMs + limits.cpuMs) / 1000) + CPU_BACKSTOP_EXTRA_S;
}

/** The argv that starts the worker under its limits and identity. */
export function launchArgv(spec: LaunchSpec): { file: string; args: string[] } {
  const mb = 1024 * 1024;
  const rlimits = [
    // RLIMIT_DATA counts what a process has really claimed (heap, anonymous mappings);
    // the watchdog acts at memoryMb of resident memory, this is the hard stop at twice that.
    `--data=${spec.limits.memoryMb * 2 * mb}`,
    `--as=${(spec.limits.memoryMb * 2 + ADDRESS_SPACE_EXTRA_MB) * mb}`,
    `--cpu=${cpuBackstopSeconds(spec.limits, spec.startupCpuMs)}`,
    `--fsize=${MAX_WORKER_FILE_BYTES}`,
    `--nofile=${MAX_WORKER_OPEN_FILES}`,
    '--core=0',
  ];
  const { uid, gid } = spec.identity;
  if (uid === undefined) return { file: 'prlimit', args: [...rlimits, '--', spec.program, ...spec.args] };
  const limited = {
    file: 'prlimit',
    args: [
      ...rlimits,
      `--nproc=${MAX_WORKER_PROCESSES}`,
      '--',
      // --pdeathsig: if the gateway dies, its workers die with it instead of living on unwatched.
      'setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--no-new-privs', '--pdeathsig=KILL', '--',
      spec.program, ...spec.args,
    ],
  };
  if (!spec.isolatedNetwork) return limited;
  return {
    file: 'unshare',
    args: ['--net', '--', 'perl', NETNS_BRIDGE, spec.isolatedNetwork.socketPath, String(NAMESPACE_PORT), String(uid), String(gid), '--', limited.file, ...limited.args],
  };
}

/** Whether this server can give workers a network namespace of their own (root, unshare, perl). */
export function canIsolateNetwork(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync('unshare', ['--net', '--', 'perl', '-e', '1'], { stdio: 'ignore', timeout: 5000 });
  return probe.status === 0;
}

export interface LambdaEnvSpec {
  name: string;
  version: number;
  memoryMb: number;
  handler: string;
  taskRoot: string;
  runtimeApi: string;
  tmpDir: string;
  region: string;
  executionEnv: string;
  env: Readonly<Record<string, string>>;
}

/** The worker's whole environment: the function's variables (unsafe ones dropped), then the reserved Lambda ones over them. */
export function lambdaEnvironment(spec: LambdaEnvSpec): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) if (!UNSAFE_ENV.test(name)) own[name] = value;
  return {
    ...own,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TZ: ':UTC',
    HOME: spec.tmpDir,
    TMPDIR: spec.tmpDir,
    AWS_LAMBDA_RUNTIME_API: spec.runtimeApi,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: spec.taskRoot,
    AWS_EXECUTION_ENV: spec.executionEnv,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: String(spec.version),
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `atoll/[${spec.version}]`,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
  };
}

/**
 * Kill every process of a worker: its process group, and when it has a uid of its own,
 * every process of that uid (a double-forked or setsid() child escapes the group, never
 * the uid). kill(-1) from a process running as that uid signals exactly those.
 */
export function killWorkerProcesses(pgid: number | undefined, identity: WorkerIdentity): Promise<void> {
  if (pgid !== undefined) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
  if (identity.uid === undefined) return Promise.resolve();
  return runAs(identity, ['kill', '-KILL', '--', '-1'])
    // Files the worker left in the shared temporary directories go with it.
    .then(() => runAs(identity, ['find', ...SHARED_TMP_DIRS, '-maxdepth', '1', '-xdev', '-user', String(identity.uid), '-exec', 'rm', '-rf', '--', '{}', '+']));
}

/** World-writable directories a worker can leave files in besides its own TMPDIR. */
const SHARED_TMP_DIRS = ['/tmp', '/var/tmp', '/dev/shm'];

function runAs(identity: WorkerIdentity, argv: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('setpriv', [`--reuid=${identity.uid}`, `--regid=${identity.gid}`, '--clear-groups', '--', ...argv], { stdio: 'ignore', env: {} });
    child.on('error', () => resolve());
    child.on('exit', () => resolve());
  });
}
