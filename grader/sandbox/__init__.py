"""The trust boundary: everything that starts, confines and talks to student code.

* ``process``    the parent's handle on one child (start, call, limits, close);
* ``child``      the only code that runs in a child (never imported by the parent);
* ``wire``       the plain-data codec both sides speak (a fixed set of tags, no pickle);
* ``confine``    Landlock and privileges, applied in the child (the parent's rules);
* ``seccomp``    the child's system-call filter;
* ``launch``     how a child is started: command, environment, paths, confinement policy;
* ``workdir``    the child's private copy of the submission's files;
* ``forkserver`` a warm process that forks children for `grade`;
* ``reaper``     kills a child's whole group and anything it left behind.
"""

from .process import CallOutcome, Limits, StudentProcess

__all__ = ["CallOutcome", "Limits", "StudentProcess"]
