"""The translation catalogs are complete, consistent with the code, and can be refreshed."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from qunzhu.core.i18n import _extract
from qunzhu.core.i18n._catalogs import CORE_DOMAIN, CORE_LOCALE_DIR, LANGUAGES, Catalogs
from qunzhu.core.i18n._extract import default_source_dirs, extract, i18n, untranslated, update

REFRESH = "run `qunzhu i18n update` and translate the new texts in core/locale"
TRADITIONAL_ONLY = set("這說沒們個來時會對還過請選設為與數據錯誤")


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=lang)


def _po(lang: str) -> Path:
    return CORE_LOCALE_DIR / lang / "LC_MESSAGES" / f"{CORE_DOMAIN}.po"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _strings(message: Message) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs; a plural message pairs every form with the plural msgid."""
    if isinstance(message.id, str):
        return [(message.id, str(message.string or ""))]
    singular, plural = message.id
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    ids = [singular, plural] if len(forms) > 1 else [plural]
    return [(ids[min(i, len(ids) - 1)], f or "") for i, f in enumerate(forms)]


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    return extract(default_source_dirs(), CORE_DOMAIN)


def test_there_are_texts_to_translate(extracted: Catalog) -> None:
    ids = {m.id for m in extracted if m.id}
    assert {"Cancel", "Skip", "admin", "Usage: {usage}"} <= ids
    assert all("tests/" not in loc for m in extracted for loc, _ in m.locations)


@pytest.mark.parametrize("name", ["pot", *LANGUAGES])
def test_every_text_of_the_code_is_in_the_catalog(extracted: Catalog, name: str) -> None:
    path = CORE_LOCALE_DIR / f"{CORE_DOMAIN}.pot" if name == "pot" else _po(name)
    assert path.is_file(), f"{path} is missing: {REFRESH}"
    have = {m.id for m in _read(path) if m.id}
    missing = sorted(str(m.id) for m in extracted if m.id and m.id not in have)
    assert not missing, f"{path.name} ({name}) lacks {missing}: {REFRESH}"


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant"])
def test_chinese_catalogs_are_fully_translated(lang: str) -> None:
    missing = untranslated(_read(_po(lang), lang))
    assert not missing, f"{lang} has untranslated or fuzzy texts {missing}: {REFRESH}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    wrong = [
        (msgid, msgstr)
        for message in _read(_po(lang), lang)
        if message.id and not message.fuzzy  # fuzzy entries are unused (and fail the test above)
        for msgid, msgstr in _strings(message)
        if msgstr and _fields(msgstr) != _fields(msgid)
    ]
    assert not wrong, f"{lang}: placeholders differ from the msgid in {wrong}"


def test_the_core_translates_with_the_catalogs() -> None:
    catalogs = Catalogs("zh_Hans")
    hans, hant, en = (catalogs.translator(lang) for lang in ("zh_Hans", "zh_Hant", "en"))
    assert hans.core("Cancel") == "取消"
    assert hant.core("Cancel") == "取消"
    assert en.core("Cancel") == "Cancel"  # empty msgstr: the English msgid
    assert en("Usage: {usage}", usage="/x") == "Usage: /x"
    assert hans("Usage: {usage}", usage="/x") == "用法：/x"
    pairs = [
        (hans(str(m.id)), hant(str(m.id)))
        for m in _read(_po("zh_Hans"), "zh_Hans")
        if m.id and isinstance(m.id, str) and not _fields(m.id)
    ]
    differ = [(a, b) for a, b in pairs if a != b]
    assert differ, "zh_Hant should not be a copy of zh_Hans"
    assert any(TRADITIONAL_ONLY & set(b) for _, b in differ)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    """A plugin package with its own domain, as a plugin author would have it."""
    pkg = tmp_path / "myplugin"
    _write(
        pkg / "__init__.py",
        "from qunzhu.core.i18n._catalogs import N_\n"
        "HELP = N_('Approve a request')\n"
        "async def handler(ctx, n):\n"
        "    await ctx.reply(ctx.t('Hello {name}', name=ctx.person.name))\n"
        "    await ctx.reply(ctx.t.core('Cancel'))\n"
        "    await ctx.reply(ctx.t.ngettext('{n} request', '{n} requests', n))\n"
        "    await ctx.reply(ctx.t(some_variable))\n",
    )
    _write(pkg / "tests" / "test_plugin.py", "t('Only in a test')\n")
    _write(pkg / "test_more.py", "t('Only in a test, too')\n")
    return pkg


def test_extract_a_plugin(plugin: Path) -> None:
    catalog = extract([plugin], "myplugin")
    ids = [m.id for m in catalog if m.id]
    assert ids == ["Approve a request", "Hello {name}", "Cancel", ("{n} request", "{n} requests")]
    assert catalog["Hello {name}"].locations == [("myplugin/__init__.py", 4)]


def test_update_a_plugin_keeps_translations(plugin: Path, tmp_path: Path) -> None:
    locale = plugin / "locale"
    assert update(locale, "myplugin", [plugin]) == {"zh_Hans": 4, "zh_Hant": 4, "en": 4}
    assert (locale / "myplugin.pot").is_file()
    po = locale / "zh_Hans" / "LC_MESSAGES" / "myplugin.po"
    text = po.read_text(encoding="utf-8")
    assert "__init__.py:" not in text  # no line numbers: small diffs

    catalog = _read(po, "zh_Hans")
    catalog["Hello {name}"].string = "您好，{name}"
    catalog[("{n} request", "{n} requests")].string = ("{n} 个申请",)
    with po.open("wb") as fp:
        write_po(fp, catalog)
    source = plugin / "__init__.py"
    source.write_text(source.read_text() + "X = N_('Reject')\n", encoding="utf-8")

    counts = update(locale, "myplugin", [plugin])
    assert counts["zh_Hans"] == 3  # 'Approve a request', 'Cancel', 'Reject'
    assert counts["zh_Hant"] == 5
    catalogs = Catalogs("zh_Hans")
    catalogs.add_domain("myplugin", locale)
    t = catalogs.translator("zh_Hans", "myplugin")
    assert t("Hello {name}", name="安") == "您好，安"
    assert t.ngettext("{n} request", "{n} requests", 2) == "2 个申请"
    assert t("Reject") == "Reject"
    assert t.core("Cancel") == "取消"  # the core's shared words still come from the core
    assert "Reject" in (locale / "myplugin.pot").read_text(encoding="utf-8")


def test_update_does_not_rewrite_unchanged_files(plugin: Path) -> None:
    locale = plugin / "locale"
    update(locale, "myplugin", [plugin])
    files = sorted(locale.rglob("*.po*"))
    assert len(files) == 4
    before = {f: f.stat().st_mtime_ns for f in files}
    for f in files:  # an older date header alone is not a change
        f.write_bytes(f.read_bytes().replace(b"POT-Creation-Date: 2", b"POT-Creation-Date: 1"))
        before[f] = f.stat().st_mtime_ns
    update(locale, "myplugin", [plugin])
    assert {f: f.stat().st_mtime_ns for f in files} == before


def test_the_command_reports_untranslated_texts(plugin: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(i18n, ["update", "--domain", "myplugin", str(plugin)])
    assert result.exit_code == 1
    assert "zh_Hans: 4 untranslated" in result.output
    assert (plugin / "locale" / "en" / "LC_MESSAGES" / "myplugin.po").is_file()

    for lang in ("zh_Hans", "zh_Hant"):
        po = plugin / "locale" / lang / "LC_MESSAGES" / "myplugin.po"
        catalog = _read(po, lang)
        for message in catalog:
            if message.id:
                message.string = ("{n} 个",) if isinstance(message.id, tuple) else f"[{message.id}]"
        with po.open("wb") as fp:
            write_po(fp, catalog)
    result = runner.invoke(i18n, ["update", "--domain", "myplugin", str(plugin)])
    assert result.exit_code == 0, result.output
    assert "en: 4 untranslated" in result.output  # English may stay empty


def test_a_plugin_domain_needs_its_source_folder() -> None:
    result = CliRunner().invoke(i18n, ["update", "--domain", "myplugin"])
    assert result.exit_code == 2
    assert "source folder" in result.output


def test_update_refuses_to_write_into_an_installed_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from a wheel install, ``qunzhu i18n update`` rewrote the catalogs in site-packages."""
    installed = tmp_path / "lib" / "python3.11" / "site-packages" / "qunzhu" / "core"
    (installed / "i18n" / "locale").mkdir(parents=True)
    monkeypatch.setattr(_extract, "_CORE_DIR", installed)
    result = CliRunner().invoke(i18n, ["update"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "run `qunzhu i18n update` from a source checkout" in result.output
    assert "--locale-dir" in result.output
    assert not any((installed / "i18n" / "locale").iterdir())  # nothing written


def test_update_from_an_installed_package_into_a_locale_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = tmp_path / "dist-packages" / "qunzhu" / "core"
    installed.mkdir(parents=True)
    (installed / "hello.py").write_text('N_("Hello")\n', encoding="utf-8")
    monkeypatch.setattr(_extract, "_CORE_DIR", installed)
    out = tmp_path / "locale"
    result = CliRunner().invoke(i18n, ["update", "--locale-dir", str(out), str(installed)])
    assert result.exit_code == 1, result.output  # written, with untranslated texts to report
    assert 'msgid "Hello"' in (out / "zh_Hans" / "LC_MESSAGES" / f"{CORE_DOMAIN}.po").read_text(
        encoding="utf-8"
    )
