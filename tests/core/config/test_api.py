"""The public names of qunzhu.core.config, which the rest of qunzhu imports."""

from __future__ import annotations

import typing

from qunzhu.core import config


def test_all_is_sorted_and_complete() -> None:
    assert config.__all__ == sorted(config.__all__, key=lambda n: (not n.isupper(), n))
    assert set(config.__all__) == {
        "LANGUAGES",
        "BotSettings",
        "CalendarSettings",
        "ChatKey",
        "ChatSettings",
        "DatabaseSettings",
        "DialogSettings",
        "DispatcherSettings",
        "OutboxSettings",
        "OrgUnitSettings",
        "Language",
        "LoggingSettings",
        "PersonEntry",
        "Settings",
        "WebSettings",
        "config_schema",
        "load_config",
    }
    for name in config.__all__:
        assert getattr(config, name) is not None


def test_language_matches_languages() -> None:
    assert typing.get_args(config.Language) == config.LANGUAGES


def test_every_model_is_frozen_and_strict() -> None:
    for name in config.__all__:
        model = getattr(config, name)
        if isinstance(model, type):
            assert model.model_config.get("extra") == "forbid", name
            assert model.model_config.get("frozen") is True, name
