"""The small helpers plugins used to write themselves: `aware` (a time read back from SQLite)
and `ChatRef.parse` (a chat key from config or a table)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from qunzhu.core import ChatKind, ChatRef, aware


def test_a_naive_time_from_the_database_is_utc_and_an_aware_one_is_kept() -> None:
    assert aware(datetime(2026, 1, 5, 1, 0)) == datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # noqa: DTZ001
    shanghai = datetime(2026, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert aware(shanghai) is shanghai


def test_a_chat_key_names_its_chat() -> None:
    assert ChatRef.parse("telegram:-100123") == ChatRef("telegram", "-100123", ChatKind.GROUP)
    direct = ChatRef.parse("console:dm:ana", "direct", title="Ana")
    assert direct == ChatRef("console", "dm:ana", ChatKind.DIRECT, "Ana")
    room = ChatRef.parse("matrix:!abc:example.org")  # a Matrix room id has a colon of its own
    assert (room.chat_id, room.key) == ("!abc:example.org", "matrix:!abc:example.org")
