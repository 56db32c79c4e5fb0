#!/usr/bin/env python3
"""windows.http_fetch: the WinHTTP http_get (collectors/probe/http_fetch_winhttp.cpp) under
wine, against real servers on the Linux side of loopback.

Starts, on 127.0.0.1:
  an HTTP server     /ok, /missing, /redirect, /redirect-relative/x, /loop?n=N, /big (with a
                     Content-Length), /big-stream (without one), /echo (the request headers);
                     a request with an absolute URI (a proxy request) is answered "proxied <URI>"
  an HTTPS server    the same, with a certificate for localhost and 127.0.0.1 issued by a test CA
                     made here with openssl
  a silent server    listens and never answers (the timeout)
then runs the GoogleTest executable under wine with their addresses in the environment
(NDES_FETCH_*, see tests/windows/http_fetch_test.cpp) and exits with its code.

  http_fetch_under_wine.py --wine WINE64 --exe TEST.exe --work DIR [gtest arguments...]
"""
import argparse
import http.server
import os
import socket
import ssl
import subprocess
import sys
import threading

BIG = 200_000  # bytes of /big and /big-stream; the test's cap is below


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: ctest shows the test's own output
        pass

    def send(self, status, body, content_type="text/plain", headers=(), length=True):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path.startswith("http://"):
            self.send(200, b"proxied " + self.path.encode())
        elif path == "/ok":
            self.send(200, b"hello from linux\n", "text/plain; charset=utf-8")
        elif path == "/missing":
            self.send(404, b"not here\n")
        elif path == "/redirect":
            self.send(302, b"", headers=[("Location", "/ok")])
        elif path == "/redirect-relative/x":
            self.send(301, b"", headers=[("Location", "y")])
        elif path == "/redirect-relative/y":
            self.send(200, b"relative\n")
        elif path == "/loop":
            n = int(query.removeprefix("n=") or "0")
            self.send(302, b"", headers=[("Location", f"/loop?n={n + 1}")])
        elif path == "/big":
            self.send(200, b"x" * BIG, "application/octet-stream")
        elif path == "/big-stream":
            self.send(200, b"x" * BIG, "application/octet-stream", length=False)
        elif path == "/echo":
            self.send(200, "".join(f"{k}: {v}\n" for k, v in self.headers.items()).encode())
        else:
            self.send(404, b"unknown path\n")


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # The client hanging up on a capped body is what the test wants; anything else shows.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def openssl(*args):
    # The wine environment's OPENSSL_CONF names the Windows openssl.exe's file (Z:...).
    env = {k: v for k, v in os.environ.items() if k != "OPENSSL_CONF"}
    done = subprocess.run(["openssl", *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"openssl {' '.join(args)} failed: {done.stderr}")


def make_pki(work):
    """A test CA, a server certificate from it (localhost, 127.0.0.1), and a CA that issued
    nothing here (the wrong ca_file)."""
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", f"/CN=ndes http_fetch test {ca}", "-keyout", f"{work}/{ca}.key",
                "-out", f"{work}/{ca}.pem")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", f"{work}/server.key", "-out", f"{work}/server.csr")
    with open(f"{work}/server.ext", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", f"{work}/server.csr", "-CA", f"{work}/ca.pem",
            "-CAkey", f"{work}/ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", f"{work}/server.ext", "-out", f"{work}/server.pem")


def winpath(path):
    return "Z:" + path.replace("/", "\\")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wine", required=True)
    parser.add_argument("--exe", required=True)
    parser.add_argument("--work", required=True)
    args, gtest_args = parser.parse_known_args()
    if not (args.wine and os.access(args.wine, os.X_OK)):
        print("NDES-SKIP: wine64 is not installed")
        return 77
    os.makedirs(args.work, exist_ok=True)
    make_pki(args.work)

    http_port = serve(Server(("127.0.0.1", 0), Handler))
    https_server = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(f"{args.work}/server.pem", f"{args.work}/server.key")
    https_server.socket = context.wrap_socket(https_server.socket, server_side=True)
    https_port = serve(https_server)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused

    env = dict(os.environ,
               NDES_FETCH_HTTP=f"http://127.0.0.1:{http_port}",
               NDES_FETCH_HTTPS=f"https://127.0.0.1:{https_port}",
               NDES_FETCH_SILENT=f"http://127.0.0.1:{silent.getsockname()[1]}",
               NDES_FETCH_CLOSED=f"http://127.0.0.1:{closed.getsockname()[1]}",
               NDES_FETCH_CA=winpath(f"{args.work}/ca.pem"),
               NDES_FETCH_OTHER_CA=winpath(f"{args.work}/other-ca.pem"),
               NDES_FETCH_BIG=str(BIG))
    return subprocess.run([args.wine, args.exe, *gtest_args], env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
