"""Posting to a vendor's URL without letting it reach what it should not (SSRF).

- ``https`` only, no user or password in the URL.
- Every address the host name resolves to must be public (``is_global``), unless
  ``WEBHOOK_ALLOW_PRIVATE`` is on; even then link-local (169.254.0.0/16, fe80::/10, where the
  cloud metadata services answer), unspecified, multicast and reserved addresses are refused.
- The name is resolved once per attempt, and the connection goes to the address that was
  checked, with the host name kept for TLS (SNI and certificate) and the ``Host`` header, so a
  DNS answer that changes between the check and the connection (rebinding) cannot redirect it.
- No redirect is followed; the connection and the whole exchange have short time limits (a
  watchdog closes the socket when the exchange runs over, however slowly the receiver drips);
  at most ``WEBHOOK_MAX_RESPONSE_BYTES`` of the answer are read.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

ALWAYS_REFUSED = [
    ipaddress.ip_network("169.254.0.0/16"),
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("0.0.0.0/8"),
    ipaddress.ip_network("::/128"),
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS's metadata service over IPv6
]


class UnsafeURL(ValueError):
    """The URL may not be called; the message says why, for the vendor."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str


@dataclass
class Answer:
    status: int | None
    excerpt: str
    error: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def parse(url: str) -> Target:
    """The parts of a webhook URL, or :class:`UnsafeURL` saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeURL(f"This is not a valid URL ({error}).") from None
    if parts.scheme.lower() != "https":
        raise UnsafeURL("Give an https:// URL: deliveries are never sent in clear.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("Leave the user name and password out of the URL.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("Give the receiver's host name.")
    if parts.fragment:
        raise UnsafeURL("Leave the fragment (#…) out of the URL.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(host=host, port=port or 443, path=path)


def check_address(address: str) -> None:
    """Refuses an address the registry must not connect to."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in ALWAYS_REFUSED if network.version == ip.version):
        raise UnsafeURL(
            f"{ip} is a link-local or metadata address: webhooks may never be sent there."
        )
    if ip.is_multicast or ip.is_unspecified:
        raise UnsafeURL(f"{ip} is not an address a receiver can have.")
    if ip.is_loopback or ip.is_private:
        if settings.WEBHOOK_ALLOW_PRIVATE:
            return
        raise UnsafeURL(f"{ip} is a private or loopback address: give a public receiver.")
    if ip.is_global and not ip.is_reserved:
        return
    raise UnsafeURL(f"{ip} is not a public address (private or reserved): give a public receiver.")


def resolve(target: Target) -> list[str]:
    """Every address of the host, each checked; :class:`UnsafeURL` if any may not be used."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"{target.host} does not resolve to an address.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeURL(f"{target.host} does not resolve to an address.")
    for address in addresses:
        check_address(address)
    return addresses


def check_url(url: str) -> Target:
    """What registration checks: the URL's form and where its host resolves now."""
    target = parse(url)
    resolve(target)
    return target


_contexts: dict[str, ssl.SSLContext] = {}


def _tls_context() -> ssl.SSLContext:
    """One per process and CA bundle: loading the system's authorities costs more than the rest
    of a delivery."""
    bundle = settings.WEBHOOK_CA_BUNDLE
    context = _contexts.get(bundle)
    if context is None:
        context = ssl.create_default_context()
        if bundle:
            context.load_verify_locations(cafile=bundle)
        _contexts[bundle] = context
    return context


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address, with the host name for SNI and the certificate."""

    def __init__(self, target: Target, address: str, **kwargs):
        super().__init__(target.host, target.port, context=_tls_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection(
            (self._address, self.port), timeout=settings.WEBHOOK_CONNECT_TIMEOUT
        )
        sock.settimeout(self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """Posts ``body`` once; never raises for what the receiver or the network does."""
    started = time.monotonic()
    limit = settings.WEBHOOK_TIMEOUT

    def answer(status, excerpt="", error=""):
        return Answer(status, excerpt, error, round(time.monotonic() - started, 3))

    try:
        target = parse(url)
        address = resolve(target)[0]
    except UnsafeURL as error:
        return answer(None, error=f"Refused: {error}")
    connection = _PinnedHTTPSConnection(target, address, timeout=limit)
    timed_out = threading.Event()

    def watchdog():
        timed_out.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(limit, watchdog)
    timer.daemon = True
    timer.start()
    try:
        connection.request(
            "POST", target.path, body=body, headers={**headers, "Connection": "close"}
        )
        response = connection.getresponse()
        data = response.read(settings.WEBHOOK_MAX_RESPONSE_BYTES)
        excerpt = data.decode("utf-8", errors="replace")
        status = response.status
        if timed_out.is_set():
            return answer(None, excerpt, f"No complete answer within {limit:g} seconds.")
        if 300 <= status < 400:
            return answer(
                status,
                excerpt,
                f"Answered {status} (a redirect to {response.getheader('Location', '?')[:200]}): "
                "redirects are not followed.",
            )
        if not 200 <= status < 300:
            return answer(status, excerpt, f"Answered {status}.")
        return answer(status, excerpt)
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        if timed_out.is_set():
            return answer(None, error=f"No complete answer within {limit:g} seconds.")
        return answer(None, error=f"{type(error).__name__}: {error}"[:500])
    finally:
        timer.cancel()
        connection.close()
