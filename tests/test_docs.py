"""The docs tell the truth: every hook is documented, every example shown is the tested file."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from qunzhu.core import hookspecs

ROOT = Path(__file__).parents[1]
PLUGINS_DOC = ROOT / "docs" / "plugins.md"


def _hook_names() -> list[str]:
    return [
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if getattr(fn, "qunzhu_spec", None) is not None
    ]


def test_there_are_hooks() -> None:
    assert {"register_config", "on_message", "on_startup"} <= set(_hook_names())


@pytest.mark.parametrize("hook", _hook_names())
def test_every_hook_has_a_section_in_docs_plugins(hook: str) -> None:
    assert f"\n### {hook}\n" in PLUGINS_DOC.read_text(encoding="utf-8"), (
        f"hook {hook} is missing from docs/plugins.md: add a '### {hook}' section"
    )


@pytest.mark.parametrize("hook", _hook_names())
def test_every_hook_spec_has_a_docstring(hook: str) -> None:
    assert (getattr(hookspecs, hook).__doc__ or "").strip()


def test_examples_in_docs_are_the_tested_files() -> None:
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 3
    for path, code in blocks:
        assert (ROOT / path).read_text(encoding="utf-8") == code, (
            f"docs/plugins.md shows an old {path}"
        )
