#!/usr/bin/env python3
"""Lints the Grafana dashboards in dashboards/*.json.

    python3 tests/alerts/lint_dashboards.py [--promtool PATH] [dashboard.json ...]

Checks, per dashboard:
  - valid JSON, classic model: `panels` list, `id` null, no `__inputs` (import placeholders);
  - a stable `uid` (the one this project publishes for that file) and a title;
  - schemaVersion 39..41 (Grafana 11/12);
  - templating has a `datasource` variable of type datasource (prometheus) and an
    `instance` variable;
  - every panel id unique (nested panels of collapsed rows included) and every panel has a
    gridPos inside the 24-column grid, without overlapping another;
  - every panel has a title; every panel except rows has at least one target, each with a
    non-empty expr and a refId unique within the panel;
  - every datasource reference (panel, target, variable) is {"type": "prometheus",
    "uid": "${datasource}"} or "$datasource" -- never a literal uid or name;
  - every expression filters on a dashboard variable other than the data source;
  - with promtool (found on PATH, or --promtool): every expression, variables substituted,
    parses as PromQL (`promtool check rules` on a generated rule file).

Exit 0 when clean, 1 with one line per problem otherwise. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import extract_dashboard_exprs as extract  # noqa: E402  (same directory)

EXPECTED_UIDS = {"ndes-overview.json": "ndes-overview", "ndes-server.json": "ndes-server"}
DS_VAR_RE = re.compile(r"^\$\{datasource\}$|^\$datasource$")
VAR_USE_RE = re.compile(r"\$\{?(\w+)|\[\[(\w+)")
SCHEMA_RANGE = range(39, 42)


def all_panels(dashboard: dict):
    for p in dashboard.get("panels", []):
        yield p
        for sub in p.get("panels", []) or []:
            yield sub


def ds_ok(ref) -> bool:
    """A data source reference that goes through the `datasource` variable."""
    if isinstance(ref, str):
        return bool(DS_VAR_RE.match(ref))
    if isinstance(ref, dict):
        return ref.get("type") == "prometheus" and bool(DS_VAR_RE.match(str(ref.get("uid", ""))))
    return False


def lint(path: Path, problems: list[str]) -> dict | None:
    name = path.name

    def bad(msg: str) -> None:
        problems.append(f"{path}: {msg}")

    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        bad(f"not valid JSON: {e}")
        return None
    if not isinstance(d, dict) or not isinstance(d.get("panels"), list):
        bad("not a classic dashboard model (no panels list)")
        return None

    uid = d.get("uid")
    if not isinstance(uid, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid or ""):
        bad(f"uid {uid!r} is missing or not a valid Grafana uid")
    elif name in EXPECTED_UIDS and uid != EXPECTED_UIDS[name]:
        bad(f"uid {uid!r} changed; links and bookmarks expect {EXPECTED_UIDS[name]!r}")
    if not d.get("title"):
        bad("no title")
    if d.get("id") is not None:
        bad("id must be null (Grafana assigns it)")
    if "__inputs" in d:
        bad("__inputs found: export for sharing externally is off; use the datasource variable")
    if d.get("schemaVersion") not in SCHEMA_RANGE:
        bad(f"schemaVersion {d.get('schemaVersion')!r} not in 39..41")

    variables = {v.get("name"): v for v in d.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds:
        bad("templating has no `datasource` variable")
    elif ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        bad("`datasource` variable must be of type datasource with query prometheus")
    if "instance" not in variables:
        bad("templating has no `instance` variable")
    for vname, v in variables.items():
        if "datasource" in v and v.get("type") != "datasource" and not ds_ok(v["datasource"]):
            bad(f"variable {vname}: datasource {v['datasource']!r} is not the datasource variable")

    for a in d.get("annotations", {}).get("list", []):
        if not a.get("builtIn") and not ds_ok(a.get("datasource")):
            bad(f"annotation {a.get('name')!r}: datasource is not the datasource variable")

    seen_ids: dict[int, str] = {}
    for p in all_panels(d):
        pid = p.get("id")
        title = p.get("title") or ""
        where = f"panel {pid} ({title!r})"
        if not isinstance(pid, int):
            bad(f"{where}: id missing or not an integer")
        elif pid in seen_ids:
            bad(f"{where}: id also used by panel {seen_ids[pid]!r}")
        else:
            seen_ids[pid] = title
        if not title.strip():
            bad(f"{where}: no title")
        gp = p.get("gridPos") or {}
        if not all(isinstance(gp.get(k), int) for k in ("x", "y", "w", "h")) or gp.get("x", 0) + gp.get("w", 0) > 24:
            bad(f"{where}: gridPos {gp!r} missing or outside the 24-column grid")
        if p.get("type") == "row":
            continue
        if "datasource" in p and not ds_ok(p["datasource"]):
            bad(f"{where}: datasource {p['datasource']!r} is not the datasource variable")
        targets = p.get("targets") or []
        if not targets:
            bad(f"{where}: no targets")
        refs = set()
        for t in targets:
            ref = t.get("refId")
            if not ref or ref in refs:
                bad(f"{where}: refId {ref!r} missing or duplicated")
            refs.add(ref)
            if "datasource" in t and not ds_ok(t["datasource"]):
                bad(f"{where} target {ref}: datasource {t['datasource']!r} is not the datasource variable")
            expr = (t.get("expr") or "").strip()
            if not expr:
                bad(f"{where} target {ref}: empty expr")
                continue
            used = {a or b for a, b in VAR_USE_RE.findall(expr)} - {"datasource"}
            if not any(u in variables for u in used):
                bad(f"{where} target {ref}: expression does not filter on a dashboard variable (instance)")

    # Panels must not overlap on the grid (top-level panels; collapsed rows hold their own).
    boxes = [(p.get("id"), p.get("gridPos") or {}) for p in d.get("panels", [])]
    for i, (id1, a) in enumerate(boxes):
        for id2, b in boxes[i + 1:]:
            try:
                if (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
                        and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]):
                    bad(f"panels {id1} and {id2} overlap")
            except (KeyError, TypeError):
                pass  # reported above

    # Nothing may carry a literal datasource uid anywhere in the file.
    text = path.read_text(encoding="utf-8")
    for m in re.finditer(r'"datasource"\s*:\s*\{[^{}]*"uid"\s*:\s*"([^"]*)"', text):
        if not DS_VAR_RE.match(m.group(1)):
            bad(f"literal datasource uid {m.group(1)!r}")
    return d


def promtool_check(files: list[Path], promtool: str, problems: list[str]) -> int:
    """Parses every expression with promtool; returns how many were checked."""
    values = extract.default_values({"instance": "ndes01:10227"})
    rules = []
    for path in files:
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue  # reported by lint()
        for p in all_panels(d):
            for t in p.get("targets", []) or []:
                if not t.get("expr"):
                    continue
                try:
                    expr = extract.substitute(t["expr"], values)
                except KeyError as e:
                    problems.append(f"{path}: panel {p.get('id')}: unknown variable ${e.args[0]}")
                    continue
                rules.append({"record": f"dashboard:{path.stem.replace('-', '_')}:panel_{p.get('id')}_{t.get('refId')}",
                              "expr": expr})
    if not rules:
        return 0
    # YAML is a superset of JSON: promtool reads this file as a rule file.
    with tempfile.NamedTemporaryFile("w", suffix=".rules.json", delete=False) as tmp:
        json.dump({"groups": [{"name": "dashboard-expressions", "rules": rules}]}, tmp, indent=1)
    try:
        r = subprocess.run([promtool, "check", "rules", "--lint=none", tmp.name],
                           capture_output=True, text=True)
    finally:
        Path(tmp.name).unlink(missing_ok=True)
    if r.returncode != 0:
        problems.append("promtool rejects dashboard expressions:\n" + (r.stdout + r.stderr).strip())
    return len(rules)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Lint the NDES Grafana dashboards.")
    ap.add_argument("--promtool", default=shutil.which("promtool"),
                    help="promtool binary for the PromQL syntax check (default: from PATH)")
    ap.add_argument("--no-promtool", action="store_true", help="skip the PromQL syntax check")
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args(argv)
    files = args.files or sorted((ROOT / "dashboards").glob("*.json"))
    if not files:
        print("no dashboards found", file=sys.stderr)
        return 1

    problems: list[str] = []
    for f in files:
        lint(f, problems)
    checked = 0
    if not args.no_promtool:
        if not args.promtool:
            problems.append("promtool not found (install prometheus, or pass --no-promtool)")
        else:
            checked = promtool_check(files, args.promtool, problems)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{len(files)} dashboard(s) OK; {checked} expressions parsed by promtool")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
