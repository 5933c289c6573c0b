"""The seccomp-bpf program of a sandbox child (x86-64), built here without libseccomp.

Every system call number has an explicit decision, listed in ``DECISIONS`` below with the
reason: allowed, refused with EPERM (a PermissionError in Python), answered ENOSYS, or
allowed only for some arguments (``clone`` without a namespace flag and with CLONE_THREAD;
``socket``/``socketpair`` for Unix stream and seqpacket sockets; signals, ``prlimit`` and CPU
affinity aimed at the child itself; ``ioctl`` but TIOCSTI/TIOCLINUX; ``fcntl`` but leases
and dnotify; ``personality`` only to read it; ``renameat2`` without RENAME_WHITEOUT).  A
number the table does not list (a call newer than this file) answers ENOSYS, as does
``clone3`` (so that glibc's threads fall back to ``clone``, whose flags a filter can read).
Another architecture, or the x32 ABI, is refused.

The filter is a binary search over ranges of numbers with one decision each: about twelve
instructions for any call, where a list of comparisons would cost one per entry.
Landlock confines the paths; this filter takes what Landlock does not see: file modes,
owners, times and xattrs, SysV and POSIX IPC, inotify and fanotify, special files, bound
sockets, and the kernel's global state.
"""

from __future__ import annotations

import ctypes
import os
import struct
from typing import Any


class SeccompError(Exception):
    """The filter could not be built or installed."""


# include/uapi/linux/seccomp.h, filter.h, audit.h
_NR_SECCOMP, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 317, 1, 1
_AUDIT_ARCH_X86_64 = 0xC000003E
_RET_ALLOW, _RET_ERRNO, _RET_KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x80000000
_EPERM, _ENOSYS = 1, 38
_LD_ABS_W, _JEQ, _JGE, _JSET, _AND, _RET = 0x20, 0x15, 0x35, 0x45, 0x54, 0x06
_X32_BIT = 0x40000000
_CLONE_THREAD = 0x00010000
_CLONE_NEW_NAMESPACES = 0x7E020000  # NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
_AF_UNIX, _SOCK_STREAM, _SOCK_SEQPACKET, _SOCK_TYPE_MASK = 1, 1, 5, 0xF
_TIOCSTI, _TIOCLINUX = 0x5412, 0x541C  # push input into a terminal; the console's ioctl
_F_SETLEASE, _F_NOTIFY = 1024, 1026
_PERSONALITY_QUERY = 0xFFFFFFFF
_RENAME_WHITEOUT = 4  # makes a character device (0/0) in the old name's place

# x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl, Linux 6.18)
_TABLE = """
read 0 write 1 open 2 close 3 stat 4 fstat 5 lstat 6 poll 7 lseek 8 mmap 9 mprotect 10
munmap 11 brk 12 rt_sigaction 13 rt_sigprocmask 14 rt_sigreturn 15 ioctl 16 pread64 17
pwrite64 18 readv 19 writev 20 access 21 pipe 22 select 23 sched_yield 24 mremap 25
msync 26 mincore 27 madvise 28 shmget 29 shmat 30 shmctl 31 dup 32 dup2 33 pause 34
nanosleep 35 getitimer 36 alarm 37 setitimer 38 getpid 39 sendfile 40 socket 41
connect 42 accept 43 sendto 44 recvfrom 45 sendmsg 46 recvmsg 47 shutdown 48 bind 49
listen 50 getsockname 51 getpeername 52 socketpair 53 setsockopt 54 getsockopt 55
clone 56 fork 57 vfork 58 execve 59 exit 60 wait4 61 kill 62 uname 63 semget 64 semop 65
semctl 66 shmdt 67 msgget 68 msgsnd 69 msgrcv 70 msgctl 71 fcntl 72 flock 73 fsync 74
fdatasync 75 truncate 76 ftruncate 77 getdents 78 getcwd 79 chdir 80 fchdir 81 rename 82
mkdir 83 rmdir 84 creat 85 link 86 unlink 87 symlink 88 readlink 89 chmod 90 fchmod 91
chown 92 fchown 93 lchown 94 umask 95 gettimeofday 96 getrlimit 97 getrusage 98
sysinfo 99 times 100 ptrace 101 getuid 102 syslog 103 getgid 104 setuid 105 setgid 106
geteuid 107 getegid 108 setpgid 109 getppid 110 getpgrp 111 setsid 112 setreuid 113
setregid 114 getgroups 115 setgroups 116 setresuid 117 getresuid 118 setresgid 119
getresgid 120 getpgid 121 setfsuid 122 setfsgid 123 getsid 124 capget 125 capset 126
rt_sigpending 127 rt_sigtimedwait 128 rt_sigqueueinfo 129 rt_sigsuspend 130
sigaltstack 131 utime 132 mknod 133 uselib 134 personality 135 ustat 136 statfs 137
fstatfs 138 sysfs 139 getpriority 140 setpriority 141 sched_setparam 142
sched_getparam 143 sched_setscheduler 144 sched_getscheduler 145
sched_get_priority_max 146 sched_get_priority_min 147 sched_rr_get_interval 148 mlock 149
munlock 150 mlockall 151 munlockall 152 vhangup 153 modify_ldt 154 pivot_root 155
_sysctl 156 prctl 157 arch_prctl 158 adjtimex 159 setrlimit 160 chroot 161 sync 162
acct 163 settimeofday 164 mount 165 umount2 166 swapon 167 swapoff 168 reboot 169
sethostname 170 setdomainname 171 iopl 172 ioperm 173 create_module 174 init_module 175
delete_module 176 get_kernel_syms 177 query_module 178 quotactl 179 nfsservctl 180
getpmsg 181 putpmsg 182 afs_syscall 183 tuxcall 184 security 185 gettid 186
readahead 187 setxattr 188 lsetxattr 189 fsetxattr 190 getxattr 191 lgetxattr 192
fgetxattr 193 listxattr 194 llistxattr 195 flistxattr 196 removexattr 197
lremovexattr 198 fremovexattr 199 tkill 200 time 201 futex 202 sched_setaffinity 203
sched_getaffinity 204 set_thread_area 205 io_setup 206 io_destroy 207 io_getevents 208
io_submit 209 io_cancel 210 get_thread_area 211 lookup_dcookie 212 epoll_create 213
epoll_ctl_old 214 epoll_wait_old 215 remap_file_pages 216 getdents64 217
set_tid_address 218 restart_syscall 219 semtimedop 220 fadvise64 221 timer_create 222
timer_settime 223 timer_gettime 224 timer_getoverrun 225 timer_delete 226
clock_settime 227 clock_gettime 228 clock_getres 229 clock_nanosleep 230 exit_group 231
epoll_wait 232 epoll_ctl 233 tgkill 234 utimes 235 vserver 236 mbind 237
set_mempolicy 238 get_mempolicy 239 mq_open 240 mq_unlink 241 mq_timedsend 242
mq_timedreceive 243 mq_notify 244 mq_getsetattr 245 kexec_load 246 waitid 247
add_key 248 request_key 249 keyctl 250 ioprio_set 251 ioprio_get 252 inotify_init 253
inotify_add_watch 254 inotify_rm_watch 255 migrate_pages 256 openat 257 mkdirat 258
mknodat 259 fchownat 260 futimesat 261 newfstatat 262 unlinkat 263 renameat 264
linkat 265 symlinkat 266 readlinkat 267 fchmodat 268 faccessat 269 pselect6 270 ppoll 271
unshare 272 set_robust_list 273 get_robust_list 274 splice 275 tee 276
sync_file_range 277 vmsplice 278 move_pages 279 utimensat 280 epoll_pwait 281
signalfd 282 timerfd_create 283 eventfd 284 fallocate 285 timerfd_settime 286
timerfd_gettime 287 accept4 288 signalfd4 289 eventfd2 290 epoll_create1 291 dup3 292
pipe2 293 inotify_init1 294 preadv 295 pwritev 296 rt_tgsigqueueinfo 297
perf_event_open 298 recvmmsg 299 fanotify_init 300 fanotify_mark 301 prlimit64 302
name_to_handle_at 303 open_by_handle_at 304 clock_adjtime 305 syncfs 306 sendmmsg 307
setns 308 getcpu 309 process_vm_readv 310 process_vm_writev 311 kcmp 312
finit_module 313 sched_setattr 314 sched_getattr 315 renameat2 316 seccomp 317
getrandom 318 memfd_create 319 kexec_file_load 320 bpf 321 execveat 322 userfaultfd 323
membarrier 324 mlock2 325 copy_file_range 326 preadv2 327 pwritev2 328
pkey_mprotect 329 pkey_alloc 330 pkey_free 331 statx 332 io_pgetevents 333 rseq 334
uretprobe 335 pidfd_send_signal 424 io_uring_setup 425 io_uring_enter 426
io_uring_register 427 open_tree 428 move_mount 429 fsopen 430 fsconfig 431 fsmount 432
fspick 433 pidfd_open 434 clone3 435 close_range 436 openat2 437 pidfd_getfd 438
faccessat2 439 process_madvise 440 epoll_pwait2 441 mount_setattr 442 quotactl_fd 443
landlock_create_ruleset 444 landlock_add_rule 445 landlock_restrict_self 446
memfd_secret 447 process_mrelease 448 futex_waitv 449 set_mempolicy_home_node 450
cachestat 451 fchmodat2 452 map_shadow_stack 453 futex_wake 454 futex_wait 455
futex_requeue 456 statmount 457 listmount 458 lsm_get_self_attr 459
lsm_set_self_attr 460 lsm_list_modules 461 mseal 462 setxattrat 463 getxattrat 464
listxattrat 465 removexattrat 466 open_tree_attr 467 file_getattr 468 file_setattr 469
""".split()
_SYSCALLS = {name: int(number) for name, number in zip(_TABLE[::2], _TABLE[1::2])}

# Every number's decision: (decision, why, the calls).  "allow" and "eperm" are plain; the
# others read an argument (see program()).  tests/test_rights.py proves the refusals.
DECISIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("allow", "files and descriptors: Landlock decides which paths open, read and write",
     ("read", "write", "open", "close", "stat", "fstat", "lstat", "poll", "lseek", "pread64",
      "pwrite64", "readv", "writev", "access", "pipe", "select", "dup", "dup2", "sendfile",
      "flock", "fsync", "fdatasync", "truncate", "ftruncate", "getdents", "getcwd", "chdir",
      "fchdir", "rename", "rmdir", "creat", "unlink", "readlink", "umask", "statfs",
      "fstatfs", "readahead", "getdents64", "fadvise64", "openat", "newfstatat", "unlinkat",
      "renameat", "readlinkat", "faccessat", "pselect6", "ppoll", "sync_file_range",
      "fallocate", "dup3", "pipe2", "preadv", "pwritev", "copy_file_range", "preadv2",
      "pwritev2", "statx", "close_range", "openat2", "faccessat2", "cachestat")),
    ("allow", "the child's own memory (RLIMIT_AS bounds it)",
     ("mmap", "mprotect", "munmap", "brk", "mremap", "msync", "mincore", "madvise", "munlock",
      "munlockall", "mbind", "set_mempolicy", "get_mempolicy", "membarrier", "pkey_mprotect",
      "pkey_alloc", "pkey_free", "set_mempolicy_home_node", "map_shadow_stack", "mseal")),
    ("allow", "signals, timers and waiting on itself",
     ("rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "pause", "nanosleep", "getitimer",
      "alarm", "setitimer", "rt_sigpending", "rt_sigtimedwait", "rt_sigsuspend",
      "sigaltstack", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
      "timer_delete", "clock_gettime", "clock_getres", "clock_nanosleep", "gettimeofday",
      "time", "signalfd", "signalfd4", "timerfd_create", "timerfd_settime",
      "timerfd_gettime", "eventfd", "eventfd2", "restart_syscall")),
    ("allow", "threads and their runtime (glibc, CPython, OpenBLAS)",
     ("futex", "set_tid_address", "set_robust_list", "arch_prctl", "prctl", "rseq",
      "futex_waitv", "futex_wake", "futex_wait", "futex_requeue", "sched_yield", "gettid",
      "exit", "exit_group", "wait4", "waitid", "uretprobe")),
    ("allow", "epoll on its own descriptors",
     ("epoll_create", "epoll_wait", "epoll_ctl", "epoll_pwait", "epoll_create1",
      "epoll_pwait2")),
    ("allow", "on the Unix sockets it may make (socket below): no address involved",
     ("sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown", "getsockname", "getpeername",
      "setsockopt", "getsockopt", "recvmmsg", "sendmmsg")),
    ("allow", "reading what it is: ids, limits, usage, scheduling, the machine's name",
     ("getpid", "uname", "getrlimit", "getrusage", "sysinfo", "times", "getuid", "getgid",
      "geteuid", "getegid", "getppid", "getpgrp", "getgroups", "getresuid", "getresgid",
      "getpgid", "getsid", "capget", "getpriority", "sched_getparam", "sched_getscheduler",
      "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
      "sched_getaffinity", "ioprio_get", "sched_getattr", "getcpu", "getrandom")),
    ("allow", "changes only the child itself: its own process group or session (it has "
              "no children), lower limits (no CAP_SYS_RESOURCE to raise them)",
     ("setpgid", "setsid", "setrlimit")),
    ("allow", "can only narrow the child's own rights further",
     ("seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self")),
    ("eperm", "new processes: only threads (clone below)",
     ("fork", "vfork", "execve", "execveat")),
    ("eperm", "the network: no address reaches a socket (Landlock ≥ 4 also refuses TCP); "
              "bind would claim a name (a path, an abstract or an autobound one), and nothing "
              "bound means nothing to listen on or accept from",
     ("connect", "bind", "listen", "accept", "accept4")),
    ("eperm", "other processes: tracing, their memory, descriptors, NUMA pages, robust "
              "lists, scheduling and priorities",
     ("ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
      "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "process_mrelease", "tkill",
      "migrate_pages", "move_pages", "get_robust_list", "setpriority", "sched_setparam",
      "sched_setscheduler", "sched_setattr", "ioprio_set")),
    ("eperm", "file modes, owners, times and extended attributes: Landlock does not guard "
              "them, and every file of the grader's uid would be the child's to change",
     ("chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
      "utime", "utimes", "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr",
      "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
      "removexattr", "lremovexattr", "fremovexattr", "setxattrat", "getxattrat",
      "listxattrat", "removexattrat", "file_getattr", "file_setattr")),
    ("eperm", "special files and second names: FIFOs, devices, sockets (mknod), folders, "
              "symbolic and hard links; the parent reads and removes the workdir, a file "
              "suffices for a student",
     ("mknod", "mknodat", "mkdir", "mkdirat", "symlink", "symlinkat", "link", "linkat")),
    ("eperm", "IPC objects that outlive the child (SysV shared memory, queues, semaphores; "
              "POSIX queues): a channel to later students, memory past its limit",
     ("shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semctl", "semtimedop",
      "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend",
      "mq_timedreceive", "mq_notify", "mq_getsetattr")),
    ("eperm", "watching files and folders (inotify, fanotify): siblings' names and events",
     ("inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
      "fanotify_init", "fanotify_mark")),
    ("eperm", "memory outside RLIMIT_AS or pinned: memfds, secret memory, locked pages, "
              "kernel AIO contexts (a machine-wide quota), io_uring, userfaultfd, "
              "splicing pages between descriptors",
     ("memfd_create", "memfd_secret", "mlock", "mlock2", "mlockall", "io_setup",
      "io_destroy", "io_getevents", "io_submit", "io_cancel", "io_pgetevents",
      "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd", "splice",
      "tee", "vmsplice", "remap_file_pages")),
    ("eperm", "identity: the uid was dropped and capabilities cleared before the filter "
              "is installed; nothing may change them back or forward",
     ("setuid", "setgid", "setreuid", "setregid", "setgroups", "setresuid", "setresgid",
      "setfsuid", "setfsgid", "capset")),
    ("eperm", "namespaces, mounts, file handles and the filesystem's global state",
     ("unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree",
      "open_tree_attr", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
      "mount_setattr", "name_to_handle_at", "open_by_handle_at", "quotactl", "quotactl_fd",
      "statmount", "listmount", "sync", "syncfs", "swapon", "swapoff", "acct", "ustat",
      "sysfs", "uselib", "lookup_dcookie")),
    ("eperm", "the kernel and the machine: BPF, perf, keys, modules, kexec, reboot, clocks, "
              "names, the log, I/O ports, terminals, LSM attributes",
     ("bpf", "perf_event_open", "keyctl", "add_key", "request_key", "init_module",
      "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
      "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
      "setdomainname", "syslog", "iopl", "ioperm", "modify_ldt", "vhangup",
      "lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules")),
    ("enosys", "not implemented on x86-64 (or clone3: its flags are behind a pointer, so "
               "glibc falls back to clone)",
     ("_sysctl", "create_module", "get_kernel_syms", "query_module", "nfsservctl", "getpmsg",
      "putpmsg", "afs_syscall", "tuxcall", "security", "vserver", "epoll_ctl_old",
      "epoll_wait_old", "set_thread_area", "get_thread_area", "clone3")),
    ("clone", "threads only: CLONE_THREAD, no namespace flag", ("clone",)),
    ("socket", "Unix stream and seqpacket sockets only (pairs: multiprocessing's pipes)",
     ("socket", "socketpair")),
    ("self", "signals to the child itself", ("kill", "tgkill", "rt_sigqueueinfo",
                                             "rt_tgsigqueueinfo")),
    ("self_or_zero", "limits and CPU affinity of the child itself",
     ("prlimit64", "sched_setaffinity")),
    ("ioctl", "on its own descriptors, but not TIOCSTI (typing into a terminal) nor "
              "TIOCLINUX", ("ioctl",)),
    ("fcntl", "on its own descriptors, but not leases (F_SETLEASE: stall the grader's "
              "opens) nor dnotify (F_NOTIFY: folder events)", ("fcntl",)),
    ("personality", "only reading it (0xffffffff): no READ_IMPLIES_EXEC, no fixed layout",
     ("personality",)),
    ("renameat2", "without RENAME_WHITEOUT (a device file in the old name's place)",
     ("renameat2",)),
]
_DECISION = {name: decision for decision, _, names in DECISIONS for name in names}
DENIED = tuple(name for name, decision in _DECISION.items() if decision == "eperm")
SELF_ONLY = tuple(name for name, decision in _DECISION.items() if decision == "self")
SELF_OR_ZERO = tuple(name for name, decision in _DECISION.items() if decision == "self_or_zero")
_HIGHEST = max(_SYSCALLS.values())  # above it: ENOSYS


def _ranges() -> list[tuple[int, str]]:
    """(first number, decision) of each run of numbers with one decision, ascending."""
    by_number = {number: _DECISION[name] for name, number in _SYSCALLS.items()}
    ranges: list[tuple[int, str]] = []
    for number in range(_HIGHEST + 2):
        decision = by_number.get(number, "enosys")
        if not ranges or ranges[-1][1] != decision:
            ranges.append((number, decision))
    return ranges


_PID_SLOT: list[int] = []  # byte offset of the pid constant in program()'s output


def program(pid: int) -> bytes:
    """The BPF program (struct sock_filter[]) described in the module docstring."""
    code: list[tuple[int, int | str, int | str, int]] = []  # (op, jump-if-true, -if-false, k)
    labels: dict[str, int] = {}

    def op(operation: int, k: int, true: int | str = 0, false: int | str = 0) -> None:
        code.append((operation, true, false, k))

    def label(name: str) -> None:
        labels[name] = len(code)

    def search(ranges: list[tuple[int, str]]) -> str:
        """Emit a binary search over `ranges`; the label it starts at."""
        if len(ranges) == 1:
            return ranges[0][1]
        middle = len(ranges) // 2
        name = f"node{len(code)}"
        label(name)
        at = len(code)
        op(_JGE, ranges[middle][0])
        below, above = search(ranges[:middle]), search(ranges[middle:])
        code[at] = (_JGE, above, below, ranges[middle][0])
        return name

    op(_LD_ABS_W, 4)  # seccomp_data.arch
    op(_JEQ, _AUDIT_ARCH_X86_64, 0, "kill")
    op(_LD_ABS_W, 0)  # seccomp_data.nr
    op(_JGE, _X32_BIT, "eperm", 0)
    search(_ranges())
    label("clone")
    op(_LD_ABS_W, 16)  # args[0], low 32 bits: the flags
    op(_JSET, _CLONE_NEW_NAMESPACES, "eperm", 0)
    op(_JSET, _CLONE_THREAD, "allow", "eperm")
    label("socket")
    op(_LD_ABS_W, 16)  # args[0]: the address family
    op(_JEQ, _AF_UNIX, 0, "eperm")
    op(_LD_ABS_W, 24)  # args[1]: the type, with SOCK_NONBLOCK and SOCK_CLOEXEC masked off
    op(_AND, _SOCK_TYPE_MASK)
    op(_JEQ, _SOCK_STREAM, "allow", 0)
    op(_JEQ, _SOCK_SEQPACKET, "allow", "eperm")
    label("ioctl")
    op(_LD_ABS_W, 24)  # args[1]: the request (unsigned int: the kernel reads 32 bits)
    op(_JEQ, _TIOCSTI, "eperm", 0)
    op(_JEQ, _TIOCLINUX, "eperm", "allow")
    label("fcntl")
    op(_LD_ABS_W, 24)  # args[1]: the command
    op(_JEQ, _F_SETLEASE, "eperm", 0)
    op(_JEQ, _F_NOTIFY, "eperm", "allow")
    label("personality")
    op(_LD_ABS_W, 16)
    op(_JEQ, _PERSONALITY_QUERY, "allow", "eperm")
    label("renameat2")
    op(_LD_ABS_W, 48)  # args[4]: the flags
    op(_JSET, _RENAME_WHITEOUT, "eperm", "allow")
    label("self_or_zero")
    op(_LD_ABS_W, 16)
    op(_JEQ, 0, "allow", 0)
    label("self")
    op(_LD_ABS_W, 16)  # args[0]: the target process (pid_t: the kernel reads 32 bits)
    label("pid")
    op(_JEQ, pid, "allow", "eperm")
    label("allow")
    op(_RET, _RET_ALLOW)
    label("eperm")
    op(_RET, _RET_ERRNO | _EPERM)
    label("enosys")
    op(_RET, _RET_ERRNO | _ENOSYS)
    label("kill")
    op(_RET, _RET_KILL_PROCESS)

    out = bytearray()
    for index, (operation, true, false, k) in enumerate(code):
        jumps = [labels[target] - index - 1 if isinstance(target, str) else target
                 for target in (true, false)]
        if not all(0 <= jump < 256 for jump in jumps):
            raise SeccompError("the seccomp program's jumps are out of range")
        out += struct.pack("<HBBI", operation, jumps[0], jumps[1], k & 0xFFFFFFFF)
    if not _PID_SLOT:
        _PID_SLOT.append(labels["pid"] * 8 + 4)
    return bytes(out)


def install(libc: Any, filters: Any, fprog: Any, pid: int) -> None:
    """Install the filter in `filters` (program()'s output) with our pid written in."""
    struct.pack_into("<I", filters, _PID_SLOT[0], pid)
    if libc.syscall(ctypes.c_long(_NR_SECCOMP), ctypes.c_long(_SECCOMP_SET_MODE_FILTER),
                    ctypes.c_long(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(fprog)) != 0:
        code = ctypes.get_errno()
        raise SeccompError(f"installing the seccomp filter failed ({os.strerror(code)}, "
                           f"errno {code})")
