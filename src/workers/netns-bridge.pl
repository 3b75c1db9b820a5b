#!/usr/bin/perl
# The Runtime API inside a worker's own network namespace. Started by `unshare --net` as
# root: brings the namespace's loopback up, listens on 127.0.0.1:PORT there, starts the
# worker (its command drops to the worker's uid itself), drops to the worker's uid too,
# and relays every connection to the gateway's Unix socket for this worker. The namespace
# has no other interface, so the worker reaches the Runtime API and nothing else.
#
# Usage: netns-bridge.pl SOCKET PORT UID GID -- COMMAND...
# Perl because perl-base is on every Debian system (the Docker image included) and this
# relay must start in milliseconds; Node would cost ~40 ms and ~40 MB per worker.
use strict;
use warnings;
use Config;
use IO::Select;
use IO::Socket::INET;
use IO::Socket::UNIX;
use POSIX ();

my ($path, $port, $uid, $gid, $sep, @command) = @ARGV;
die "usage: netns-bridge.pl SOCKET PORT UID GID -- COMMAND...\n" unless defined $sep && $sep eq '--' && @command;

# Die with the gateway (PR_SET_PDEATHSIG = 1, SIGKILL = 9; prctl's syscall number by arch).
my %prctl = ('x86_64' => 157, 'aarch64' => 167);
my ($arch) = $Config{archname} =~ /^([^-]+)/;
syscall($prctl{$arch}, 1, 9) if exists $prctl{$arch};

# SIOCSIFFLAGS on "lo": IFF_UP | IFF_LOOPBACK | IFF_RUNNING.
socket(my $ctl, Socket::PF_INET(), Socket::SOCK_DGRAM(), 0) or die "socket: $!\n";
my $ifreq = pack('Z16 s x22', 'lo', 0x1 | 0x8 | 0x40);
ioctl($ctl, 0x8914, $ifreq) or die "cannot bring lo up: $!\n";
close $ctl;

my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Listen => 64, ReuseAddr => 1)
  or die "cannot listen on 127.0.0.1:$port: $!\n";

my $worker = fork();
die "fork: $!\n" unless defined $worker;
if ($worker == 0) {
  close $listener;
  exec { $command[0] } @command or die "exec $command[0]: $!\n";
}

# The relay needs no privilege from here on (setuid as root sets real, effective and saved ids).
$) = "$gid $gid";
POSIX::setgid($gid) or die "setgid: $!\n";
POSIX::setuid($uid) or die "setuid: $!\n";
die "cannot drop privileges\n" if $> != $uid || $< != $uid;

$SIG{CHLD} = sub {
  # The worker is gone: so is its namespace's only purpose.
  my $pid = waitpid($worker, POSIX::WNOHANG());
  if ($pid == $worker) {
    my $status = $?;
    POSIX::_exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
  }
};

my $select = IO::Select->new($listener);
my %peer;
while (1) {
  my @ready = $select->can_read();
  for my $fh (@ready) {
    if ($fh == $listener) {
      my $client = $listener->accept() or next;
      my $upstream = IO::Socket::UNIX->new(Type => Socket::SOCK_STREAM(), Peer => $path);
      if (!$upstream) { close $client; next; }
      $peer{$client} = $upstream;
      $peer{$upstream} = $client;
      $select->add($client, $upstream);
      next;
    }
    my $other = $peer{$fh} or next;
    my $n = sysread($fh, my $buffer, 65536);
    if (!$n) {
      $select->remove($fh, $other);
      delete @peer{$fh, $other};
      close $fh;
      close $other;
      next;
    }
    my $offset = 0;
    while ($offset < $n) {
      my $written = syswrite($other, $buffer, $n - $offset, $offset);
      last unless defined $written;
      $offset += $written;
    }
  }
}
