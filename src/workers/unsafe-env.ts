/**
 * Variables a worker's environment never carries. The launch chain (prlimit, setpriv,
 * unshare, the Perl relay) runs as root with the environment the worker will have: the
 * dynamic loader's and glibc's variables (LD_PRELOAD, GCONV_PATH, ...: glibc ignores them
 * only in setuid programs), Perl's (PERL5OPT, PERL5LIB) and locale paths would let a
 * function's `env` load its own code into those root processes.
 */
export const UNSAFE_ENV = /^(?:LD_|PERL|LC_|MALLOC_|GLIBC_|GCONV_PATH$|GETCONF_DIR$|HOSTALIASES$|LOCALDOMAIN$|LOCPATH$|NIS_PATH$|NLSPATH$|RESOLV_HOST_CONF$|RES_OPTIONS$|TZDIR$|LANGUAGE$)/;
