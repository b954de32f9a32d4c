"""Recognising a problem report in ordinary group chatter.

Every message of a watched group passes through one compiled regular expression holding all
category keywords and signal words (longest first, case-insensitive), so the cost per message
is one scan of its text whatever the number of categories. A message scores 1 for a category
keyword, 1 for a photo, 1 for a location and 1 for a signal word ("没人处理", "偷工减料",
"broken"); at ``min_score`` (default 2) the bot offers to file it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from qunzhu.core import Message

from .config import ComplaintsConfig

__all__ = ["Match", "Matcher", "matcher_for"]


@dataclass(frozen=True, slots=True)
class Match:
    category: str | None
    score: int


class Matcher:
    def __init__(self, words: dict[str, tuple[str | None, bool]]) -> None:
        """`words`: lower-cased word → (its category, or None; whether it is a signal word)."""
        self._words = words
        ordered = sorted(words, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    @classmethod
    def of(cls, config: ComplaintsConfig) -> Matcher:
        words: dict[str, tuple[str | None, bool]] = {}
        for key, category in config.categories.items():
            for word in category.keywords:
                if word.strip():
                    words.setdefault(word.strip().casefold(), (key, False))
        for word in config.signal_words:
            low = word.strip().casefold()
            if low:
                owner, _ = words.get(low, (None, False))
                words[low] = (owner, True)
        return cls(words)

    def category(self, text: str) -> str | None:
        """The category whose keywords occur most often in `text`, or None."""
        if self._pattern is None or not text:
            return None
        found: Counter[str] = Counter()
        for hit in self._pattern.findall(text.casefold()):
            category, _ = self._words[hit]
            if category is not None:
                found[category] += 1
        return found.most_common(1)[0][0] if found else None

    def score(self, message: Message) -> Match:
        text = message.text.casefold()
        categories: Counter[str] = Counter()
        signal = False
        if self._pattern is not None and text:
            for hit in self._pattern.findall(text):
                category, is_signal = self._words[hit]
                signal = signal or is_signal
                if category is not None:
                    categories[category] += 1
        category = categories.most_common(1)[0][0] if categories else None
        score = (category is not None) + bool(message.photos) + (message.location is not None)
        return Match(category, score + signal)

    def detect(self, message: Message, min_score: int) -> Match | None:
        """The match of `message` if it reads like a problem report, else None."""
        match = self.score(message)
        return match if match.category is not None and match.score >= min_score else None


def matcher_for(config: ComplaintsConfig) -> Matcher:
    """The matcher of a config, built once per config (kept on the frozen model)."""
    found: Matcher = config.matcher
    return found
