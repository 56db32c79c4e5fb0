#!/usr/bin/env python3
"""The exporter, a real Prometheus, a real Alertmanager and the real renew hook on loopback,
wired by scripts/loop/ndes_stack.py (the same wiring as tests/e2e and the local stack):

1. ndes_exporter runs on its generated demo store (two RA certs near expiry, a duplicate
   EnrollmentAgentOffline superseding the older one, an SSL cert at 45 days, a corrupt file)
   plus the loop's renewable store (a CEPEncryption cert with 10 days left), with static probe
   targets: a real micromdm scepserver, an `openssl s_server` TLS listener, and a CRL made by
   `openssl ca -gencrl`;
2. Prometheus scrapes it and ndes_renew_hook every second with alerts/ndes.rules.yml (a copy
   whose `for:` is shortened; thresholds unchanged) and sends alerts to Alertmanager, whose
   config is alerts/alertmanager.example.yml (hook URL, token file and SMTP relay replaced);
3. the expected alerts reach Alertmanager's API, and the superseded RA cert does not alert;
4. Alertmanager feeds the hook (execute mode, tests/renew/renew-file-cert.sh): the loop store's
   certificate is renewed, the demo's fails (its CA key is not kept);
5. with --windows-exporter, the real Windows build (ndes_exporter.exe) runs under wine on an
   NDES-like wine prefix (tests/windows/ndes_server_under_wine.sh: RA certificates with their
   private keys in LocalMachine\My, the MSCEP and Intune connector registry keys, an
   applicationHost.config) with the collectors certstore, services, iis, ndes and eventlog (the
   event log read from exported event XML, tests/windows/events, with fresh times:
   --collector.eventlog.xml-dir, as wine's wevtapi is stubs), and joins the same Prometheus as a second scrape job (ndes_windows, every 3 s) once the
   alert and hook checks are done (its 9-day CEPEncryption certificate would otherwise send the hook a renewal that a
   Linux hook cannot do);
6. every expression of both dashboards, variables substituted, returns data from that
   Prometheus. The overview's `instance` is what Grafana sends when every instance is selected
   (a regex of them); the server dashboard is run once per instance, and an expression counts
   when it returns data for one of them. Without --windows-exporter, expressions that read
   Windows-only metrics and return nothing are listed as a skipped part; with it, they must
   return data, except where wine truly cannot provide it (WINE_GAPS, each with its reason,
   and each gap confirmed by the collector's own failure metric; none at present). Any other
   empty expression fails the test. Before that, the event counts from the wine exporter must be
   exactly the seeded events the default sources select, and one event file added later must
   count once (the bookmark).

    python3 tests/alerts/test_live_stack.py --exporter build/bin/ndes_exporter \
        --hook build/bin/ndes_renew_hook \
        [--windows-exporter build/windows-cross/bin/ndes_exporter.exe --wine /usr/bin/wine64 \
         --wine-prefix build/windows-cross/wineprefix \
         --windows-fixtures build/windows-cross/tests/windows/fixtures]

The Windows part exits 77 (ctest: skipped) with "NDES-SKIP: why" when wine, the .exe or the
Linux binaries are missing.
"""
from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "loop"))
import ndes_stack as ns  # noqa: E402  (the same wiring as tests/e2e and the local stack)

# Metrics only the Windows build of the exporter exposes (docs/metrics.md, "Windows health" and
# the Windows store's key columns). Expressions that read nothing else are reported as needing
# the Windows exporter; no data is faked for them.
WINDOWS_ONLY = {
    "ndes_service_state", "ndes_service_start_mode", "ndes_service_installed",
    "ndes_iis_app_pool_state", "ndes_iis_app_pool_identity_info",
    "ndes_eventlog_events_total", "ndes_eventlog_last_event_timestamp_seconds",
    "ndes_config_info", "ndes_connector_last_connection_timestamp_seconds", "ndes_connector_info",
    "ndes_connector_encryption_cert_present",
    "ndes_certificate_has_private_key", "ndes_certificate_private_key_readable",
}

# What wine cannot give the Windows exporter, per metric, and why. An empty expression that
# reads one of these is listed with the reason, and only when the collector itself says it
# failed (ndes_collector_success{collector=...} 0 from the wine instance); else it fails.
# None left: the event log (wine's wevtapi is stubs) is read from exported event XML
# (--collector.eventlog.xml-dir, EVENT_FIXTURES), the same scan code after the source.
WINE_GAPS: dict[str, tuple[str, str]] = {}  # metric -> (collector whose failure confirms it, reason)
WINDOWS_COLLECTORS = ("certstore", "services", "iis", "ndes", "eventlog")
# Event XML as `wevtutil qe /f:xml` writes it (tests/windows/events/README.md): copied with fresh
# SystemTimes into the wine exporter's --collector.eventlog.xml-dir.
EVENT_FIXTURES = ROOT / "tests/windows/events"
EVENT_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
NDES_PROVIDER = "Microsoft-Windows-NetworkDeviceEnrollmentService"
CONNECTOR_LOGS = ("Microsoft-Intune-CertificateConnectors/Admin",
                  "Microsoft-Intune-CertificateConnectors/Operational")
# The wine exporter's own scrape job: a scrape under wine takes 0.2-0.4 s on an idle machine,
# too close to the 1 s timeout of the ndes job on a loaded one (a timed-out scrape marks every
# series stale and empties the instant queries).
WINDOWS_JOB, WINDOWS_SCRAPE_INTERVAL = "ndes_windows", "3s"


class Stack:
    """The exporter on its demo store plus the loop's renewable store (scripts/loop/ndes_stack.py),
    with static probe targets (a real scepserver, an openssl s_server, an openssl CRL), Prometheus,
    one Alertmanager with the example routing, and the renew hook in execute mode."""

    def __init__(self, exporter: str, hook: str, tmp: Path):
        self.tmp = tmp
        self.p_scep, self.p_tls = ns.free_port(), ns.free_port()
        self.store = ns.make_store(tmp / "certs")
        (tmp / "exporter.yml").write_text(f"""
targets:
  scep: ['http://127.0.0.1:{self.p_scep}/scep']
  tls: ['127.0.0.1:{self.p_tls}']
  crl: ['{tmp / "pki" / "crl.pem"}']
""")
        hook_args = ["--mode=execute", "--executor=command", "--command.timeout=60s",
                     f"--verify.files.path={self.store.dir}",
                     *[f"--command.argv={a}" for a in ns.renew_command(self.store)]]
        self.loop = ns.Loop(tmp, ns.Binaries(exporter, hook),
                            ["--demo", f"--demo.dir={tmp / 'demo'}", f"--config.file={tmp / 'exporter.yml'}",
                             f"--collector.files.path={self.store.dir}"],
                            hook_args, alertmanagers=1)
        self.instance, self.prom, self.am = self.loop.exporter_instance, self.loop.prom, self.loop.ams[0]
        self.start_probe_peers()
        self.loop.start()

    def start_probe_peers(self):
        tmp = self.tmp
        run = lambda argv: subprocess.run(argv, check=True, capture_output=True)
        run(["scepserver", "ca", "-init", "-depot", str(tmp / "depot"), "-keySize", "2048"])
        self.loop.procs.start("scepserver", ["scepserver", "-depot", str(tmp / "depot"),
                                             "-port", str(self.p_scep)])
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "20", "-subj", "/CN=ndes01.corp.example",
             "-keyout", str(tmp / "tls.key"), "-out", str(tmp / "tls.pem")])
        self.loop.procs.start("s_server", ["openssl", "s_server", "-quiet", "-www",
                                           "-accept", f"127.0.0.1:{self.p_tls}",
                                           "-cert", str(tmp / "tls.pem"), "-key", str(tmp / "tls.key")])
        run(["bash", str(ROOT / "tests/pki/make-test-pki.sh"), str(tmp / "pki")])
        run(["openssl", "ca", "-batch", "-config", str(tmp / "pki" / "ca" / "openssl.cnf"),
             "-gencrl", "-crldays", "2", "-out", str(tmp / "pki" / "crl.pem")])

    def check_alive(self):
        self.loop.procs.check_alive()

    def stop(self):
        self.loop.stop()

    def query(self, expr: str, instant: bool) -> list:
        return self.loop.query(expr) if instant else self.loop.query_range(expr)


def event_key(xml: str) -> tuple[tuple[str, str, str, str], int, float]:
    """(log, provider, event_id, level name), EventRecordID and time of one event's XML."""
    system = ET.fromstring(xml).find(f"{EVENT_NS}System")
    text = lambda tag: system.find(f"{EVENT_NS}{tag}").text.strip()
    level = {"1": "critical", "2": "error", "3": "warning", "0": "information", "4": "information",
             "5": "verbose"}[text("Level")]
    when = system.find(f"{EVENT_NS}TimeCreated").get("SystemTime")
    t = datetime.datetime.strptime(when[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    return ((text("Channel"), system.find(f"{EVENT_NS}Provider").get("Name"), text("EventID"), level),
            int(text("EventRecordID")), t)


def counted_by_default(key: tuple[str, str, str, str]) -> bool:
    """The exporter's default event log sources (docs/windows.md): NDES events 1, 2, 3, 10 and 31
    in Application, and everything in the connector's logs."""
    log, provider, event_id, _ = key
    return ((log == "Application" and provider == NDES_PROVIDER and event_id in ("1", "2", "3", "10", "31"))
            or log in CONNECTOR_LOGS)


def with_time(xml: str, t: float, record_id: int | None = None) -> str:
    """The event with SystemTime t (7 fractional digits, as the event log writes it)."""
    stamp = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    xml = re.sub(r"SystemTime='[^']*'", f"SystemTime='{stamp}'", xml)
    if record_id is not None:
        xml = re.sub(r"<EventRecordID>\d+</EventRecordID>", f"<EventRecordID>{record_id}</EventRecordID>", xml)
    return xml


def split_events(text: str) -> list[str]:
    return re.findall(r"<Event[ >].*?</Event>", text, re.S)


class EventExport:
    """The wine exporter's --collector.eventlog.xml-dir: the fixture files with SystemTimes from
    20 minutes ago on (inside the 24 h look-back window), and later one more file."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.dir.mkdir(parents=True)
        self.expected: dict[tuple, int] = {}
        self.seeded = 0
        t = time.time() - 1200
        for fixture in sorted(EVENT_FIXTURES.glob("*.xml")):
            events = []
            for xml in split_events(fixture.read_text()):
                xml = with_time(xml, t)
                t += 60
                events.append(xml)
                key, _, _ = event_key(xml)
                self.seeded += 1
                if counted_by_default(key):
                    self.expected[key] = self.expected.get(key, 0) + 1
            (self.dir / fixture.name).write_text("\n".join(events) + "\n")

    def add_ndes_error(self) -> tuple[tuple, float]:
        """One more NDES event 2 (the newest record of Application), in a file of its own."""
        app = split_events((self.dir / "application.xml").read_text())
        template = next(x for x in app if event_key(x)[0][2] == "2")
        newest = max(event_key(x)[1] for x in app)
        xml = with_time(template, time.time() - 1, newest + 1)
        (self.dir / "later.xml").write_text(xml + "\n")
        key, _, t = event_key(xml)
        self.expected[key] += 1
        return key, t


class WindowsServer:
    """ndes_exporter.exe under wine on an NDES-like wine prefix, started by
    tests/windows/ndes_server_under_wine.sh (which seeds the prefix as the windows.exporter test
    does, then execs the exporter). It is started early, so the seeding overlaps the Linux
    checks, and joins Prometheus later (join)."""

    def __init__(self, args: argparse.Namespace, stack: Stack):
        self.stack = stack
        self.instance = f"127.0.0.1:{ns.free_port()}"
        exe = Path(args.windows_exporter)
        self.events = EventExport(stack.tmp / "windows-events")
        stack.loop.procs.start("windows-exporter", [
            "bash", str(ROOT / "tests/windows/ndes_server_under_wine.sh"), "--wine", args.wine,
            "--prefix", args.wine_prefix, "--bin", str(exe.parent), "--fixtures",
            args.windows_fixtures, "--work", str(stack.tmp / "windows"), "--listen", self.instance,
            "--events", str(self.events.dir)])
        self.started = time.monotonic()

    def join(self) -> list[str]:
        """Waits for the exporter to answer, adds its scrape job to Prometheus, waits until
        Prometheus has every Windows collector's success from it. Every one must succeed."""
        loop = self.stack.loop
        ns.wait_for(f"ndes_exporter.exe under wine on {self.instance}", lambda: (
            loop.procs.check_alive(), ns.http("GET", f"http://{self.instance}/metrics", timeout=30)[0] == 200)[1],
            180, 1)
        print(f"windows: ndes_exporter.exe answers, {time.monotonic() - self.started:.0f} s after its "
              "start (seeding the wine prefix overlapped the Linux checks)")
        loop.add_scrape_job(WINDOWS_JOB, self.instance, WINDOWS_SCRAPE_INTERVAL)
        success = ns.wait_for("Prometheus to scrape every Windows collector", lambda: (
            loop.procs.check_alive(), self.collector_success())[1], 60)
        failures = [f"the {c} collector under wine: ndes_collector_success {v}, want 1"
                    for c, v in success.items() if v != 1]
        pools = [(r["metric"]["pool"], r["metric"]["state"]) for r in loop.query(
            f'ndes_iis_app_pool_state{{instance="{self.instance}"}} == 1')]
        print(f"windows: collectors {success}; app pool states {sorted(pools)} "
              "(no appcmd under wine: the live state is unknown)")
        return failures

    def event_counts(self) -> dict[tuple, int]:
        return {(r["metric"]["log"], r["metric"]["provider"], r["metric"]["event_id"], r["metric"]["level"]):
                int(float(r["value"][1])) for r in self.stack.loop.query(
                    f'ndes_eventlog_events_total{{instance="{self.instance}"}}')}

    def check_events(self) -> list[str]:
        """The eventlog collector under wine, reading the exported events: Prometheus gets exactly
        the seeded events the default sources select; then one more event file is written, and the
        counts go up by that one event only (the bookmark: the next scrapes do not count the
        earlier events again), with its time as the newest of its kind."""
        loop, ev = self.stack.loop, self.events
        failures = []
        want = dict(ev.expected)
        try:
            ns.wait_for("Prometheus to have the seeded event counts from the wine exporter", lambda: (
                loop.procs.check_alive(), self.event_counts() == want)[1], 30)
        except AssertionError:
            return [f"event counts under wine: {self.event_counts()}, want {want}"]
        print(f"windows: events counted from {ev.seeded} seeded: "
              f"{sorted((k[2], k[3], n) for k, n in want.items())} (event id, level, count)")
        key, t = ev.add_ndes_error()
        want = dict(ev.expected)
        newest = f'ndes_eventlog_last_event_timestamp_seconds{{instance="{self.instance}",event_id="{key[2]}",log="{key[0]}"}}'
        try:
            ns.wait_for("the added event to be counted", lambda: (
                loop.procs.check_alive(), self.event_counts() == want)[1], 30)
        except AssertionError:
            return [f"after one more event: counts {self.event_counts()}, want {want}"]
        time.sleep(2 * 3)  # two more scrapes of the wine exporter: nothing more may count
        if self.event_counts() != want:
            failures.append(f"later scrapes counted again: {self.event_counts()}, want {want}")
        got = [float(r["value"][1]) for r in loop.query(newest)]
        if len(got) != 1 or abs(got[0] - t) > 0.002:  # the exporter keeps milliseconds
            failures.append(f"{newest} is {got}, the added event's time is {t:.3f}")
        print(f"windows: one more event {key} counted once (now {want[key]}), newest at {got}")
        return failures

    def collector_success(self) -> dict[str, int] | None:
        got = {r["metric"]["collector"]: int(float(r["value"][1])) for r in self.stack.loop.query(
            f'ndes_collector_success{{instance="{self.instance}"}}')}
        return got if set(WINDOWS_COLLECTORS) <= set(got) else None

    def failed_collectors(self) -> set[str]:
        return {c for c, v in (self.collector_success() or {}).items() if v == 0}


def grafana_multi_value(instances: list[str]) -> str:
    """What Grafana puts for a multi-value variable in a Prometheus query: the values
    regex-escaped (backslashes doubled inside the PromQL string), as one alternation."""
    return "(" + "|".join(re.escape(i).replace("\\", "\\\\") for i in instances) + ")"


def extract(stack: Stack, dashboard: str, instance: str) -> list[dict]:
    out = subprocess.run([sys.executable, str(ROOT / "tests/alerts/extract_dashboard_exprs.py"),
                          "--var", f"instance={instance}", "--var", f"hook={stack.loop.hook_instance}",
                          str(ROOT / "dashboards" / f"{dashboard}.json")],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def dashboard_runs(stack: Stack, instances: list[str]) -> list[list[tuple[str, dict]]]:
    """Each dashboard expression with the instance values it is run for: the overview once,
    with every instance selected; the server dashboard once per instance."""
    runs = [[("all instances", e)] for e in extract(stack, "ndes-overview", grafana_multi_value(instances))]
    per_instance = [extract(stack, "ndes-server", i) for i in instances]
    runs += [list(zip(instances, same)) for same in zip(*per_instance)]
    return runs


def check_dashboards(stack: Stack, windows: WindowsServer | None) -> list[str]:
    instances = [stack.instance] + ([windows.instance] if windows else [])
    names = {stack.instance: "linux", **({windows.instance: "windows"} if windows else {})}
    failed_collectors = windows.failed_collectors() if windows else set()
    failures, listed, by = [], [], {}
    runs = dashboard_runs(stack, instances)
    for run in runs:
        e = run[0][1]
        where = f"{e['dashboard']} panel {e['panel_id']} {e['panel_title']!r} ref {e['ref_id']}"
        with_data = []
        for instance, ex in run:
            try:
                if stack.query(ex["expr"], ex["instant"]):
                    with_data.append(names.get(instance, instance))
            except (AssertionError, OSError, ValueError) as err:  # a query Prometheus rejects
                failures.append(f"{where} ({instance}): {err}")
        if with_data:
            key = "+".join(with_data)
            by[key] = by.get(key, 0) + 1
            continue
        needs_windows = sorted(set(e["metrics"]) & WINDOWS_ONLY)
        gaps = {WINE_GAPS[m] for m in e["metrics"] if m in WINE_GAPS}
        if not windows and needs_windows:
            listed.append(f"needs the Windows exporter: {where} (reads {', '.join(needs_windows)})")
        elif windows and gaps and all(c in failed_collectors for c, _ in gaps):
            listed.append(f"wine cannot provide: {where}: " + "; ".join(r for _, r in sorted(gaps)))
        else:
            failures.append(f"{where}: no data for\n{e['expr']}")
    print(f"dashboards: {len(runs)} expressions, {sum(by.values())} returned data "
          f"({', '.join(f'{n} from {k}' for k, n in sorted(by.items()))}), {len(listed)} listed")
    for line in listed:
        print(f"  {line}")
    if not windows:
        print("  SKIPPED PART: no --windows-exporter, so the Windows-only expressions above are "
              "listed, not checked (the windows-cross ctest windows.live_stack checks them under wine)")
    return failures


def check_hook(stack: Stack) -> list[str]:
    """Alertmanager fed the hook with the RA alerts: the loop store's CEPEncryption certificate
    is renewed; the demo store's is not in the hook's --verify.files.path, so the hook refuses
    it (nothing runs) instead of trying a renewal that cannot work."""
    renewable = ns.thumbprint(stack.store.files["cep_encryption"])

    def finished():
        stack.check_alive()
        done = [r for r in stack.loop.renewals() if r["status"] in ("succeeded", "failed", "refused")]
        return done if len(done) >= 2 else None

    done = ns.wait_for("Alertmanager's notification to reach the hook and both renewals to end",
                       finished, 150)
    failures = []
    got = sorted((r["thumbprint"] == renewable, r["status"]) for r in done)
    print(f"renewals: {[(r['id'], r['thumbprint'], r['status'], r['reason']) for r in done]}")
    if got != [(False, "refused"), (True, "succeeded")]:
        failures.append(f"expected the loop store's certificate renewed and the demo's refused, got {got}")
    ns.wait_for("Prometheus to scrape the hook's last success", lambda: stack.loop.query(
        "ndes_renewal_last_success_timestamp_seconds"), 30)
    return failures


def alert_key(a: dict) -> tuple:
    l = a["labels"]
    return (l.get("alertname"), l.get("severity"), l.get("role", ""), l.get("template", ""))


def check_alerts(stack: Stack) -> list[str]:
    expected = {
        ("NdesCertificateExpiringSoon", "critical", "cep_encryption", "CEPEncryption"),  # 9 days
        ("NdesCertificateExpiringSoon", "info", "ssl", "NDES-WebServer"),                # 45 days
        ("NdesRaCertificateDuplicate", "critical", "enrollment_agent", "EnrollmentAgentOffline"),
        ("NdesCertificateReadErrors", "warning", "", ""),
        ("NdesCrlExpiringSoon", "warning", "", ""),  # next update in 2 days
    }

    def have_all():
        stack.check_alive()
        got = {alert_key(a) for a in ns.get_json(f"{stack.am}/api/v2/alerts")}
        return got if expected <= got else None

    got = ns.wait_for("the expected alerts in Alertmanager", have_all, 120)
    print("alerts in Alertmanager:")
    for k in sorted(got):
        print(f"  {k}")
    failures = []
    # The 21-day EnrollmentAgentOffline cert is superseded by the valid 700-day one.
    for k in got:
        if k[0] == "NdesCertificateExpiringSoon" and k[2] == "enrollment_agent":
            failures.append(f"superseded RA certificate alerted: {k}")
    runbooks = [a["annotations"].get("runbook_url", "") for a in ns.get_json(f"{stack.am}/api/v2/alerts")]
    if not all(u.endswith(".md") and "/runbooks/" in u for u in runbooks):
        failures.append(f"alerts without a runbook_url into docs/runbooks: {runbooks}")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--exporter", required=True)
    ap.add_argument("--hook", required=True)
    ap.add_argument("--windows-exporter", help="ndes_exporter.exe (windows-cross build), run under wine")
    ap.add_argument("--wine", default=shutil.which("wine64") or "/usr/lib/wine/wine64")
    ap.add_argument("--wine-prefix", help="the wine prefix (made by tests/windows/wine-prefix.sh)")
    ap.add_argument("--windows-fixtures", help="tests/windows/make-store-fixtures.sh's output")
    args = ap.parse_args()
    # With the Windows part a missing piece is a skip (the windows-cross tests run where the
    # Linux test packages or build may be absent); without it, as before, a failure.
    missing = 77 if args.windows_exporter else 1
    if args.windows_exporter:
        if not (args.wine_prefix and args.windows_fixtures):
            ap.error("--windows-exporter needs --wine-prefix and --windows-fixtures")
        for what, path in (("wine64", args.wine), ("the .exe", args.windows_exporter),
                           ("the Linux ndes_exporter", args.exporter), ("the Linux hook", args.hook)):
            if not Path(path).is_file():
                print(f"NDES-SKIP: {what} is not at {path}")
                return 77
    for tool in ("prometheus", "prometheus-alertmanager", "scepserver", "openssl"):
        if shutil.which(tool) is None:
            print(f"{'NDES-SKIP' if missing == 77 else 'FAIL'}: {tool} is not installed", file=sys.stderr)
            return missing
    tmp = Path(tempfile.mkdtemp(prefix="ndes-live-"))
    failures: list[str] = []
    stack = None
    try:
        stack = Stack(args.exporter, args.hook, tmp)
        windows = WindowsServer(args, stack) if args.windows_exporter else None
        ns.wait_until_scraped(stack.loop)
        failures += check_alerts(stack)
        failures += check_hook(stack)
        if windows:
            failures += windows.join()
            failures += windows.check_events()
        time.sleep(3)  # a few more scrapes, so range queries have points
        failures += check_dashboards(stack, windows)
    except AssertionError as e:
        failures.append(str(e))
    finally:
        if stack is not None:
            stack.stop()
    return ns.finish(failures, tmp, "live stack: dashboards, alerts and the hook OK")


if __name__ == "__main__":
    sys.exit(main())
