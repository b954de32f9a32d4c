"""The plugin's config: the shipped examples load, mistakes are named, and no section at all
leaves the bot working (group detection off, default categories, nothing routed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from qunzhu.core.app import AdapterModels
from qunzhu.core.config import load_config
from qunzhu.core.errors import ConfigError
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.config import ComplaintsConfig

ROOT = Path(__file__).parents[3]


@pytest.mark.parametrize("path", ["docs/examples/complaints.yaml", "config/qunzhu.example.yaml"])
def test_examples_load(path: str) -> None:
    settings = load_config(
        ROOT / path,
        plugin_models={"complaints": ComplaintsConfig},
        adapter_models=AdapterModels(),
        env={},
    )
    config = settings.plugin_config("complaints")
    assert isinstance(config, ComplaintsConfig)
    assert settings.org["housing"].parent == "township"  # the units are under org:
    assert config.departments == {}
    assert settings.warnings == ()
    assert config.hotline.token is None  # ${HOTLINE_TOKEN:-} unset: no token, not an empty one


def test_wrong_references_are_named(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "plugins:\n  complaints:\n    categories:\n"
        "      roads: {name: 道路, department: transport}\n"
        "    departments:\n      a: {name: A, parent: b}\n      b: {name: B, parent: a}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, plugin_models={"complaints": ComplaintsConfig})
    text = str(caught.value)
    where = "q.yaml:4:25: plugins.complaints.categories.roads.department"
    assert f"{where}: no unit 'transport' in org:" in text
    assert "plugins.complaints.departments.a.parent: the parents go round in a circle" in text


def test_a_chat_key_must_name_its_platform() -> None:
    with pytest.raises(ValidationError, match="is not a chat"):
        ComplaintsConfig.model_validate({"supervision_chat": "督查组"})


async def test_no_section_at_all(bot: BotHarness) -> None:
    assert await bot.send("垃圾没人处理", user="a", chat="g", photos=["p"]) == []  # detect: off
    [photo_q] = await bot.send("小区垃圾没人处理", user="a")  # private intake still works
    assert "照片" in photo_q.text


@pytest.fixture
def bot_config() -> dict[str, object]:
    return {"bot": {"language": "zh_Hans"}}
