#!/usr/bin/env python3
"""Writes a test-only copy of a Prometheus rules file with every `for:` duration shortened,
so live tests see alerts fire in seconds. Expressions and thresholds stay exactly as they are.

    python3 tests/alerts/shorten_for.py IN.yml OUT.yml [SECONDS]   (default 2)
"""
import re
import sys


def shorten(text: str, seconds: int) -> str:
    # Only whole `for: <duration>` lines of rules; expressions never hold such a line.
    return re.sub(r"(?m)^(\s+for:\s*)\S+\s*$", lambda m: f"{m.group(1)}{seconds}s", text)


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    seconds = int(sys.argv[3]) if len(sys.argv) == 4 else 2
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    out = shorten(text, seconds)
    if out == text:
        print(f"no `for:` found in {sys.argv[1]}", file=sys.stderr)
        return 1
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
