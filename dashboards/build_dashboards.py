#!/usr/bin/env python3
"""Builds the Grafana dashboards dashboards/ndes-overview.json and dashboards/ndes-server.json.

The JSON files are what Grafana loads (see dashboards/provisioning/); this script is their
source, so that the two dashboards share expressions, colours and layout rules:

    python3 dashboards/build_dashboards.py           rewrite both JSON files
    python3 dashboards/build_dashboards.py --check   exit 1 if they are not up to date (CTest)

Conventions (checked by tests/alerts/lint_dashboards.py):
  - classic dashboard JSON model, schemaVersion 41 (Grafana 12.x; 11.x loads it too);
  - every panel and query uses the data source through the `datasource` variable
    ({"type": "prometheus", "uid": "${datasource}"}), never a literal uid;
  - every query filters on a dashboard variable (`instance`, `host` derived from it, or `hook`
    for the renew hook's own scrape target);
  - stable uids: ndes-overview, ndes-server.

Metric names: docs/metrics.md. "In use" and "superseded" follow alerts/ndes.rules.yml (the
dashboards do not need the rules to be loaded, so the expression is repeated here).
Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, str(HERE.parent / "scripts" / "lib"))
from generated_files import write_or_check  # noqa: E402 (found through the path above)

SCHEMA_VERSION = 41
DS = {"type": "prometheus", "uid": "${datasource}"}

ROLES = "cep_encryption|enrollment_agent|ssl|connector_identity|ca"
RA = "cep_encryption|enrollment_agent"
DAY = 86400

# Colours of the certificate bands (days left): the alert bands 60/30/14.
DAYS_THRESHOLDS = [
    {"color": "red", "value": None},
    {"color": "orange", "value": 14},
    {"color": "yellow", "value": 30},
    {"color": "green", "value": 60},
]


def superseded(f: str) -> str:
    """RA certificates superseded by a newer valid one (same job/instance/collector/source/template/role).

    Parenthesised as a whole: `<` binds looser than `-`, so `superseded - time()` would
    otherwise subtract from the right-hand side of the comparison.
    """
    return (
        f'(\n  ndes_certificate_not_after_timestamp_seconds{{{f}, role=~"{RA}"}}\n'
        "  < on (job, instance, collector, source, template, role) group_left ()\n"
        "    max by (job, instance, collector, source, template, role) (\n"
        f'        (ndes_certificate_not_after_timestamp_seconds{{{f}, role=~"{RA}"}} > time())\n'
        "      and\n"
        f'        (ndes_certificate_not_before_timestamp_seconds{{{f}, role=~"{RA}"}} <= time())\n'
        "      unless on (job, instance, thumbprint)\n"
        f"        (ndes_certificate_has_private_key{{{f}}} == 0)\n"
        "    )\n)"
    )


def in_use(f: str) -> str:
    """NotAfter of the certificates in use, as ndes:certificate_not_after_timestamp_seconds:in_use."""
    return (
        f'(\n  ndes_certificate_not_after_timestamp_seconds{{{f}, role=~"{ROLES}"}}\n'
        f"  unless\n  (\n    {superseded(f).replace(chr(10), chr(10) + '    ')}\n  )\n)"
    )


def scep_probe(f: str) -> str:
    """probe_success of SCEP probes, with the same job/module conventions as NdesScepEndpointDown."""
    return (
        f'probe_success{{{f}, collector="scep"}}\n'
        f'or probe_success{{{f}, job=~".*scep.*", collector=~"|scep"}}\n'
        f'or probe_success{{{f}, module="scep", collector=~"|scep"}}'
    )


# ---------------------------------------------------------------------------------------------
# Panel builders


def target(expr: str, ref: str = "A", legend: str = "", instant: bool = False, table: bool = False) -> dict:
    t = {"datasource": DS, "editorMode": "code", "expr": expr, "refId": ref}
    if legend:
        t["legendFormat"] = legend
    if table:
        t["format"] = "table"
    t["instant"] = instant
    t["range"] = not instant
    return t


def thresholds(*steps: tuple[str, float | None]) -> dict:
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for c, v in steps]}


def stat(title: str, targets: list[dict], *, desc: str = "", unit: str = "none", steps=None,
         mappings=None, color_mode: str = "background", text_mode: str = "auto", decimals=None) -> dict:
    defaults = {
        "color": {"mode": "thresholds"},
        "mappings": mappings or [],
        "thresholds": thresholds(*(steps or [("green", None)])),
        "unit": unit,
    }
    if decimals is not None:
        defaults["decimals"] = decimals
    return {
        "type": "stat",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {
            "colorMode": color_mode,
            "graphMode": "none",
            "justifyMode": "auto",
            "orientation": "auto",
            "percentChangeColorMode": "standard",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "showPercentChange": False,
            "textMode": text_mode,
            "wideLayout": True,
        },
        "targets": targets,
    }


def columns_table(title: str, columns: dict[str, str], *, rename: dict | None = None, **kw) -> dict:
    """A table of instant queries merged into one row per series, each query a named column.

    Grafana calls the value of query A "Value #A"; `columns` maps the column name to its
    query, and the queries get the refIds A, B, ... in order.
    """
    refs = [chr(ord("A") + i) for i in range(len(columns))]
    targets = [target(expr, ref, instant=True, table=True) for ref, expr in zip(refs, columns.values())]
    names = {f"Value #{ref}": name for ref, name in zip(refs, columns)}
    return table(title, targets, rename={**names, **(rename or {})}, **kw)


def table(title: str, targets: list[dict], *, desc: str = "", rename: dict | None = None,
          hide: list[str] | None = None, order: list[str] | None = None, sort: str | None = None,
          sort_desc: bool = False, overrides: list[dict] | None = None, merge: bool | None = None) -> dict:
    transformations = []
    if merge if merge is not None else len(targets) > 1:
        transformations.append({"id": "merge", "options": {}})
    transformations.append({
        "id": "organize",
        "options": {
            "excludeByName": {name: True for name in ["Time", "__name__", *(hide or [])]},
            "indexByName": {name: i for i, name in enumerate(order or [])},
            "renameByName": rename or {},
        },
    })
    options = {
        "cellHeight": "sm",
        "footer": {"countRows": False, "fields": "", "reducer": ["sum"], "show": False},
        "showHeader": True,
    }
    if sort:
        options["sortBy"] = [{"desc": sort_desc, "displayName": sort}]
    return {
        "type": "table",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": {
            "defaults": {
                "custom": {"align": "auto", "cellOptions": {"type": "auto"}, "filterable": True, "inspect": False},
                "mappings": [],
                "thresholds": thresholds(("green", None)),
            },
            "overrides": overrides or [],
        },
        "options": options,
        "transformations": transformations,
        "targets": targets,
    }


def override(name: str, **props) -> dict:
    """A field override by display name; props: unit, decimals, thresholds, mappings, cell (cell type)."""
    properties = []
    for key, value in props.items():
        if key == "cell":
            properties.append({"id": "custom.cellOptions", "value": {"type": value}})
        elif key == "thresholds":
            properties.append({"id": "thresholds", "value": {"mode": "absolute", "steps": value}})
            properties.append({"id": "color", "value": {"mode": "thresholds"}})
        else:
            properties.append({"id": key, "value": value})
    return {"matcher": {"id": "byName", "options": name}, "properties": properties}


def timeseries(title: str, targets: list[dict], *, desc: str = "", unit: str = "short", bars: bool = False,
               steps=None, stack: bool = False) -> dict:
    custom = {
        "drawStyle": "bars" if bars else "line",
        "fillOpacity": 60 if bars else 10,
        "lineWidth": 1,
        "showPoints": "never",
        "spanNulls": False,
        "stacking": {"group": "A", "mode": "normal" if stack else "none"},
        "thresholdsStyle": {"mode": "line" if steps else "off"},
    }
    return {
        "type": "timeseries",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": {
            "defaults": {
                "color": {"mode": "palette-classic"},
                "custom": custom,
                "mappings": [],
                "thresholds": {"mode": "absolute", "steps": steps or [{"color": "green", "value": None}]},
                "unit": unit,
            },
            "overrides": [],
        },
        "options": {
            "legend": {"calcs": [], "displayMode": "table", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
        "targets": targets,
    }


def state_timeline(title: str, targets: list[dict], *, desc: str = "", mappings=None, steps=None) -> dict:
    return {
        "type": "state-timeline",
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": {
            "defaults": {
                "color": {"mode": "thresholds"},
                "custom": {"fillOpacity": 80, "lineWidth": 0},
                "mappings": mappings or [],
                "thresholds": thresholds(*(steps or [("green", None)])),
            },
            "overrides": [],
        },
        "options": {
            "alignValue": "left",
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": False},
            "mergeValues": True,
            "rowHeight": 0.9,
            "showValue": "never",
            "tooltip": {"mode": "single", "sort": "none"},
        },
        "targets": targets,
    }


def red_green(zero: str, one: str) -> list[dict]:
    """Value mappings of a 0/1 metric: 0 in red as `zero`, 1 in green as `one`."""
    return [{"type": "value", "options": {
        "0": {"color": "red", "index": 0, "text": zero},
        "1": {"color": "green", "index": 1, "text": one},
    }}]


UP_DOWN = red_green("DOWN", "UP")
YES_NO = red_green("no", "yes")
STATE_COLOURS = [{"type": "value", "options": {
    "running": {"color": "green", "index": 0},
    "started": {"color": "green", "index": 1},
    "stopped": {"color": "red", "index": 2},
    "paused": {"color": "orange", "index": 3},
    "unknown": {"color": "orange", "index": 4},
}}]


class Layout:
    """Places panels left to right on the 24-column grid, wrapping, with rows as separators."""

    def __init__(self) -> None:
        self.panels: list[dict] = []
        self.x = 0
        self.y = 0
        self.line_h = 0
        self.next_id = 1

    def _id(self) -> int:
        i = self.next_id
        self.next_id += 1
        return i

    def newline(self) -> None:
        self.y += self.line_h
        self.x = 0
        self.line_h = 0

    def row(self, title: str) -> None:
        self.newline()
        self.panels.append({"type": "row", "title": title, "collapsed": False, "id": self._id(),
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.y += 1

    def add(self, panel: dict, w: int, h: int) -> None:
        if self.x + w > 24:
            self.newline()
        panel = {"id": self._id(), "gridPos": {"h": h, "w": w, "x": self.x, "y": self.y}, **panel}
        self.panels.append(panel)
        self.x += w
        self.line_h = max(self.line_h, h)


def datasource_var() -> dict:
    return {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "options": [],
        "refresh": 1,
        "regex": "",
    }


def query_var(name: str, label: str, query: str, *, multi: bool, regex: str = "", hide: int = 0) -> dict:
    v = {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DS,
        "definition": query,
        "query": {"qryType": 1, "query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "current": {},
        "hide": hide,
        "includeAll": multi,
        "multi": multi,
        "options": [],
        "refresh": 2,
        "regex": regex,
        "sort": 1,
    }
    if multi:
        v["allValue"] = ".*"
    return v


def dashboard(uid: str, title: str, description: str, panels: list[dict], variables: list[dict]) -> dict:
    return {
        "annotations": {"list": []},
        "description": description,
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "id": None,
        "links": [{
            "asDropdown": False, "icon": "external link", "includeVars": True, "keepTime": True,
            "tags": ["ndes"], "targetBlank": False, "title": "NDES dashboards", "tooltip": "",
            "type": "dashboards", "url": "",
        }],
        "panels": panels,
        "refresh": "1m",
        "schemaVersion": SCHEMA_VERSION,
        "tags": ["ndes", "pki", "intune"],
        "templating": {"list": variables},
        "time": {"from": "now-24h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": title,
        "uid": uid,
        "version": 1,
        "weekStart": "",
    }


# ---------------------------------------------------------------------------------------------
# Shared panels


def cert_table(f: str, title: str, desc: str) -> dict:
    """Certificates in use, sorted by days left, coloured by the alert bands."""
    iu = in_use(f)
    return columns_table(
        title,
        {"Days left": f"({iu} - time()) / {DAY}", "Not after": f"{iu} * 1000"},
        desc=desc,
        hide=["job"],
        order=["Days left", "instance", "role", "subject", "template", "thumbprint", "Not after",
               "collector", "source", "path", "issuer", "serial"],
        sort="Days left",
        overrides=[
            override("Days left", decimals=1, unit="none", thresholds=DAYS_THRESHOLDS, cell="color-background"),
            override("Not after", unit="dateTimeAsIso"),
        ],
    )


def ra_valid_table(f: str) -> dict:
    return table(
        "Valid RA certificates per source",
        [target(f'ndes_certificates_valid{{{f}, role=~"{RA}"}}', instant=True, table=True)],
        desc="ndes_certificates_valid for the NDES RA roles: exactly 1 per template is right; "
             "0 is a gap (NdesRaCertificateMissing), more than 1 a duplicate that stops NDES "
             "(NdesRaCertificateDuplicate).",
        rename={"Value": "Valid"},
        hide=["job"],
        order=["instance", "collector", "source", "template", "role", "Valid"],
        sort="Valid",
        sort_desc=True,
        overrides=[override("Valid", cell="color-background", thresholds=[
            {"color": "red", "value": None}, {"color": "green", "value": 1}, {"color": "red", "value": 2}])],
    )


def band_stats(lay: Layout, f: str) -> None:
    iu = in_use(f)
    bands = [
        ("Expired", f"count({iu} <= time()) or vector(0)", "red",
         "Certificates in use whose NotAfter has passed (NdesCertificateExpired)."),
        ("< 14 days", f"count({iu} - time() > 0 < 14 * {DAY}) or vector(0)", "red",
         "Certificates in use with less than 14 days left (NdesCertificateExpiringSoon, critical)."),
        ("14 – 30 days", f"count({iu} - time() >= 14 * {DAY} < 30 * {DAY}) or vector(0)", "orange",
         "14 to 30 days left (NdesCertificateExpiringSoon, warning)."),
        ("30 – 60 days", f"count({iu} - time() >= 30 * {DAY} < 60 * {DAY}) or vector(0)", "yellow",
         "30 to 60 days left (NdesCertificateExpiringSoon, info)."),
        ("≥ 60 days", f"count({iu} - time() >= 60 * {DAY}) or vector(0)", "green",
         "Certificates in use with 60 days or more left."),
    ]
    for title, expr, colour, desc in bands:
        steps = [("green", None), (colour, 1)] if colour != "green" else [("green", None)]
        lay.add(stat(title, [target(expr, instant=True)], desc=desc, steps=steps), 4, 4)
    lay.add(stat("Superseded RA certs", [target(f"count({superseded(f)}) or vector(0)", instant=True)],
                 desc="Old RA certificates replaced by a newer valid one: they do not alert, but should be "
                      "removed from the store (a second valid one is a duplicate).",
                 steps=[("green", None), ("yellow", 1)]), 4, 4)


# ---------------------------------------------------------------------------------------------
# Overview


def overview() -> dict:
    f = 'instance=~"$instance"'
    # The renew hook is a scrape target of its own (host:10228), not one of the exporter
    # instances the instance variable lists: its panels have their own variable.
    hook = 'instance=~"$hook"'
    lay = Layout()

    lay.row("Certificates in use")
    band_stats(lay, f)
    lay.add(cert_table(f, "Certificates by days left",
                       "Every certificate in use (roles cep_encryption, enrollment_agent, ssl, "
                       "connector_identity, ca; superseded RA certificates left out), soonest first. "
                       "Colours: red < 14 days, orange < 30, yellow < 60, green from 60."), 24, 11)

    lay.row("NDES RA certificates")
    lay.add(stat("RA duplicates", [target(f'count(ndes_certificates_valid{{{f}, role=~"{RA}"}} > 1) or vector(0)',
                                          instant=True)],
                 desc="Sources with more than one valid certificate of an RA template.",
                 steps=[("green", None), ("red", 1)]), 4, 5)
    lay.add(stat("RA gaps", [target(f'count(ndes_certificates_valid{{{f}, role=~"{RA}"}} == 0) or vector(0)',
                                    instant=True)],
                 desc="Sources that report an RA template but have no valid certificate of it.",
                 steps=[("green", None), ("red", 1)]), 4, 5)
    lay.add(ra_valid_table(f), 16, 9)
    lay.newline()
    lay.add(table("Superseded RA certificates (remove them)",
                  [target(f"({superseded(f)} - time()) / {DAY}", instant=True, table=True)],
                  desc="RA certificates with a newer valid successor of the same template and source. "
                       "NDES may refuse to start while two are valid: delete the old ones.",
                  rename={"Value": "Days left"}, hide=["job"],
                  order=["instance", "role", "template", "thumbprint", "Days left"], sort="Days left",
                  overrides=[override("Days left", decimals=1)]), 24, 6)

    lay.row("SCEP endpoint and CRLs")
    lay.add(stat("SCEP probe", [target(scep_probe(f), legend="{{instance}} {{target}}", instant=True)],
                 desc="probe_success of the SCEP probes: the scep static-target collector, and /probe jobs "
                      "named *scep* or labelled module=\"scep\".",
                 mappings=UP_DOWN, steps=[("red", None), ("green", 1)], text_mode="value_and_name"), 12, 5)
    lay.add(timeseries("Probe duration", [target(f"probe_duration_seconds{{{f}}}",
                                                 legend="{{job}} {{collector}} {{instance}} {{target}}")],
                       unit="s"), 12, 5)
    lay.add(table("CRLs: days to next update",
                  [target(f"(ndes_crl_next_update_timestamp_seconds{{{f}}} - time()) / {DAY}", instant=True,
                          table=True)],
                  desc="NdesCrlExpiringSoon: warning below 3 days, critical below 1 day.",
                  rename={"Value": "Days to next update"}, hide=["job"], sort="Days to next update",
                  overrides=[override("Days to next update", decimals=2, cell="color-background", thresholds=[
                      {"color": "red", "value": None}, {"color": "orange", "value": 1},
                      {"color": "green", "value": 3}])]), 24, 6)

    lay.row("Windows services and Intune connector")
    lay.add(table("Services",
                  [target(f"ndes_service_state{{{f}}} == 1", instant=True, table=True)],
                  desc="Current state of the monitored Windows services.", hide=["job", "Value"],
                  order=["instance", "name", "state"], sort="state",
                  overrides=[override("state", mappings=STATE_COLOURS, cell="color-text")]), 9, 8)
    lay.add(table("IIS app pools",
                  [target(f"ndes_iis_app_pool_state{{{f}}} == 1", instant=True, table=True)],
                  desc="Current state of the IIS application pools (the SCEP pool must be started).",
                  hide=["job", "Value"], order=["instance", "pool", "state"], sort="state",
                  overrides=[override("state", mappings=STATE_COLOURS, cell="color-text")]), 8, 8)
    lay.add(stat("Connector: last connection to Intune",
                 [target(f"time() - ndes_connector_last_connection_timestamp_seconds{{{f}}}",
                         legend="{{instance}}", instant=True)],
                 desc="Time since the Intune Certificate Connector last reached Intune "
                      "(NdesConnectorStale above 24 hours).",
                 unit="s", steps=[("green", None), ("red", DAY)], text_mode="value_and_name"), 7, 8)

    lay.row("NDES errors and renewals")
    lay.add(timeseries("Event log errors",
                       [target(f'sum by (instance, provider, event_id) (increase(ndes_eventlog_events_total{{{f}, '
                               f'level=~"(?i)error|critical"}}[$__rate_interval]))',
                               legend="{{instance}} {{provider}} {{event_id}}")],
                       desc="Error events of the watched providers (NDES events 2, 10, 31; Intune Certificate "
                            "Connector) per interval.", bars=True, stack=True), 12, 8)
    errors = (f'sum by (job, instance, log, provider, event_id) (increase(ndes_eventlog_events_total{{{f}, '
              f'level=~"(?i)error|critical"}}[$__range])) > 0')
    lay.add(columns_table(
        "Recent NDES errors (time range)",
        {"Events": errors,
         "Last seen": f"max by (job, instance, log, provider, event_id) "
                      f"(ndes_eventlog_last_event_timestamp_seconds{{{f}}}) * 1000\n"
                      f"and on (job, instance, log, provider, event_id)\n"
                      f"({errors})"},
        desc="Error events in the selected time range, with the time of the newest one.",
        hide=["job"],
        order=["Last seen", "instance", "log", "provider", "event_id", "Events"], sort="Last seen",
        sort_desc=True,
        overrides=[override("Last seen", unit="dateTimeAsIso"), override("Events", decimals=0)]), 12, 8)
    lay.add(timeseries("Renewals by result",
                       [target(f"sum by (template, result) (increase(ndes_renewals_total{{{hook}}}[$__rate_interval]))",
                               legend="{{template}} {{result}}")],
                       desc="ndes_renew_hook renewals per interval. The hook is its own scrape target "
                            "(host:10228), chosen in the hook variable.",
                       bars=True, stack=True), 12, 7)
    lay.add(stat("Last successful renewal",
                 [target(f"ndes_renewal_last_success_timestamp_seconds{{{hook}}} * 1000",
                         legend="{{instance}} {{template}}", instant=True)],
                 unit="dateTimeFromNow", color_mode="none", text_mode="value_and_name"), 8, 7)
    lay.add(stat("Renewal running",
                 [target(f"ndes_renewal_in_progress{{{hook}}}", legend="{{instance}}", instant=True)],
                 mappings=[{"type": "value", "options": {"0": {"text": "idle", "index": 0},
                                                         "1": {"text": "renewing", "color": "blue", "index": 1}}}],
                 color_mode="value", text_mode="value_and_name"), 4, 7)

    lay.row("Exporter")
    lay.add(stat("Scrape targets", [target(f'up{{job=~"ndes.*", {f}}}', legend="{{job}} {{instance}}", instant=True)],
                 desc='up{job=~"ndes.*"}: the exporter, the renew hook and /probe jobs (NdesExporterDown).',
                 mappings=UP_DOWN, steps=[("red", None), ("green", 1)], text_mode="value_and_name"), 8, 6)
    lay.add(columns_table("Collectors",
                          {"Success": f"ndes_collector_success{{{f}}}",
                           "Duration": f"ndes_collector_duration_seconds{{{f}}}"},
                          hide=["job"],
                          order=["instance", "collector", "Success", "Duration"], sort="Success",
                          overrides=[override("Success", mappings=YES_NO, cell="color-text"),
                                     override("Duration", unit="s")]), 8, 6)
    lay.add(table("Unreadable certificate files",
                  [target(f"ndes_certificate_read_errors{{{f}}} == 1", instant=True, table=True)],
                  desc="NdesCertificateReadErrors: files that looked like certificates but could not be read.",
                  hide=["job", "Value"], order=["instance", "collector", "source", "path", "reason"]), 8, 6)

    return dashboard(
        "ndes-overview", "NDES / Overview",
        "Fleet view of NDES / Intune SCEP servers monitored by ndes_exporter: certificate expiry bands, "
        "RA duplicates and gaps, SCEP probes, services, NDES errors and renewals.",
        lay.panels,
        [datasource_var(),
         query_var("instance", "Instance", 'label_values(up{job=~"ndes.*"}, instance)', multi=True),
         query_var("hook", "Renew hook", "label_values(ndes_renewal_in_progress, instance)", multi=True)],
    )


# ---------------------------------------------------------------------------------------------
# One server


def server() -> dict:
    f = 'instance="$instance"'
    # The renew hook runs on the NDES server but is its own scrape target (other port): match
    # it by host name.
    h = 'instance=~"$host(:[0-9]+)?"'
    lay = Layout()

    lay.row("Status")
    lay.add(stat("Exporter", [target(f'up{{{f}}}', instant=True)], mappings=UP_DOWN,
                 steps=[("red", None), ("green", 1)]), 3, 4)
    lay.add(stat("Version", [target(f"ndes_exporter_build_info{{{f}}}", legend="{{version}}", instant=True)],
                 color_mode="none", text_mode="name"), 3, 4)
    lay.add(stat("SCEP probe", [target(scep_probe(f), legend="{{target}}", instant=True)], mappings=UP_DOWN,
                 steps=[("red", None), ("green", 1)]), 3, 4)
    lay.add(stat("RA duplicates", [target(f'count(ndes_certificates_valid{{{f}, role=~"{RA}"}} > 1) or vector(0)',
                                          instant=True)], steps=[("green", None), ("red", 1)]), 3, 4)
    lay.add(stat("RA gaps", [target(f'count(ndes_certificates_valid{{{f}, role=~"{RA}"}} == 0) or vector(0)',
                                    instant=True)], steps=[("green", None), ("red", 1)]), 3, 4)
    lay.add(stat("Services not running",
                 [target(f'count(ndes_service_state{{{f}, state="running"}} == 0) or vector(0)', instant=True)],
                 steps=[("green", None), ("red", 1)]), 3, 4)
    lay.add(stat("Connector last connection",
                 [target(f"time() - ndes_connector_last_connection_timestamp_seconds{{{f}}}", instant=True)],
                 unit="s", steps=[("green", None), ("red", DAY)]), 3, 4)
    lay.add(stat("Collectors failing",
                 [target(f"count(ndes_collector_success{{{f}}} == 0) or vector(0)", instant=True)],
                 steps=[("green", None), ("red", 1)]), 3, 4)

    lay.row("Certificates")
    band_stats(lay, f)
    lay.add(cert_table(f, "Certificates in use", "Certificates in use on this server, soonest expiry first."), 24, 10)
    lay.add(columns_table(
        "All certificates seen",
        {"Days left": f"(ndes_certificate_not_after_timestamp_seconds{{{f}}} - time()) / {DAY}",
         "Not before": f"ndes_certificate_not_before_timestamp_seconds{{{f}}} * 1000",
         "Not after": f"ndes_certificate_not_after_timestamp_seconds{{{f}}} * 1000",
         "Private key": f"ndes_certificate_has_private_key{{{f}}} + 0"},
        desc="Every certificate of every source, whatever its role, superseded and expired ones included. "
             "Private key: Windows store only.",
        hide=["job", "instance"],
        order=["Days left", "role", "subject", "template", "thumbprint", "Not before", "Not after", "Private key",
               "collector", "source", "path", "issuer", "serial"],
        sort="Days left",
        overrides=[override("Days left", decimals=1, thresholds=DAYS_THRESHOLDS, cell="color-text"),
                   override("Not before", unit="dateTimeAsIso"), override("Not after", unit="dateTimeAsIso"),
                   override("Private key", mappings=YES_NO, cell="color-text")]), 24, 10)
    lay.add(timeseries("RA certificates: days left",
                       [target(f'(ndes_certificate_not_after_timestamp_seconds{{{f}, role=~"{RA}"}} - time()) / {DAY}',
                               legend="{{role}} {{collector}} {{thumbprint}}")],
                       unit="none", steps=DAYS_THRESHOLDS), 12, 8)
    lay.add(ra_valid_table(f), 12, 8)
    lay.add(table("Private key access",
                  [target(f"ndes_certificate_private_key_readable{{{f}}}", instant=True, table=True)],
                  desc="Whether each identity (app pool, service account) can read the private key "
                       "(NdesPrivateKeyNotReadable).",
                  rename={"Value": "Readable"}, hide=["job", "instance"], sort="Readable",
                  overrides=[override("Readable", mappings=YES_NO, cell="color-background")]), 12, 6)
    lay.add(table("MSCEP registry settings",
                  [target(f"ndes_config_info{{{f}}}", instant=True, table=True)],
                  desc="Templates NDES requests (HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MSCEP).",
                  hide=["job", "instance", "Value"]), 12, 6)

    lay.row("SCEP, TLS and CRL probes")
    lay.add(stat("Probes", [target(f"probe_success{{{f}}}", legend="{{collector}} {{target}}", instant=True)],
                 mappings=UP_DOWN, steps=[("red", None), ("green", 1)], text_mode="value_and_name"), 12, 5)
    lay.add(timeseries("Probe duration", [target(f"probe_duration_seconds{{{f}}}", legend="{{collector}} {{target}}")],
                       unit="s"), 12, 5)
    lay.add(table("Probe failures", [target(f"ndes_probe_failure_info{{{f}}} == 1", instant=True, table=True)],
                  hide=["job", "instance", "Value"]), 8, 6)
    lay.add(table("SCEP HTTP status", [target(f"ndes_scep_http_status_code{{{f}}}", instant=True, table=True)],
                  rename={"Value": "HTTP status"}, hide=["job", "instance"]), 8, 6)
    lay.add(table("SCEP capabilities (GetCACaps)",
                  [target(f"ndes_scep_capability{{{f}}} == 1", instant=True, table=True)],
                  hide=["job", "instance", "Value"]), 8, 6)
    # One row per TLS target: the verification result, with the negotiated version as a label.
    lay.add(table("TLS",
                  [target(f"ndes_tls_verified{{{f}}}\n* on (job, instance, collector, target) group_left (version)\n"
                          f"(ndes_tls_version_info{{{f}}} == 1)\n"
                          f"or on (job, instance, collector, target) ndes_tls_verified{{{f}}}",
                          instant=True, table=True)],
                  rename={"Value": "Chain verified"}, hide=["job", "instance"],
                  overrides=[override("Chain verified", mappings=YES_NO, cell="color-text")]), 8, 6)
    lay.add(columns_table(
        "CRLs",
        {"Days to next update": f"(ndes_crl_next_update_timestamp_seconds{{{f}}} - time()) / {DAY}",
         "This update": f"ndes_crl_this_update_timestamp_seconds{{{f}}} * 1000",
         "Next update": f"ndes_crl_next_update_timestamp_seconds{{{f}}} * 1000",
         "Revoked": f"ndes_crl_revoked_certificates{{{f}}} + 0"},
        hide=["job", "instance"], sort="Days to next update",
        overrides=[override("Days to next update", decimals=2, cell="color-background", thresholds=[
            {"color": "red", "value": None}, {"color": "orange", "value": 1}, {"color": "green", "value": 3}]),
            override("This update", unit="dateTimeAsIso"), override("Next update", unit="dateTimeAsIso")]), 16, 6)

    lay.row("Windows services, IIS and Intune connector")
    lay.add(state_timeline("Services running",
                           [target(f'max by (name) (ndes_service_state{{{f}, state="running"}})', legend="{{name}}")],
                           mappings=red_green("not running", "running"),
                           steps=[("red", None), ("green", 1)]), 12, 7)
    lay.add(state_timeline("App pools started",
                           [target(f'max by (pool) (ndes_iis_app_pool_state{{{f}, state="started"}})', legend="{{pool}}")],
                           mappings=red_green("not started", "started"),
                           steps=[("red", None), ("green", 1)]), 12, 7)
    lay.add(table("Services",
                  [target(f"(ndes_service_state{{{f}}} == 1)\n* on (job, instance, name) group_left (start_mode)\n"
                          f"(ndes_service_start_mode{{{f}}} == 1)", instant=True, table=True)],
                  desc="State and start mode of each monitored service.",
                  hide=["job", "instance", "Value"], order=["name", "state", "start_mode"], sort="state",
                  overrides=[override("state", mappings=STATE_COLOURS, cell="color-text")]), 8, 7)
    lay.add(table("App pool identities",
                  [target(f"ndes_iis_app_pool_identity_info{{{f}}}", instant=True, table=True)],
                  desc="The identity that must be able to read the RA private keys.",
                  hide=["job", "instance", "Value"]), 8, 7)
    # ndes_connector_info's labels joined onto both values, so the two queries merge into one row.
    info = f"on (job, instance) group_left (version, encryption_cert_thumbprint) ndes_connector_info{{{f}}}"
    lay.add(columns_table(
        "Intune Certificate Connector",
        {"Encryption cert present": f"ndes_connector_encryption_cert_present{{{f}}} * {info}",
         "Last connection": f"ndes_connector_last_connection_timestamp_seconds{{{f}}} * 1000 * {info}"},
        rename={"encryption_cert_thumbprint": "Encryption cert thumbprint", "version": "Version"},
        hide=["job", "instance"],
        overrides=[override("Encryption cert present", mappings=YES_NO, cell="color-text"),
                   override("Last connection", unit="dateTimeAsIso")]), 8, 7)

    lay.row("Event log")
    lay.add(timeseries("Events per interval",
                       [target(f"sum by (provider, event_id, level) (increase(ndes_eventlog_events_total{{{f}}}"
                               f"[$__rate_interval]))", legend="{{provider}} {{event_id}} {{level}}")],
                       bars=True, stack=True), 12, 8)
    lay.add(columns_table("Events: newest occurrence",
                          {"Last seen": f"ndes_eventlog_last_event_timestamp_seconds{{{f}}} * 1000",
                           "In time range": f"sum by (job, instance, log, provider, event_id) "
                                            f"(increase(ndes_eventlog_events_total{{{f}}}[$__range]))"},
                          hide=["job", "instance"],
                          order=["Last seen", "log", "provider", "event_id", "In time range"], sort="Last seen",
                          sort_desc=True,
                          overrides=[override("Last seen", unit="dateTimeAsIso"),
                                     override("In time range", decimals=0)]), 12, 8)

    lay.row("Renewals (ndes_renew_hook on this host)")
    lay.add(timeseries("Renewals by result",
                       [target(f"sum by (template, result) (increase(ndes_renewals_total{{{h}}}[$__rate_interval]))",
                               legend="{{template}} {{result}}")], bars=True, stack=True), 12, 7)
    lay.add(stat("Last successful renewal",
                 [target(f"ndes_renewal_last_success_timestamp_seconds{{{h}}} * 1000", legend="{{template}}",
                         instant=True)],
                 unit="dateTimeFromNow", color_mode="none", text_mode="value_and_name"), 6, 7)
    lay.add(table("Webhooks (time range)",
                  [target(f"sum by (result) (increase(ndes_renew_webhooks_total{{{h}}}[$__range]))", instant=True,
                          table=True)],
                  rename={"Value": "Requests"}, overrides=[override("Requests", decimals=0)]), 6, 7)

    lay.row("Exporter")
    lay.add(timeseries("Collector duration",
                       [target(f"ndes_collector_duration_seconds{{{f}}}", legend="{{collector}}")], unit="s"), 8, 7)
    lay.add(timeseries("Scans and parsed files",
                       [target(f"rate(ndes_files_scans_total{{{f}}}[$__rate_interval])", "A", legend="scans/s"),
                        target(f"rate(ndes_files_parsed_total{{{f}}}[$__rate_interval])", "B", legend="files parsed/s")],
                       unit="ops"), 8, 7)
    lay.add(table("Unreadable certificate files",
                  [target(f"ndes_certificate_read_errors{{{f}}} == 1", instant=True, table=True)],
                  hide=["job", "instance", "Value"], order=["collector", "source", "path", "reason"]), 8, 7)

    return dashboard(
        "ndes-server", "NDES / Server",
        "One NDES server in detail: every certificate, RA state, probes, Windows services, IIS, the Intune "
        "connector, the event log and renewals.",
        lay.panels,
        [datasource_var(),
         query_var("instance", "Instance", "label_values(ndes_exporter_build_info, instance)", multi=False),
         # The host part of the instance, for the renew hook's own scrape target on the same host.
         query_var("host", "Host", 'label_values(up{instance="$instance"}, instance)', multi=False,
                   regex="/^([^:]+)/", hide=2)],
    )


FILES = {"ndes-overview.json": overview, "ndes-server.json": server}


def main(argv: list[str]) -> int:
    files = {name: lambda build=build: json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
             for name, build in FILES.items()}
    return write_or_check(HERE, files, argv, "python3 dashboards/build_dashboards.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
