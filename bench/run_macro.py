#!/usr/bin/env python3
"""Macro benchmarks of ndes_exporter against its floor and its peers, in one run.

    bench/run_macro.py [--quick] [--build-dir build] [--out docs/performance.md]

Writes one Markdown report: the machine, the command, and a table per benchmark:
  files   cold scan, warm scrape p50/p99 with 1 and 16 scrapers (wrk), CPU per warm
          scrape, files parsed by warm scrapes, peak RSS; against the parse floor
          (ndes_bench_floor) and the admins' shell loop (openssl x509 per file)
  tls     our tls module against blackbox_exporter's tcp/tls prober, same endpoint
  fleet   N SCEP endpoints as static targets, one scrape; peak connections at the server
  idle    RSS and CPU of the demo store scraped every 15 s
  micro   the Google Benchmark micro benchmarks (ndes_bench_micro)

Python standard library only. Needs the bench binaries (cmake --build build --target
ndes_bench), wrk, openssl and prometheus-blackbox-exporter. Full run: about 25 minutes
(the idle window is 10 of them); --quick (N=100, short windows): about 2 minutes.
"""

import argparse
import contextlib
import http.server
import json
import os
import platform
import re
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------
# Processes and measurements


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{proc.args[0]} did not listen on {port} within {timeout} s")


def proc_status(pid, key):
    """A /proc/PID/status value in MiB (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def proc_cpu(pid):
    """User + system CPU seconds of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Background:
    """A process that runs for a `with` block, its output in a log file."""

    def __init__(self, argv, log, port=None):
        self.argv = [str(a) for a in argv]
        self.log = Path(log)
        self.port = port
        self.proc = None

    def __enter__(self):
        self.log_file = open(self.log, "wb")
        self.proc = subprocess.Popen(self.argv, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        try:
            if self.port:
                wait_for_port(self.port, self.proc)
        except Exception:
            self.__exit__(None, None, None)
            raise RuntimeError(f"{self.argv[0]} did not start; log {self.log}:\n"
                               + self.log.read_text(errors="replace")[-2000:])
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()

    @property
    def pid(self):
        return self.proc.pid

    def rss_peak(self):
        return proc_status(self.pid, "VmHWM")

    def rss(self):
        return proc_status(self.pid, "VmRSS")

    def rss_anon(self):
        """Resident memory of the process's own (not shared library file pages)."""
        return proc_status(self.pid, "RssAnon")

    def cpu(self):
        return proc_cpu(self.pid)


def get(url, timeout=120):
    """(seconds, body) of one GET."""
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        body = r.read().decode()
    return time.monotonic() - start, body


def sample_value(body, name, labels=""):
    """The value of the first series `name{...labels...}` in exposition text."""
    for line in body.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if labels in line:
                return float(line.rsplit(" ", 1)[1])
    return None


def count_series(body, name, value=None):
    n = 0
    for line in body.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if value is None or float(line.rsplit(" ", 1)[1]) == value:
                n += 1
    return n


WRK_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def wrk(url, connections, seconds, headers=()):
    """Latency percentiles (seconds) and request count from `wrk --latency`."""
    threads = min(connections, 2)
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
            "--latency"]
    for h in headers:
        argv += ["-H", h]
    argv.append(url)
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    pct = {}
    for m in re.finditer(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M):
        pct[int(m.group(1))] = float(m.group(2)) * WRK_UNITS[m.group(3)]
    m = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if not m or 50 not in pct or 99 not in pct:
        raise RuntimeError("cannot read wrk output:\n" + out)
    return {"p50": pct[50], "p99": pct[99], "requests": int(m.group(1)),
            "errors": errors.group(0) if errors else ""}


# The warm scrapes: (connections, row key, request headers).
WARM_RUNS = ((1, "warm1", ()), (16, "warm16", ()),
             (1, "warm1gz", ("Accept-Encoding: gzip",)), (16, "warm16gz", ("Accept-Encoding: gzip",)))


def timed_children(argv, **kw):
    """Runs argv; (wall seconds, CPU seconds of it and its children, result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    result = subprocess.run(argv, capture_output=True, text=True, **kw)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return wall, cpu, result


# ---------------------------------------------------------------------------
# Formatting


def ms(seconds):
    return "—" if seconds is None else f"{seconds * 1000:.1f} ms"


def sec(seconds):
    return "—" if seconds is None else f"{seconds:.2f} s"


def mib(value):
    return "—" if value is None else f"{value:.1f} MiB"


def duration(seconds):
    """Seconds in the unit that reads best: ns, µs or ms."""
    for unit, scale in (("ns", 1e-9), ("µs", 1e-6)):
        if seconds < 1000 * scale:
            return f"{seconds / scale:,.1f} {unit}"
    return f"{seconds * 1000:,.1f} ms"


def ratio(a, b):
    return "—" if a is None or not b else f"{a / b:.2f}×"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The benchmarks


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = Path(args.build_dir).resolve()
        self.bin = self.build / "bin"
        self.data = Path(args.data_dir).resolve() if args.data_dir else self.build / "bench-data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix="ndes-bench-"))
        self.goals = []  # (goal, measured, met)
        self.peer_runs = {}  # files -> (wall, CPU) of the shell loop

    def log(self, text):
        print(f"[{time.strftime('%H:%M:%S')} load {loadavg()}] {text}", flush=True)

    def goal(self, text, measured, met):
        self.goals.append((text, measured, "met" if met else "**missed**"))

    def certs(self, n):
        """The folder of n generated certificates, made once and cached."""
        folder = self.data / f"certs-{n}"
        stamp = folder / ".complete"
        if not stamp.exists() or stamp.read_text().strip() != str(n):
            self.log(f"generating {n} certificates in {folder}")
            subprocess.run([self.bin / "ndes_bench_gencerts", folder, str(n)], check=True)
        return folder

    def exporter(self, port, *flags, name="exporter"):
        argv = [self.bin / "ndes_exporter", f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn", *flags]
        return Background(argv, self.work / f"{name}-{port}.log", port)

    # -- files ---------------------------------------------------------------

    def files(self, n):
        folder = self.certs(n)
        certs = folder / "certs"
        row = {"n": n}
        floor_runs = []
        for _ in range(self.args.repeat):
            out = subprocess.run([self.bin / "ndes_bench_floor", certs], capture_output=True,
                                 text=True, check=True).stdout
            floor_runs.append(json.loads(out))
        row["floor_wall"] = min(r["wall_seconds"] for r in floor_runs)
        row["floor_cpu"] = min(r["cpu_seconds"] for r in floor_runs)

        cold = []
        for attempt in range(self.args.repeat):
            port = free_port()
            with self.exporter(port, "--collectors.enabled=files",
                               f"--collector.files.path={certs}", name=f"files-{n}") as ex:
                url = f"http://127.0.0.1:{port}/metrics"
                cpu0 = ex.cpu()
                wall, body = get(url)
                cold.append((wall, ex.cpu() - cpu0))
                found = count_series(body, "ndes_certificate_not_after_timestamp_seconds")
                if found != n:
                    raise RuntimeError(f"the exporter reports {found} certificates of {n}")
                if attempt + 1 < self.args.repeat:
                    continue
                # Warm: the same exporter, nothing changed on disk.
                # Plain, as wrk asks by default, and gzip, as Prometheus asks.
                for conns, key, headers in WARM_RUNS:
                    _, before = get(url)
                    cpu0 = ex.cpu()
                    w = wrk(url, conns, self.args.wrk_seconds, headers)
                    cpu = ex.cpu() - cpu0
                    _, after = get(url)
                    parsed = (sample_value(after, "ndes_files_parsed_total")
                              - sample_value(before, "ndes_files_parsed_total"))
                    scans = (sample_value(after, "ndes_files_scans_total")
                             - sample_value(before, "ndes_files_scans_total") - 1)
                    row[key] = dict(w, cpu_per_scrape=cpu / max(w["requests"], 1),
                                    parsed=parsed, scans=scans)
                row["rss_peak"] = ex.rss_peak()
                row["parsed_total"] = sample_value(after, "ndes_files_parsed_total")
        row["cold_wall"] = min(c[0] for c in cold)
        row["cold_cpu"] = min(c[1] for c in cold)

        row["peer_files"] = min(n, self.args.peer_max)
        if row["peer_files"] not in self.peer_runs:  # the same files' cost, measured once
            self.peer_runs[row["peer_files"]] = self.peer(certs, row["peer_files"])
        wall, cpu = self.peer_runs[row["peer_files"]]
        # Beyond --peer-max the loop runs on the first files and is scaled to N: it is
        # linear (two processes per file), and 50,000 openssl runs take too long.
        row["peer_wall"] = wall * n / row["peer_files"]
        row["peer_cpu"] = cpu * n / row["peer_files"]
        return row

    def peer(self, certs, n):
        """The admins' shell loop over the first n files: openssl per file into a
        node_exporter textfile."""
        prom = self.work / f"peer-{n}.prom"
        script = r'''
set -eu
out="$2"
ls "$1" | head -n "$3" | while read -r name; do
  f="$1/$name"
  end=$(openssl x509 -enddate -noout -in "$f" | cut -d= -f2)
  echo "ssl_certificate_expiry_seconds{path=\"$f\"} $(date -d "$end" +%s)"
done > "$out.$$"
mv "$out.$$" "$out"
'''
        self.log(f"peer shell loop over {n} files")
        wall, cpu, _ = timed_children(["bash", "-c", script, "peer", str(certs), str(prom),
                                       str(n)])
        lines = len(prom.read_text().splitlines())
        if lines != n:
            raise RuntimeError(f"the shell loop wrote {lines} lines for {n} files")
        return wall, cpu

    def files_section(self):
        rows = []
        for n in self.args.sizes:
            self.log(f"files: N={n}")
            rows.append(self.files(n))
        out = ["## Certificate files", "",
               "Cold scan: a fresh exporter's first scrape (the page cache is warm, for the floor "
               "too). Floor: `ndes_bench_floor`, read and d2i-parse only. Peer: the shell loop "
               "below, run once on at most `--peer-max` files and scaled to N. Warm: `wrk` for "
               f"{self.args.wrk_seconds} s on an unchanged folder, plain and with "
               "`Accept-Encoding: gzip` as Prometheus sends it; *parsed* is the increase of "
               "`ndes_files_parsed_total` during it, *scans/req* the increase of "
               "`ndes_files_scans_total` per request. CPU is the exporter's user+system time.", ""]
        header = ["N", "cold scan", "cold CPU", "floor", "floor CPU", "cold/floor (wall, CPU)",
                  "peer (shell loop)", "peer/cold", "peak RSS"]
        body = []
        for r in rows:
            body.append([f"{r['n']:,}", sec(r["cold_wall"]), sec(r["cold_cpu"]),
                         sec(r["floor_wall"]), sec(r["floor_cpu"]),
                         f"{ratio(r['cold_wall'], r['floor_wall'])}, "
                         f"{ratio(r['cold_cpu'], r['floor_cpu'])}",
                         sec(r["peer_wall"]) + ("" if r["peer_files"] == r["n"] else
                                                f" (from {r['peer_files']:,} files)"),
                         ratio(r.get("peer_wall"), r["cold_wall"]), mib(r["rss_peak"])])
        out += [table(header, body), ""]
        header = ["N", "scrapers", "encoding", "p50", "p99", "requests", "CPU per scrape",
                  "parsed", "scans/req", "errors"]
        body = []
        for r in rows:
            for conns, key, headers in WARM_RUNS:
                w = r[key]
                body.append([f"{r['n']:,}", conns, "gzip" if headers else "plain", ms(w["p50"]),
                             ms(w["p99"]), w["requests"],
                             ms(w["cpu_per_scrape"]), int(w["parsed"]),
                             f"{w['scans'] / max(w['requests'], 1):.2f}", w["errors"] or "none"])
        out += [table(header, body), ""]
        out += ["The peer, as admins write it (one `openssl` and one `date` per file):", "",
                "```sh", "for f in certs/*; do",
                "  end=$(openssl x509 -enddate -noout -in \"$f\" | cut -d= -f2)",
                "  echo \"ssl_certificate_expiry_seconds{path=\\\"$f\\\"} $(date -d \"$end\" +%s)\"",
                "done > out.prom.$$ && mv out.prom.$$ out.prom", "```", ""]
        at = [r for r in rows if r["n"] == 10000]
        if at:
            r = at[0]
            for enc, one, sixteen in (("plain", "warm1", "warm16"),
                                      ("gzip, as Prometheus asks", "warm1gz", "warm16gz")):
                self.goal(f"10,000 files: warm scrape p99 ≤ 50 ms (1 scraper; 16 scrapers), {enc}",
                          f"{ms(r[one]['p99'])}; {ms(r[sixteen]['p99'])}",
                          r[one]["p99"] <= 0.05 and r[sixteen]["p99"] <= 0.05)
            self.goal("10,000 files: cold scan ≤ 1.5× the parse floor (wall; CPU)",
                      f"{ratio(r['cold_wall'], r['floor_wall'])}; "
                      f"{ratio(r['cold_cpu'], r['floor_cpu'])}",
                      r["cold_cpu"] <= 1.5 * r["floor_cpu"])
            self.goal("10,000 files: peak RSS ≤ 64 MiB", mib(r["rss_peak"]), r["rss_peak"] <= 64)
        for r in rows:
            w1, w16 = r["warm1"], r["warm16"]
            self.goal(f"{r['n']:,} files: a warm scrape parses nothing "
                      "(`ndes_files_parsed_total` unchanged)",
                      f"+{int(w1['parsed'])} over {w1['requests']} scrapes, "
                      f"+{int(w16['parsed'])} over {w16['requests']}",
                      w1["parsed"] == 0 and w16["parsed"] == 0)
            self.goal(f"{r['n']:,} files: 16 scrapers cost no more parsing than 1 "
                      "(CPU per scrape, 16 vs 1)",
                      f"{ms(w16['cpu_per_scrape'])} vs {ms(w1['cpu_per_scrape'])}",
                      w16["parsed"] <= w1["parsed"]
                      and w16["cpu_per_scrape"] <= 1.1 * w1["cpu_per_scrape"])
        return "\n".join(out)

    # -- tls -----------------------------------------------------------------

    def tls_section(self):
        self.log("tls: ours against blackbox_exporter")
        pki = self.certs(min(self.args.sizes))
        ca = pki / "ca.pem"
        tls_port, ours_port, bb_port = free_port(), free_port(), free_port()
        target = f"127.0.0.1:{tls_port}"
        ours_cfg = self.work / "tls-ours.yml"
        ours_cfg.write_text("modules:\n  tls_bench:\n    prober: tls\n    timeout: 5s\n"
                            f"    tls: {{ca_file: {ca}}}\n")
        bb_cfg = self.work / "tls-blackbox.yml"
        bb_cfg.write_text("modules:\n  tls_bench:\n    prober: tcp\n    timeout: 5s\n"
                          "    tcp:\n      tls: true\n"
                          f"      tls_config: {{ca_file: {ca}}}\n")
        empty = self.work / "empty"
        empty.mkdir(exist_ok=True)
        server = Background(["openssl", "s_server", "-quiet", "-www", "-accept", target,
                             "-cert", pki / "tls" / "server.pem", "-key", pki / "tls" / "server.key",
                             "-cert_chain", ca], self.work / "s_server.log", tls_port)
        ours = self.exporter(ours_port, f"--config.file={ours_cfg}", "--collectors.enabled=files",
                             f"--collector.files.path={empty}", name="tls-ours")
        bb = Background(["prometheus-blackbox-exporter", f"--config.file={bb_cfg}",
                         f"--web.listen-address=127.0.0.1:{bb_port}", "--log.level=warn"],
                        self.work / "blackbox.log", bb_port)
        results = {}
        with server, ours, bb:
            for name, port, proc in (("ndes_exporter tls", ours_port, ours),
                                     ("blackbox_exporter tcp+tls", bb_port, bb)):
                url = f"http://127.0.0.1:{port}/probe?module=tls_bench&target={target}"
                _, body = get(url)
                if sample_value(body, "probe_success") != 1:
                    raise RuntimeError(f"{name}: the probe failed:\n{body}")
                cpu0 = proc.cpu()
                w = wrk(url, 1, self.args.wrk_seconds)
                w["cpu_per_probe"] = (proc.cpu() - cpu0) / max(w["requests"], 1)
                w["rss_peak"] = proc.rss_peak()
                w["rss"] = proc.rss()
                w["rss_anon"] = proc.rss_anon()
                results[name] = w
        o, b = results["ndes_exporter tls"], results["blackbox_exporter tcp+tls"]
        rows = [[name, ms(r["p50"]), ms(r["p99"]), r["requests"], ms(r["cpu_per_probe"]),
                 mib(r["rss"]), mib(r["rss_peak"]), mib(r["rss_anon"])]
                for name, r in results.items()]
        rows.append(["ours / blackbox", ratio(o["p50"], b["p50"]), ratio(o["p99"], b["p99"]), "",
                     ratio(o["cpu_per_probe"], b["cpu_per_probe"]), ratio(o["rss"], b["rss"]),
                     ratio(o["rss_peak"], b["rss_peak"]), ratio(o["rss_anon"], b["rss_anon"])])
        self.goal("TLS probe no slower than blackbox_exporter (p50)",
                  ratio(o["p50"], b["p50"]), o["p50"] <= b["p50"] * 1.05)
        self.goal("TLS probe RSS ≤ ½ of blackbox_exporter's (peak)",
                  ratio(o["rss_peak"], b["rss_peak"]), o["rss_peak"] <= 0.5 * b["rss_peak"])
        return "\n".join([
            "## TLS probe", "",
            f"One `openssl s_server` with the bench CA's chain; both exporters verify it against "
            "the CA (`/probe?module=tls_bench&target=127.0.0.1:PORT`), `wrk -c1` for "
            f"{self.args.wrk_seconds} s each, one after the other.", "",
            table(["prober", "p50", "p99", "probes", "CPU per probe", "RSS", "peak RSS",
                   "RSS without file pages (RssAnon)"], rows),
            ""])

    # -- fleet ---------------------------------------------------------------

    def fleet_section(self):
        n = self.args.fleet
        self.log(f"fleet: {n} SCEP endpoints")
        pki = self.certs(min(self.args.sizes))
        p7 = subprocess.run(["openssl", "crl2pkcs7", "-nocrl", "-certfile", pki / "ca.pem",
                             "-certfile", pki / "scep" / "cep.pem", "-certfile",
                             pki / "scep" / "eea.pem", "-outform", "DER"],
                            capture_output=True, check=True).stdout
        server = ScepFleetServer(p7)
        cfg = self.work / "fleet.yml"
        lines = ["targets:", "  scep:"]
        lines += [f"    - http://127.0.0.1:{server.port}/ndes{i:03d}/certsrv/mscep/scep"
                  for i in range(n)]
        lines += ["probes:", f"  max_concurrency: {self.args.fleet_concurrency}"]
        cfg.write_text("\n".join(lines) + "\n")
        empty = self.work / "empty"
        empty.mkdir(exist_ok=True)
        port = free_port()
        with server, self.exporter(port, f"--config.file={cfg}", "--collectors.enabled=files",
                                   f"--collector.files.path={empty}", name="fleet") as ex:
            url = f"http://127.0.0.1:{port}/metrics"
            cpu0 = ex.cpu()
            wall, body = get(url)
            cpu = ex.cpu() - cpu0
            ok = count_series(body, "probe_success", 1.0)
            rss_peak = ex.rss_peak()
        if ok != n:
            raise RuntimeError(f"fleet: {ok} of {n} probes succeeded")
        self.goal(f"{n} SCEP endpoints in one scrape ≤ 5 s, bounded concurrency",
                  f"{sec(wall)}, peak {server.peak} connections "
                  f"(max_concurrency {self.args.fleet_concurrency})",
                  wall <= 5 and server.peak <= self.args.fleet_concurrency)
        return "\n".join([
            "## Fleet of SCEP endpoints", "",
            f"{n} static `scep` targets (`http://127.0.0.1:PORT/ndesNNN/certsrv/mscep/scep`) on one "
            "local server that answers GetCACaps and GetCACert (CA + RA pair, PKCS#7) and counts "
            "open connections. One `/metrics` scrape.", "",
            table(["targets", "probes ok", "scrape time", "exporter CPU", "max_concurrency",
                   "peak connections at the server", "requests", "peak RSS"],
                  [[n, ok, sec(wall), sec(cpu), self.args.fleet_concurrency, server.peak,
                    server.requests, mib(rss_peak)]]), ""])

    # -- idle ----------------------------------------------------------------

    def idle_section(self):
        seconds = self.args.idle_seconds
        self.log(f"idle: demo store for {seconds} s, scraped every 15 s")
        port = free_port()
        demo = self.work / "demo"
        with self.exporter(port, "--demo", f"--demo.dir={demo}", name="idle") as ex:
            url = f"http://127.0.0.1:{port}/metrics"
            get(url)  # the first scrape parses; idle is what follows
            cpu0, t0 = ex.cpu(), time.monotonic()
            scrapes = 0
            while time.monotonic() - t0 < seconds:
                time.sleep(min(15, max(0.0, seconds - (time.monotonic() - t0))))
                if time.monotonic() - t0 < seconds:
                    get(url)
                    scrapes += 1
            elapsed = time.monotonic() - t0
            cpu = ex.cpu() - cpu0
            rss, rss_peak, rss_anon = ex.rss(), ex.rss_peak(), ex.rss_anon()
        pct = 100 * cpu / elapsed
        self.goal("idle RSS ≤ 15 MiB (demo store)", mib(rss), rss <= 15)
        self.goal("idle CPU ≤ 0.1 % (demo store, scraped every 15 s)", f"{pct:.3f} %", pct <= 0.1)
        return "\n".join([
            "## Idle footprint", "",
            f"`ndes_exporter --demo`, scraped every 15 s for {seconds} s after a first scrape.", "",
            table(["window", "scrapes", "CPU", "CPU %", "RSS at end", "peak RSS",
                   "RSS without file pages (RssAnon)"],
                  [[f"{elapsed:.0f} s", scrapes, sec(cpu), f"{pct:.3f} %", mib(rss),
                    mib(rss_peak), mib(rss_anon)]]), ""])

    # -- micro ---------------------------------------------------------------

    def micro_section(self):
        self.log("micro benchmarks")
        argv = [self.bin / "ndes_bench_micro", "--benchmark_format=json",
                f"--benchmark_min_time={self.args.micro_min_time}"]
        out = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
        rows = []
        for b in out["benchmarks"]:
            unit = WRK_UNITS.get(b["time_unit"], 1e-9) if b["time_unit"] != "ns" else 1e-9
            rows.append([f"`{b['name']}`", duration(b["real_time"] * unit),
                         duration(b["cpu_time"] * unit), b["iterations"]])
        return "\n".join([
            "## Micro benchmarks", "",
            f"`{shlex.join(['build/bin/ndes_bench_micro'] + argv[1:])}`; "
            "`/N` is the number of certificates.", "",
            table(["benchmark", "time", "CPU", "iterations"], rows), ""])


class ScepFleetServer:
    """A SCEP server on one port, any path: GetCACaps and GetCACert, counting connections."""

    CAPS = b"POSTPKIOperation\nSHA-256\nAES\nSCEPStandard\nRenewal\n"

    def __init__(self, ca_ra_p7):
        outer = self
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with outer.lock:
                    outer.requests += 1
                if "operation=GetCACaps" in self.path:
                    body, ctype = outer.CAPS, "text/plain"
                elif "operation=GetCACert" in self.path:
                    body, ctype = ca_ra_p7, "application/x-x509-ca-ra-cert"
                else:
                    self.send_error(400)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 1024
            daemon_threads = True

            def process_request(self, request, client_address):
                with outer.lock:
                    outer.active += 1
                    outer.peak = max(outer.peak, outer.active)
                super().process_request(request, client_address)

            def shutdown_request(self, request):
                super().shutdown_request(request)
                with outer.lock:
                    outer.active -= 1

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------


def machine(command, load_start, load_end, started, elapsed):
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
                         capture_output=True, text=True).stdout.strip() or "unknown"
    return table(["", ""], [
        ["date (UTC)", started],
        ["revision", f"`{rev}`"],
        ["CPU", f"{model}, {os.cpu_count()} logical CPUs (nproc)"],
        ["kernel", platform.release()],
        ["load average (1/5/15 min) at start", load_start],
        ["load average at end", load_end],
        ["duration", f"{elapsed / 60:.1f} min"],
        ["command", f"`{command}`"],
    ])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smallest size and short windows (what CI runs)")
    p.add_argument("--build-dir", default=str(ROOT / "build"))
    p.add_argument("--data-dir", help="generated certificates (default BUILD/bench-data)")
    p.add_argument("--out", help="Markdown report (default docs/performance.md; "
                   "--quick: BUILD/bench/performance.md)")
    p.add_argument("--sizes", help="comma-separated N (default 100,1000,10000,50000)")
    p.add_argument("--wrk-seconds", type=int)
    p.add_argument("--idle-seconds", type=int)
    p.add_argument("--repeat", type=int, help="cold scans per N, the best one counts")
    p.add_argument("--peer-max", type=int, default=1000,
                   help="the shell-loop peer runs on at most this many files; larger N are "
                   "scaled from them")
    p.add_argument("--fleet", type=int, default=500, help="SCEP endpoints")
    p.add_argument("--fleet-concurrency", type=int, default=16, help="probes.max_concurrency")
    p.add_argument("--only", help="comma-separated sections: files,tls,fleet,idle,micro")
    args = p.parse_args()
    quick = args.quick
    args.sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (
        [100] if quick else [100, 1000, 10000, 50000])
    args.wrk_seconds = args.wrk_seconds or (2 if quick else 10)
    args.idle_seconds = args.idle_seconds if args.idle_seconds is not None else (
        20 if quick else 600)
    args.repeat = args.repeat or (1 if quick else 3)
    args.micro_min_time = 0.01 if quick else 0.2
    out = Path(args.out) if args.out else (
        Path(args.build_dir) / "bench" / "performance.md" if quick
        else ROOT / "docs" / "performance.md")
    sections = (args.only or "micro,files,tls,fleet,idle").split(",")
    for tool in ("wrk", "openssl", "prometheus-blackbox-exporter"):
        if shutil.which(tool) is None:
            sys.exit(f"run_macro: {tool} is not installed (scripts/debian-packages.txt, group bench)")

    command = shlex.join(["bench/run_macro.py"] + sys.argv[1:])
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    load_start = loadavg()
    t0 = time.monotonic()
    bench = Bench(args)
    parts = []
    try:
        for name in sections:
            parts.append(getattr(bench, f"{name}_section")())
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)
    elapsed = time.monotonic() - t0
    goals = table(["goal (issue #9)", "measured", ""], bench.goals)
    busiest = max(float(load_start.split()[0]), float(loadavg().split()[0]))
    loaded = (f"**This run was on a loaded machine** (load average up to {busiest:.1f} on "
              f"{os.cpu_count()} CPUs): wall-clock latencies are inflated several times; read the "
              "CPU columns and the ratios. Re-run on a quiet machine for the wall-clock goals."
              if busiest > (os.cpu_count() or 1) else "")
    report = "\n".join([
        "# Performance", "",
        "Written by `bench/run_macro.py` (issue #9); the numbers below are one run on the "
        "machine described. Wall-clock numbers depend on the machine's load (given at start and "
        "end); CPU seconds and ratios measured side by side are steadier.", "",
        machine(command, load_start, loadavg(), started, elapsed), "", loaded, "",
        "## Goals", "", goals, "", *parts])
    notes = ROOT / "bench" / "profiling.md"
    if notes.exists():  # what profiling found and fixed: history, not this run
        report += "\n" + notes.read_text()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n")
    bench.log(f"wrote {out} in {elapsed / 60:.1f} min")


if __name__ == "__main__":
    main()
