#!/usr/bin/env python3
"""The Linux side of windows.renew_hook_execute: an openssl CA and an NDES STAND-IN.

Neither AD CS nor NDES runs under wine, so this one HTTP server plays both for the
certreq.exe stand-in (tests/windows/tools/certreq_standin.cpp) and for the hook's SCEP
check (tests/windows/renew_hook_execute.sh runs it):

  POST /ca              the CA. The body is what `certreq -new` wrote (DER): a CMS
                        SignedData signed with the RenewalCert's key, holding the PKCS#10
                        of the new key. The CA verifies the CMS signature against the test
                        CA (`openssl cms -verify`: the renewing certificate is one it
                        issued), verifies the PKCS#10's own signature, and issues a
                        certificate with the request's subject and the renewed
                        certificate's template (`openssl ca -extensions cep|eea`). The
                        X-CA-Config header (certreq's -config) picks what the CA does:
                          "...\\Pending CA"        pending: "pending N", nothing issued
                          "...\\Wrong Template CA" issues the OTHER RA template
                          "...\\Denied CA"         "denied N Denied by Policy Module ..."
                          anything else          "issued N" and the PEM certificate
  GET /certsrv/mscep/mscep.dll?operation=GetCACaps | GetCACert
                        NDES's answers: the capabilities, and a degenerate PKCS#7 of the
                        CA and the RA certificates NDES loaded when it started: the --ra
                        ones, then, once it loads again after IIS restarted (below), the
                        newest of each template this CA has issued.
                        NDES loads on the first request after IIS restarted and then
                        logs Event 1: on the first request under
                        /certsrv/mscep/ after the IIS stand-in service (W3SVC, an
                        ndes_exporter.exe on --iis-address) runs in a new process (wine's
                        sc has no queryex: the Linux PIDs of its wine process, from /proc,
                        against --iis-pid-file) and answers again, this writes an Event 1
                        file into --events-dir, in the exported-XML format
                        (tests/windows/events/README.md) that --verify.events.xml-dir reads.
  GET /state            JSON: the requests and their dispositions, the SCEP requests, the
                        event written (for the test's assertions and its failure output).
"""
import argparse
import base64
import datetime
import hashlib
import http.server
import json
import os
import subprocess
import threading
import urllib.parse
import urllib.request

# The DER of OID 1.3.6.1.4.1.311.20.2, the v1 template name extension (a BMPString).
TEMPLATE_NAME_OID = bytes.fromhex("06092b0601040182371402")
PROFILE_OF = {"CEPEncryption": "cep", "EnrollmentAgentOffline": "eea"}
OTHER = {"CEPEncryption": "EnrollmentAgentOffline", "EnrollmentAgentOffline": "CEPEncryption"}
NDES_PROVIDER = "Microsoft-Windows-NetworkDeviceEnrollmentService"
NDES_GUID = "{73144342-19d1-47a4-94de-d38e6a054ad5}"
# What NDES answers to GetCACaps (Windows Server 2012 R2 and later).
CA_CAPS = "POSTPKIOperation\nRenewal\nSHA-512\nSHA-256\nSHA-1\nDES3\n"


def der_of(pem_path):
    with open(pem_path, "rb") as f:
        text = f.read().decode()
    body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(body.split()))


def template_of(pem_path):
    """The v1 template name of a certificate, '' when it has none. Read from the DER
    (python3 only, no extra module): the extension's OID, an optional critical flag, then
    an OCTET STRING holding a BMPString (tag 0x1E, a short length, UTF-16BE)."""
    der = der_of(pem_path)
    at = der.find(TEMPLATE_NAME_OID)
    if at < 0:
        return ""
    rest = der[at + len(TEMPLATE_NAME_OID):]
    if rest[:1] == b"\x01":  # BOOLEAN critical
        rest = rest[3:]
    if len(rest) < 4 or rest[0] != 0x04 or rest[2] != 0x1E or rest[3] >= 0x80:
        return ""
    return rest[4:4 + rest[3]].decode("utf-16-be")


def thumbprint(pem_path):
    return hashlib.sha1(der_of(pem_path)).hexdigest().upper()


class Standin:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.next_id = 1
        self.requests = []  # {id, config, disposition, template, thumbprint}
        self.scep = []  # operations seen
        self.event_written = None
        self.ra = {}  # template -> PEM path of the newest RA certificate the CA issued
        for path in args.ra:
            self.ra[template_of(path)] = path
        # What NDES serves: the RA certificates it loaded when it started (here: those at
        # the start, then the newest issued when it loads again after IIS restarted).
        self.served = dict(self.ra)
        os.makedirs(args.work, exist_ok=True)

    def run(self, argv, **kw):
        return subprocess.run(argv, capture_output=True, timeout=60, check=False, **kw)

    # --- the CA -------------------------------------------------------------------
    def submit(self, config, body):
        with self.lock:
            rid = self.next_id
            self.next_id += 1
        d = os.path.join(self.args.work, "req-%d" % rid)
        os.makedirs(d)
        with open(os.path.join(d, "request.cms"), "wb") as f:
            f.write(body)
        entry = {"id": rid, "config": config}
        self.requests.append(entry)

        def refuse(why):
            entry["disposition"] = "denied"
            entry["message"] = why
            return "denied %d Denied by Policy Module %s\n" % (rid, why)

        pki = self.args.pki
        v = self.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", d + "/request.cms",
                      "-CAfile", pki + "/ca/ca.pem", "-purpose", "any", "-binary",
                      "-signer", d + "/renewed.pem", "-out", d + "/request.p10"])
        if v.returncode != 0:
            return refuse("the request is not signed by a certificate of this CA: "
                          + v.stderr.decode(errors="replace").strip().splitlines()[0])
        v = self.run(["openssl", "req", "-inform", "DER", "-in", d + "/request.p10", "-verify",
                      "-noout"])
        if v.returncode != 0:
            return refuse("the PKCS#10 signature does not verify")
        self.run(["openssl", "req", "-inform", "DER", "-in", d + "/request.p10", "-out",
                  d + "/request.csr"])
        template = template_of(d + "/renewed.pem")
        entry["renews"] = thumbprint(d + "/renewed.pem")
        if template not in PROFILE_OF:
            return refuse("the renewed certificate's template %r is not an RA template" % template)
        if config.endswith("\\Denied CA"):
            return refuse("The request was denied by a test CA.")
        if config.endswith("\\Pending CA"):
            entry["disposition"] = "pending"
            return "pending %d\n" % rid
        if config.endswith("\\Wrong Template CA"):
            template = OTHER[template]
        v = self.run(["openssl", "ca", "-batch", "-notext", "-config", pki + "/ca/openssl.cnf",
                      "-extensions", PROFILE_OF[template], "-days", "365", "-preserveDN",
                      "-in", d + "/request.csr", "-out", d + "/issued.pem"])
        if v.returncode != 0:
            return refuse("openssl ca: " + v.stderr.decode(errors="replace").strip())
        with open(d + "/issued.pem", "rb") as f:
            pem = f.read()
        entry.update(disposition="issued", template=template_of(d + "/issued.pem"),
                     thumbprint=thumbprint(d + "/issued.pem"))
        with self.lock:
            self.ra[template] = d + "/issued.pem"
        return "issued %d\n%s" % (rid, pem.decode())

    # --- NDES ---------------------------------------------------------------------
    def iis_pids(self):
        """The Linux PIDs of the wine processes running the IIS stand-in service: the
        ones whose command line holds --web.listen-address=<--iis-address>."""
        marker = ("--web.listen-address=" + self.args.iis_address).encode()
        pids = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % name, "rb") as f:
                    if marker in f.read().replace(b"\0", b" ").split(b" "):
                        pids.append(name)
            except OSError:
                pass
        return pids

    def iis_restarted(self):
        """True when the IIS stand-in runs in another process than before the renewal
        (--iis-pid-file) and answers again."""
        if not self.args.iis_pid_file or not os.path.exists(self.args.iis_pid_file):
            return False
        with open(self.args.iis_pid_file) as f:
            before = set(f.read().split())
        now = set(self.iis_pids())
        if not now or now & before:
            return False
        try:
            url = "http://%s/metrics" % self.args.iis_address
            with urllib.request.urlopen(url, timeout=3) as r:
                return r.status == 200
        except OSError:
            return False

    def maybe_log_event1(self):
        with self.lock:
            if self.event_written or not self.args.events_dir:
                return
            if not self.iis_restarted():
                return
            now = datetime.datetime.now(datetime.timezone.utc)
            stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + "%07dZ" % (now.microsecond * 10)
            xml = ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
                   "<System><Provider Name='%s' Guid='%s'/><EventID>1</EventID>"
                   "<Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode>"
                   "<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='%s'/>"
                   "<EventRecordID>%d</EventRecordID><Correlation/>"
                   "<Execution ProcessID='4312' ThreadID='5104'/><Channel>Application</Channel>"
                   "<Computer>ndes01.corp.example</Computer><Security/></System>"
                   "<EventData></EventData></Event>\n"
                   % (NDES_PROVIDER, NDES_GUID, stamp, 50000 + len(self.scep)))
            self.served = dict(self.ra)  # NDES loads the RA certificates as it starts
            path = os.path.join(self.args.events_dir, "ndes-event1.xml")
            with open(path + ".tmp", "w") as f:
                f.write(xml)
            os.replace(path + ".tmp", path)  # the reader never sees half a file
            self.event_written = stamp

    def ca_cert_chain(self):
        with self.lock:
            ras = [self.served[t] for t in sorted(self.served)]
        argv = ["openssl", "crl2pkcs7", "-nocrl", "-outform", "DER",
                "-certfile", self.args.pki + "/ca/ca.pem"]
        for path in ras:
            argv += ["-certfile", path]
        return self.run(argv).stdout

    def state(self):
        with self.lock:
            return {"requests": self.requests, "scep": self.scep,
                    "event1_written": self.event_written,
                    "issued": {t: thumbprint(p) for t, p in self.ra.items()},
                    "served": {t: thumbprint(p) for t, p in self.served.items()}}


def handler(standin):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            standin.log.write("%s %s\n" % (self.address_string(), fmt % args))
            standin.log.flush()

        def answer(self, code, body, ctype="text/plain"):
            if isinstance(body, str):
                body = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            if self.path != "/ca":
                return self.answer(404, "not found\n")
            n = int(self.headers.get("Content-Length", "0"))
            if n <= 0 or n > 1 << 20:
                return self.answer(400, "bad length\n")
            body = self.rfile.read(n)
            self.answer(200, standin.submit(self.headers.get("X-CA-Config", ""), body))

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/state":
                return self.answer(200, json.dumps(standin.state(), indent=1),
                                   "application/json")
            if not url.path.lower().startswith("/certsrv/mscep/"):
                return self.answer(404, "not found\n")
            op = urllib.parse.parse_qs(url.query).get("operation", [""])[0]
            standin.maybe_log_event1()
            standin.scep.append(op)
            if op == "GetCACaps":
                return self.answer(200, CA_CAPS)
            if op == "GetCACert":
                return self.answer(200, standin.ca_cert_chain(), "application/x-x509-ca-ra-cert")
            return self.answer(200, "<html><body>Network Device Enrollment Service</body></html>",
                               "text/html")

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True, help="the port is written here when up")
    p.add_argument("--pki", required=True, help="tests/pki/make-test-pki.sh's output")
    p.add_argument("--ra", action="append", default=[], help="RA certificate (PEM) served first")
    p.add_argument("--work", required=True)
    p.add_argument("--events-dir", default="")
    p.add_argument("--iis-address", default="",
                   help="the IIS stand-in service's --web.listen-address (HOST:PORT)")
    p.add_argument("--iis-pid-file", default="",
                   help="its Linux PIDs before the renewal (space-separated)")
    args = p.parse_args()
    standin = Standin(args)
    standin.log = open(os.path.join(args.work, "http.log"), "a")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler(standin))
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
