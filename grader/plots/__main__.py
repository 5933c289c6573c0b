"""`python -m regquiz.plots --all DIR`: write the reference figures (docs/problemN.png)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import RegquizError, UsageError
from ..manifest import load_manifest


def main(argv: list[str] | None = None) -> int:
    """Write DIR/PROBLEM.png for the chosen problems; the exit codes of `regquiz`."""
    parser = argparse.ArgumentParser(prog="python -m regquiz.plots",
                                     description="Write each problem's reference figure.")
    parser.add_argument("directory", type=Path, help="the folder to write PROBLEM.png into")
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--all", action="store_true", help="every problem of the manifest")
    chosen.add_argument("--problem", action="append", metavar="PROBLEM",
                        help="this problem (repeatable)")
    args = parser.parse_args(argv)
    try:
        from .command import check_target, reference_png, write_png

        manifest = load_manifest()
        ids = list(manifest.ids) if args.all else [manifest.problem(p).id for p in args.problem]
        try:
            args.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {args.directory}: {exc.strerror or exc}") from None
        for problem_id in ids:
            target = args.directory / f"{problem_id}.png"
            check_target(target)
            write_png(target, reference_png(problem_id))
            print(target)
    except RegquizError as exc:
        print(f"regquiz: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
