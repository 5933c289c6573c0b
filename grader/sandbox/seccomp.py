"""The seccomp-bpf program of a sandbox child (x86-64), built here without libseccomp.

Refused with EPERM: fork, vfork, execve, execveat, clone without CLONE_THREAD (or with a
namespace flag), connect, ptrace and ``process_vm_*``, pidfds, io_uring, namespaces,
mounts, BPF, perf, userfaultfd, keyrings, modules, scheduling other processes; ``socket``
and ``socketpair`` other than Unix stream ones; signals, ``prlimit`` and CPU affinity aimed
at any process but the child itself.  ``clone3`` answers ENOSYS, so that glibc's threads
fall back to ``clone`` (whose flags a filter can read).  Everything else is allowed:
Landlock confines the filesystem.  Another architecture, or the x32 ABI, is refused.
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

# x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl)
_SYSCALLS = {
    "socket": 41, "connect": 42, "socketpair": 53, "clone": 56, "fork": 57, "vfork": 58,
    "execve": 59, "kill": 62, "ptrace": 101, "rt_sigqueueinfo": 129, "setpriority": 141,
    "sched_setparam": 142, "sched_setscheduler": 144, "pivot_root": 155, "chroot": 161,
    "acct": 163, "mount": 165, "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169,
    "init_module": 175, "delete_module": 176, "quotactl": 179, "tkill": 200,
    "sched_setaffinity": 203, "tgkill": 234, "kexec_load": 246, "add_key": 248,
    "request_key": 249, "keyctl": 250, "ioprio_set": 251, "unshare": 272,
    "rt_tgsigqueueinfo": 297, "perf_event_open": 298, "prlimit64": 302,
    "name_to_handle_at": 303, "open_by_handle_at": 304, "setns": 308,
    "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312, "finit_module": 313,
    "sched_setattr": 314, "kexec_file_load": 320, "bpf": 321, "execveat": 322,
    "userfaultfd": 323, "pidfd_send_signal": 424, "io_uring_setup": 425,
    "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428, "move_mount": 429,
    "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "pidfd_open": 434,
    "clone3": 435, "pidfd_getfd": 438, "process_madvise": 440, "mount_setattr": 442,
}
# refused outright with EPERM (a PermissionError in Python)
DENIED = (
    "fork", "vfork", "execve", "execveat", "connect", "ptrace", "process_vm_readv",
    "process_vm_writev", "process_madvise", "kcmp", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "tkill", "unshare", "setns", "mount", "umount2", "pivot_root",
    "chroot", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
    "mount_setattr", "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf",
    "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
    "name_to_handle_at", "open_by_handle_at", "setpriority", "sched_setparam",
    "sched_setscheduler", "sched_setattr", "ioprio_set", "init_module", "finit_module",
    "delete_module", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "acct",
    "quotactl",
)
SELF_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")  # first argument: our pid
SELF_OR_ZERO = ("prlimit64", "sched_setaffinity")  # first argument: 0 or our pid


_PID_SLOT: list[int] = []  # byte offset of the pid constant in program()'s output


def program(pid: int) -> bytes:
    """The BPF program (struct sock_filter[]) described in the module docstring."""
    code: list[tuple[int, int | str, int | str, int]] = []  # (op, jump-if-true, -if-false, k)
    labels: dict[str, int] = {}

    def op(operation: int, k: int, true: int | str = 0, false: int | str = 0) -> None:
        code.append((operation, true, false, k))

    def label(name: str) -> None:
        labels[name] = len(code)

    number = _SYSCALLS
    op(_LD_ABS_W, 4)  # seccomp_data.arch
    op(_JEQ, _AUDIT_ARCH_X86_64, 0, "kill")
    op(_LD_ABS_W, 0)  # seccomp_data.nr
    op(_JGE, _X32_BIT, "eperm", 0)
    # read, write, open, mmap … (numbers below socket's) are the bulk of every program's
    # calls and none of them is filtered: allowed after three instructions
    op(_JGE, number["socket"], 0, "allow")
    for name in DENIED:
        op(_JEQ, number[name], "eperm", 0)
    op(_JEQ, number["clone3"], "enosys", 0)
    op(_JEQ, number["clone"], "clone", 0)
    op(_JEQ, number["socket"], "socket", 0)
    op(_JEQ, number["socketpair"], "socket", 0)
    for name in SELF_ONLY:
        op(_JEQ, number[name], "self", 0)
    for name in SELF_OR_ZERO:
        op(_JEQ, number[name], "self_or_zero", 0)
    op(_RET, _RET_ALLOW)
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
