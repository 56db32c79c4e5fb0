#!/usr/bin/env python3
"""See the whole loop: ndes_exporter, Prometheus, an HA pair of Alertmanagers and
ndes_renew_hook on loopback, wired exactly as tests/e2e/test_closed_loop.py wires them
(scripts/loop/ndes_stack.py). Prints the URLs, reports each renewal as it happens, and stops
everything on Ctrl-C.

    python3 scripts/loop/see_the_loop.py [--build-dir build] [--for SECONDS] [--keep]
    (or: scripts/bootstrap.sh loop, which installs and builds first)

The exporter reads its demo store (--demo) and a renewable store made with the test CA, whose
CEPEncryption certificate has 10 days left. Within about a minute and a half (the `for:` of the
rules, shortened to --for seconds, then the example route's group_wait of 1m) the hook renews
that certificate with openssl and the alert resolves. The demo store's own CEPEncryption
certificate cannot be renewed (the demo keeps no CA key): its renewal fails, and you see
NdesRenewalFailed and the hook's backoff.
"""
from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ndes_stack as ns  # noqa: E402


def stop_on_sigterm(_signum, _frame):
    raise KeyboardInterrupt  # SIGTERM stops the stack the way Ctrl-C does


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", type=Path, default=ns.ROOT / "build")
    ap.add_argument("--for", dest="for_seconds", type=int, default=15,
                    help="the rules' `for:` durations, shortened to this many seconds (default 15)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory at exit")
    args = ap.parse_args()
    bins = ns.bins_from_build_dir(args.build_dir.resolve())
    for path in (bins.exporter, bins.hook):
        if not Path(path).exists():
            print(f"see_the_loop: {path} is missing; build first (scripts/bootstrap.sh loop)", file=sys.stderr)
            return 2
    for tool in (bins.prometheus, bins.alertmanager, "openssl"):
        if shutil.which(tool) is None:
            print(f"see_the_loop: {tool} is not installed (scripts/bootstrap.sh loop installs it)",
                  file=sys.stderr)
            return 2

    tmp = Path(tempfile.mkdtemp(prefix="ndes-loop-"))
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    store = ns.make_store(tmp / "certs")
    hook_args = ["--mode=execute", "--executor=command", "--command.timeout=60s",
                 f"--verify.files.path={store.dir}",
                 *[f"--command.argv={a}" for a in ns.renew_command(store)]]
    loop = ns.Loop(tmp, bins, ["--demo", f"--demo.dir={tmp / 'demo'}", f"--collector.files.path={store.dir}"],
                   hook_args, alertmanagers=2, for_seconds=args.for_seconds)
    try:
        loop.start()
        print("The whole loop is up (Ctrl-C stops it):")
        for name, url in loop.urls().items():
            print(f"  {name:15} {url}")
        print(f"  work dir        {tmp} (configs, logs, the hook's journal)")
        print(f"  renewable store {store.dir}")
        print("Watching the hook's renewals...", flush=True)
        seen: dict[str, str] = {}
        while True:
            loop.procs.check_alive()
            for r in loop.renewals():
                if seen.get(r["id"]) != r["status"]:
                    seen[r["id"]] = r["status"]
                    print(f"  {time.strftime('%H:%M:%S')} {r['id']} {r['template']} {r['thumbprint']}: "
                          f"{r['status']} {r['reason']}", flush=True)
            time.sleep(2)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\nstopping...", flush=True)
        return 0
    except AssertionError as e:
        print(f"see_the_loop: {e}", file=sys.stderr)
        return 1
    finally:
        loop.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
