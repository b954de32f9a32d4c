"""`find_mentions`: where an outgoing text names each mentioned person, in the one order every
adapter links them (``@name`` before plain names, longer names first, a person once)."""

from __future__ import annotations

from qunzhu.core.adapter import MentionSpan, cut_at_mentions, find_mentions


def linked(text: str, people: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """The linked texts with their users, in the text's order."""
    return [(text[s.start : s.end], s.user) for s in find_mentions(text, people)]


def test_the_written_at_form_is_linked_before_the_plain_name() -> None:
    text = "宁德市长：尚未汇报 @宁德市长"
    assert linked(text, [("nd", ["宁德市长"])]) == [("@宁德市长", "nd")]
    assert find_mentions(text, [("nd", ["宁德市长"])]) == [MentionSpan(10, 15, "nd")]


def test_the_first_name_before_the_second_and_at_forms_of_any_before_plain() -> None:
    people = [("7", ["福州市长", "Lin"])]
    assert linked("Lin 与 福州市长", people) == [("福州市长", "7")]
    assert linked("@Lin 与 福州市长", people) == [("@Lin", "7")]  # any @-form first
    assert linked("@Lin 与 @福州市长", people) == [("@福州市长", "7")]


def test_overlapping_names_in_either_order_of_the_mentions() -> None:
    """福州 must not take the first two characters of @福州市长, whoever was mentioned first."""
    text = "请 @福州市长 和 @福州 今天汇报"
    expected = [("@福州市长", "mayor"), ("@福州", "city")]
    assert linked(text, [("city", ["福州"]), ("mayor", ["福州市长"])]) == expected
    assert linked(text, [("mayor", ["福州市长"]), ("city", ["福州"])]) == expected
    plain = "福州市长和福州"
    expected = [("福州市长", "mayor"), ("福州", "city")]
    assert linked(plain, [("city", ["福州"]), ("mayor", ["福州市长"])]) == expected
    assert linked(plain, [("mayor", ["福州市长"]), ("city", ["福州"])]) == expected


def test_no_match_links_nobody() -> None:
    assert find_mentions("请提交周报", [("7", ["Ana"]), ("8", [])]) == []
    assert find_mentions("", [("7", ["Ana"])]) == []
    assert find_mentions("Ana", []) == []
    assert find_mentions("@ and more", [("7", ["", ""])]) == []  # empty names are no names


def test_several_people_each_once_in_the_texts_order() -> None:
    text = "@厦门市长 @福州市长 请 @厦门市长 再看"
    people = [("fz", ["福州市长"]), ("xm", ["厦门市长"]), ("fz", ["Lin"])]
    assert linked(text, people) == [("@厦门市长", "xm"), ("@福州市长", "fz")]


def test_the_same_name_goes_to_the_first_mentioned_then_the_next_occurrence() -> None:
    text = "Ana 和 Ana"
    assert find_mentions(text, [(1, ["Ana"]), (2, ["Ana"])]) == [
        MentionSpan(0, 3, 1),
        MentionSpan(6, 9, 2),
    ]


def test_cut_at_mentions_gives_runs_with_their_user() -> None:
    text = "请 @福州市长 和 @福州 今天汇报"
    people = [("city", ["福州"]), ("mayor", ["福州市长"])]
    assert cut_at_mentions(text, find_mentions(text, people)) == [
        ("请 ", None),
        ("@福州市长", "mayor"),
        (" 和 ", None),
        ("@福州", "city"),
        (" 今天汇报", None),
    ]
    assert cut_at_mentions("@Ana", [MentionSpan(0, 4, 7)]) == [("@Ana", 7)]
    assert cut_at_mentions("plain", []) == [("plain", None)]
    assert cut_at_mentions("", []) == []
