#!/usr/bin/env python3
"""Prints every query expression of the NDES dashboards, with Grafana variables substituted,
one JSON object per line, so that a test can run them against a real Prometheus.

    python3 tests/alerts/extract_dashboard_exprs.py [--var NAME=VALUE]... [dashboard.json ...]

Default dashboards: dashboards/ndes-overview.json and dashboards/ndes-server.json (relative to
the source root, found from this script's location).

Substituted forms: $name, ${name}, ${name:format} (the format is ignored) and [[name]].
Values (override any with --var):

    instance         .*          (the overview uses instance=~"$instance"; the server dashboard
                                  instance="$instance", so pass a real one, e.g. 127.0.0.1:10227)
    host             the part of `instance` before the first ':' (or .* when instance is .*)
    hook             .*          (the overview's renew hook panels: instance=~"$hook")
    datasource       prometheus
    __range          1h          __range_s 3600        __range_ms 3600000
    __interval       1m          __interval_ms 60000
    __rate_interval  5m
    __from/__to      now-1h / now in ms

A variable that has no value is an error (exit 2), so a new dashboard variable cannot slip
through unsubstituted.

Each output line:

    {"dashboard": "ndes-overview", "file": "dashboards/ndes-overview.json",
     "panel_id": 3, "panel_title": "...", "panel_type": "stat", "ref_id": "A",
     "instant": true, "expr": "<substituted>", "raw_expr": "<as in the dashboard>",
     "metrics": ["ndes_certificate_not_after_timestamp_seconds", ...]}

`instant` says whether Grafana runs it as an instant query (/api/v1/query) or a range query
(/api/v1/query_range). `metrics` lists the metric names the expression reads, so a caller can
skip expressions whose metrics a given platform does not expose (e.g. Windows-only ones on
Linux). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILES = [ROOT / "dashboards" / "ndes-overview.json", ROOT / "dashboards" / "ndes-server.json"]

VAR_RE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")

# PromQL words that look like metric names but are not.
PROMQL_WORDS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
    "quantile", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
    "offset", "bool", "time", "vector", "scalar", "increase", "rate", "irate", "delta", "idelta", "deriv",
    "label_replace", "label_join", "abs", "absent", "absent_over_time", "ceil", "floor", "round", "clamp",
    "clamp_min", "clamp_max", "changes", "resets", "sort", "sort_desc", "timestamp", "histogram_quantile",
    "max_over_time", "min_over_time", "avg_over_time", "sum_over_time", "count_over_time", "last_over_time",
    "present_over_time", "predict_linear", "holt_winters", "day_of_month", "day_of_week", "days_in_month",
    "hour", "minute", "month", "year", "exp", "ln", "log2", "log10", "sqrt", "sgn", "inf", "nan", "atan2",
}


def strip_strings_and_selectors(expr: str) -> str:
    """The expression without string literals, label matchers ({...}) and ranges ([...])."""
    expr = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    expr = re.sub(r"\{[^{}]*\}", "{}", expr)
    expr = re.sub(r"\[[^\]]*\]", "[]", expr)
    # label lists of by/without/on/ignoring/group_left/group_right are not metric names
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", r"\1", expr)
    return expr


def metric_names(expr: str) -> list[str]:
    bare = strip_strings_and_selectors(expr)
    names = []
    for m in re.finditer(r"(?<![\w:.])([a-zA-Z_:][\w:]*)(?=\s*(\{|\[|\)|$|\s|[-+*/<>=!,]))", bare):
        word = m.group(1)
        # a function call or keyword, a duration (5m) or a number is not a metric
        rest = bare[m.end():].lstrip()
        if word.lower() in PROMQL_WORDS or rest.startswith("("):
            continue
        if word not in names:
            names.append(word)
    return names


def default_values(overrides: dict[str, str]) -> dict[str, str]:
    now_ms = int(time.time() * 1000)
    values = {
        "instance": ".*",
        "hook": ".*",
        "datasource": "prometheus",
        "__range": "1h",
        "__range_s": "3600",
        "__range_ms": "3600000",
        "__interval": "1m",
        "__interval_ms": "60000",
        "__rate_interval": "5m",
        "__from": str(now_ms - 3600_000),
        "__to": str(now_ms),
    }
    values.update(overrides)
    if "host" not in overrides:
        inst = values["instance"]
        values["host"] = ".*" if inst == ".*" else inst.split(":", 1)[0]
    return values


def substitute(expr: str, values: dict[str, str]) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in values:
            raise KeyError(name)
        return values[name]

    return VAR_RE.sub(repl, expr)


def panels(dashboard: dict):
    for p in dashboard.get("panels", []):
        yield p
        yield from p.get("panels", [])  # panels inside collapsed rows


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                    help="value of a dashboard variable (repeatable)")
    ap.add_argument("files", nargs="*", type=Path, help="dashboard JSON files")
    args = ap.parse_args(argv)

    overrides = {}
    for item in args.var:
        if "=" not in item:
            ap.error(f"--var wants NAME=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        overrides[k] = v
    values = default_values(overrides)

    files = args.files or DEFAULT_FILES
    for path in files:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        try:
            shown = str(path.resolve().relative_to(ROOT))
        except ValueError:
            shown = str(path)
        for p in panels(dashboard):
            for t in p.get("targets", []):
                raw = t.get("expr")
                if not raw:
                    continue
                try:
                    expr = substitute(raw, values)
                except KeyError as e:
                    print(f"{shown}: panel {p.get('id')} ({p.get('title')!r}) uses ${e.args[0]}, which has no "
                          f"value; pass --var {e.args[0]}=...", file=sys.stderr)
                    return 2
                print(json.dumps({
                    "dashboard": dashboard.get("uid"),
                    "file": shown,
                    "panel_id": p.get("id"),
                    "panel_title": p.get("title"),
                    "panel_type": p.get("type"),
                    "ref_id": t.get("refId"),
                    "instant": bool(t.get("instant")) and not t.get("range", False),
                    "expr": expr,
                    "raw_expr": raw,
                    "metrics": metric_names(expr),
                }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # e.g. piped into head
        sys.exit(0)
