#!/usr/bin/env python3
"""Cross-checks the alerting rules against the rest of the project.

    python3 tests/alerts/check_contract.py        (from anywhere; paths are from the source root)

  1. every alert has severity info|warning|critical and the annotations summary, description
     and runbook_url;
  2. runbook_url ends in /<alert-name-in-kebab-case>.md, that page exists in docs/runbooks/,
     and docs/runbooks/README.md links it; every runbook page belongs to an alert;
  3. every metric the rules and the dashboards read is documented in docs/metrics.md (the
     metric-name contract) -- `up` and recording rules (names with ':') excepted;
  4. every (alert, severity) of the rules is exercised by a promtool unit test in
     alerts/tests/*.test.yml.

The rule file is read with a small line-based parser (no YAML library in the standard
library): it understands the layout of alerts/ndes.rules.yml, including `annotations: &name`
anchors and `annotations: *name` aliases. Standard library only.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import extract_dashboard_exprs as extract  # noqa: E402

RULES = ROOT / "alerts" / "ndes.rules.yml"
RUNBOOKS = ROOT / "docs" / "runbooks"
METRICS_DOC = ROOT / "docs" / "metrics.md"
TESTS = ROOT / "alerts" / "tests"
DASHBOARDS = ROOT / "dashboards"


def kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def rule_blocks(text: str) -> list[dict]:
    """[{kind: alert|record, name, text}] for each `- alert:` / `- record:` item."""
    blocks = []
    current = None
    for line in text.splitlines():
        m = re.match(r"^\s*- (alert|record):\s*(\S+)\s*$", line)
        if m:
            current = {"kind": m.group(1), "name": m.group(2), "lines": []}
            blocks.append(current)
            continue
        if re.match(r"^\s*- name:", line) or re.match(r"^\S", line):
            current = None  # next group / top level
            continue
        if current is not None:
            current["lines"].append(line)
    for b in blocks:
        b["text"] = "\n".join(b["lines"])
    return blocks


def block_expr(block: dict) -> str:
    """The expr value: inline, or the indented block scalar after `expr: |`."""
    lines = block["lines"]
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)expr:\s*(.*)$", line)
        if not m:
            continue
        indent, rest = len(m.group(1)), m.group(2)
        if rest and rest not in ("|", ">", "|-", ">-"):
            return rest
        body = []
        for nxt in lines[i + 1:]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            body.append(nxt)
        return "\n".join(body)
    return ""


def annotations(block: dict, anchors: dict[str, str]) -> str:
    """The annotations text of a block, resolving `*alias` to the anchored block's text."""
    m = re.search(r"annotations:\s*\*(\w+)", block["text"])
    if m:
        return anchors.get(m.group(1), "")
    return block["text"]


def main() -> int:
    problems: list[str] = []
    text = RULES.read_text(encoding="utf-8")
    blocks = rule_blocks(text)
    anchors = {}
    for b in blocks:
        m = re.search(r"annotations:\s*&(\w+)", b["text"])
        if m:
            anchors[m.group(1)] = b["text"]

    alerts = [b for b in blocks if b["kind"] == "alert"]
    if not alerts:
        problems.append(f"{RULES}: no alerts found")
    pairs: set[tuple[str, str]] = set()
    rule_metrics: set[str] = set()
    for b in alerts + [b for b in blocks if b["kind"] == "record"]:
        rule_metrics.update(extract.metric_names(block_expr(b)))
    for b in alerts:
        name = b["name"]
        sev = re.search(r"^\s*severity:\s*(\S+)\s*$", b["text"], re.M)
        if not sev or sev.group(1) not in ("info", "warning", "critical"):
            problems.append(f"{name}: severity missing or not info|warning|critical")
        else:
            pairs.add((name, sev.group(1)))
        ann = annotations(b, anchors)
        for key in ("summary", "description", "runbook_url"):
            if not re.search(rf"^\s*{key}:", ann, re.M):
                problems.append(f"{name} ({sev.group(1) if sev else '?'}): no {key} annotation")
        page = f"{kebab(name)}.md"
        url = re.search(r"^\s*runbook_url:\s*'(.*)'\s*$", ann, re.M)
        if url and not url.group(1).endswith("}}/" + page):
            problems.append(f"{name}: runbook_url {url.group(1)!r} does not end in <base>/{page}")
        if not (RUNBOOKS / page).is_file():
            problems.append(f"{name}: runbook page docs/runbooks/{page} missing")

    # Runbook pages <-> alerts <-> index.
    names = {b["name"] for b in alerts}
    index = (RUNBOOKS / "README.md").read_text(encoding="utf-8") if (RUNBOOKS / "README.md").is_file() else ""
    if not index:
        problems.append("docs/runbooks/README.md missing")
    for page in sorted(RUNBOOKS.glob("*.md")):
        if page.name == "README.md":
            continue
        if not any(kebab(n) + ".md" == page.name for n in names):
            problems.append(f"docs/runbooks/{page.name}: no alert of that name")
        if f"({page.name})" not in index:
            problems.append(f"docs/runbooks/README.md does not link {page.name}")

    # Metric names against docs/metrics.md.
    documented = set(re.findall(r"\b((?:ndes|probe)_[a-z0-9_]+)", METRICS_DOC.read_text(encoding="utf-8")))
    dash_metrics: set[str] = set()
    for path in sorted(DASHBOARDS.glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        for p in extract.panels(d):
            for t in p.get("targets", []) or []:
                if t.get("expr"):
                    dash_metrics.update(extract.metric_names(t["expr"]))
    for where, used in (("alerts/ndes.rules.yml", rule_metrics), ("dashboards", dash_metrics)):
        for m in sorted(used):
            if m == "up" or ":" in m:
                continue
            if m not in documented:
                problems.append(f"{where}: metric {m} is not in docs/metrics.md")

    # Unit-test coverage: every (alert, severity) appears in an expected alert.
    tested: set[tuple[str, str]] = set()
    for f in sorted(TESTS.glob("*.test.yml")):
        current = None
        for line in f.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^\s*alertname:\s*'?(\w+)'?\s*$", line)
            if m:
                current = m.group(1)
            m = re.match(r"^\s*severity:\s*'?(\w+)'?\s*$", line)
            if m and current:
                tested.add((current, m.group(1)))
    for name, sev in sorted(pairs - tested):
        problems.append(f"{name} ({sev}): no promtool test expects it to fire")

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{len(alerts)} alert rules ({len(names)} names): runbooks, annotations, {len(rule_metrics | dash_metrics)} "
          f"metric names and {len(pairs)} (alert, severity) test expectations OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
