#!/usr/bin/python3
"""A real SMTP server for the tests, on loopback: Debian's aiosmtpd with STARTTLS (a test CA made here
with openssl) and AUTH PLAIN/LOGIN required over TLS. Each accepted message is written to MAILDIR as
<n>.eml, with <n>.json beside it telling whether the session used TLS and who authenticated.

Usage: smtp_server.py --port PORT --maildir DIR --certdir DIR --user USER --password PASSWORD
                      [--implicit-tls] [--only-login]
--implicit-tls speaks TLS from the first byte (port 465 style) instead of offering STARTTLS;
--only-login offers AUTH LOGIN but not AUTH PLAIN.
Port 0 picks a free one. Prints "READY <port>" once it accepts connections, and runs until SIGTERM.
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def make_certificates(certdir):
    """A CA and a server certificate for localhost/127.0.0.1 signed by it; made once per folder."""
    ca, server = os.path.join(certdir, "ca.pem"), os.path.join(certdir, "server.pem")
    if os.path.exists(server):
        return
    os.makedirs(certdir, exist_ok=True)
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=certdir)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=event-booking test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(certdir, "san.ext"), "w") as ext:
        ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")


def login_of(session):
    """Who authenticated in this session (aiosmtpd keeps it in auth_data or login_data), or None."""
    for data in (getattr(session, "auth_data", None), getattr(session, "login_data", None)):
        login = getattr(data, "login", data)
        if isinstance(login, bytes):
            return login.decode()
        if isinstance(login, str):
            return login
    return None


class SaveToFolder:
    def __init__(self, maildir):
        self.maildir = maildir
        os.makedirs(maildir, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        number = len([n for n in os.listdir(self.maildir) if n.endswith(".eml")]) + 1
        base = os.path.join(self.maildir, f"{number:04d}")
        with open(base + ".json", "w") as meta:
            json.dump({
                # STARTTLS sets session.ssl; implicit TLS shows on the transport.
                "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                "login": login_of(session),
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
            }, meta)
        with open(base + ".eml.tmp", "wb") as mail:
            mail.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    for name in ("--port", "--maildir", "--certdir", "--user", "--password"):
        parser.add_argument(name, required=True)
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--only-login", action="store_true")
    args = parser.parse_args()
    make_certificates(args.certdir)
    port = int(args.port)
    if port == 0:  # aiosmtpd needs a concrete port: take a free one
        import socket
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(os.path.join(args.certdir, "server.pem"), os.path.join(args.certdir, "server.key"))

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == args.user and auth_data.password.decode() == args.password
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    if args.implicit_tls:
        # aiosmtpd only counts STARTTLS as TLS for auth_require_tls; this connection is TLS from the start.
        tls = dict(ssl_context=context, auth_require_tls=False)
    else:
        tls = dict(tls_context=context, require_starttls=True, auth_require_tls=True)
    controller = Controller(
        SaveToFolder(args.maildir), hostname="127.0.0.1", port=port, authenticator=authenticator,
        decode_data=False, auth_exclude_mechanism=["PLAIN"] if args.only_login else None, **tls)
    controller.start()
    print(f"READY {controller.port}", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
