"""Story 3.7: quantities as buyers write them, read against the product's unit and conversions:
each is an amount in the product's unit (converted when written in another unit), a guess to ask
about ("您是指 50 斤吗？"), everything that is left (asked with the number), or refused with a
reason. Never silently misread."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qunzhu.plugins.promotions.quantity import (
    Conversion,
    parse_conversions,
    read_number,
    read_quantity,
)

#: 通山鮰鱼, sold by the 斤: one 条 is about 4.5 斤, one 箱 is 20 斤.
FISH = {"条": Conversion("条", Decimal("4.5"), approx=True), "箱": Conversion("箱", Decimal(20))}
#: A product sold by the 箱 (one 箱 = 20 斤, as the seller declared it).
BOX = parse_conversions("1箱=20斤", "箱")
assert BOX is not None
ALL = "all"

# text, unit, conversions, expected: an int (amount), ("ask", n), ALL, or the problem
CORPUS: list[tuple[str, str, dict[str, Conversion] | None, object]] = [
    # plain numbers, in the product's unit
    ("200", "斤", FISH, 200),
    ("２００", "斤", FISH, 200),
    ("200斤", "斤", FISH, 200),
    ("200 斤", "斤", FISH, 200),
    ("2,000", "斤", FISH, 2000),
    ("2,000 斤", "斤", FISH, 2000),
    ("５０斤", "斤", FISH, 50),
    ("两千斤", "斤", FISH, 2000),
    ("兩千斤", "斤", FISH, 2000),
    ("两千", "斤", FISH, 2000),
    ("三千五百斤", "斤", FISH, 3500),
    ("两千五", "斤", FISH, 2500),
    ("一万五", "斤", FISH, 15000),
    ("1.5万斤", "斤", FISH, 15000),
    ("1.5万", "斤", FISH, 15000),
    ("2万5千斤", "斤", FISH, 25000),
    ("200万斤", "斤", FISH, 2_000_000),
    ("一千零五斤", "斤", FISH, 1005),
    ("壹仟斤", "斤", FISH, 1000),
    ("十斤", "斤", FISH, 10),
    ("两", "斤", FISH, 2),
    ("要五十斤", "斤", FISH, 50),
    ("我要两千斤", "斤", FISH, 2000),
    ("来500斤吧", "斤", FISH, 500),
    ("订300斤。", "斤", FISH, 300),
    # weights: known without a declaration
    ("2吨", "斤", FISH, 4000),
    ("2噸", "斤", FISH, 4000),
    ("半吨", "斤", FISH, 1000),
    ("一吨半", "斤", FISH, 3000),
    ("0.5吨", "斤", FISH, 1000),
    ("50公斤", "斤", FISH, 100),
    ("50kg", "斤", FISH, 100),
    ("50千克", "斤", FISH, 100),
    ("500g", "斤", FISH, 1),
    ("一千克", "斤", FISH, 2),
    ("2吨", "公斤", None, 2000),
    ("100斤", "公斤", None, 50),
    # the seller's conversions
    ("三百条", "斤", FISH, 1350),
    ("300条", "斤", FISH, 1350),
    ("3条", "斤", FISH, 14),
    ("10箱", "斤", FISH, 200),
    ("十箱", "斤", FISH, 200),
    ("10箱", "箱", BOX, 10),
    ("100斤", "箱", BOX, 5),
    ("1吨", "箱", BOX, 100),
    # guesses: asked back with the amount
    ("50斤左右", "斤", FISH, ("ask", 50)),
    ("大约50斤", "斤", FISH, ("ask", 50)),
    ("约两千斤", "斤", FISH, ("ask", 2000)),
    ("五十多斤", "斤", FISH, ("ask", 50)),
    ("差不多1吨", "斤", FISH, ("ask", 2000)),
    ("1.5斤", "斤", FISH, ("ask", 2)),
    ("两斤半", "斤", FISH, ("ask", 3)),
    ("三两", "斤", FISH, ("ask", 1)),
    # everything that is left (confirmed with the number)
    ("全部要了", "斤", FISH, ALL),
    ("全要了", "斤", FISH, ALL),
    ("都要", "斤", FISH, ALL),
    ("都要了", "斤", FISH, ALL),
    ("剩下的全要了", "斤", FISH, ALL),
    ("我全部要了", "斤", FISH, ALL),
    ("包圆了", "斤", FISH, ALL),
    ("all", "斤", FISH, ALL),
    # refused, with the reason
    ("1e9", "斤", FISH, "exponent"),
    ("1E9斤", "斤", FISH, "exponent"),
    ("10^23", "斤", FISH, "exponent"),
    ("10**23", "斤", FISH, "exponent"),
    ("10的23次方", "斤", FISH, "exponent"),
    ("-5", "斤", FISH, "negative"),
    ("－5斤", "斤", FISH, "negative"),
    ("负五斤", "斤", FISH, "negative"),
    ("0", "斤", FISH, "zero"),
    ("零", "斤", FISH, "zero"),
    ("0斤", "斤", FISH, "zero"),
    ("100000000000000", "斤", FISH, "too_large"),
    ("十万亿斤", "斤", FISH, "too_large"),
    ("很多", "斤", FISH, "vague"),
    ("几百斤", "斤", FISH, "vague"),
    ("50-100斤", "斤", FISH, "vague"),
    ("五十到一百斤", "斤", FISH, "vague"),
    ("一些", "斤", FISH, "vague"),
    ("10只", "斤", FISH, "unit"),
    ("三百条", "斤", None, "unit"),
    ("10箱", "斤", None, "unit"),
    ("5份", "斤", FISH, "unit"),
    ("abc", "斤", FISH, "unreadable"),
    ("", "斤", FISH, "unreadable"),
]


@pytest.mark.parametrize(("text", "unit", "conversions", "expected"), CORPUS)
def test_a_quantity_as_buyers_write_it(
    text: str, unit: str, conversions: dict[str, Conversion] | None, expected: object
) -> None:
    reading = read_quantity(text, unit, conversions)
    if expected == ALL:
        assert reading.everything and reading.amount is None, reading
    elif isinstance(expected, int):
        assert (reading.amount, reading.confirm, reading.problem) == (expected, False, ""), reading
    elif isinstance(expected, tuple):
        assert (reading.amount, reading.confirm) == (expected[1], True), reading
    else:
        assert (reading.problem, reading.amount) == (expected, None), reading


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 60


def test_the_conversion_shown_is_the_one_used() -> None:
    reading = read_quantity("三百条", "斤", FISH)
    assert reading.written == "三百条" and reading.conversion == FISH["条"]
    assert read_quantity("200斤", "斤", FISH).conversion is None  # nothing converted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1条=4.5斤, 1箱=20斤", {"条": ("4.5", False), "箱": ("20", False)}),
        ("1条约4.5斤，1箱=20斤", {"条": ("4.5", True), "箱": ("20", False)}),
        ("每条约4.5斤", {"条": ("4.5", True)}),
        ("1条≈4.5", {"条": ("4.5", True)}),
        ("1箱=10公斤", {"箱": ("20", False)}),
        ("lots", None),
        ("1条=-4斤", None),
        ("1条=1e9斤", None),
    ],
)
def test_what_a_seller_writes_as_conversions(
    text: str, expected: dict[str, tuple[str, bool]] | None
) -> None:
    found = parse_conversions(text, "斤")
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert {k: (format(c.per.normalize(), "f"), c.approx) for k, c in found.items()} == expected


@pytest.mark.parametrize(
    ("text", "number", "problem"),
    [
        ("12.5", Decimal("12.5"), ""),
        ("十二", Decimal(12), ""),
        ("1e9", None, "exponent"),
        ("-5", None, "negative"),
        ("便宜", None, "unreadable"),
    ],
)
def test_a_number_for_a_price_or_a_stock(text: str, number: Decimal | None, problem: str) -> None:
    assert read_number(text) == (number, problem)
