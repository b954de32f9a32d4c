"""Reading a group message as a report, without a tag: pure, no clock and no database.

People in a check-in group do not all write ``#周报``; a mayor posts "南充市本周汇报：…", answers
the questions by their words ("本周进展：… 存在问题：…"), writes a long paragraph, or sends photos
with a caption. `read_report` says how such a message reads: ``SURE`` (counted as the sender's
report), ``ASK`` (the bot asks once under it whether it is), or ``None`` (chatter: left alone).
It decides from the text alone, so that the plugin can let chatter go before any query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum

__all__ = ["ASK", "SURE", "Reading", "read_report"]

#: Words that name a report: "本周汇报", "XX市本周汇报：", "工作汇报", "周报", "汇报如下".
_NAMED = re.compile(r"本(周|月)(工作)?(情况)?(汇报|报告)|周报|月报|工作汇报[:：]|汇报如下")
#: The usual questions' words, besides the campaign's own questions.
_WORDS = ("本周进展", "存在问题", "下周计划", "工作进展", "主要问题", "下步计划", "下一步计划")
#: Without any of those words: this long is a report; a shorter one from this length is asked.
_LONG = 100
_MEDIUM = 40
#: With one of the words: this long is a report, shorter is asked.
_WITH_WORD = 30


class Reading(Enum):
    SURE = "sure"
    ASK = "ask"


SURE = Reading.SURE
ASK = Reading.ASK


def _length(text: str) -> int:
    """Characters that carry meaning (no spaces or punctuation)."""
    return sum(1 for ch in text if ch.isalnum())


def read_report(text: str, *, media: bool, questions: Iterable[str] = ()) -> Reading | None:
    """How `text` (a message's text or its media's caption) reads: `SURE`, `ASK` or None."""
    text = text.strip()
    size = _length(text)
    if _NAMED.search(text) and size >= 6:
        return SURE
    words = {w for w in (*_WORDS, *questions) if len(w) >= 2 and w in text}
    if len(words) >= 2 or (words and size >= _WITH_WORD):
        return SURE
    if media:
        return SURE if size >= 4 else ASK  # a photo with a caption; without one: asked
    if size >= _LONG:
        return SURE
    if words or size >= _MEDIUM:
        return ASK
    return None
