"""Real servers for the benchmarks and the reliability and load tests: gunicorn instances as
production runs them, and a TCP proxy that can cut the database away.

Everything listens on 127.0.0.1 on a free port chosen by the kernel, and is stopped by whoever
started it.
"""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict, *, host=None, port=None) -> str:
    """A postgres:// URL for the database Django's connection uses (the test database)."""
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}" if password else user
    host = host or settings_dict.get("HOST") or "127.0.0.1"
    port = port or settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


_static_root: str | None = None


def collected_static() -> str:
    """Runs ``collectstatic`` once per test run into a temporary folder, as a deployment does."""
    global _static_root
    if _static_root is None:
        folder = tempfile.mkdtemp(prefix="registry-static-")
        env = production_env(STATIC_ROOT=folder)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=120,
        )
        _static_root = folder
    return _static_root


def production_env(**overrides) -> dict:
    """The environment of a production server, on plain HTTP on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="registry.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",  # no TLS on the loopback; the headers are still sent
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


class Gunicorn:
    """One gunicorn instance of the registry, as production runs it (gunicorn.conf.py)."""

    def __init__(self, *, env: dict, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed by stop())
            prefix="gunicorn-", suffix=".log", delete=False
        )
        env = dict(env, GUNICORN_BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY=str(workers))
        env.setdefault("STATIC_ROOT", collected_static())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "registry.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30) -> "Gunicorn":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()

    def __enter__(self):
        return self.wait_ready()

    def __exit__(self, *exc):
        self.stop()
        Path(self.log.name).unlink(missing_ok=True)


class TcpProxy:
    """Forwards a local port to the database; ``cut()`` drops every connection and refuses new
    ones (accepting and closing at once, as a restarting server does), ``restore()`` undoes it."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, int(target_port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False
        self._stopping = False
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self._cut:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self) -> None:
        self._cut = True
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            self._close(sock)

    def restore(self) -> None:
        self._cut = False

    def close(self) -> None:
        self._stopping = True
        self.cut()
        self.listener.close()
