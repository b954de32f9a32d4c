"""Mention linking shared by adapters: which part of an outgoing text names each mentioned person.

`Reply.mentions` asks an adapter to link people, and the text mostly names them already (a
reminder writes ``尚未汇报：@福州市长 @厦门市长``, by the names the bot's people go by). The adapter
gives `find_mentions` the text and, for each mentioned person, the names to look for, best
first (the bot's name for them, then the platform's); it gets back the spans to link, and
renders them its platform's way (Telegram ``<a href="tg://user?id=…">``, a Matrix pill). A
person the text does not name gets no span: the adapter appends them, showing its own fallback
when it knows no name (the Telegram user id, the Matrix localpart).

The order, the same on every platform:

1. the written ``@name`` forms of everyone, then the plain ``name``\\ s: a reminder's
   ``@宁德市长`` is linked with its ``@``, not just ``宁德市长`` inside it;
2. within a form, each person's first name, then their second, and so on;
3. within that, longer names first, then the order of the mentions: ``福州市长`` keeps its whole
   name in ``@福州市长`` from someone named ``福州``, whichever of the two was mentioned first.

A person is linked once, on the first occurrence of the first of their names that the text
holds outside the spans already taken; spans never overlap.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["MentionSpan", "cut_at_mentions", "find_mentions"]

U = TypeVar("U", bound=Hashable)


@dataclass(frozen=True, slots=True)
class MentionSpan(Generic[U]):
    """``text[start:end]`` names `user` (an adapter's own id of the person): link it."""

    start: int
    end: int
    user: U


def find_mentions(text: str, people: Sequence[tuple[U, Sequence[str]]]) -> list[MentionSpan[U]]:
    """The spans of `text` to link, in the text's order, for `people`: each a user and the names
    to look for, best first (empty names are skipped; a user given twice counts once). See the
    module's docstring for the order in which names are looked for."""
    names: dict[U, list[str]] = {}
    for user, candidates in people:
        names.setdefault(user, list(dict.fromkeys(n for n in candidates if n)))
    found: dict[U, MentionSpan[U]] = {}
    ranks = max((len(n) for n in names.values()), default=0)
    for form in ("@{}", "{}"):
        for rank in range(ranks):
            labels = [(u, form.format(n[rank])) for u, n in names.items() if rank < len(n)]
            labels.sort(key=lambda pair: -len(pair[1]))  # stable: mention order among equals
            for user, label in labels:
                if user not in found:
                    at = _free(text, label, found.values())
                    if at is not None:
                        found[user] = MentionSpan(at, at + len(label), user)
    return sorted(found.values(), key=lambda span: span.start)


def cut_at_mentions(text: str, spans: Sequence[MentionSpan[U]]) -> list[tuple[str, U | None]]:
    """`text` as runs, each with the user it links to (None for plain text); `spans` in the
    text's order, as `find_mentions` returns them. Empty runs are left out."""
    runs: list[tuple[str, U | None]] = []
    at = 0
    for span in spans:
        if span.start > at:
            runs.append((text[at : span.start], None))
        runs.append((text[span.start : span.end], span.user))
        at = span.end
    if at < len(text):
        runs.append((text[at:], None))
    return runs


def _free(text: str, label: str, taken: Iterable[MentionSpan[U]]) -> int | None:
    """Where `label` first occurs in `text` outside the spans `taken`; None when nowhere."""
    spans = list(taken)
    at = text.find(label)
    while at >= 0:
        if all(at + len(label) <= s.start or at >= s.end for s in spans):
            return at
        at = text.find(label, at + 1)
    return None
