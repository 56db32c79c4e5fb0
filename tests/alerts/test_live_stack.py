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
5. every expression of both dashboards, variables substituted, returns data from that
   Prometheus. Expressions that read Windows-only metrics (services, IIS, event log, connector,
   private keys) and return nothing are listed as needing the Windows exporter; any other empty
   expression fails the test.

    python3 tests/alerts/test_live_stack.py --exporter build/bin/ndes_exporter \
        --hook build/bin/ndes_renew_hook
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
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


def check_dashboards(stack: Stack) -> list[str]:
    failures = []
    out = subprocess.run([sys.executable, str(ROOT / "tests/alerts/extract_dashboard_exprs.py"),
                          "--var", f"instance={stack.instance}",
                          "--var", f"hook={stack.loop.hook_instance}"],
                         check=True, capture_output=True, text=True).stdout
    exprs = [json.loads(line) for line in out.splitlines() if line.strip()]
    checked, windows = 0, []
    for e in exprs:
        where = f"{e['dashboard']} panel {e['panel_id']} {e['panel_title']!r} ref {e['ref_id']}"
        try:
            data = stack.query(e["expr"], e["instant"])
        except (AssertionError, OSError, ValueError) as ex:  # a query Prometheus rejects fails anywhere
            failures.append(f"{where}: {ex}")
            continue
        needs_windows = sorted(set(e["metrics"]) & WINDOWS_ONLY)
        if data:
            checked += 1
        elif needs_windows:
            windows.append(f"{where} (reads {', '.join(needs_windows)})")
        else:
            failures.append(f"{where}: no data for\n{e['expr']}")
    print(f"dashboards: {len(exprs)} expressions, {checked} returned data, "
          f"{len(windows)} need the Windows exporter")
    for w in windows:
        print(f"  needs the Windows exporter: {w}")
    return failures


def check_hook(stack: Stack) -> list[str]:
    """Alertmanager fed the hook with the RA alerts: the loop store's CEPEncryption certificate
    is renewed; the demo store's cannot be (its CA key is not kept), so that renewal fails."""
    renewable = ns.thumbprint(stack.store.files["cep_encryption"])

    def finished():
        stack.check_alive()
        done = [r for r in stack.loop.renewals() if r["status"] in ("succeeded", "failed")]
        return done if len(done) >= 2 else None

    done = ns.wait_for("Alertmanager's notification to reach the hook and both renewals to end",
                       finished, 150)
    failures = []
    got = sorted((r["thumbprint"] == renewable, r["status"]) for r in done)
    print(f"renewals: {[(r['id'], r['thumbprint'], r['status'], r['reason']) for r in done]}")
    if got != [(False, "failed"), (True, "succeeded")]:
        failures.append(f"expected the loop store's certificate renewed and the demo's failed, got {got}")
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
    args = ap.parse_args()
    for tool in ("prometheus", "prometheus-alertmanager", "scepserver", "openssl"):
        if shutil.which(tool) is None:
            print(f"FAIL: {tool} is not installed", file=sys.stderr)
            return 1
    tmp = Path(tempfile.mkdtemp(prefix="ndes-live-"))
    failures: list[str] = []
    stack = None
    try:
        stack = Stack(args.exporter, args.hook, tmp)
        ns.wait_until_scraped(stack.loop)
        failures += check_alerts(stack)
        failures += check_hook(stack)
        time.sleep(3)  # a few more scrapes, so range queries have points
        failures += check_dashboards(stack)
    except AssertionError as e:
        failures.append(str(e))
    finally:
        if stack is not None:
            stack.stop()
    return ns.finish(failures, tmp, "live stack: dashboards, alerts and the hook OK")


if __name__ == "__main__":
    sys.exit(main())
