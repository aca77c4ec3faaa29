"""Real receivers on the loopback for the notification tests: an HTTPS webhook receiver and an
SMTP server (aiosmtpd).

The HTTPS receiver serves a certificate made for 127.0.0.1 and localhost by its own throwaway
authority, whose certificate file (``ca_file``) the registry is told to trust
(``WEBHOOK_CA_BUNDLE``). What it answers depends on the path:

``/ok``        200, a short body
``/error``     500
``/redirect``  302 to ``/ok`` on the same receiver (which must never be called through it)
``/hang``      reads the request, then answers nothing until the receiver stops
``/huge``      200 with a 10 MB body
``/drip``      200, then the body one byte a second
``/slow``      200 after a tenth of a second (a receiver with some work to do)
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HUGE_BYTES = 10 * 1024 * 1024


def _certificate(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 / localhost; returns (ca, cert, key) files."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Registry tests CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float


@dataclass
class HTTPSReceiver:
    """Started with :meth:`start`, stopped with :meth:`stop`; ``received`` lists every request."""

    received: list[Received] = field(default_factory=list)
    host: str = "127.0.0.1"

    def start(self) -> HTTPSReceiver:
        self._folder = Path(tempfile.mkdtemp(prefix="webhook-receiver-"))
        self.ca_file, cert_file, key_file = _certificate(self._folder)
        self._stopping = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(
                    Received(self.path, dict(self.headers.items()), body, time.monotonic())
                )
                path = self.path.split("?")[0]
                if path.endswith("/hang"):
                    receiver._stopping.wait(60)
                    return
                if path.endswith("/slow"):
                    time.sleep(0.1)
                if path.endswith("/error"):
                    return self._answer(500, b"receiver fault")
                if path.endswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", f"{receiver.url}/ok")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path.endswith("/huge"):
                    self.send_response(200)
                    self.send_header("Content-Length", str(HUGE_BYTES))
                    self.end_headers()
                    chunk = b"x" * 65536
                    try:
                        for _ in range(HUGE_BYTES // len(chunk)):
                            self.wfile.write(chunk)
                    except OSError:
                        pass
                    return
                if path.endswith("/drip"):
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    try:
                        for _ in range(100):
                            if receiver._stopping.wait(1):
                                return
                            self.wfile.write(b"x")
                            self.wfile.flush()
                    except OSError:
                        pass
                    return
                self._answer(200, b'{"received": true}')

            def _answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self.server = http.server.ThreadingHTTPServer((self.host, 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"https://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def bodies(self, path: str | None = None) -> list[bytes]:
        return [r.body for r in self.received if path is None or r.path == path]

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()


class SMTPReceiver:
    """An aiosmtpd server on the loopback that keeps every message it is given."""

    def __init__(self, port: int | None = None):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                receiver.messages.append(envelope)
                return "250 Message accepted for delivery"

        self.port = port or _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> SMTPReceiver:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
