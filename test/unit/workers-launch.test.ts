/** How a worker is started: its command line and its environment. Pure functions, no process. */
import { describe, expect, it } from 'vitest';
import { lambdaEnvironment, launchArgv, MAX_WORKER_PROCESSES, NETNS_BRIDGE } from '../../src/workers/launch.ts';

const limits = { memoryMb: 128, cpuMs: 50, timeoutMs: 1000 };
const base = { program: '/code/bootstrap', args: [], limits, startupCpuMs: 1000, isolatedNetwork: undefined };

describe('worker launch', () => {
  it('as the server\'s own user: rlimits only, no uid change, no process limit', () => {
    const { file, args } = launchArgv({ ...base, identity: { uid: undefined, gid: undefined } });
    expect(file).toBe('prlimit');
    expect(args).toContain(`--data=${256 * 1024 * 1024}`);
    expect(args).toContain('--core=0');
    expect(args.some((a) => a.startsWith('--nproc'))).toBe(false);
    expect(args.slice(-2)).toEqual(['--', '/code/bootstrap']);
  });

  it('as root: its own uid and gid, no groups, no new privileges, death with the gateway, a process limit', () => {
    const { args } = launchArgv({ ...base, identity: { uid: 200001, gid: 300001 } });
    expect(args).toContain(`--nproc=${MAX_WORKER_PROCESSES}`);
    const setpriv = args.indexOf('setpriv');
    expect(args.slice(setpriv, setpriv + 8)).toEqual(['setpriv', '--reuid=200001', '--regid=300001', '--clear-groups', '--no-new-privs', '--pdeathsig=KILL', '--', '/code/bootstrap']);
  });

  it('in a network namespace of its own: unshare, then the relay, then the limited command', () => {
    const { file, args } = launchArgv({ ...base, identity: { uid: 200001, gid: 300001 }, isolatedNetwork: { socketPath: '/run/i1.sock' } });
    expect(file).toBe('unshare');
    expect(args.slice(0, 9)).toEqual(['--net', '--', 'perl', NETNS_BRIDGE, '/run/i1.sock', '9001', '200001', '300001', '--']);
    expect(args[9]).toBe('prlimit');
  });

  it('environment: the function\'s variables, the reserved Lambda ones over them, the unsafe ones dropped', () => {
    const env = lambdaEnvironment({
      name: 'f', version: 3, memoryMb: 256, handler: 'app.handler', taskRoot: '/code', runtimeApi: '127.0.0.1:9001', tmpDir: '/tmp/w',
      region: 'atoll', executionEnv: 'AWS_Lambda_python3',
      env: { COLOR: 'teal', AWS_LAMBDA_FUNCTION_NAME: 'spoofed', PATH: '/evil', LD_PRELOAD: '/tmp/x.so', PERL5OPT: '-Mx', GCONV_PATH: '/tmp' },
    });
    expect(env).toMatchObject({
      COLOR: 'teal', AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_LAMBDA_FUNCTION_VERSION: '3', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      _HANDLER: 'app.handler', LAMBDA_TASK_ROOT: '/code', AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001', TMPDIR: '/tmp/w', PATH: '/usr/local/bin:/usr/bin:/bin',
    });
    expect(Object.keys(env)).not.toContain('LD_PRELOAD');
    expect(Object.keys(env)).not.toContain('PERL5OPT');
    expect(Object.keys(env)).not.toContain('GCONV_PATH');
    expect(Object.keys(env).some((k) => k.startsWith('ATOLL_'))).toBe(false);
  });
});
