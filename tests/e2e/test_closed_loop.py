#!/usr/bin/env python3
"""The closed loop, every part real and on loopback (scripts/loop/ndes_stack.py wires it):

  ndes_exporter (files collector; the CEPEncryption RA certificate has 10 days left)
  -> prometheus (every second, alerts/ndes.rules.yml with `for:` shortened, thresholds unchanged)
  -> two prometheus-alertmanager peers gossiping over loopback, both sent every alert
     (alerts/alertmanager.example.yml, only URLs, paths and the token replaced)
  -> ndes_renew_hook --mode=execute --executor=command, running tests/renew/renew-file-cert.sh
     (a new key and certificate from the test CA, same subject and template, swapped in by rename).

    test_closed_loop.py --scenario renew  --exporter BIN --hook BIN
        the alert fires, both Alertmanagers notify the hook, exactly one renewal runs and
        succeeds, the exporter reports the new NotAfter, the alert resolves, the hook's metrics
        count one success, and no other file of the store changed.
    test_closed_loop.py --scenario kill9  --exporter BIN --hook BIN
        the hook is killed with SIGKILL while the renewal command runs (the command waits on
        a fifo, so "while" is certain); after a restart the journal marks the renewal
        interrupted, and the notifications of a restarted Alertmanager pair start nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "loop"))
import ndes_stack as ns  # noqa: E402

ALERT = "NdesCertificateExpiringSoon"
NOTIFY_OK = 'receiver=ndes-renew-hook integration=webhook[0] msg="Notify success"'


class Failures(list):
    def check(self, ok: bool, what: str) -> bool:
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.append(what)
        return ok


def firing_in_prometheus(loop: ns.Loop, thumbprint: str) -> list:
    return loop.query(f'ALERTS{{alertname="{ALERT}", alertstate="firing", thumbprint="{thumbprint}"}}')


def active_in_am(loop: ns.Loop, i: int, thumbprint: str) -> list:
    return [a for a in loop.am_alerts(i) if a["labels"].get("alertname") == ALERT
            and a["labels"].get("thumbprint") == thumbprint and a["status"]["state"] == "active"]


def am_webhook_notifications(loop: ns.Loop, i: int) -> tuple[float, float]:
    """alertmanager_notifications_total and _failed_total for the webhook integration."""
    text = loop.text(f"{loop.ams[i]}/metrics")
    sent = ns.metric_value(text, "alertmanager_notifications_total", {"integration": "webhook"}) or 0
    failed = ns.metric_value(text, "alertmanager_notifications_failed_total", {"integration": "webhook"}) or 0
    return sent, failed


def acted_on(records: list[dict], thumbprint: str) -> list[dict]:
    """The renewals of a thumbprint: every record but the skipped ones."""
    return [r for r in records if r["thumbprint"] == thumbprint and r["status"] != "skipped"]


def make_loop(tmp: Path, args, gate: Path | None) -> tuple[ns.Loop, ns.Store]:
    store = ns.make_store(tmp / "certs", cep_days_left=10)
    hook_args = ["--mode=execute", "--executor=command", "--command.timeout=60s",
                 f"--verify.files.path={store.dir}",
                 *[f"--command.argv={a}" for a in ns.renew_command(store, gate)]]
    loop = ns.Loop(tmp, ns.Binaries(args.exporter, args.hook),
                   [f"--collector.files.path={store.dir}"], hook_args)
    return loop, store


def wait_for_alert(loop: ns.Loop, f: Failures, old: str) -> None:
    ns.wait_for("the CEPEncryption alert to fire in Prometheus",
                lambda: (loop.procs.check_alive(), firing_in_prometheus(loop, old))[1], 60)
    f.check(firing_in_prometheus(loop, old)[0]["metric"]["severity"] == "critical",
            "the alert fires in Prometheus: critical, 10 days left")
    ns.wait_for("the alert in both Alertmanagers",
                lambda: all(active_in_am(loop, i, old) for i in range(len(loop.ams))), 30)
    f.check(True, f"the alert is active in all {len(loop.ams)} Alertmanagers")
    members = [ns.metric_value(loop.text(f"{am}/metrics"), "alertmanager_cluster_members") for am in loop.ams]
    f.check(members == [2.0, 2.0], f"the Alertmanagers form one cluster (members per peer: {members})")


def notified(loop: ns.Loop, i: int) -> bool:
    """Alertmanager i's metrics and its log both show a delivery to the hook."""
    sent, failed = am_webhook_notifications(loop, i)
    return sent >= 1 and failed == 0 and NOTIFY_OK in loop.procs.log(f"alertmanager{i + 1}", 10**7)


def both_notified(loop: ns.Loop, f: Failures) -> None:
    ns.wait_for("a webhook notification from each Alertmanager",
                lambda: all(notified(loop, i) for i in range(len(loop.ams))), 90)
    for i in range(len(loop.ams)):
        sent, failed = am_webhook_notifications(loop, i)
        f.check(True, f"alertmanager{i + 1}: alertmanager_notifications_total{{integration=webhook}}={sent:g}, "
                      f"failed={failed:g}; its log says {NOTIFY_OK!r}")


def scenario_renew(loop: ns.Loop, store: ns.Store, f: Failures) -> None:
    cep = store.files["cep_encryption"]
    old, old_not_after, old_pubkey = ns.thumbprint(cep), ns.not_after(cep), ns.openssl_x509(cep, "-pubkey")
    before = store.hashes()
    started = time.time()
    wait_for_alert(loop, f, old)

    renewed = ns.wait_for("the renewal to finish", lambda: [
        r for r in acted_on(loop.renewals(), old) if r["status"] in ("succeeded", "failed")], 150)
    both_notified(loop, f)
    records = loop.renewals()
    mine = acted_on(records, old)
    f.check(len(mine) == 1 and mine[0]["status"] == "succeeded",
            f"exactly one renewal of {old}, succeeded: {[(r['id'], r['status'], r['reason']) for r in mine]}")
    f.check(len(mine) == 1 and mine[0]["verified_in"] == f"files {store.dir}"
            and mine[0]["targets"][0]["thumbprint"] == old and mine[0]["targets"][0]["not_after"],
            f"the hook found {old} itself in {store.dir} before it renewed it: "
            f"{[(r.get('verified_in'), r.get('targets')) for r in mine]}")
    hook_metrics = loop.text(f"{loop.hook}/metrics")
    accepted = ns.metric_value(hook_metrics, "ndes_renew_webhooks_total", {"result": "accepted"})
    f.check(accepted is not None and accepted >= 2,
            f"the hook accepted {accepted:g} webhook requests (one per Alertmanager at least)")
    for r in records:
        if r not in mine:
            print(f"     other record: {r['id']} {r['status']}: {r['reason']}")
    step = renewed[0]["steps"][0]
    f.check(step["argv"][-2:] == [old, "CEPEncryption"] and "renewed " + str(cep) in step["stdout"],
            f"the command renewed {cep.name}: {step['stdout'].strip()}")

    page = loop.text(f"{loop.exporter}/")
    f.check(f'<td>CEPEncryption</td><td>{mine[0]["id"]}</td><td>succeeded</td>' in page
            and f'href="{loop.hook}/renewals"' in page,
            "the exporter's landing page links to the hook and shows the renewal")

    new = ns.thumbprint(cep)
    new_not_after = ns.not_after(cep)
    f.check(new != old and new_not_after > old_not_after + 600 * ns.DAY,
            f"the file holds a new certificate: {new}, NotAfter {new_not_after} (was {old_not_after})")
    f.check(ns.openssl_x509(cep, "-subject") == "subject=CN = NDES01-MSCEP-RA, O = Corp"
            and ns.openssl_x509(cep, "-pubkey") != old_pubkey,
            "same subject, new key")

    def exporter_reports_new():
        text = loop.text(f"{loop.exporter}/metrics")
        return ns.metric_value(text, "ndes_certificate_not_after_timestamp_seconds",
                               {"thumbprint": new, "template": "CEPEncryption", "path": str(cep)})
    f.check(ns.wait_for("the exporter to report the new certificate", exporter_reports_new, 30) == new_not_after,
            "the exporter reports the new NotAfter with template CEPEncryption")
    text = loop.text(f"{loop.exporter}/metrics")
    f.check(f'thumbprint="{old}"' not in text, "the exporter no longer reports the old certificate")

    ns.wait_for("the alert to resolve in Prometheus", lambda: not firing_in_prometheus(loop, old), 60)
    f.check(True, "the alert resolved in Prometheus")
    ns.wait_for("the alert to resolve in every Alertmanager",
                lambda: not any(active_in_am(loop, i, old) for i in range(len(loop.ams))), 60)
    f.check(True, "the alert resolved in every Alertmanager")
    f.check(not loop.query(f'ALERTS{{alertname=~"NdesCertificate.*", alertstate="firing", role="cep_encryption"}}'),
            "no certificate alert for the new CEPEncryption certificate")

    hook_metrics = loop.text(f"{loop.hook}/metrics")
    ok = ns.metric_value(hook_metrics, "ndes_renewals_total", {"result": "succeeded", "template": "CEPEncryption"})
    bad = ns.metric_value(hook_metrics, "ndes_renewals_total", {"result": "failed", "template": "CEPEncryption"})
    last = ns.metric_value(hook_metrics, "ndes_renewal_last_success_timestamp_seconds", {"template": "CEPEncryption"})
    f.check(ok == 1 and bad == 0 and last is not None and last >= started,
            f"hook metrics: succeeded={ok}, failed={bad}, last success {last}")
    scraped = ns.wait_for("Prometheus to scrape the hook's success", lambda: loop.query(
        f'ndes_renewals_total{{job="{ns.HOOK_JOB}", template="CEPEncryption", result="succeeded"}} == 1'), 30)
    f.check(bool(scraped), "Prometheus has ndes_renewals_total{result=succeeded} == 1 from the hook")

    after = store.hashes()
    changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
    f.check(changed == [cep.name], f"only {cep.name} changed in the store (changed: {changed})")


def scenario_kill9(loop: ns.Loop, store: ns.Store, gate: Path, f: Failures) -> None:
    cep = store.files["cep_encryption"]
    old = ns.thumbprint(cep)
    before = store.hashes()
    wait_for_alert(loop, f, old)

    started = ns.wait_for("the renewal command to start", lambda: (gate / "started").exists(), 150)
    step_pid = int((gate / "started").read_text())
    running = acted_on(loop.renewals(), old)
    f.check(started and [r["status"] for r in running] == ["running"],
            f"the renewal is running its command (pid {step_pid}) when the hook is killed")
    loop.procs.kill9("hook")
    os.killpg(step_pid, signal.SIGKILL)  # the orphaned step: an admin would find and end it
    (gate / "started").unlink()

    loop.start_hook()
    records = loop.renewals()
    mine = acted_on(records, old)
    f.check(len(mine) == 1 and mine[0]["status"] == "interrupted" and "during step command" in mine[0]["reason"]
            and mine[0]["cleared"] == "",
            f"after the restart the journal says interrupted: {[(r['id'], r['status'], r['reason']) for r in mine]}")
    journal = (loop.state_dir / "journal.jsonl").read_text()
    f.check(f'"event":"interrupted","id":"{mine[0]["id"]}"' in journal.replace(" ", ""),
            "journal.jsonl holds the interrupted event")

    # Further notifications: a restarted Alertmanager pair with empty notification logs
    # notifies again. (Each restarted peer waits for gossip to settle first, so one of them
    # may see the other's notification and hold its own back: at least one notifies.)
    for i in range(len(loop.ams)):
        (loop.tmp / f"alertmanager{i + 1}.log").rename(loop.tmp / f"alertmanager{i + 1}.before-restart.log")
    loop.stop_alertmanagers()
    loop.start_alertmanagers()
    who = ns.wait_for("a webhook notification from the restarted Alertmanagers",
                      lambda: [i + 1 for i in range(len(loop.ams)) if notified(loop, i)], 90)
    f.check(True, f"the restarted Alertmanager(s) {who} notified the hook again")
    hook_metrics = loop.text(f"{loop.hook}/metrics")
    accepted = ns.metric_value(hook_metrics, "ndes_renew_webhooks_total", {"result": "accepted"})
    f.check(accepted is not None and accepted >= len(who),
            f"the restarted hook accepted {accepted:g} further notification(s)")
    # The hook answers 202 only once its records are in the journal, and Alertmanager logs
    # "Notify success" only after the 202: a renewal these notifications started is listed now.
    records = loop.renewals()
    f.check(acted_on(records, old) == mine, "no second renewal started: the interrupted one waits for an admin")
    for r in records:
        if r not in mine:
            print(f"     other record: {r['id']} {r['status']}: {r['reason']}")
    f.check(not (gate / "started").exists(), "the renewal command did not run again")
    f.check(ns.metric_value(hook_metrics, "ndes_renewal_in_progress") == 0
            and ns.metric_value(hook_metrics, "ndes_renewals_total",
                                {"result": "succeeded", "template": "CEPEncryption"}) == 0,
            "hook metrics: nothing in progress, no success")
    f.check(store.hashes() == before, "the store is unchanged")
    f.check(bool(firing_in_prometheus(loop, old)), "the alert still fires (the certificate was not renewed)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", choices=["renew", "kill9"], required=True)
    ap.add_argument("--exporter", required=True)
    ap.add_argument("--hook", required=True)
    args = ap.parse_args()
    for tool in ("prometheus", "prometheus-alertmanager", "openssl"):
        if shutil.which(tool) is None:
            print(f"FAIL: {tool} is not installed", file=sys.stderr)
            return 1
    tmp = Path(tempfile.mkdtemp(prefix=f"ndes-e2e-{args.scenario}-"))
    gate = None
    if args.scenario == "kill9":
        gate = tmp / "gate"
        gate.mkdir()
        os.mkfifo(gate / "gate")
    f = Failures()
    t0 = time.monotonic()
    loop = None
    try:
        loop, store = make_loop(tmp, args, gate)
        loop.start()
        ns.wait_until_scraped(loop)
        if gate is None:
            scenario_renew(loop, store, f)
        else:
            scenario_kill9(loop, store, gate, f)
    except AssertionError as e:
        f.append(str(e))
    finally:
        if loop is not None:
            loop.stop()
    return ns.finish(f, tmp, f"closed loop, {args.scenario}: OK in {time.monotonic() - t0:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
