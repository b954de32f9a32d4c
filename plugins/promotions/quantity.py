"""Quantities as buyers write them: "两千斤", "1.5万斤", "2吨", "半吨", "三百条", "10箱",
"全部要了", "２００", "要五十斤", "50斤左右", read against the product's unit and its conversions.

Every reading is understood (an amount in the product's unit, with the conversion to show),
asked about (approximate or rounded: "您是指 50 斤吗？"; everything that is left), or refused with
a reason (exponents, negatives, zero, absurd sizes, a unit the product has no conversion for):
never silently misread. Chinese numerals are read by cn2an; plain digits by `Decimal`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import cn2an  # type: ignore[import-untyped]

__all__ = [
    "MAX_UNITS",
    "Conversion",
    "Reading",
    "conversions_of",
    "parse_conversions",
    "read_number",
    "read_quantity",
]

#: More units than anyone sells or orders (and below what the database holds).
MAX_UNITS = Decimal(10) ** 12
#: Standard weights, in 斤.
WEIGHTS = {"斤": Decimal(1), "公斤": Decimal(2), "吨": Decimal(2000), "两": Decimal("0.1"),
           "克": Decimal("0.002")}  # fmt: skip
_ALIASES = {"噸": "吨", "t": "吨", "kg": "公斤", "千克": "公斤", "兩": "两", "g": "克", "jin": "斤",
            "條": "条", "隻": "只", "個": "个", "頭": "头"}  # fmt: skip
_NUMERALS = (
    "0123456789.点點零〇一二两兩三四五六七八九十百千万萬亿億壹贰貳叁參肆伍陆陸柒捌玖拾佰仟半"
)
_EXPONENT = re.compile(r"\d\s*e\s*[-+]?\d|\^|\*\*|次方|次幂|次冪", re.I)
_NEGATIVE = re.compile(r"^\s*(?:-|−|负|負|减|減)")
_RANGE = re.compile(rf"[{_NUMERALS}]\s*(?:-|~|～|到|至)\s*[{_NUMERALS}]")
_VAGUE = re.compile(r"几|幾|若干|很多|一些|好多|不少|some|many|lots", re.I)
_APPROX = re.compile(r"左右|上下|大约|大約|大概|差不多|约|約|估计|估計|出头|出頭|≈|^~|^～"
                     rf"|(?<=[{_NUMERALS}])(?:多|来|來)")  # fmt: skip
_FILLER_START = re.compile(
    r"^(?:我想要|我要|想要|给我|給我|订购|訂購|我订|我訂|订|訂|买|買|要|来|來)"
)
_FILLER_END = re.compile(r"(?:就行|就好|吧|啊|呀|的|了|。|！|!|\.|，|,)+$")
_EVERYTHING = re.compile(
    r"^(?:我)?(?:剩下的|剩下|剩余的|剩餘的|余下的|餘下的|所有的|所有)?"
    r"(?:全部|全|都|统统|統統|通通)(?:都)?(?:要|买|買|订|訂|拿|包)?(?:了|吧)?$"
    r"|^包圆了?$|^包圓了?$|^(?:all|everything|all of it)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Conversion:
    """One `unit` is `per` of the product's unit (about, when `approx`)."""

    unit: str
    per: Decimal
    approx: bool = False


@dataclass(frozen=True, slots=True)
class Reading:
    """What a buyer's text means for a product.

    ``amount`` is in the product's unit; ``everything``: all that is left (to confirm with the
    number); ``confirm``: the amount is a guess to ask about ("您是指 50 斤吗？"); ``problem``:
    why it is refused (a key of the plugin's `PROBLEMS`); ``written`` the number and unit as
    written and ``conversion`` the one used, for "三百条 ≈ 1,350 斤（按每条约4.5斤）"."""

    amount: int | None = None
    everything: bool = False
    confirm: bool = False
    problem: str = ""
    written: str = ""
    conversion: Conversion | None = None


def _normal(text: str) -> str:
    """Full-width digits and letters as ASCII, no spaces or thousands separators."""
    s = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"(?<=\d),(?=\d{3})|\s+", "", s)


def _unit(word: str) -> str:
    return _ALIASES.get(word.lower(), _ALIASES.get(word, word))


def read_number(text: str) -> tuple[Decimal | None, str]:  # noqa: PLR0911 - one per check
    """A number written with digits, Chinese numerals or both ("200", "两千", "1.5万", "半"):
    (the number, "") or (None, the problem: "exponent", "negative", "unreadable")."""
    s = _normal(text)
    if _EXPONENT.search(s):
        return None, "exponent"
    if _NEGATIVE.search(s):
        return None, "negative"
    if not s:
        return None, "unreadable"
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return Decimal(s), ""
    if s == "半":
        return Decimal("0.5"), ""
    if not all(c in _NUMERALS for c in s):
        return None, "unreadable"
    try:
        value = cn2an.cn2an(s, "smart")
    except (ValueError, KeyError, IndexError):
        return None, "unreadable"
    try:
        return Decimal(str(value)), ""
    except InvalidOperation:
        return None, "unreadable"


def leading_number(text: str) -> Decimal | None:
    """The number `text` starts with ("三千五百斤" → 3500), or None (none, or refused)."""
    match = re.match(f"[{_NUMERALS}]+", _normal(text))
    return read_number(match.group())[0] if match else None


def read_quantity(  # noqa: PLR0911 - one return per kind of answer
    text: str, unit: str, conversions: dict[str, Conversion] | None = None
) -> Reading:
    """Read `text` as a quantity of a product sold by `unit`, with the seller's `conversions`
    (one 条 is about 4.5 斤...); weights (斤, 公斤, 吨, 两, 克) are known."""
    s = _FILLER_END.sub("", _FILLER_START.sub("", _normal(text)))
    if _EVERYTHING.fullmatch(s):
        return Reading(everything=True)
    if _EXPONENT.search(s):
        return Reading(problem="exponent")
    if _NEGATIVE.search(s):
        return Reading(problem="negative")
    if _RANGE.search(s) or _VAGUE.search(s):
        return Reading(problem="vague")
    approx = bool(_APPROX.search(s))
    s = _APPROX.sub("", s)
    written = s
    number, word = _split(s, unit, conversions or {})
    if number is None:
        return Reading(problem=word or "unreadable")
    if number == 0:
        return Reading(problem="zero")
    conversion = _conversion(_unit(word) if word else unit, unit, conversions or {})
    if conversion is None:
        return Reading(problem="unit", written=word)
    exact = number * conversion.per
    if exact > MAX_UNITS:
        return Reading(problem="too_large")
    amount = max(int(exact.to_integral_value(ROUND_HALF_UP)), 1)
    shown = conversion if conversion.unit != unit else None
    guess = approx or (exact != amount and not conversion.approx)
    return Reading(amount=amount, confirm=guess, written=written, conversion=shown)


def _split(s: str, unit: str, conversions: dict[str, Conversion]) -> tuple[Decimal | None, str]:
    """The number and the unit word after it ("三两": 3 两; "两斤": 2 斤; "一吨半": 1.5 吨)."""
    known = {*WEIGHTS, *_ALIASES, unit, *conversions}
    best: tuple[Decimal | None, str] = (None, "unreadable")
    for cut in range(len(s), 0, -1):
        head, word = s[:cut], s[cut:]
        if len(head) > 1 and head[-1] in "两兩":
            continue  # "三两" is 3 两 (cn2an would read 32), "两两" is 2 两
        half = Decimal(0)
        if word.endswith("半") and len(word) > 1:  # 一吨半, 两斤半
            word, half = word[:-1], Decimal("0.5")
        number, problem = read_number(head)
        if number is None:
            if problem != "unreadable":
                return None, problem
            continue
        if not word or word in known or word.lower() in known:
            return number + half, word
        if best[0] is None and len(word) <= 4 and not any(c in _NUMERALS for c in word):
            best = (number + half, word)  # a unit word we do not know: asked about
    return best


def _conversion(word: str, unit: str, conversions: dict[str, Conversion]) -> Conversion | None:
    """How many `unit` one `word` is: the same unit, a declared conversion, or by weight."""
    unit = _unit(unit)
    if word == unit:
        return Conversion(unit, Decimal(1))
    if word in conversions:
        return conversions[word]
    if word in WEIGHTS and unit in WEIGHTS:
        return Conversion(word, WEIGHTS[word] / WEIGHTS[unit])
    if word in WEIGHTS:  # a product by the box, with "1斤 = 0.05箱" declared: any weight
        for known, c in conversions.items():
            if known in WEIGHTS:
                return Conversion(word, WEIGHTS[word] / WEIGHTS[known] * c.per, c.approx)
    return None


_CONVERSION = re.compile(
    r"(?:1|一|每)?\s*([^\d\s=≈约約~～,，;；、]{1,4}?)\s*(=|≈|约|約|~|～|是|合)\s*(约|約|≈|~|～)?\s*"
    r"(\d+(?:\.\d+)?)\s*([^\d\s,，;；、]{0,4})"
)


def parse_conversions(text: str, unit: str) -> dict[str, Conversion] | None:
    """What a seller writes: "1条=4.5斤, 1箱=20斤", "条约4.5斤" (约: about). None when a part
    cannot be read or names another unit than `unit` (or a weight, when `unit` is one)."""
    s = unicodedata.normalize("NFKC", text).strip()
    found: dict[str, Conversion] = {}
    rest = s
    for m in _CONVERSION.finditer(s):
        word, sign, about, number, target = m.groups()
        per = Decimal(number)
        word, target = _unit(word), _unit(target) if target else _unit(unit)
        approx = sign in "≈约約~～" or bool(about)
        if per <= 0 or per > MAX_UNITS:
            return None
        base = _conversion(target, unit, {})
        if word == _unit(unit) and target in WEIGHTS:  # 箱 sold by the box: "1箱=20斤"
            word, per, base = target, 1 / per, Conversion(target, Decimal(1))
        if base is None:
            return None
        found[word] = Conversion(word, per * base.per, approx)
        rest = rest.replace(m[0], " ", 1)
    if not found or re.sub(r"[\s,，;；、和及]+", "", rest):
        return None
    return found


def conversions_of(stored: dict[str, Any] | None) -> dict[str, Conversion]:
    """The conversions as kept in the product row: ``{"条": {"per": "4.5", "approx": true}}``."""
    return {
        word: Conversion(word, Decimal(str(c["per"])), bool(c.get("approx")))
        for word, c in (stored or {}).items()
    }
