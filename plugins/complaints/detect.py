"""Recognising a problem report in ordinary group chatter.

Work groups talk about concrete, garbage and street lights all day: most messages that name a
category are progress updates, weekly reports, notices and thanks, not problems. So a category
keyword only says *what* a message is about; whether it reports a problem is weighed from cues
(`cues`), and the message is offered for filing ("登记为问题") when:

* it holds at least one problem cue ("没人管", "坏了", "堵了", "投诉", "三天了", "怎么还", or a
  configured ``signal_words`` entry), and
* its score reaches ``min_score`` (2): a category keyword 1, each distinct problem cue 1 (at most
  3), a photo 1, a location 1, each distinct calm cue −2 ("进展顺利", "已解决", "通知：",
  "本周进展", "转发", "元一斤"... and ``calm_words``), each soft cue −1 ("谢谢", "请问", "哈哈").

A photo is evidence: it raises the score of a report, it never makes one ("今天浇筑混凝土，进展
顺利" with a photo is not offered). A message without any category keyword ("@书记 这个问题三天了
还没人管") needs two distinct problem cues and is offered under the fallback category (``other``,
else the first category without keywords). The category is the one whose keywords occur most.

Every word and cue is in one compiled regular expression (longest first, case-insensitive), so a
message costs one scan of its text whatever the number of categories; `Match.reasons` says which
cues counted, with their sign.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from qunzhu.core import Message

from .config import ComplaintsConfig
from .cues import CALM, PROBLEM, PROBLEM_PATTERNS, SOFT

__all__ = ["Cue", "Match", "Matcher", "matcher_for"]

_MAX_PROBLEM = 3  # distinct problem cues that count: an angry paragraph is not more of a report
_WITHOUT_KEYWORD = 2  # distinct problem cues a message without a category keyword needs


class Cue(enum.Enum):
    PROBLEM = "+"
    CALM = "−"
    SOFT = "~"


#: What each distinct cue takes off the score (problem cues add 1 each, see `_MAX_PROBLEM`).
_PENALTY = {Cue.PROBLEM: 0, Cue.CALM: 2, Cue.SOFT: 1}


@dataclass(frozen=True, slots=True)
class Match:
    category: str | None
    score: int
    #: The cues that counted, each with its sign: ("+路灯", "+坏了", "+photo", "−进展顺利").
    reasons: tuple[str, ...] = ()
    #: Whether it reads like a problem report (a problem cue was found and the score is enough).
    problem: bool = False


class Matcher:
    def __init__(
        self,
        keywords: dict[str, str],
        cues: dict[str, Cue],
        patterns: tuple[str, ...] = (),
        fallback: str | None = None,
    ) -> None:
        """`keywords`: lower-cased word → its category; `cues`: lower-cased word → its cue;
        `patterns`: regular expressions of problem cues; `fallback`: the category of a report
        that names none. Keywords and cues are two passes, so that a cue never hides a keyword
        inside it ("又漏" in "又漏水了")."""
        self._keywords = keywords
        self._cues = cues
        self._fallback = fallback
        self._topics = _alternation(keywords)
        parts = [f"(?P<p{i}>{pattern})" for i, pattern in enumerate(patterns)]
        if cues:
            parts.append("(?P<w>" + "|".join(map(re.escape, _longest_first(cues))) + ")")
        self._signals = re.compile("|".join(parts)) if parts else None

    @classmethod
    def of(cls, config: ComplaintsConfig) -> Matcher:
        keywords: dict[str, str] = {}
        for key, category in config.categories.items():
            for word in category.keywords:
                if word.strip():
                    keywords.setdefault(word.strip().casefold(), key)
        cues: dict[str, Cue] = {}
        for group, cue in [
            (SOFT, Cue.SOFT),
            (CALM, Cue.CALM),
            (config.calm_words, Cue.CALM),
            (PROBLEM, Cue.PROBLEM),
            (config.signal_words, Cue.PROBLEM),  # the configuration has the last word
        ]:
            cues.update((w.strip().casefold(), cue) for w in group if w.strip())
        keyless = [key for key, category in config.categories.items() if not category.keywords]
        fallback = "other" if "other" in config.categories else next(iter(keyless), None)
        return cls(keywords, cues, PROBLEM_PATTERNS, fallback)

    def _categories(self, text: str) -> tuple[Counter[str], dict[str, str]]:
        """How often each category's keywords occur in `text` (lower-cased), and which did."""
        found: Counter[str] = Counter()
        words: dict[str, str] = {}
        if self._topics is not None:
            for word in self._topics.findall(text):
                found[self._keywords[word]] += 1
                words[word] = self._keywords[word]
        return found, words

    def category(self, text: str) -> str | None:
        """The category whose keywords occur most often in `text`, or None."""
        found, _ = self._categories(text.casefold())
        return found.most_common(1)[0][0] if found else None

    def weigh(self, message: Message, min_score: int = 2) -> Match:
        """Everything detection sees in `message`, and its verdict."""
        text = message.text.casefold()
        categories, topics = self._categories(text)
        cues: dict[str, Cue] = {}
        if self._signals is not None and text:
            for found in self._signals.finditer(text):
                word = found.group()
                cues.setdefault(word, self._cues[word] if found.lastgroup == "w" else Cue.PROBLEM)
        category = categories.most_common(1)[0][0] if categories else None
        problems = sum(1 for cue in cues.values() if cue is Cue.PROBLEM)
        score = (category is not None) + min(problems, _MAX_PROBLEM)
        score += bool(message.photos) + (message.location is not None)
        score -= sum(_PENALTY[cue] for cue in cues.values())
        if category is None and problems >= _WITHOUT_KEYWORD:
            category = self._fallback
        reasons = [f"{owner}:{word}" for word, owner in topics.items()]
        reasons += [f"{cue.value}{word}" for word, cue in cues.items()]
        reasons += ["+photo"] * bool(message.photos) + ["+location"] * bool(message.location)
        problem = problems > 0 and category is not None and score >= min_score
        return Match(category, score, tuple(reasons), problem)

    def detect(self, message: Message, min_score: int) -> Match | None:
        """The match of `message` if it reads like a problem report, else None."""
        match = self.weigh(message, min_score)
        return match if match.problem else None


def _longest_first(words: Iterable[str]) -> list[str]:
    return sorted(words, key=len, reverse=True)


def _alternation(words: dict[str, str]) -> re.Pattern[str] | None:
    """One pattern matching any of `words`, the longest where several start at one place."""
    return re.compile("|".join(map(re.escape, _longest_first(words)))) if words else None


def matcher_for(config: ComplaintsConfig) -> Matcher:
    """The matcher of a config, built once per config (kept on the frozen model)."""
    found: Matcher = config.matcher
    return found
