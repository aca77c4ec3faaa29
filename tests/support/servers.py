"""Gunicorn instances as production runs them, for the reliability and load tests and the
benchmarks (``bench`` imports them from here).

Everything listens on 127.0.0.1 on a free port chosen by the kernel, and is stopped by whoever
started it.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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

    def __init__(self, *, env: dict, workers: int = 2, cwd: Path = ROOT):
        """``cwd``: the release to run, this checkout by default (the migration test runs the
        previous release from an exported copy)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed by stop())
            prefix="gunicorn-", suffix=".log", delete=False
        )
        env = dict(env, GUNICORN_BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY=str(workers))
        env.setdefault("STATIC_ROOT", collected_static())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "registry.wsgi"],
            cwd=cwd,
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


class CeleryWorker:
    """One ``celery -A registry worker`` process, as production runs it, stopped by whoever
    started it (or killed, as a crash or the OOM killer would)."""

    def __init__(self, env: dict, name: str, *, beat: bool = True, concurrency: int = 2):
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed by stop())
            prefix=f"celery-{name}-", suffix=".log", delete=False
        )
        beat_options = (
            ["--beat", "--schedule", str(Path(tempfile.mkdtemp(prefix="beat-")) / "schedule")]
            if beat
            else []
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "registry",
                "worker",
                *beat_options,
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
