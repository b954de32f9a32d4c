"""The files of ``deploy/`` stay true to the code: the example config, with the secrets of the
example environment file, passes ``config check``; the systemd unit starts that config with
``--workers``; the reverse proxies reach one port per worker and keep ``/metrics`` private."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunzhu.core.cli import main

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _env_file() -> dict[str, str]:
    lines = (DEPLOY / "qunzhu.env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_example_config_checks_with_the_example_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["config", "check", str(DEPLOY / "qunzhu.yaml.example")], env=_env_file()
    )
    assert result.exit_code == 0, result.output
    assert "OK (1 adapter(s), " in result.output


def test_the_unit_runs_several_workers_of_the_example_config() -> None:
    unit = (DEPLOY / "qunzhu.service").read_text(encoding="utf-8")
    start = re.search(r"^ExecStart=(.*)$", unit, re.M)
    assert start is not None
    assert re.fullmatch(r"\S+/qunzhu run --workers \d+ -c /etc/qunzhu/qunzhu.yaml", start[1])
    for line in ("EnvironmentFile=/etc/qunzhu/qunzhu.env", "Restart=on-failure", "User=qunzhu",
                 "KillMode=mixed", "NoNewPrivileges=yes", "ProtectSystem=strict"):  # fmt: skip
        assert f"\n{line}\n" in unit


def test_the_proxies_reach_each_worker_and_keep_metrics_private() -> None:
    config = (DEPLOY / "qunzhu.yaml.example").read_text(encoding="utf-8")
    port = int(re.search(r"^  port: (\d+)", config, re.M)[1])  # type: ignore[index]
    workers = 2
    ports = [f"127.0.0.1:{port + n}" for n in range(workers)]
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    for each in ports:
        assert f"server {each} " in nginx
        assert each in caddy
    assert "location = /metrics { deny all; }" in nginx
    assert "/metrics" not in caddy.split("@public", 1)[1]
