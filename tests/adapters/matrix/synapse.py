"""A real Synapse homeserver on loopback, for the Matrix adapter's tests.

Synapse is AGPL and heavy, so it is never a dependency of qunzhu: ``.ci/run`` installs it into its
own virtual environment (``.venv-synapse``), and `find_synapse` looks for that environment's
Python (or the one ``QUNZHU_SYNAPSE_PYTHON`` names). `Synapse` writes a throwaway configuration
(SQLite, 127.0.0.1 on a free port, no federation, no stats, rate limits out of the way, a shared
secret for registering users), starts the server, waits until it answers, registers users through
the admin API and stops the server.

    python -m tests.adapters.matrix.synapse     # start one, print its address, Ctrl-C stops it
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[3]
SERVER_NAME = "qunzhu.test"
#: Limits far above what a test does: the tests about limits use a proxy that answers 429.
_RELAXED = {"per_second": 1000, "burst_count": 1000}


def find_synapse() -> str | None:
    """The Python of the environment Synapse is installed in, or None."""
    named = os.environ.get("QUNZHU_SYNAPSE_PYTHON")
    candidates = [Path(named)] if named else [ROOT / ".venv-synapse" / "bin" / "python"]
    for python in candidates:
        if python.is_file() and os.access(python, os.X_OK):
            return str(python)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _signing_key() -> str:
    """A signing key in Synapse's file format: ``ed25519 <version> <unpadded base64 seed>``."""
    seed = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return f"ed25519 a_{secrets.token_hex(2)} {seed}\n"


def _config(workdir: Path, port: int, secret: str) -> dict[str, Any]:
    rate_limits: dict[str, Any] = {
        "rc_message": _RELAXED,
        "rc_registration": _RELAXED,
        "rc_login": {"address": _RELAXED, "account": _RELAXED, "failed_attempts": _RELAXED},
        "rc_joins": {"local": _RELAXED, "remote": _RELAXED},
        "rc_joins_per_room": _RELAXED,
        "rc_invites": {"per_room": _RELAXED, "per_user": _RELAXED, "per_issuer": _RELAXED},
        "rc_room_creation": _RELAXED,
        "rc_media_create": _RELAXED,
        "rc_presence": {"per_user": _RELAXED},
        "rc_profile": _RELAXED,
        "rc_key_requests": _RELAXED,
        "rc_admin_redaction": _RELAXED,
    }
    return {
        "server_name": SERVER_NAME,
        "pid_file": str(workdir / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(workdir / "homeserver.db")}},
        "log_config": str(workdir / "log.yaml"),
        "media_store_path": str(workdir / "media"),
        "signing_key_path": str(workdir / "signing.key"),
        "registration_shared_secret": secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "enable_registration": False,
        "bcrypt_rounds": 4,  # registering and logging in users fast; these passwords are throwaway
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],  # no federation: this server talks to no other
        "url_preview_enabled": False,
        "presence": {"enabled": False},
        "enable_metrics": False,
        **rate_limits,
    }


_LOG_CONFIG = """\
version: 1
formatters:
  plain: {format: "%(asctime)s %(levelname)s %(name)s %(message)s"}
handlers:
  file: {class: logging.FileHandler, formatter: plain, filename: LOGFILE}
root: {level: WARNING, handlers: [file]}
disable_existing_loggers: false
"""


@dataclass(frozen=True)
class Account:
    user_id: str
    password: str
    access_token: str


class Synapse:
    """One Synapse process. ``await synapse.start()``, ``await synapse.register("ana")``,
    ``await synapse.stop()``. `url` is its client-server API address."""

    def __init__(self, python: str, workdir: Path, *, port: int | None = None) -> None:
        self.python = python
        self.workdir = workdir
        self.port = port or free_port()
        self.secret = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.server_name = SERVER_NAME
        self.process: subprocess.Popen[bytes] | None = None
        self.start_seconds = 0.0

    def start(self, *, timeout: float = 90.0) -> None:
        import json

        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "media").mkdir(exist_ok=True)
        (self.workdir / "signing.key").write_text(_signing_key(), encoding="utf-8")
        log_file = self.workdir / "homeserver.log"
        (self.workdir / "log.yaml").write_text(
            _LOG_CONFIG.replace("LOGFILE", json.dumps(str(log_file))), encoding="utf-8"
        )
        config = self.workdir / "homeserver.yaml"
        # JSON is YAML: no PyYAML needed to write it
        config.write_text(json.dumps(_config(self.workdir, self.port, self.secret), indent=1))
        began = time.monotonic()
        out = (self.workdir / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            [self.python, "-m", "synapse.app.homeserver", "-c", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            start_new_session=True,
        )
        out.close()
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                msg = f"Synapse exited with {self.process.returncode}: {self.tail()}"
                raise RuntimeError(msg)
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=5):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                msg = f"Synapse did not answer within {timeout} s: {self.tail()}"
                raise TimeoutError(msg)
            time.sleep(0.05)

    def tail(self, lines: int = 30) -> str:
        found = []
        for name in ("stdout.log", "homeserver.log"):
            path = self.workdir / name
            if path.exists():
                found += path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return "\n".join(found)

    def stop(self) -> float:
        """Stop the server; returns the seconds it took."""
        began = time.monotonic()
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return 0.0
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return time.monotonic() - began

    async def register(
        self, localpart: str, password: str | None = None, *, admin: bool = False
    ) -> Account:
        """A new user through the shared-secret admin API (``/_synapse/admin/v1/register``)."""
        password = password or secrets.token_hex(8)
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        async with aiohttp.ClientSession() as http:
            async with http.get(endpoint) as resp:
                nonce = (await resp.json())["nonce"]
            body = {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": _mac(self.secret, nonce, localpart, password, admin),
            }
            async with http.post(endpoint, json=body) as resp:
                data = await resp.json()
                if resp.status != 200:
                    msg = f"registering {localpart} failed: {resp.status} {data}"
                    raise RuntimeError(msg)
        return Account(data["user_id"], password, data["access_token"])


def _mac(secret: str, nonce: str, user: str, password: str, admin: bool) -> str:
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    mac.update(nonce.encode())
    mac.update(b"\x00")
    mac.update(user.encode())
    mac.update(b"\x00")
    mac.update(password.encode())
    mac.update(b"\x00")
    mac.update(b"admin" if admin else b"notadmin")
    return mac.hexdigest()


async def _main() -> None:  # pragma: no cover - a manual tool
    import tempfile

    python = find_synapse()
    if python is None:
        sys.exit(
            "Synapse is not installed: python3 -m venv .venv-synapse && "
            ".venv-synapse/bin/pip install matrix-synapse"
        )
    with tempfile.TemporaryDirectory() as tmp:
        server = Synapse(python, Path(tmp))
        server.start()
        print(f"Synapse at {server.url} (started in {server.start_seconds:.1f} s)")
        for name in ("qunzhu", "ana", "bo"):
            account = await server.register(name, f"{name}-password")
            print(f"  {account.user_id}  password {account.password}")
        print("Ctrl-C stops it (and forgets everything).")
        try:
            await asyncio.Event().wait()
        finally:
            server.stop()


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(_main())
