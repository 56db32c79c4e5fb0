#!/usr/bin/env python3
"""The exporter, a real Prometheus and a real Alertmanager on loopback:

1. ndes_exporter runs on its generated demo store (two RA certs near expiry, a duplicate
   EnrollmentAgentOffline superseding the older one, an SSL cert at 45 days, a corrupt file),
   with static probe targets: a real micromdm scepserver, an `openssl s_server` TLS
   listener, and a CRL made by `openssl ca -gencrl`;
2. Prometheus scrapes it every second with alerts/ndes.rules.yml (a copy whose `for:` is
   shortened; thresholds unchanged) and sends alerts to Alertmanager;
3. every expression of both dashboards, variables substituted, returns data from that
   Prometheus (expressions that read only metrics this platform does not expose are counted
   and reported, not run);
4. the expected alerts reach Alertmanager's API, and the superseded RA cert does not alert.

    python3 tests/alerts/test_live_stack.py --exporter build/bin/ndes_exporter
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, timeout: float = 10) -> dict | list:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def wait_for(what: str, check, timeout: float):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as e:  # the peer may not be up yet
            last = e
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Stack:
    def __init__(self, exporter: str, tmp: Path):
        self.tmp = tmp
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.p_exp, self.p_prom, self.p_am = free_port(), free_port(), free_port()
        self.p_scep, self.p_tls = free_port(), free_port()
        self.instance = f"127.0.0.1:{self.p_exp}"
        self.prom = f"http://127.0.0.1:{self.p_prom}"
        self.am = f"http://127.0.0.1:{self.p_am}"

        rules = tmp / "ndes.rules.test.yml"
        subprocess.run([sys.executable, str(ROOT / "tests/alerts/shorten_for.py"),
                        str(ROOT / "alerts/ndes.rules.yml"), str(rules), "2"], check=True)
        (tmp / "alertmanager.yml").write_text(
            "route:\n  receiver: 'null'\n  group_wait: 1s\n  group_interval: 1s\n"
            "receivers:\n  - name: 'null'\n")
        (tmp / "prometheus.yml").write_text(f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['{rules}']
alerting:
  alertmanagers:
    - static_configs: [{{targets: ['127.0.0.1:{self.p_am}']}}]
scrape_configs:
  - job_name: ndes
    static_configs: [{{targets: ['{self.instance}']}}]
""")
        self.start_probe_peers()
        (tmp / "exporter.yml").write_text(f"""
targets:
  scep: ['http://127.0.0.1:{self.p_scep}/scep']
  tls: ['127.0.0.1:{self.p_tls}']
  crl: ['{tmp / "pki" / "crl.pem"}']
""")
        self.start("exporter", [exporter, "--demo", f"--demo.dir={tmp / 'demo'}",
                                f"--config.file={tmp / 'exporter.yml'}",
                                f"--web.listen-address={self.instance}"])
        self.start("alertmanager", ["prometheus-alertmanager",
                                    f"--config.file={tmp / 'alertmanager.yml'}",
                                    f"--storage.path={tmp / 'am'}",
                                    f"--web.listen-address=127.0.0.1:{self.p_am}",
                                    "--cluster.listen-address="])
        self.start("prometheus", ["prometheus", f"--config.file={tmp / 'prometheus.yml'}",
                                  f"--storage.tsdb.path={tmp / 'prom'}",
                                  f"--web.listen-address=127.0.0.1:{self.p_prom}"])

    def start_probe_peers(self):
        tmp = self.tmp
        run = lambda argv: subprocess.run(argv, check=True, capture_output=True)
        run(["scepserver", "ca", "-init", "-depot", str(tmp / "depot"), "-keySize", "2048"])
        self.start("scepserver", ["scepserver", "-depot", str(tmp / "depot"),
                                  "-port", str(self.p_scep)])
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "20", "-subj", "/CN=ndes01.corp.example",
             "-keyout", str(tmp / "tls.key"), "-out", str(tmp / "tls.pem")])
        self.start("s_server", ["openssl", "s_server", "-quiet", "-www",
                                "-accept", f"127.0.0.1:{self.p_tls}",
                                "-cert", str(tmp / "tls.pem"), "-key", str(tmp / "tls.key")])
        run(["bash", str(ROOT / "tests/pki/make-test-pki.sh"), str(tmp / "pki")])
        run(["openssl", "ca", "-batch", "-config", str(tmp / "pki" / "ca" / "openssl.cnf"),
             "-gencrl", "-crldays", "2", "-out", str(tmp / "pki" / "crl.pem")])

    def start(self, name: str, argv: list[str]):
        log = open(self.tmp / f"{name}.log", "wb")
        self.procs.append((name, subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                                  stdin=subprocess.DEVNULL)))

    def check_alive(self):
        for name, p in self.procs:
            if p.poll() is not None:
                raise AssertionError(f"{name} exited with {p.returncode}:\n"
                                     + (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:])

    def stop(self):
        for _, p in self.procs:
            p.terminate()
        for _, p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    def query(self, expr: str, instant: bool) -> list:
        if instant:
            url = f"{self.prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        else:
            now = time.time()
            url = f"{self.prom}/api/v1/query_range?" + urllib.parse.urlencode(
                {"query": expr, "start": now - 30, "end": now, "step": 1})
        answer = get_json(url)
        if answer.get("status") != "success":
            raise AssertionError(f"query failed: {answer}")
        return answer["data"]["result"]


def check_dashboards(stack: Stack) -> list[str]:
    failures = []
    out = subprocess.run([sys.executable, str(ROOT / "tests/alerts/extract_dashboard_exprs.py"),
                          "--var", f"instance={stack.instance}"],
                         check=True, capture_output=True, text=True).stdout
    exprs = [json.loads(line) for line in out.splitlines() if line.strip()]
    present = set(get_json(f"{stack.prom}/api/v1/label/__name__/values")["data"])
    checked, skipped = 0, []
    for e in exprs:
        where = f"{e['dashboard']} panel {e['panel_id']} {e['panel_title']!r} ref {e['ref_id']}"
        missing = [m for m in e["metrics"] if m not in present]
        try:
            data = stack.query(e["expr"], e["instant"])
        except Exception as ex:  # a query Prometheus rejects is a failure wherever it runs
            failures.append(f"{where}: {ex}")
            continue
        if data:
            checked += 1
        elif missing:
            # Reads a metric this platform does not expose (Windows, the renew hook).
            skipped.append(f"{where} (not exposed here: {', '.join(missing)})")
        else:
            failures.append(f"{where}: no data for\n{e['expr']}")
    print(f"dashboards: {len(exprs)} expressions, {checked} returned data, "
          f"{len(skipped)} not applicable here")
    for s in skipped:
        print(f"  not applicable: {s}")
    if checked < 50:  # certificate and probe panels; hook and Windows panels add more
        failures.append(f"only {checked} dashboard expressions returned data; expected >= 50")
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
        got = {alert_key(a) for a in get_json(f"{stack.am}/api/v2/alerts")}
        return got if expected <= got else None

    got = wait_for("the expected alerts in Alertmanager", have_all, 120)
    print("alerts in Alertmanager:")
    for k in sorted(got):
        print(f"  {k}")
    failures = []
    # The 21-day EnrollmentAgentOffline cert is superseded by the valid 700-day one.
    for k in got:
        if k[0] == "NdesCertificateExpiringSoon" and k[2] == "enrollment_agent":
            failures.append(f"superseded RA certificate alerted: {k}")
    runbooks = [a["annotations"].get("runbook_url", "") for a in get_json(f"{stack.am}/api/v2/alerts")]
    if not all(u.endswith(".md") and "/runbooks/" in u for u in runbooks):
        failures.append(f"alerts without a runbook_url into docs/runbooks: {runbooks}")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--exporter", required=True)
    args = ap.parse_args()
    for tool in ("prometheus", "prometheus-alertmanager"):
        if shutil.which(tool) is None:
            print(f"FAIL: {tool} is not installed", file=sys.stderr)
            return 1
    tmp = Path(tempfile.mkdtemp(prefix="ndes-live-"))
    stack = Stack(args.exporter, tmp)
    failures: list[str] = []
    try:
        wait_for("Prometheus to scrape the exporter", lambda: (stack.check_alive(), stack.query(
            f'ndes_certificate_not_after_timestamp_seconds{{instance="{stack.instance}"}}',
            True))[1], 60)
        time.sleep(3)  # a few scrapes, so range queries have points
        failures += check_dashboards(stack)
        failures += check_alerts(stack)
    except AssertionError as e:
        failures.append(str(e))
    finally:
        stack.stop()
    if failures:
        for f in failures:
            print(f"FAIL: {f}", file=sys.stderr)
        print(f"logs kept in {tmp}", file=sys.stderr)
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print("live stack: dashboards and alerts OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
