"""An install without a platform's library (aiogram, matrix-nio: the extras ``qunzhu[telegram]``
and ``qunzhu[matrix]``): the commands that only read the config work, and starting an adapter that
needs the library says in one line which extra to install, never a traceback (issue 16)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

#: Run the command line as if aiogram, matrix-nio, WeCom's SDK (aibot) and DingTalk's
#: (dingtalk_stream) were not installed.
BLOCK = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class Missing(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"aiogram", "nio", "aibot", "dingtalk_stream"}:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Missing())
    from qunzhu.core.cli import main
    sys.argv = ["qunzhu", *sys.argv[1:]]
    main()
    """
)
CONFIG = """\
database:
  url: sqlite+aiosqlite:///{db}
adapters:
  telegram:
    token: ${{TELEGRAM_TOKEN:-123456:fake-token}}
  matrix:
    homeserver: http://127.0.0.1:9
    user_id: "@bot:example.org"
    password: pw
"""


def qunzhu(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )


def test_reading_the_config_needs_no_platform_library(tmp_path: Path) -> None:
    path = tmp_path / "qunzhu.yaml"
    path.write_text(CONFIG.format(db=tmp_path / "bot.db"), encoding="utf-8")
    check = qunzhu(tmp_path, "config", "check", str(path))
    assert check.returncode == 0, check.stderr
    assert "OK (2 adapter(s)" in check.stdout
    schema = qunzhu(tmp_path, "config", "schema")
    assert schema.returncode == 0, schema.stderr
    assert '"telegram"' in schema.stdout and '"matrix"' in schema.stdout
    show = qunzhu(tmp_path, "config", "show", "-c", str(path))
    assert show.returncode == 0, show.stderr
    assert "pw" not in show.stdout.split()


def test_starting_an_adapter_without_its_library_names_the_extra(tmp_path: Path) -> None:
    path = tmp_path / "qunzhu.yaml"
    path.write_text(CONFIG.format(db=tmp_path / "bot.db"), encoding="utf-8")
    run = qunzhu(tmp_path, "run", "-c", str(path))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert lines[-1] == (
        "qunzhu: adapters.telegram: the telegram adapter needs aiogram, which is not installed: "
        "pip install 'qunzhu[telegram]'"
    )


#: A section of WeCom's or DingTalk's, the secret from the environment (its default a fake).
SECTIONS = {
    "wecom": "bot_id: aibot-1\n    secret: ${{WECOM_BOT_SECRET:-fake-secret}}",
    "dingtalk": "client_id: dingapp\n    client_secret: ${{DINGTALK_CLIENT_SECRET:-fake-secret}}",
}
#: The one line that starting each says.
NEEDS = {
    "wecom": "the wecom adapter needs aibot, which is not installed: pip install 'qunzhu[wecom]'",
    "dingtalk": "the dingtalk adapter needs dingtalk_stream, which is not installed: "
    "pip install 'qunzhu[dingtalk]'",
}


@pytest.mark.parametrize("platform", ["wecom", "dingtalk"])
def test_the_section_is_read_without_the_sdk_and_starting_names_the_extra(
    tmp_path: Path, platform: str
) -> None:
    path = tmp_path / "qunzhu.yaml"
    config = (
        "database:\n  url: sqlite+aiosqlite:///{db}\n"
        f"adapters:\n  {platform}:\n    {SECTIONS[platform]}\n    name: 群助手\n"
    )
    path.write_text(config.format(db=tmp_path / "bot.db"), encoding="utf-8")
    check = qunzhu(tmp_path, "config", "check", str(path))
    assert check.returncode == 0, check.stderr
    show = qunzhu(tmp_path, "config", "show", "-c", str(path))
    assert "fake-secret" not in show.stdout
    run = qunzhu(tmp_path, "run", "-c", str(path))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == f"qunzhu: adapters.{platform}: {NEEDS[platform]}"
