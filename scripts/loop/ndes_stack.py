"""The whole loop on loopback: ndes_exporter -> Prometheus (alerts/ndes.rules.yml) ->
Alertmanager (an HA pair, alerts/alertmanager.example.yml) -> ndes_renew_hook.

One wiring for everything that runs it: the end-to-end tests (tests/e2e/), the live dashboard
test (tests/alerts/test_live_stack.py) and the local stack (scripts/loop/see_the_loop.py). Every
config is generated here from the project's real files; only ports, paths and the token differ.
Standard library only.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "alerts"))
from shorten_for import shorten  # noqa: E402  (the test-only rules copy)

DAY = 86400
HOOK_JOB = "ndes_renew_hook"


# --- small HTTP and process helpers -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 10) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class HttpStatusError(AssertionError):
    """An answer other than 200 (e.g. 503 from a Prometheus still starting)."""


def get_json(url: str, headers: dict | None = None, timeout: float = 10):
    status, body = http("GET", url, headers=headers, timeout=timeout)
    if status != 200:
        raise HttpStatusError(f"GET {url}: {status} {body[:200]!r}")
    return json.loads(body)


def wait_for(what: str, check, timeout: float, interval: float = 0.5):
    """Polls check() until it returns something true; raises with the last answer otherwise."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (OSError, ValueError, HttpStatusError) as e:  # the peer may not be up yet
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def wait_for_port(port: int, timeout: float = 30) -> None:
    def connects():
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    wait_for(f"127.0.0.1:{port} to listen", connects, timeout, 0.1)


def metric_value(exposition: str, name: str, labels: dict[str, str] | None = None) -> float | None:
    """The value of the first sample `name{labels...}` in Prometheus text, or None."""
    for line in exposition.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        series_name = head.split("{", 1)[0]
        if series_name != name:
            continue
        if all(f'{k}="{v}"' in head for k, v in (labels or {}).items()):
            return float(value)
    return None


class Processes:
    """Child processes by name, each with a log file in `logs`."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], new_session: bool = False) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=new_session)
        log.close()
        self.procs[name] = p
        return p

    def log(self, name: str, tail: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def check_alive(self) -> None:
        for name, p in self.procs.items():
            if p.poll() is not None:
                raise AssertionError(f"{name} exited with {p.returncode}:\n{self.log(name)}")

    def kill9(self, name: str) -> None:
        p = self.procs.pop(name)
        p.kill()
        p.wait()

    def stop(self, name: str | None = None) -> None:
        names = [name] if name else list(self.procs)
        procs = [self.procs.pop(n) for n in names]
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


# --- the certificate store ------------------------------------------------------------------------

def stamp(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y%m%d%H%M%SZ")


@dataclass
class Store:
    """A directory of PEM certificates the files collector scans, issued by a test CA whose
    key stays outside the store (pki/), so the renew command can issue a replacement."""
    pki: Path
    dir: Path
    files: dict[str, Path] = field(default_factory=dict)  # role -> file

    def hashes(self) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(self.dir.iterdir()) if p.is_file()}


def openssl_x509(pem: Path, *args: str) -> str:
    return subprocess.run(["openssl", "x509", "-in", str(pem), "-noout", *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def thumbprint(pem: Path) -> str:
    return openssl_x509(pem, "-fingerprint", "-sha1").split("=", 1)[1].replace(":", "")


def not_after(pem: Path) -> int:
    text = openssl_x509(pem, "-enddate").split("=", 1)[1]
    t = datetime.datetime.strptime(text, "%b %d %H:%M:%S %Y GMT")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp())


def make_store(base: Path, cep_days_left: int = 10) -> Store:
    """tests/pki/make-test-pki.sh, then an NDES-like store: the CEPEncryption RA certificate
    with `cep_days_left` days left, a healthy EnrollmentAgentOffline RA, the SSL certificate
    and the CA."""
    pki, store_dir = base / "pki", base / "store"
    subprocess.run(["bash", str(ROOT / "tests/pki/make-test-pki.sh"), str(pki)], check=True,
                   capture_output=True)
    store_dir.mkdir(parents=True, exist_ok=True)
    now = time.time()
    store = Store(pki, store_dir)
    # (role, file, profile, days before now, days after now, subject)
    for role, name, profile, before, after, subject in [
        ("cep_encryption", "NDES01-MSCEP-RA_CEPEncryption.pem", "cep", 720, cep_days_left,
         "/CN=NDES01-MSCEP-RA/O=Corp"),
        ("enrollment_agent", "NDES01-MSCEP-RA_EnrollmentAgentOffline.pem", "eea", 30, 700,
         "/CN=NDES01-MSCEP-RA/O=Corp"),
        ("ssl", "ndes01.corp.example.pem", "ssl", 30, 335, "/CN=ndes01.corp.example"),
    ]:
        issued = f"store-{profile}"
        subprocess.run([str(pki / "issue.sh"), issued, profile, stamp(now - before * DAY),
                        stamp(now + after * DAY), subject], check=True, capture_output=True)
        (store_dir / name).write_bytes((pki / f"{issued}.pem").read_bytes())
        store.files[role] = store_dir / name
    (store_dir / "CORP-ISSUING-CA.pem").write_bytes((pki / "ca" / "ca.pem").read_bytes())
    store.files["ca"] = store_dir / "CORP-ISSUING-CA.pem"
    return store


# --- configs, generated from the project's own files ---------------------------------------------

def substitute(text: str, old: str, new: str, what: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"alerts/alertmanager.example.yml: expected {what} {old!r} once")
    return text.replace(old, new)


def alertmanager_config(hook_url: str, token_file: Path, smarthost: str) -> str:
    """alerts/alertmanager.example.yml with only its URLs, paths and credentials replaced:
    the hook's URL and token file, and an SMTP relay on loopback (nothing listens there, so
    email fails quietly in Alertmanager's log; the routing is the example's)."""
    text = (ROOT / "alerts" / "alertmanager.example.yml").read_text(encoding="utf-8")
    text = substitute(text, "http://127.0.0.1:10228/alertmanager", hook_url, "the hook URL")
    text = substitute(text, "/etc/prometheus/ndes-renew-hook.token", str(token_file), "the token file")
    text = substitute(text, "smtp.example.com:587", smarthost, "the SMTP relay")
    return text.replace("smtp_require_tls: true", "smtp_require_tls: false")


def prometheus_config(rules: Path, exporter: str, hook: str, alertmanagers: list[str],
                      more_jobs: list[tuple[str, str, str]] | None = None) -> str:
    """The scrape jobs alerts/README.md describes (job names start with "ndes"), every second,
    plus `more_jobs` as (job, target, interval) (e.g. the Windows build under wine, whose
    scrapes take longer than a second's timeout allows on a loaded machine)."""
    ams = ", ".join(f"'{a}'" for a in alertmanagers)
    more = "".join(f"""  - job_name: {job}
    scrape_interval: {interval}
    scrape_timeout: {interval}
    static_configs: [{{targets: ['{target}']}}]
""" for job, target, interval in more_jobs or [])
    return f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['{rules}']
alerting:
  alertmanagers:
    - static_configs: [{{targets: [{ams}]}}]
scrape_configs:
  - job_name: ndes
    static_configs: [{{targets: ['{exporter}']}}]
  - job_name: {HOOK_JOB}
    static_configs: [{{targets: ['{hook}']}}]
{more}"""


def renew_command(store: Store, gate: Path | None = None) -> list[str]:
    """The hook's command executor argv: tests/renew/renew-file-cert.sh on the store, behind
    tests/e2e/gated-command.sh when `gate` is a directory (the step then waits for the test)."""
    argv = ["/bin/bash", str(ROOT / "tests/renew/renew-file-cert.sh"), str(store.pki),
            str(store.dir), "{thumbprint}", "{template}"]
    if gate is not None:
        argv = ["/bin/bash", str(ROOT / "tests/e2e/gated-command.sh"), str(gate), *argv]
    return argv


# --- the stack ------------------------------------------------------------------------------------

@dataclass
class Binaries:
    exporter: str
    hook: str
    prometheus: str = "prometheus"
    alertmanager: str = "prometheus-alertmanager"


class Loop:
    """Ports, configs and processes of one stack under `tmp`. start() brings it up;
    stop() ends every process it started."""

    def __init__(self, tmp: Path, bins: Binaries, exporter_args: list[str],
                 hook_args: list[str], alertmanagers: int = 2, for_seconds: int = 2):
        self.tmp, self.bins = tmp, bins
        self.exporter_args, self.hook_args = exporter_args, hook_args
        self.procs = Processes(tmp)
        self.p_exp, self.p_hook, self.p_prom = free_port(), free_port(), free_port()
        self.p_am = [free_port() for _ in range(alertmanagers)]
        self.p_gossip = [free_port() for _ in range(alertmanagers)]
        self.exporter_instance = f"127.0.0.1:{self.p_exp}"
        self.hook_instance = f"127.0.0.1:{self.p_hook}"
        self.exporter = f"http://{self.exporter_instance}"
        self.hook = f"http://{self.hook_instance}"
        self.prom = f"http://127.0.0.1:{self.p_prom}"
        self.ams = [f"http://127.0.0.1:{p}" for p in self.p_am]
        self.token_file = tmp / "hook.token"
        self.state_dir = tmp / "hook-state"
        self.am_generation = 0

        self.token = secrets.token_urlsafe(24)  # a fresh one per stack: the hook has real power
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(self.token + "\n")
        self.rules = tmp / "ndes.rules.test.yml"
        self.rules.write_text(shorten((ROOT / "alerts/ndes.rules.yml").read_text(encoding="utf-8"),
                                      for_seconds))
        (tmp / "alertmanager.yml").write_text(alertmanager_config(
            f"{self.hook}/alertmanager", self.token_file, f"127.0.0.1:{free_port()}"))
        self.more_jobs: list[tuple[str, str, str]] = []
        self.write_prometheus_config()

    def write_prometheus_config(self) -> None:
        (self.tmp / "prometheus.yml").write_text(prometheus_config(
            self.rules, self.exporter_instance, self.hook_instance,
            [f"127.0.0.1:{p}" for p in self.p_am], self.more_jobs))

    def add_scrape_job(self, job: str, target: str, interval: str) -> None:
        """Another scrape job joins the running Prometheus (config rewritten, then reloaded
        by SIGHUP, as an operator would)."""
        self.more_jobs.append((job, target, interval))
        self.write_prometheus_config()
        self.procs.procs["prometheus"].send_signal(signal.SIGHUP)

    # -- processes

    def start(self) -> "Loop":
        """Starts every part; if one fails to come up, stops the others and raises."""
        try:
            self.start_parts()
        except BaseException:
            self.stop()
            raise
        return self

    def start_parts(self) -> None:
        self.start_exporter()
        self.start_hook()
        self.start_alertmanagers()
        self.procs.start("prometheus", [
            self.bins.prometheus, f"--config.file={self.tmp / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.tmp / 'prometheus-data'}",
            f"--web.listen-address=127.0.0.1:{self.p_prom}",
            # Firing alerts are re-sent every second (default 1m), so a restarted
            # Alertmanager learns of them at once.
            "--rules.alert.resend-delay=1s"])
        wait_for_port(self.p_prom)

    def start_exporter(self) -> None:
        self.procs.start("exporter", [self.bins.exporter, f"--web.listen-address={self.exporter_instance}",
                                      f"--renew-hook.url={self.hook}",
                                      f"--renew-hook.auth-token-file={self.token_file}",
                                      *self.exporter_args])
        wait_for_port(self.p_exp)

    def start_hook(self) -> None:
        self.procs.start("hook", [
            self.bins.hook, f"--web.listen-address={self.hook_instance}",
            f"--web.auth-token-file={self.token_file}", f"--state.dir={self.state_dir}",
            "--instance=127.0.0.1", *self.hook_args])
        wait_for(f"ndes_renew_hook on {self.hook}",
                 lambda: (self.procs.check_alive(), http("GET", f"{self.hook}/healthz")[0] == 200)[1], 30, 0.1)

    def start_alertmanagers(self) -> None:
        """An HA pair (or more) gossiping over loopback, each sent every alert by Prometheus.
        --cluster.peer-timeout=0s: the second peer does not wait for the first one's
        notification log before sending its own, so both notify the hook, as an HA pair does
        whenever gossip lags (the hook must renew once anyway). A restart gets fresh storage:
        an empty notification log, so the alerts are notified again."""
        self.am_generation += 1
        for i, port in enumerate(self.p_am):
            peers = [f"--cluster.peer=127.0.0.1:{g}" for j, g in enumerate(self.p_gossip) if j != i]
            self.procs.start(f"alertmanager{i + 1}", [
                self.bins.alertmanager, f"--config.file={self.tmp / 'alertmanager.yml'}",
                f"--storage.path={self.tmp / f'am{i + 1}-data-{self.am_generation}'}",
                f"--web.listen-address=127.0.0.1:{port}",
                f"--cluster.listen-address=127.0.0.1:{self.p_gossip[i]}",
                "--cluster.advertise-address=" + f"127.0.0.1:{self.p_gossip[i]}",
                "--cluster.peer-timeout=0s", "--log.level=debug", *peers])
        for port in self.p_am:
            wait_for_port(port)

    def stop_alertmanagers(self) -> None:
        for i in range(len(self.p_am)):
            self.procs.stop(f"alertmanager{i + 1}")

    def stop(self) -> None:
        self.procs.stop()

    def urls(self) -> dict[str, str]:
        urls = {"exporter": f"{self.exporter}/", "prometheus": f"{self.prom}/alerts",
                "hook renewals": f"{self.hook}/renewals (Authorization: Bearer, token in {self.token_file})"}
        for i, am in enumerate(self.ams):
            urls[f"alertmanager {i + 1}"] = f"{am}/#/alerts"
        return urls

    # -- reading the parts

    def query(self, expr: str) -> list:
        answer = get_json(f"{self.prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        if answer.get("status") != "success":
            raise AssertionError(f"query failed: {answer}")
        return answer["data"]["result"]

    def query_range(self, expr: str, seconds: int = 30) -> list:
        now = time.time()
        answer = get_json(f"{self.prom}/api/v1/query_range?" + urllib.parse.urlencode(
            {"query": expr, "start": now - seconds, "end": now, "step": 1}))
        if answer.get("status") != "success":
            raise AssertionError(f"query failed: {answer}")
        return answer["data"]["result"]

    def renewals(self) -> list[dict]:
        return get_json(f"{self.hook}/renewals",
                        headers={"Authorization": f"Bearer {self.token}"})["renewals"]

    def text(self, url: str) -> str:
        status, body = http("GET", url)
        if status != 200:
            raise HttpStatusError(f"GET {url}: {status}")
        return body.decode()

    def am_alerts(self, i: int) -> list[dict]:
        return get_json(f"{self.ams[i]}/api/v2/alerts")


def wait_until_scraped(loop: Loop, timeout: float = 60) -> None:
    wait_for("Prometheus to scrape the exporter and the hook", lambda: (
        loop.procs.check_alive(),
        len(loop.query(f'up{{job=~"ndes.*"}} == 1')) == 2)[1], timeout)


def finish(failures: list[str], tmp: Path, ok_message: str) -> int:
    """A test's exit code: failures are printed and the logs kept; on success the work
    directory goes."""
    if failures:
        for line in failures:
            print(f"FAIL: {line}", file=sys.stderr)
        print(f"logs kept in {tmp}", file=sys.stderr)
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print(ok_message)
    return 0


def bins_from_build_dir(build_dir: Path) -> Binaries:
    return Binaries(str(build_dir / "bin" / "ndes_exporter"), str(build_dir / "bin" / "ndes_renew_hook"))


if os.name != "posix":  # pragma: no cover
    raise SystemExit("the loop stack runs on Linux")
