"""Telegram's HTML parse mode and automatic entities, checked without a server."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.adapters.telegram.emulator.entities import detect, finish, utf16_len
from qunzhu.adapters.telegram.emulator.errors import ApiError
from qunzhu.adapters.telegram.emulator.html_text import parse_html


def parsed(source: str, **kwargs: Any) -> tuple[str, list[tuple[Any, ...]]]:
    text, entities = finish(*parse_html(source, **kwargs))
    return text, [tuple(e.values()) for e in entities]


def test_nested_tags_sorted_by_offset_then_length() -> None:
    assert parsed("<b>bold <i>both</i></b> <u>u</u><s>s</s>") == (
        "bold both us",
        [(0, 9, "bold"), (5, 4, "italic"), (10, 1, "underline"), (11, 1, "strikethrough")],
    )


def test_offsets_are_utf16_code_units() -> None:
    assert utf16_len("😀") == 2
    assert parsed("😀路<b>灯</b>") == ("😀路灯", [(3, 1, "bold")])


def test_pre_with_code_language_and_plain_code() -> None:
    source = '<pre><code class="language-python">print(1)</code></pre> <code>x</code>'
    assert parsed(source) == (
        "print(1) x",
        [(0, 8, "pre", "python"), (9, 1, "code")],
    )


def test_spoilers_quotes_and_custom_emoji() -> None:
    source = (
        '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>'
        "<blockquote expandable>c</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert parsed(source) == (
        "abc👍",
        [
            (0, 1, "spoiler"),
            (1, 1, "spoiler"),
            (2, 1, "expandable_blockquote"),
            (3, 2, "custom_emoji", "5368324170671202286"),
        ],
    )


def test_character_entities_and_a_bare_ampersand() -> None:
    assert parsed("&lt;&gt;&amp;&quot;&#65;&#x42;") == ('<>&"AB', [])
    assert parsed("Tom & Jerry &copy;") == ("Tom & Jerry &copy;", [])  # as Telegram keeps it
    with pytest.raises(ApiError, match='character "&" must be escaped'):
        parse_html("Tom & Jerry", strict=True)


def test_links() -> None:
    users = {5: {"id": 5, "is_bot": False, "first_name": "Ana"}}
    text, entities = finish(
        *parse_html(
            '<a href="https://x.org/a?b=1">x</a> <a>example.com</a> <a href="tg://user?id=5">Ana</a>',
            users=users.get,
        )
    )
    assert text == "x example.com Ana"
    assert [e.get("url") for e in entities] == ["https://x.org/a?b=1", "http://example.com/", None]
    assert entities[2]["type"] == "text_mention" and entities[2]["user"]["id"] == 5


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("路灯 <x>", 'Unsupported start tag "x" at byte offset 7'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
    ],
)
def test_errors_are_telegrams(source: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.code == 400
    assert caught.value.description == f"Bad Request: can't parse entities: {error}"


def test_surrounding_whitespace_is_stripped_with_the_entities() -> None:
    assert parsed("\n  <b> hi </b>\n") == ("hi", [(0, 2, "bold")])


def test_detect_finds_what_telegram_links_by_itself() -> None:
    text = "see https://example.com/x. or /start@qunzhu_bot #路灯 $USD ana@mail.com @ana_li"
    found = [(text[e["offset"] : e["offset"] + e["length"]], e["type"]) for e in detect(text)]
    assert sorted(found, key=lambda f: text.index(f[0])) == [
        ("https://example.com/x", "url"),
        ("/start@qunzhu_bot", "bot_command"),
        ("#路灯", "hashtag"),
        ("$USD", "cashtag"),
        ("ana@mail.com", "email"),
        ("@ana_li", "mention"),
    ]
