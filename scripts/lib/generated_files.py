"""Writes generated files, or checks that they are up to date (the generators' `--check`).

Shared by alerts/tests/gen_tests.py and dashboards/build_dashboards.py, which each import it
after putting this folder on sys.path. Standard library only.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Mapping


def write_or_check(folder: Path, files: Mapping[str, Callable[[], str]], argv: list[str], command: str) -> int:
    """Writes each file's text into `folder`, or with `--check` in argv only compares it.

    Returns the exit code: 1 when `--check` finds a file missing or different (naming the
    files and the `command` that regenerates them on stderr), else 0.
    """
    check = "--check" in argv
    stale = []
    for name, build in files.items():
        text = build()
        path = folder / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date (run {command}): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0
