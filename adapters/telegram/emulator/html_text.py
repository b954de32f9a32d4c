"""Telegram's HTML parse mode: HTML in, plain text plus entities (UTF-16 offsets) out.

This follows tdlib's ``parse_html`` closely, including its error messages, so a bot that gets away
with sloppy markup here would also get away with it on Telegram and the other way round:

* tags: b strong i em u ins s strike del tg-spoiler ``span class="tg-spoiler"`` a code pre
  blockquote tg-emoji; any other tag is ``Unsupported start tag "x" at byte offset N``;
* entities ``&lt; &gt; &amp; &quot;`` and numeric ``&#NN; &#xHH;``; a bare ``<`` is an error
  (it starts a tag with an empty name);
* a bare ``&`` that starts no entity stays a literal ``&`` on Telegram; ``strict=True`` rejects
  it instead, to catch text that was not escaped before Telegram does, on a ``<``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .entities import UserLookup, text_link, utf16_len
from .errors import bad_request

__all__ = ["parse_html"]

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_TAGS = frozenset(_SIMPLE) | {"a", "tg-emoji", "pre", "code", "blockquote"}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the output
    begin: int  # index in the output string


def _fail(detail: str) -> Exception:
    return bad_request(f"can't parse entities: {detail}")


def _entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode the character entity at ``text[i] == '&'``: (character, index after it)."""
    j = i + 1
    if text.startswith("#", j):
        hexa = text.startswith(("#x", "#X"), j)
        j += 2 if hexa else 1
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        start = j
        while j < len(text) and text[j] in digits and j - start < 8:
            j += 1
        if j == start:
            return None
        code = int(text[start:j], 16 if hexa else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        start = j
        while j < len(text) and text[j].isascii() and text[j].isalpha():
            j += 1
        if text[start:j] not in _NAMED:
            return None
        char = _NAMED[text[start:j]]
    return char, j + 1 if text.startswith(";", j) else j


def parse_html(
    source: str, *, users: UserLookup | None = None, strict: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """Parse `source` as Telegram HTML: (plain text, entities in closing order). The caller
    strips and sorts with `entities.finish`. Raises the can't-parse-entities ApiError."""
    return _Parser(source, users, strict).run()


class _Parser:
    """One pass over the source, as tdlib makes it."""

    def __init__(self, source: str, users: UserLookup | None, strict: bool) -> None:
        self.source = source
        self.users = users
        self.strict = strict
        self.out: list[str] = []
        self.chars = 0  # len("".join(out))
        self.offset = 0  # its UTF-16 length
        self.nested: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def at(self, index: int) -> int:
        """The byte offset Telegram reports for ``source[index]``."""
        return len(self.source[:index].encode())

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        i, n = 0, len(self.source)
        while i < n:
            ch = self.source[i]
            if ch == "<":
                i = self._end_tag(i) if self.source.startswith("/", i + 1) else self._start_tag(i)
            elif ch == "&":
                i = self._ampersand(i)
            else:
                self._emit(ch)
                i += 1
        if self.nested:
            raise _fail(f'Can\'t find end tag corresponding to start tag "{self.nested[-1].tag}"')
        for entity in self.entities:
            entity.pop("_language", None)
        return "".join(self.out), self.entities

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.chars += len(text)
        self.offset += utf16_len(text)

    def _ampersand(self, i: int) -> int:
        decoded = _entity(self.source, i)
        if decoded is not None:
            self._emit(decoded[0])
            return decoded[1]
        if self.strict:
            raise _fail(f'character "&" must be escaped as "&amp;" at byte offset {self.at(i)}')
        self._emit("&")
        return i + 1

    def _end_tag(self, begin: int) -> int:
        source, n = self.source, len(self.source)
        if not self.nested:
            raise _fail(f"Unexpected end tag at byte offset {self.at(begin)}")
        j = begin + 2
        while j < n and not source[j].isspace() and source[j] != ">":
            j += 1
        name = source[begin + 2 : j]
        j = _skip_spaces(source, j)
        if j >= n or source[j] != ">":
            raise _fail(f"Unclosed end tag at byte offset {self.at(begin)}")
        top = self.nested.pop()
        if name and name != top.tag:
            raise _fail(
                f'Unmatched end tag at byte offset {self.at(begin)}, expected "</{top.tag}>", '
                f'found "</{name}>"'
            )
        if self.offset > top.offset:
            _close(top, self.offset, "".join(self.out), self.entities, self.users)
        return j + 1

    def _start_tag(self, begin: int) -> int:
        source, n = self.source, len(self.source)
        j = begin + 1
        while j < n and not source[j].isspace() and source[j] != ">":
            j += 1
        if j >= n:
            raise _fail(f"Unclosed start tag at byte offset {self.at(begin)}")
        tag = source[begin + 1 : j].lower()
        if tag not in _TAGS:
            raise _fail(f'Unsupported start tag "{tag}" at byte offset {self.at(begin)}')
        argument, j = _attributes(source, j, tag, self.at(begin))
        if tag == "span" and argument != "spoiler":
            where = self.at(begin)
            raise _fail(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
        self.nested.append(_Open(tag, argument, self.offset, self.chars))
        return j


def _skip_spaces(source: str, i: int) -> int:
    while i < len(source) and source[i].isspace():
        i += 1
    return i


def _attributes(source: str, i: int, tag: str, where: int) -> tuple[str, int]:
    """Read the attributes of a start tag from ``source[i]`` up to its ``>``: (the argument
    Telegram keeps for this tag, index after the ``>``)."""
    argument = ""
    while True:
        i = _skip_spaces(source, i)
        if i >= len(source):
            raise _fail(f"Unclosed start tag at byte offset {where}")
        if source[i] == ">":
            return argument, i + 1
        name, value, i = _attribute(source, i, tag, where)
        argument = _argument(tag, name, value) or argument


def _attribute(source: str, i: int, tag: str, where: int) -> tuple[str, str | None, int]:
    """One ``name=value`` (or bare ``name``): (name, value or None, index after it)."""
    n = len(source)
    start = i
    while i < n and not source[i].isspace() and source[i] not in "=>":
        i += 1
    name = source[start:i].lower()
    i = _skip_spaces(source, i)
    if i >= n:
        raise _fail(f'Unclosed start tag "{tag}" at byte offset {where}')
    if source[i] != "=":
        return name, None, i
    i = _skip_spaces(source, i + 1)
    if i >= n:
        raise _fail(f'Unclosed start tag "{tag}" at byte offset {where}')
    value, i = _value(source, i)
    if i >= n:
        raise _fail(f"Unclosed start tag at byte offset {where}")
    return name, value, i


def _argument(tag: str, name: str, value: str | None) -> str | None:
    """What Telegram keeps of an attribute: a link, a code language, a spoiler class..."""
    if value is None:
        return "1" if tag == "blockquote" and name == "expandable" else None
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    return None


def _value(source: str, i: int) -> tuple[str, int]:
    """An attribute value: quoted (entities decoded) or a bare name token (lower-cased)."""
    n = len(source)
    if source[i] not in "\"'":
        start = i
        while i < n and (source[i].isalnum() or source[i] in ".-"):
            i += 1
        if i < n and not source[i].isspace() and source[i] != ">":
            raise _fail(f"Unexpected end of name token at byte offset {len(source[:i].encode())}")
        return source[start:i].lower(), i
    quote = source[i]
    i += 1
    chars: list[str] = []
    while i < n and source[i] != quote:
        decoded = _entity(source, i) if source[i] == "&" else None
        if decoded is not None:
            chars.append(decoded[0])
            i = decoded[1]
        else:
            chars.append(source[i])
            i += 1
    return "".join(chars), i + 1 if i < n else i


def _close(
    top: _Open,
    offset: int,
    text: str,
    entities: list[dict[str, Any]],
    users: UserLookup | None,
) -> None:
    """Append the entity for the tag `top` that just closed at UTF-16 `offset`."""
    span = {"offset": top.offset, "length": offset - top.offset}
    last = entities[-1] if entities else None
    same = (
        last is not None and last["offset"] == span["offset"] and last["length"] == span["length"]
    )
    if top.tag in _SIMPLE:
        entities.append({**span, "type": _SIMPLE[top.tag]})
    elif top.tag == "blockquote":
        kind = "expandable_blockquote" if top.argument else "blockquote"
        entities.append({**span, "type": kind})
    elif top.tag == "tg-emoji":
        if not top.argument.isdigit():
            raise _fail("Invalid custom emoji identifier specified")
        entities.append({**span, "type": "custom_emoji", "custom_emoji_id": top.argument})
    elif top.tag == "a":
        link = text_link(top.argument or text[top.begin :], users)
        if link is not None:
            entities.append({**span, **link})
    elif top.tag == "code":
        if same and last is not None and last["type"] == "pre" and top.argument:
            last["language"] = top.argument
        else:
            entities.append({**span, "type": "code", "_language": top.argument})
    elif same and last is not None and last["type"] == "code":  # <pre> around <code>
        language = last.pop("_language", "")
        last["type"] = "pre"
        if language:
            last["language"] = language
    else:
        entities.append({**span, "type": "pre"})
