#!/usr/bin/env python3
"""What windows.renew_hook_execute asserts after one case, from what a user can see:
the hook's GET /renewals, the store as ndes_exporter.exe's certstore collector reports it
(a scrape of the IIS stand-in service), the backup files in the state directory, the
service processes before and after, and what the CA and NDES stand-in saw (its /state).

  check_renewal.py CASE --renewals FILE --metrics FILE --standin FILE --state-dir DIR
                   --old-cep T --old-eea T --pids-before FILE --pids-after FILE
                   --service-account NAME ("" = none: the key ACL step must be skipped)

CASE: succeeded | pending | wrong_template. Prints one "FAIL: ..." line per broken
promise and exits 1 if there is any; prints what it checked otherwise.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

ROLE_OF = {"cep": "cep_encryption", "eea": "enrollment_agent"}
TEMPLATE_OF = {"cep": "CEPEncryption", "eea": "EnrollmentAgentOffline"}
NOT_RUN = ("planned", "not_run", "skipped")

failures = []
checked = []


def fail(msg):
    failures.append(msg)


def ok(msg):
    checked.append(msg)


def expect(cond, good, bad):
    if cond:
        ok(good)
    else:
        fail(bad)


def store_view(path):
    """thumbprint -> (template, has_private_key) in LocalMachine\\My, from the scrape."""
    view = {}
    pattern = re.compile(r'^ndes_certificate_has_private_key\{(.*)\} (\S+)$')
    with open(path) as f:
        for line in f:
            m = pattern.match(line.strip())
            if not m or 'source="LocalMachine\\\\My"' not in m.group(1):
                continue
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1)))
            view[labels["thumbprint"]] = (labels.get("template", ""), m.group(2) == "1")
    return view


def readable(path, identity):
    """thumbprint -> True/False: may `identity` read the key (the collector's view)."""
    out = {}
    pattern = re.compile(r'^ndes_certificate_private_key_readable\{(.*)\} (\S+)$')
    with open(path) as f:
        for line in f:
            m = pattern.match(line.strip())
            if not m:
                continue
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1)))
            if labels.get("identity", "").replace("\\\\", "\\") == identity:
                out[labels["thumbprint"]] = m.group(2) == "1"
    return out


def pids(path):
    """service -> set of Linux PIDs, from 'NAME PID PID...' lines."""
    out = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts:
                out[parts[0]] = set(parts[1:])
    return out


def facts_of(record):
    merged = {}
    for step in record.get("steps", []):
        merged.update(step.get("facts", {}))
    return merged


def steps_of_kind(record, kind):
    return [s for s in record.get("steps", []) if s.get("kind") == kind]


def accept_steps(record):
    return [s for s in steps_of_kind(record, "run") if "-accept" in s.get("argv", [])]


def backups(state_dir, thumbprint):
    return glob.glob(os.path.join(state_dir, "backups", "**", thumbprint + ".pfx"),
                     recursive=True)


def check_backup(pfx, thumbprint):
    """The PFX opens with the password beside it, holds the certificate and its key."""
    password = pfx + ".password"
    if not os.path.exists(password):
        return fail("no password file %s beside the backup" % password)
    for extra in ([], ["-legacy"]):
        cert = subprocess.run(["openssl", "pkcs12", "-in", pfx, "-passin", "file:" + password,
                               "-nokeys", "-clcerts"] + extra, capture_output=True)
        if cert.returncode == 0:
            break
    else:
        return fail("openssl pkcs12 cannot open %s with its password file: %s"
                    % (pfx, cert.stderr.decode(errors="replace").strip()))
    key = subprocess.run(["openssl", "pkcs12", "-in", pfx, "-passin", "file:" + password,
                          "-nocerts", "-nodes"] + extra, capture_output=True)
    fp = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha1"],
                        input=cert.stdout, capture_output=True).stdout.decode()
    got = fp.split("=", 1)[-1].strip().replace(":", "")
    expect(got == thumbprint, "backup %s holds certificate %s" % (os.path.basename(pfx), got),
           "backup %s holds certificate %r, not %s" % (pfx, got, thumbprint))
    cert_pub = subprocess.run(["openssl", "x509", "-noout", "-pubkey"], input=cert.stdout,
                              capture_output=True).stdout
    key_pub = subprocess.run(["openssl", "pkey", "-pubout"], input=key.stdout,
                             capture_output=True).stdout
    expect(key.returncode == 0 and cert_pub and cert_pub == key_pub,
           "backup %s holds the certificate's private key" % os.path.basename(pfx),
           "backup %s has no private key matching the certificate" % pfx)


def check_old_untouched(a, store, state_dir):
    for name in ("cep", "eea"):
        t = getattr(a, "old_" + name)
        expect(store.get(t, ("", False))[1],
               "old %s certificate %s is still in LocalMachine\\My with its key" % (name, t),
               "old %s certificate %s is gone from LocalMachine\\My or lost its key" % (name, t))
        expect(not backups(state_dir, t), "nothing backed up for %s" % t,
               "a backup of %s was made: %s" % (t, backups(state_dir, t)))


def check_not_restarted(before, after):
    for svc, p in before.items():
        expect(p and p == after.get(svc), "%s was not restarted" % svc,
               "%s was restarted (PIDs %s -> %s)" % (svc, sorted(p), sorted(after.get(svc, []))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("case", choices=["succeeded", "pending", "wrong_template"])
    for name in ("renewals", "metrics", "standin", "state_dir", "old_cep", "old_eea",
                 "pids_before", "pids_after", "service_account"):
        p.add_argument("--" + name.replace("_", "-"), required=True)
    a = p.parse_args()
    with open(a.renewals) as f:
        renewals = json.load(f).get("renewals", [])
    with open(a.standin) as f:
        standin = json.load(f)
    store = store_view(a.metrics)
    before, after = pids(a.pids_before), pids(a.pids_after)
    mine = [r for r in renewals if r.get("thumbprint") == a.old_cep]
    if not mine:
        fail("no renewal of %s in GET /renewals (%d records)" % (a.old_cep, len(renewals)))
        return report()
    record = mine[-1]
    status = record.get("status")
    facts = facts_of(record)
    text = " ".join([record.get("reason", "")] +
                    [s.get("detail", "") for s in record.get("steps", [])])

    if a.case == "succeeded":
        expect(status == "succeeded", "status succeeded",
               "status %r, reason %r" % (status, record.get("reason")))
        issued = {r["template"]: r for r in standin["requests"] if r.get("disposition") == "issued"}
        for name in ("cep", "eea"):
            old = getattr(a, "old_" + name)
            role, template = ROLE_OF[name], TEMPLATE_OF[name]
            verified = [s for s in steps_of_kind(record, "verify_new_cert")
                        if s.get("params", {}).get("old_thumbprint") == old]
            expect(verified and all(s.get("status") == "ok" for s in verified),
                   "the record renews %s (%s) and verified it" % (old, template),
                   "the record has no passed verify_new_cert for %s (%s)" % (old, template))
            new = facts.get("new_thumbprint." + role, "")
            ca = issued.get(template, {})
            expect(new and new == ca.get("thumbprint") and ca.get("renews") == old,
                   "new %s certificate %s is the one the CA issued" % (template, new),
                   "fact new_thumbprint.%s=%r, the CA issued %r renewing %r"
                   % (role, new, ca.get("thumbprint"), ca.get("renews")))
            expect(store.get(new) == (template, True),
                   "%s is in LocalMachine\\My with its key, template %s" % (new, template),
                   "new %s certificate %r in the store: %r" % (template, new, store.get(new)))
            expect(old not in store, "old %s is gone from LocalMachine\\My" % old,
                   "old %s is still in LocalMachine\\My" % old)
            found = backups(a.state_dir, old)
            expect(len(found) == 1, "backed up as %s" % (found[0] if found else ""),
                   "backups of %s under %s/backups: %r" % (old, a.state_dir, found))
            if found:
                check_backup(found[0], old)
            if a.service_account:
                may_read = readable(a.metrics, a.service_account).get(new)
                expect(may_read is True,
                       "%s may read the new %s key" % (a.service_account, template),
                       "the collector says %s may read the new %s key: %r"
                       % (a.service_account, template, may_read))
            seen = facts.get("ca_cert_thumbprints", "")
            expect(new and new in seen, "check_scep saw %s in GetCACert" % new,
                   "check_scep's ca_cert_thumbprints %r lacks %s" % (seen, new))
        grants = steps_of_kind(record, "grant_key_read")
        want = "ok" if a.service_account else "skipped"
        expect(grants and all(s.get("status") == want for s in grants),
               "grant_key_read %s (%d steps)" % (want, len(grants)),
               "grant_key_read: %r, want %s" % ([s.get("status") for s in grants], want))
        restarted = facts.get("restarted", "")
        for svc in before:
            expect(svc in restarted.split(","), "restart_services restarted %s" % svc,
                   "fact restarted=%r lacks %s" % (restarted, svc))
            expect(after.get(svc) and not (after[svc] & before[svc]),
                   "%s runs in a new process (%s -> %s)" % (svc, sorted(before[svc]),
                                                            sorted(after.get(svc, []))),
                   "%s was not restarted: PIDs %s -> %s" % (svc, sorted(before[svc]),
                                                           sorted(after.get(svc, []))))
        expect("PkiCreateConnectorSvc" in facts.get("not_installed", ""),
               "PkiCreateConnectorSvc skipped as not installed",
               "fact not_installed=%r lacks PkiCreateConnectorSvc" % facts.get("not_installed"))
        events = steps_of_kind(record, "check_ndes_event")
        expect(events and all(s.get("status") == "ok" for s in events) and
               standin.get("event1_written"),
               "check_ndes_event saw NDES Event 1 (written at %s)" % standin.get("event1_written"),
               "check_ndes_event: %r, Event 1 written: %r"
               % ([s.get("status") for s in events], standin.get("event1_written")))
        expect("GetCACaps" in standin["scep"] and "GetCACert" in standin["scep"],
               "the NDES stand-in answered GetCACaps and GetCACert",
               "the NDES stand-in saw %r" % standin["scep"])

    elif a.case == "pending":
        expect(status == "pending", "status pending",
               "status %r, reason %r" % (status, record.get("reason")))
        held = [r for r in standin["requests"] if r.get("disposition") == "pending"]
        rid = str(held[0]["id"]) if held else "?"
        expect(held and re.search(r"\b%s\b" % rid, text),
               "the record names request %s" % rid,
               "the record does not name the pending request %s: %r" % (rid, text))
        for advice in ("certutil", "-resubmit", "certreq -retrieve"):
            expect(advice in text, "the record advises %s" % advice,
                   "the record lacks the advice %r: %r" % (advice, text))
        expect(all(s.get("status") in NOT_RUN for s in accept_steps(record)),
               "no certreq -accept ran",
               "certreq -accept ran: %r" % [s.get("status") for s in accept_steps(record)])
        check_old_untouched(a, store, a.state_dir)
        expect(set(store) == {a.old_cep, a.old_eea}, "nothing new in LocalMachine\\My",
               "LocalMachine\\My holds %r" % sorted(store))
        check_not_restarted(before, after)

    else:  # wrong_template
        expect(status == "failed", "status failed",
               "status %r, reason %r" % (status, record.get("reason")))
        failed = [s for s in record.get("steps", []) if s.get("status") == "failed"]
        expect(failed and failed[0].get("kind") == "verify_new_cert",
               "the renewal failed at verify_new_cert: %s" % (failed[0].get("detail", "")
                                                              if failed else ""),
               "the first failed step is %r" % ([s.get("name") for s in failed][:1]))
        removals = steps_of_kind(record, "remove_superseded")
        expect(all(s.get("status") in NOT_RUN for s in removals), "remove_superseded did not run",
               "remove_superseded ran: %r" % [s.get("status") for s in removals])
        check_old_untouched(a, store, a.state_dir)
        check_not_restarted(before, after)
    return report()


def report():
    for c in checked:
        print("ok: " + c)
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
