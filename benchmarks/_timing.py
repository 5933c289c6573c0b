"""Shared by the benchmarks: time commands interleaved round by round, against a baseline."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path


def regquiz_command() -> list[str]:
    """The `regquiz` script beside this interpreter, else `python -m regquiz`.

    Not the first `regquiz` on PATH: that may belong to another Python (a pyenv shim).
    """
    script = Path(sys.executable).with_name("regquiz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "regquiz"]


def interleaved_times(commands: Mapping[str, Sequence[str]], *, runs: int, env: Mapping[str, str],
                      cwd: str, must_succeed: Collection[str] = (),
                      extra_env: Mapping[str, Mapping[str, str]] | None = None,
                      ) -> dict[str, list[float]]:
    """Wall times of each command, `runs` rounds, every command once per round.

    Interleaving makes a noisy neighbour slow every command alike, so ratios stay honest.
    A command named in `must_succeed` that exits non-zero stops the benchmark.
    `extra_env` adds variables to the environment of the commands it names.
    """
    envs = {name: {**env, **(extra_env or {}).get(name, {})} for name in commands}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for name, command in commands.items():  # warm the file cache and the .pyc files
        subprocess.run(command, env=envs[name], cwd=cwd, capture_output=True)
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            done = subprocess.run(command, env=envs[name], cwd=cwd, capture_output=True)
            times[name].append(time.perf_counter() - started)
            if name in must_succeed and done.returncode != 0:
                sys.exit(f"{name} failed (exit {done.returncode}): {done.stderr.decode()}")
    return times
