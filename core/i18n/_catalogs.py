"""Translations: gettext catalogs (Babel ``.po`` files) per language and per domain.

The core's texts live in the ``qunzhu`` domain (``core/locale``); each plugin has its own domain,
named after the plugin, found through its `register_catalogs` hook. Message ids are English; the
``en`` catalog may stay empty. Catalogs are read from ``.po`` at start-up (a few milliseconds), so
there is no compile step that could go stale.

Which language a person sees: the language they chose with ``/lang``, else the chat's configured
language, else the language their platform reports, else ``bot.language``.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = ["CORE_DOMAIN", "LANGUAGES", "Catalogs", "N_", "Translator", "normalize_language"]

CORE_DOMAIN = "qunzhu"
LANGUAGES: tuple[str, ...] = ("zh_Hans", "zh_Hant", "en")
CORE_LOCALE_DIR = Path(__file__).parent / "locale"
log = logging.getLogger("qunzhu.i18n")

_HANT_REGIONS = ("tw", "hk", "mo", "hant")


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a text for extraction without translating it now (help texts, declarations)."""
    return msgid


def normalize_language(code: str | None) -> str | None:
    """Map a platform's language code (``zh-hans``, ``zh-TW``, ``en-US``, ``zh_Hant``...) to one
    of `LANGUAGES`, or None when it is none of them."""
    if not code:
        return None
    low = code.replace("_", "-").lower()
    if low.startswith("zh"):
        return "zh_Hant" if any(r in low.split("-") for r in _HANT_REGIONS) else "zh_Hans"
    if low.startswith("en"):
        return "en"
    return None


class Translator:
    """Translates message ids of one domain into one language. ``t("Hi {name}", name="安")``."""

    __slots__ = ("_fallback", "_tr", "domain", "lang")

    def __init__(self, lang: str, domain: str, tr: NullTranslations, fallback: NullTranslations):
        self.lang = lang
        self.domain = domain
        self._tr = tr
        self._fallback = fallback

    def __call__(self, msgid: str, /, **kwargs: Any) -> str:
        return self.gettext(msgid, **kwargs)

    def gettext(self, msgid: str, /, **kwargs: Any) -> str:
        text = self._tr.gettext(msgid)
        if text == msgid:
            text = self._fallback.gettext(msgid)
        return _format(text, msgid, kwargs)

    def ngettext(self, singular: str, plural: str, n: int, /, **kwargs: Any) -> str:
        text = self._tr.ngettext(singular, plural, n)
        kwargs.setdefault("n", n)
        return _format(text, singular if n == 1 else plural, kwargs)

    def core(self, msgid: str, /, **kwargs: Any) -> str:
        """Translate a text of the core's own domain (shared words such as "Cancel")."""
        return _format(self._fallback.gettext(msgid), msgid, kwargs)


class Catalogs:
    """All loaded catalogs, by (language, domain)."""

    def __init__(self, default_language: str = "zh_Hans") -> None:
        self.default_language = default_language
        self._tr: dict[tuple[str, str], NullTranslations] = {}
        self._translators: dict[tuple[str, str], Translator] = {}
        self.add_domain(CORE_DOMAIN, CORE_LOCALE_DIR)

    def add_domain(self, domain: str, locale_dir: Path) -> None:
        for lang in LANGUAGES:
            po = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
            if po.is_file():
                self._tr[(lang, domain)] = _load_po(po, lang, domain)
        self._translators.clear()

    def domains(self) -> set[str]:
        return {domain for _, domain in self._tr}

    def translator(self, lang: str | None, domain: str = CORE_DOMAIN) -> Translator:
        lang = lang if lang in LANGUAGES else self.default_language
        key = (lang, domain)
        found = self._translators.get(key)
        if found is None:
            null = NullTranslations()
            core = self._tr.get((lang, CORE_DOMAIN), null)
            found = Translator(lang, domain, self._tr.get(key, null), core)
            self._translators[key] = found
        return found


def _load_po(path: Path, lang: str, domain: str) -> NullTranslations:
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=lang.replace("_Hans", "_Hans_CN").replace("_Hant", "_Hant_TW"))
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf, domain=domain)


def _format(text: str, msgid: str, kwargs: dict[str, Any]) -> str:
    if not kwargs:
        return text
    try:
        return text.format(**kwargs)
    except (KeyError, IndexError, ValueError):
        log.warning("event=bad_translation msgid=%r", msgid)
        return msgid.format(**kwargs)
