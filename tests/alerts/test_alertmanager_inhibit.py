#!/usr/bin/env python3
"""Checks the inhibit rules of alerts/alertmanager.example.yml on a real Alertmanager.

Starts prometheus-alertmanager (Debian's name; $ALERTMANAGER overrides) on a free loopback
port with a copy of the example config whose webhook URL and SMTP relay point at a closed
port (so nothing is delivered anywhere, in particular not to a renew hook that another test
may run on 127.0.0.1:10228), posts alerts through the v2 API and reads back which ones are
inhibited:

  - NdesCertificateExpired silences NdesCertificateExpiringSoon of the same instance and
    thumbprint, and only those;
  - NdesExporterDown silences the other NDES alerts of the same instance, not itself and
    not other instances.

Standard library only. Run from the source root:  python3 tests/alerts/test_alertmanager_inhibit.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CONFIG = Path("alerts/alertmanager.example.yml")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: object | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        text = resp.read().decode()
    return json.loads(text) if text.strip() else None


def alert(alertname: str, **labels: str) -> dict:
    now = dt.datetime.now(dt.timezone.utc)
    return {
        "labels": {"alertname": alertname, **labels},
        "annotations": {"summary": alertname},
        "startsAt": now.isoformat(),
        "endsAt": (now + dt.timedelta(hours=1)).isoformat(),
    }


def main() -> int:
    binary = os.environ.get("ALERTMANAGER") or shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if not binary:
        print("prometheus-alertmanager not found", file=sys.stderr)
        return 1
    dead = free_port()  # nothing listens there
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="ndes-am-") as tmp:
        token = Path(tmp, "token")
        token.write_text("test-token\n")
        text = CONFIG.read_text()
        for old, new in (
            ("http://127.0.0.1:10228/alertmanager", f"http://127.0.0.1:{dead}/alertmanager"),
            ("smtp.example.com:587", f"127.0.0.1:{dead}"),
            ("/etc/prometheus/ndes-renew-hook.token", str(token)),
        ):
            if old not in text:
                print(f"expected {old!r} in {CONFIG}", file=sys.stderr)
                return 1
            text = text.replace(old, new)
        config = Path(tmp, "alertmanager.yml")
        config.write_text(text)
        log = open(Path(tmp, "alertmanager.log"), "w+")
        proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.path={tmp}/data",
             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
            stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    urllib.request.urlopen(f"{base}/-/ready", timeout=1).read()
                    break
                except (urllib.error.URLError, ConnectionError, OSError):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        print("alertmanager did not start:\n" + log.read(), file=sys.stderr)
                        return 1
                    time.sleep(0.2)

            cert = {"job": "ndes", "collector": "certstore", "source": "LocalMachine\\My", "role": "ssl"}
            posted = {
                # name -> (alert, expected inhibited?)
                "expired T1": (alert("NdesCertificateExpired", instance="ndes01:10227",
                                     thumbprint="T1", severity="critical", **cert), False),
                "expiring T1": (alert("NdesCertificateExpiringSoon", instance="ndes01:10227",
                                      thumbprint="T1", severity="critical", **cert), True),
                "expiring T1 other collector": (alert("NdesCertificateExpiringSoon", instance="ndes01:10227",
                                                      thumbprint="T1", severity="critical",
                                                      **{**cert, "collector": "tls"}), True),
                "expiring T2": (alert("NdesCertificateExpiringSoon", instance="ndes01:10227",
                                      thumbprint="T2", severity="warning", **cert), False),
                "expiring T1 other instance": (alert("NdesCertificateExpiringSoon", instance="ndes09:10227",
                                                     thumbprint="T1", severity="warning", **cert), False),
                "exporter down": (alert("NdesExporterDown", instance="ndes02:10227", job="ndes",
                                        severity="critical"), False),
                "service down, same instance": (alert("NdesServiceDown", instance="ndes02:10227", job="ndes",
                                                      name="W3SVC", severity="critical"), True),
                "collector failing, same instance": (alert("NdesCollectorFailing", instance="ndes02:10227",
                                                           job="ndes", collector="files", severity="warning"), True),
                "service down, other instance": (alert("NdesServiceDown", instance="ndes04:10227", job="ndes",
                                                       name="W3SVC", severity="critical"), False),
                "exporter down, other instance": (alert("NdesExporterDown", instance="ndes03:10227", job="ndes",
                                                        severity="critical"), False),
            }
            http("POST", f"{base}/api/v2/alerts", [a for a, _ in posted.values()])

            def key(labels: dict) -> str:
                return json.dumps(labels, sort_keys=True)

            want = {key(a["labels"]): (name, inhibited) for name, (a, inhibited) in posted.items()}
            failures: list[str] = []
            deadline = time.monotonic() + 15
            while True:
                got = http("GET", f"{base}/api/v2/alerts")
                status = {key(a["labels"]): bool(a["status"]["inhibitedBy"]) for a in got}
                failures = []
                for k, (name, inhibited) in want.items():
                    if k not in status:
                        failures.append(f"{name}: not in Alertmanager")
                    elif status[k] != inhibited:
                        failures.append(f"{name}: inhibited={status[k]}, want {inhibited}")
                if not failures or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            for name, (_, inhibited) in posted.items():
                print(f"{'inhibited' if inhibited else 'active   '}  {name}")
            if failures:
                print("FAIL:\n  " + "\n  ".join(failures), file=sys.stderr)
                return 1
            print(f"{len(posted)} alerts, inhibition as expected")
            return 0
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


if __name__ == "__main__":
    sys.exit(main())
