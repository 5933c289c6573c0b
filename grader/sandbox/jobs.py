"""Windows Job objects for the portable backend: a memory cap, no subprocesses, kill on close.

Through ctypes (kernel32), so no pywin32 is needed.  A child is put in its job right after
it starts and before its config (and so any student code) reaches it.  Where a job cannot be
had (an older Windows that refuses nested jobs, say), ``Job.create`` returns None and the
portable backend falls back to its memory watchdog.
"""

from __future__ import annotations

import ctypes
import subprocess
from typing import Any

_JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9
_LIMIT_ACTIVE_PROCESS = 0x00000008
_LIMIT_PROCESS_MEMORY = 0x00000100
_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400
_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000


class _BasicLimits(ctypes.Structure):
    _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64),
                ("PerJobUserTimeLimit", ctypes.c_int64),
                ("LimitFlags", ctypes.c_uint32),
                ("MinimumWorkingSetSize", ctypes.c_size_t),
                ("MaximumWorkingSetSize", ctypes.c_size_t),
                ("ActiveProcessLimit", ctypes.c_uint32),
                ("Affinity", ctypes.c_size_t),
                ("PriorityClass", ctypes.c_uint32),
                ("SchedulingClass", ctypes.c_uint32)]


class _IoCounters(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class _ExtendedLimits(ctypes.Structure):
    _fields_ = [("BasicLimitInformation", _BasicLimits),
                ("IoInfo", _IoCounters),
                ("ProcessMemoryLimit", ctypes.c_size_t),
                ("JobMemoryLimit", ctypes.c_size_t),
                ("PeakProcessMemoryUsed", ctypes.c_size_t),
                ("PeakJobMemoryUsed", ctypes.c_size_t)]


class Job:
    """One child's Job object (Windows only)."""

    def __init__(self, kernel32: Any, handle: int) -> None:
        self._kernel32 = kernel32
        self._handle = handle
        self.memory_bytes = 0

    @classmethod
    def create(cls, proc: subprocess.Popen[bytes]) -> Job | None:
        """A job holding `proc` (kill-on-close, one active process), or None if refused."""
        try:
            kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
            kernel32.CreateJobObjectW.restype = ctypes.c_void_p
            handle = kernel32.CreateJobObjectW(None, None)
            if not handle:
                return None
            job = cls(kernel32, handle)
            if not job._set_limits(0) or not kernel32.AssignProcessToJobObject(
                    ctypes.c_void_p(handle), ctypes.c_void_p(int(proc._handle))):  # type: ignore[attr-defined]
                job.close()
                return None
            return job
        except (AttributeError, OSError):
            return None

    def limit_memory(self, memory_bytes: int) -> bool:
        """Cap each process of the job at `memory_bytes` of committed memory."""
        if self._set_limits(memory_bytes):
            self.memory_bytes = memory_bytes
            return True
        return False

    def memory_exceeded(self) -> bool:
        """Whether the child's peak commit reached the cap (its allocation then failed)."""
        info = _ExtendedLimits()
        ok = self._kernel32.QueryInformationJobObject(
            ctypes.c_void_p(self._handle), _JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
            ctypes.byref(info), ctypes.sizeof(info), None)
        return bool(ok) and self.memory_bytes > 0 and \
            info.PeakProcessMemoryUsed >= 0.95 * self.memory_bytes

    def terminate(self) -> None:
        """Kill every process of the job."""
        self._kernel32.TerminateJobObject(ctypes.c_void_p(self._handle), 1)

    def close(self) -> None:
        """Release the job (kill-on-close ends anything still in it)."""
        if self._handle:
            self._kernel32.CloseHandle(ctypes.c_void_p(self._handle))
            self._handle = 0

    def _set_limits(self, memory_bytes: int) -> bool:
        info = _ExtendedLimits()
        flags = _LIMIT_ACTIVE_PROCESS | _LIMIT_KILL_ON_JOB_CLOSE | _LIMIT_DIE_ON_UNHANDLED_EXCEPTION
        info.BasicLimitInformation.ActiveProcessLimit = 1
        if memory_bytes:
            flags |= _LIMIT_PROCESS_MEMORY
            info.ProcessMemoryLimit = memory_bytes
        info.BasicLimitInformation.LimitFlags = flags
        return bool(self._kernel32.SetInformationJobObject(
            ctypes.c_void_p(self._handle), _JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
            ctypes.byref(info), ctypes.sizeof(info)))
