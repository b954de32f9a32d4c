"""Every text the plugin says is in its catalogs, translated into both Chinese scripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from qunzhu.core.i18n._extract import extract, untranslated

PLUGIN = Path(__file__).parents[3] / "plugins" / "complaints"


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant"])
def test_every_text_is_translated(lang: str) -> None:
    wanted = {m.id for m in extract([PLUGIN], "complaints") if m.id}
    with (PLUGIN / "locale" / lang / "LC_MESSAGES" / "complaints.po").open("rb") as fp:
        catalog = read_po(fp)
    have = {m.id for m in catalog if m.id}
    assert wanted - have == set(), (
        "run: qunzhu i18n update --domain complaints ... plugins/complaints"
    )
    assert untranslated(catalog) == []
