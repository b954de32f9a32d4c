"""Secrets never appear when configuration is printed."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr

from qunzhu.core.config import Settings, load_config
from qunzhu.core.config.redact import hide_url_password, is_secret_key

SECRETS = ("s3cr3t-db", "123:telegram-bot-token", "mx-pass", "hotline-key", "nested-secret")


class Telegram(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bot_token: str
    webhook_secret: SecretStr | None = None


class Matrix(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    homeserver: str
    password: SecretStr


class Hotline(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    API_Key: str
    endpoint: str = "https://hotline.example.org"
    extra: dict[str, str] = {}
    auth: SecretStr | None = None


def load(tmp_path: Path) -> Settings:
    path = tmp_path / "qunzhu.yaml"
    text = """
        database:
          url: "postgresql+asyncpg://qunzhu:${DB_PASSWORD}@db.example.org:5432/qunzhu"
        adapters:
          telegram: {bot_token: "${TG}", webhook_secret: hook}
          matrix: {homeserver: "https://bot:nested-secret@matrix.example.org", password: mx-pass}
        plugins:
          hotline: {API_Key: hotline-key, extra: {client_secret: nested-secret, name: visible}}
        chats:
          "telegram:-100":
            plugins:
              hotline: {auth: nested-secret}
    """
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_config(
        path,
        adapter_models={"telegram": Telegram, "matrix": Matrix},
        plugin_models={"hotline": Hotline},
        env={"DB_PASSWORD": "s3cr3t-db", "TG": "123:telegram-bot-token"},
    )


def test_the_loaded_values_hold_the_secrets(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert "s3cr3t-db" in settings.database.url
    telegram = settings.adapters["telegram"]
    assert isinstance(telegram, Telegram)
    assert telegram.bot_token == "123:telegram-bot-token"


def test_redacted_hides_every_kind_of_secret(tmp_path: Path) -> None:
    redacted = load(tmp_path).redacted()
    text = json.dumps(redacted, ensure_ascii=False)  # JSON-able
    for secret in SECRETS:
        assert secret not in text
    assert (
        redacted["database"]["url"] == "postgresql+asyncpg://qunzhu:***@db.example.org:5432/qunzhu"
    )
    assert redacted["adapters"]["telegram"] == {"bot_token": "***", "webhook_secret": "***"}
    assert redacted["adapters"]["matrix"] == {
        "homeserver": "https://bot:***@matrix.example.org",
        "password": "***",
    }
    hotline = redacted["plugins"]["hotline"]
    assert hotline["API_Key"] == "***"
    assert hotline["extra"] == {"client_secret": "***", "name": "visible"}
    assert hotline["endpoint"] == "https://hotline.example.org"
    assert hotline["auth"] is None  # not set: nothing to hide
    assert redacted["chats"]["telegram:-100"]["plugins"]["hotline"]["auth"] == "***"
    assert redacted["bot"]["name"] == "qunzhu"


def test_repr_and_str_do_not_leak(tmp_path: Path) -> None:
    settings = load(tmp_path)
    texts = (repr(settings), str(settings), repr(settings.database), repr(settings.chats))
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
    assert "***" in repr(settings.database)


def test_defaults_redacted_is_plain_data() -> None:
    redacted = load_config(None).redacted()
    assert redacted["database"] == {
        "url": "sqlite+aiosqlite:///qunzhu.db",
        "echo": False,
        "auto_upgrade": None,
        "keep_days": 90,
    }
    assert redacted["disabled_plugins"] == []
    assert redacted["source"] is None
    json.dumps(redacted)


def test_secret_key_names() -> None:
    for key in ("token", "bot_token", "Password", "client_secret", "api_key", "API-Key", "apikey"):
        assert is_secret_key(key)
    for other in ("url", "name", "greeting", 3, None):
        assert not is_secret_key(other)


def test_url_passwords() -> None:
    assert hide_url_password("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert hide_url_password("postgresql://u@h/db") == "postgresql://u@h/db"
    assert hide_url_password("sqlite:///x.db") == "sqlite:///x.db"
    assert hide_url_password("mail a@b.org") == "mail a@b.org"
    assert hide_url_password(8080) == 8080
