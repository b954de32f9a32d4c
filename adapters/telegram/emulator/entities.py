"""Message entities the way Telegram computes them: offsets and lengths in UTF-16 code units.

* `detect` finds what Telegram links by itself in any text, a user's or the bot's: bot commands,
  @mentions, #hashtags, $CASHTAGS, e-mail addresses and URLs;
* `from_bot` checks the ``entities`` a bot sends explicitly;
* `finish` trims surrounding whitespace (Telegram strips it from every message) and sorts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .errors import bad_request

__all__ = [
    "KNOWN_TYPES",
    "UserLookup",
    "detect",
    "finish",
    "from_bot",
    "text_link",
    "utf16_len",
    "utf16_offsets",
]

KNOWN_TYPES = frozenset(
    [
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
    ]
)
# Auto-detected entities never start inside these.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "url", "email"})

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    (
        "url",
        re.compile(
            r"(?<![\w@/.])(?:https?://[^\s<>\"]+|www\.[^\s<>\"]+"
            r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|io|me|dev|app|cn|ru)"
            r"(?:/[^\s<>\"]*)?(?![\w.]))"
        ),
    ),
    ("bot_command", re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{1,8}(?![A-Za-z])")),
]
UserLookup = Callable[[int], dict[str, Any] | None]
"""Finds a user's JSON by id (for ``tg://user?id=`` links)."""
_TRAILING = ".,;:!?)]}'\""


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def utf16_offsets(text: str) -> list[int]:
    """``out[i]`` is the UTF-16 offset of ``text[i]``; ``out[len(text)]`` the total length."""
    out = [0]
    for ch in text:
        out.append(out[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return out


def detect(text: str, existing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Entities Telegram adds by itself to `text`, skipping spans covered by code, pre or links
    in `existing`. Returns only the new ones."""
    u16 = utf16_offsets(text)
    taken: list[tuple[int, int]] = [
        (e["offset"], e["offset"] + e["length"]) for e in existing or [] if e["type"] in _OPAQUE
    ]
    found: list[dict[str, Any]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in _TRAILING:
                    end -= 1
            begin, stop = u16[start], u16[end]
            if stop <= begin or any(begin < b and a < stop for a, b in taken):
                continue
            taken.append((begin, stop))
            found.append({"offset": begin, "length": stop - begin, "type": kind})
    return found


def from_bot(raw: Any, text: str) -> list[dict[str, Any]]:
    """Validate explicit ``entities``/``caption_entities`` sent by the bot; entities that reach
    past the end of the text are clipped, as Telegram does."""
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    out: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request("can't parse entities JSON object")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request("can't parse entities JSON object")
        if item["type"] not in KNOWN_TYPES or offset < 0 or length <= 0 or offset >= total:
            continue
        if item["type"] == "text_link" and not item.get("url"):
            raise bad_request("can't parse entities: URL of text_link entity is empty")
        entity = dict(item)
        entity["length"] = min(length, total - offset)
        out.append(entity)
    return out


def finish(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading and trailing whitespace (moving and clipping entities), then sort entities
    by offset, longer first, as Telegram returns them."""
    stripped = text.strip()
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    out: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, total)
        if stop > start:
            out.append({**entity, "offset": start, "length": stop - start})
    out.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, out


def text_link(url: str, users: UserLookup | None) -> dict[str, Any] | None:
    """The entity fields for a link to `url` (``<a href=...>``): ``text_link`` with the URL
    normalised as Telegram does, ``text_mention`` for ``tg://user?id=N``, or None when Telegram
    would drop the link."""
    if url.startswith("tg://user?"):
        ids = parse_qs(url[len("tg://user?") :]).get("id", [""])
        user = users(int(ids[0])) if users is not None and ids[0].isdigit() else None
        return {"type": "text_mention", "user": user} if user else None
    if " " in url or not url:
        return None
    if "://" not in url and not url.startswith("tg:"):
        url = "http://" + url
    parts = urlsplit(url)
    if (
        parts.scheme in ("http", "https")
        and "." not in parts.netloc
        and parts.netloc != "localhost"
    ):
        return None
    if parts.scheme in ("http", "https") and not parts.path:
        url = url.replace(parts.netloc, parts.netloc + "/", 1) if not parts.query else url
    return {"type": "text_link", "url": url}
