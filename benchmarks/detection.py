"""``detection``: how well the complaints plugin tells a problem report from group chatter.

Runs the plugin's real detector (`Matcher.detect` under the default configuration) over the
labelled corpus ``benchmarks/data/detection_corpus.yaml`` (residents' and supervisors' reports,
progress updates, weekly reports, notices, promotions, thanks, questions...), and beside it, in
the same run, the keyword rule the plugin had before (a category keyword, a photo, a location
and a signal word score 1 each; 2 is a report), with the vocabulary it shipped then. Prints
precision, recall and F1 over "is it a problem", then per category (a problem found under the
wrong category counts against both), the misses of the detector per section of the corpus, and
the time per message (printed, never asserted).

    python -m benchmarks.detection [--misses]
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qunzhu.core import (
    Attachment,
    AttachmentKind,
    ChatKind,
    ChatRef,
    Location,
    Message,
    UserRef,
)
from qunzhu.plugins.complaints.config import ComplaintsConfig
from qunzhu.plugins.complaints.detect import matcher_for

__all__ = [
    "CORPUS",
    "HOLDOUT",
    "Figures",
    "Sample",
    "detector",
    "evaluate",
    "keyword_rule",
    "load_corpus",
]

CORPUS = Path(__file__).parent / "data" / "detection_corpus.yaml"
#: Written after the rule was tuned on `CORPUS`, never used to tune it.
HOLDOUT = Path(__file__).parent / "data" / "detection_holdout.yaml"

#: A detector as the benchmark sees it: the category of a problem report, or None.
Predict = Callable[[Message], str | None]


@dataclass(frozen=True, slots=True)
class Sample:
    section: str
    text: str
    problem: bool
    category: str | None = None
    photo: bool = False
    location: bool = False
    reply: bool = False

    def message(self, number: int) -> Message:
        """The sample as a group message from a resident, as an adapter would hand it over."""
        photos = (Attachment(AttachmentKind.PHOTO, f"photo-{number}", "image/jpeg"),)
        return Message(
            f"m{number}",
            ChatRef("bench", "work-group", ChatKind.GROUP, "北部新城工程"),
            UserRef("bench", f"u{number % 17}"),
            self.text,
            attachments=photos if self.photo else (),
            location=Location(26.65, 119.52) if self.location else None,
            reply_to=f"m{number - 1}" if self.reply else None,
        )


def load_corpus(*paths: Path) -> list[Sample]:
    """The samples of `paths` (default: the corpus and the held-out set)."""
    samples = []
    for path in paths or (CORPUS, HOLDOUT):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        samples += [
            Sample(section, **entry) for section, entries in data.items() for entry in entries
        ]
    return samples


@dataclass(slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


@dataclass(slots=True)
class Figures:
    overall: Score = field(default_factory=Score)
    categories: dict[str, Score] = field(default_factory=dict)
    #: (sample, what the detector said) for every sample it got wrong, category included.
    misses: list[tuple[Sample, str | None]] = field(default_factory=list)
    seconds: float = 0.0

    def per(self, category: str) -> Score:
        return self.categories.setdefault(category, Score())


def evaluate(samples: Sequence[Sample], predict: Predict) -> Figures:
    figures = Figures()
    messages = [sample.message(i) for i, sample in enumerate(samples)]
    started = time.perf_counter()
    said = [predict(message) for message in messages]
    figures.seconds = time.perf_counter() - started
    for sample, found in zip(samples, said, strict=True):
        overall = figures.overall
        if found is not None and sample.problem:
            overall.tp += 1
        elif found is not None:
            overall.fp += 1
        elif sample.problem:
            overall.fn += 1
        expected = sample.category if sample.problem else None
        if found == expected:
            if found is not None:
                figures.per(found).tp += 1
            continue
        figures.misses.append((sample, found))
        if found is not None:
            figures.per(found).fp += 1
        if expected is not None:
            figures.per(expected).fn += 1
    return figures


def detector(config: ComplaintsConfig | None = None) -> Predict:
    """The plugin's detector, as the "登记为问题" offer uses it."""
    config = config or ComplaintsConfig()
    matcher = matcher_for(config)

    def predict(message: Message) -> str | None:
        match = matcher.detect(message, config.min_score)
        return match.category if match is not None else None

    return predict


# The rule and the default vocabulary before the corpus existed (commit 35e6a5b), kept to
# measure against: what a district got out of the box.
_BEFORE_KEYWORDS = {
    "construction": ("混凝土", "偷工减料", "偷工減料", "工程质量", "工程質量", "施工", "养护",
                     "concrete"),
    "sanitation": ("垃圾", "污水", "臭", "脏", "髒", "garbage", "rubbish", "trash"),
    "roads": ("路灯", "坑洼", "道路", "堵车", "路燈", "pothole", "streetlight"),
    "utilities": ("停水", "停电", "水管", "漏水", "停電", "water pipe", "power cut"),
}  # fmt: skip
_BEFORE_SIGNALS = (
    "没人处理", "没人管", "无人处理", "沒人處理", "沒人管", "投诉", "投訴", "反映", "坏了",
    "壞了", "偷工减料", "偷工減料", "不规范", "没按规范", "隐患", "危险", "nobody", "broken",
    "complain", "dangerous",
)  # fmt: skip


def keyword_rule(min_score: int = 2) -> Predict:
    """The rule before: keyword, photo, location and signal word score 1 each."""
    owner = {w.casefold(): key for key, words in _BEFORE_KEYWORDS.items() for w in words}
    signals = {w.casefold() for w in _BEFORE_SIGNALS}
    words = sorted(owner.keys() | signals, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, words)))

    def predict(message: Message) -> str | None:
        hits = pattern.findall(message.text.casefold())
        found = Counter(owner[h] for h in hits if h in owner)
        if not found:
            return None
        category = found.most_common(1)[0][0]
        signal = any(h in signals for h in hits)
        score = 1 + bool(message.photos) + (message.location is not None) + signal
        return category if score >= min_score else None

    return predict


def report(name: str, figures: Figures, count: int) -> None:
    print(f"{name}: {figures.overall.line()}")
    for category, score in sorted(figures.categories.items()):
        print(f"    {category:<13} {score.line()}")
    per_message = figures.seconds / count * 1e6 if count else 0.0
    print(f"    {per_message:.1f} µs per message")


def main(show_misses: bool) -> None:
    for title, paths in (("tuned on", (CORPUS,)), ("held out", (HOLDOUT,)), ("all", ())):
        samples = load_corpus(*paths)
        problems = sum(s.problem for s in samples)
        print(
            f"detection, {title}: {len(samples)} messages, {problems} problems, "
            f"{len(samples) - problems} not"
        )
        report("  baseline (keyword rule before)", evaluate(samples, keyword_rule()), len(samples))
        now = evaluate(samples, detector())
        report("  detector", now, len(samples))
    by_section = Counter(sample.section for sample, _ in now.misses)
    print("  misses by section: " + (", ".join(f"{k} {v}" for k, v in by_section.items()) or "0"))
    if show_misses:
        matcher = matcher_for(ComplaintsConfig())
        for sample, found in now.misses:
            expected = sample.category
            print(f"    [{sample.section}] said {found}, expected {expected}: {sample.text!r}")
            weighed = matcher.weigh(sample.message(0))
            print(f"      score {weighed.score}: {' '.join(weighed.reasons)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="print every miss")
    args = parser.parse_args()
    main(args.misses)
