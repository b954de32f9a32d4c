"""Deadlines as people write them, read on the working calendar: each phrasing, said at a chosen
moment (the eve of 国庆 2026, the holiday, the first day back, the make-up Saturday 10月10日, an
ordinary Friday and Monday, evenings, the eve of 春节 2027), and what the bot makes of it:

* ``"2026-10-08 17:30"``: the deadline, taken at once;
* ``"moved 2026-10-08 17:30"``: the day said is a day off; the deadline is the next working day's
  close and the bot says why;
* ``"ask 2026-10-08 17:30"``: read with doubt; the bot asks back with this suggestion;
* ``"past"``: already passed (refused); ``"not understood"``: no deadline read (asked, with
  examples).

Working hours 08:30-12:00 and 14:00-17:30 ("下班" is 17:30). chinesecalendar does not know 2027
yet, so 春节 2027 is listed as a deployment lists it under ``calendar.holidays`` (here assumed:
2月5日 to 2月11日, back on Friday 2月12日).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from qunzhu.core import WorkCalendar, find_deadline

TZ = ZoneInfo("Asia/Shanghai")
SPRING_FESTIVAL_2027 = [date(2027, 2, 5) + timedelta(days=n) for n in range(7)]
CALENDAR = WorkCalendar(
    TZ,
    preset="cn",
    hours=((time(8, 30), time(12)), (time(14), time(17, 30))),
    holidays=SPRING_FESTIVAL_2027,
)
END_OF_WORK = time(17, 30)

NOW = {
    "EVE": datetime(2026, 9, 30, 16, tzinfo=TZ),  # Wednesday, the eve of National Day
    "HOLIDAY": datetime(2026, 10, 3, 10, tzinfo=TZ),  # Saturday in the holiday
    "BACK": datetime(2026, 10, 8, 9, 30, tzinfo=TZ),  # Thursday, the first day back
    "MAKEUP": datetime(2026, 10, 10, 10, tzinfo=TZ),  # a make-up Saturday (调休上班)
    "FRIDAY": datetime(2026, 11, 20, 10, tzinfo=TZ),
    "FRIDAY_EVENING": datetime(2026, 11, 20, 19, tzinfo=TZ),
    "MONDAY": datetime(2026, 11, 23, 10, tzinfo=TZ),
    "MONDAY_EVENING": datetime(2026, 11, 23, 20, tzinfo=TZ),
    "SPRING_EVE": datetime(2027, 2, 4, 16, tzinfo=TZ),  # Thursday, the eve of 春节
    "SPRING": datetime(2027, 2, 8, 11, tzinfo=TZ),  # Monday in the holiday
}

CASES = [
    ("EVE", "明天下班以前完成现场整改", "moved 2026-10-08 17:30"),
    ("EVE", "明天下班前", "moved 2026-10-08 17:30"),
    ("EVE", "明天", "moved 2026-10-08 17:30"),
    ("EVE", "今天下班前", "2026-09-30 17:30"),
    ("EVE", "今晚12点前", "2026-10-01 00:00"),
    ("EVE", "今晚", "2026-10-01 00:00"),
    ("EVE", "节后第一天", "2026-10-08 17:30"),
    ("EVE", "节后上班第一天", "2026-10-08 17:30"),
    ("EVE", "国庆节后第一天下班前", "2026-10-08 17:30"),
    ("EVE", "国庆后第二天", "2026-10-09 17:30"),
    ("EVE", "节后第一天上午", "2026-10-08 12:00"),
    ("EVE", "周五前", "moved 2026-10-08 17:30"),
    ("EVE", "下周一上午", "moved 2026-10-08 17:30"),
    ("EVE", "下周一上午10点前", "moved 2026-10-08 17:30"),
    ("EVE", "月底前", "2026-09-30 17:30"),
    ("EVE", "本月底前", "2026-09-30 17:30"),
    ("EVE", "三个工作日内", "2026-10-10 17:30"),
    ("EVE", "3个工作日内", "2026-10-10 17:30"),
    ("EVE", "两天内", "moved 2026-10-08 17:30"),
    ("EVE", "3天内", "moved 2026-10-08 17:30"),
    ("EVE", "本周内", "2026-09-30 17:30"),
    ("EVE", "后天中午", "moved 2026-10-08 17:30"),
    ("EVE", "12月10日前", "2026-12-10 17:30"),
    ("EVE", "12月10日17点", "2026-12-10 17:00"),
    ("EVE", "10号前", "2026-10-10 17:30"),
    ("EVE", "十二月十日前", "2026-12-10 17:30"),
    ("EVE", "10月3日前", "ask 2026-10-08 17:30"),
    ("EVE", "10月8日前", "2026-10-08 17:30"),
    ("EVE", "3点前", "ask 2026-10-08 17:30"),
    ("EVE", "一周内", "moved 2026-10-08 17:30"),
    ("EVE", "两小时内", "2026-09-30 18:00"),
    ("EVE", "30分钟内", "2026-09-30 16:30"),
    ("EVE", "明早", "moved 2026-10-08 17:30"),
    ("EVE", "大后天", "moved 2026-10-08 17:30"),
    ("EVE", "下午5点前", "2026-09-30 17:00"),
    ("EVE", "17:00前", "2026-09-30 17:00"),
    ("EVE", "今天17点前", "2026-09-30 17:00"),
    ("EVE", "今天9点前", "past"),
    ("EVE", "尽快", "not understood"),
    ("EVE", "抓紧办理", "not understood"),
    ("EVE", "2026-10-09 12:00", "2026-10-09 12:00"),
    ("EVE", "十月九日下午三点", "2026-10-09 15:00"),
    ("EVE", "tomorrow 6pm", "moved 2026-10-08 17:30"),
    ("EVE", "by Friday", "moved 2026-10-08 17:30"),
    ("EVE", "within 3 working days", "2026-10-10 17:30"),
    ("EVE", "within 2 hours", "2026-09-30 18:00"),
    ("EVE", "end of day", "2026-09-30 17:30"),
    ("EVE", "下班前", "2026-09-30 17:30"),
    ("EVE", "星期四前", "moved 2026-10-08 17:30"),
    ("EVE", "周日前", "moved 2026-10-08 17:30"),
    ("HOLIDAY", "明天下班前", "moved 2026-10-08 17:30"),
    ("HOLIDAY", "今天下班前", "moved 2026-10-08 17:30"),
    ("HOLIDAY", "节后第一天", "2026-10-08 17:30"),
    ("HOLIDAY", "节后上班第一天下班前", "2026-10-08 17:30"),
    ("HOLIDAY", "三个工作日内", "2026-10-10 17:30"),
    ("HOLIDAY", "两天内", "moved 2026-10-08 17:30"),
    ("HOLIDAY", "周五前", "2026-10-09 17:30"),
    ("HOLIDAY", "下周一上午", "moved 2026-10-08 17:30"),
    ("HOLIDAY", "10月8日17点", "2026-10-08 17:00"),
    ("HOLIDAY", "10号前", "2026-10-10 17:30"),
    ("HOLIDAY", "月底前", "moved 2026-10-30 17:30"),
    ("HOLIDAY", "两小时内", "2026-10-03 12:00"),
    ("HOLIDAY", "今晚12点前", "moved 2026-10-08 17:30"),
    ("HOLIDAY", "本周内", "ask 2026-10-08 17:30"),
    ("HOLIDAY", "后天中午", "moved 2026-10-08 17:30"),
    ("HOLIDAY", "12月10日前", "2026-12-10 17:30"),
    ("HOLIDAY", "国庆节后第一天下班前", "2026-10-08 17:30"),
    ("BACK", "明天下班前", "2026-10-09 17:30"),
    ("BACK", "今天下班前", "2026-10-08 17:30"),
    ("BACK", "后天", "2026-10-10 17:30"),
    ("BACK", "后天中午", "2026-10-10 12:00"),
    ("BACK", "周五前", "2026-10-09 17:30"),
    ("BACK", "本周内", "2026-10-10 17:30"),
    ("BACK", "三个工作日内", "2026-10-12 17:30"),
    ("BACK", "两天内", "2026-10-10 17:30"),
    ("BACK", "3天内", "moved 2026-10-12 17:30"),
    ("BACK", "下周一上午", "2026-10-12 12:00"),
    ("BACK", "月底前", "moved 2026-10-30 17:30"),
    ("BACK", "12月10日前", "2026-12-10 17:30"),
    ("BACK", "10号前", "2026-10-10 17:30"),
    ("BACK", "15号前", "2026-10-15 17:30"),
    ("BACK", "今晚12点前", "2026-10-09 00:00"),
    ("BACK", "节后第一天", "not understood"),
    ("BACK", "10点前", "2026-10-08 10:00"),
    ("BACK", "两小时内", "2026-10-08 11:30"),
    ("BACK", "十二月十日前", "2026-12-10 17:30"),
    ("MAKEUP", "明天下班前", "moved 2026-10-12 17:30"),
    ("MAKEUP", "今天下班前", "2026-10-10 17:30"),
    ("MAKEUP", "三个工作日内", "2026-10-14 17:30"),
    ("MAKEUP", "两天内", "2026-10-12 17:30"),
    ("MAKEUP", "周一前", "2026-10-12 17:30"),
    ("MAKEUP", "下周一上午", "2026-10-12 12:00"),
    ("MAKEUP", "本周内", "2026-10-10 17:30"),
    ("MAKEUP", "月底前", "moved 2026-10-30 17:30"),
    ("MAKEUP", "后天中午", "2026-10-12 12:00"),
    ("MAKEUP", "今晚12点前", "2026-10-11 00:00"),
    ("FRIDAY", "明天下班以前", "moved 2026-11-23 17:30"),
    ("FRIDAY", "明天下班前", "moved 2026-11-23 17:30"),
    ("FRIDAY", "今天下班前", "2026-11-20 17:30"),
    ("FRIDAY", "后天", "moved 2026-11-23 17:30"),
    ("FRIDAY", "两天内", "moved 2026-11-23 17:30"),
    ("FRIDAY", "3天内", "2026-11-23 17:30"),
    ("FRIDAY", "三个工作日内", "2026-11-25 17:30"),
    ("FRIDAY", "下周一上午", "2026-11-23 12:00"),
    ("FRIDAY", "下周一上午9点半前", "2026-11-23 09:30"),
    ("FRIDAY", "周五前", "2026-11-20 17:30"),
    ("FRIDAY", "本周内", "2026-11-20 17:30"),
    ("FRIDAY", "月底前", "2026-11-30 17:30"),
    ("FRIDAY", "12月10日17点", "2026-12-10 17:00"),
    ("FRIDAY", "12月5日前", "ask 2026-12-07 17:30"),
    ("FRIDAY", "10号前", "2026-12-10 17:30"),
    ("FRIDAY", "25号前", "2026-11-25 17:30"),
    ("FRIDAY", "一周内", "2026-11-27 17:30"),
    ("FRIDAY", "今晚12点前", "2026-11-21 00:00"),
    ("FRIDAY", "节后第一天", "ask 2027-02-12 17:30"),
    ("FRIDAY", "中午12点前", "2026-11-20 12:00"),
    ("FRIDAY", "下午3点前", "2026-11-20 15:00"),
    ("FRIDAY", "3点前", "ask 2026-11-20 15:00"),
    ("FRIDAY", "11月1日前", "ask 2027-11-01 17:30"),
    ("FRIDAY", "周三前", "2026-11-25 17:30"),
    ("FRIDAY", "下周三前", "2026-11-25 17:30"),
    ("FRIDAY", "过几天", "not understood"),
    ("FRIDAY_EVENING", "周五前", "ask 2026-11-27 17:30"),
    ("FRIDAY_EVENING", "今晚12点前", "2026-11-21 00:00"),
    ("FRIDAY_EVENING", "明天下班前", "moved 2026-11-23 17:30"),
    ("FRIDAY_EVENING", "本周内", "ask 2026-11-23 17:30"),
    ("FRIDAY_EVENING", "今天下班前", "past"),
    ("FRIDAY_EVENING", "8点前", "ask 2026-11-23 17:30"),
    ("FRIDAY_EVENING", "下周一上午", "2026-11-23 12:00"),
    ("FRIDAY_EVENING", "两天内", "moved 2026-11-23 17:30"),
    ("MONDAY", "明天下班前", "2026-11-24 17:30"),
    ("MONDAY", "周五前", "2026-11-27 17:30"),
    ("MONDAY", "周五12点", "2026-11-27 12:00"),
    ("MONDAY", "周五下午三点半前", "2026-11-27 15:30"),
    ("MONDAY", "本周内", "2026-11-27 17:30"),
    ("MONDAY", "三个工作日内", "2026-11-26 17:30"),
    ("MONDAY", "两天内", "2026-11-25 17:30"),
    ("MONDAY", "月底前", "2026-11-30 17:30"),
    ("MONDAY", "12月10日前", "2026-12-10 17:30"),
    ("MONDAY", "10号前", "2026-12-10 17:30"),
    ("MONDAY", "两小时内", "2026-11-23 12:00"),
    ("MONDAY", "今晚12点前", "2026-11-24 00:00"),
    ("MONDAY", "后天中午", "2026-11-25 12:00"),
    ("MONDAY", "下周一上午", "2026-11-30 12:00"),
    ("MONDAY", "本周五", "2026-11-27 17:30"),
    ("MONDAY", "下周五", "2026-12-04 17:30"),
    ("MONDAY", "星期三下班前", "2026-11-25 17:30"),
    ("MONDAY", "礼拜四", "2026-11-26 17:30"),
    ("MONDAY", "十二点前", "2026-11-23 12:00"),
    ("MONDAY", "明天上午", "2026-11-24 12:00"),
    ("MONDAY", "明天下午", "2026-11-24 17:30"),
    ("MONDAY", "明天晚上", "2026-11-25 00:00"),
    ("MONDAY", "明早", "2026-11-24 08:30"),
    ("MONDAY", "一个工作日内", "2026-11-24 17:30"),
    ("MONDAY", "十个工作日内", "2026-12-07 17:30"),
    ("MONDAY", "2026/12/01", "2026-12-01 17:30"),
    ("MONDAY", "12/1", "2026-12-01 17:30"),
    ("MONDAY", "春节后第一天", "ask 2027-02-12 17:30"),
    ("MONDAY", "春节前", "not understood"),
    ("MONDAY", "next Friday", "2026-12-04 17:30"),
    ("MONDAY", "in 3 days", "2026-11-26 17:30"),
    ("MONDAY", "tonight", "2026-11-24 00:00"),
    ("MONDAY", "马上", "not understood"),
    ("MONDAY_EVENING", "今晚12点前", "2026-11-24 00:00"),
    ("MONDAY_EVENING", "明天下班前", "2026-11-24 17:30"),
    ("MONDAY_EVENING", "今天下班前", "past"),
    ("MONDAY_EVENING", "9点前", "ask 2026-11-24 09:00"),
    ("MONDAY_EVENING", "明天9点前", "2026-11-24 09:00"),
    ("MONDAY_EVENING", "两小时内", "2026-11-23 22:00"),
    ("SPRING_EVE", "明天下班以前", "moved 2027-02-12 17:30"),
    ("SPRING_EVE", "节后第一天", "2027-02-12 17:30"),
    ("SPRING_EVE", "春节后上班第一天", "2027-02-12 17:30"),
    ("SPRING_EVE", "春节后第一天下班前", "2027-02-12 17:30"),
    ("SPRING_EVE", "三个工作日内", "2027-02-16 17:30"),
    ("SPRING_EVE", "两天内", "moved 2027-02-12 17:30"),
    ("SPRING_EVE", "周五前", "moved 2027-02-12 17:30"),
    ("SPRING_EVE", "下周一上午", "moved 2027-02-12 17:30"),
    ("SPRING_EVE", "2月8日前", "ask 2027-02-12 17:30"),
    ("SPRING_EVE", "今晚12点前", "2027-02-05 00:00"),
    ("SPRING_EVE", "月底前", "moved 2027-02-26 17:30"),
    ("SPRING", "明天下班前", "moved 2027-02-12 17:30"),
    ("SPRING", "节后第一天", "2027-02-12 17:30"),
    ("SPRING", "三个工作日内", "2027-02-16 17:30"),
    ("SPRING", "本周内", "2027-02-12 17:30"),
    ("SPRING", "两小时内", "2027-02-08 13:00"),
    ("EVE", "中秋节后第一天", "not understood"),
    ("MONDAY", "两周内", "2026-12-07 17:30"),
    ("MONDAY", "三天之内", "2026-11-26 17:30"),
    ("MONDAY", "3日内", "2026-11-26 17:30"),
    ("MONDAY", "周五18:00前", "2026-11-27 18:00"),
    ("MONDAY", "下个周一", "2026-11-30 17:30"),
    ("MONDAY", "这周五前", "2026-11-27 17:30"),
    ("MONDAY", "12月31日24点前", "2027-01-01 00:00"),
    ("MONDAY", "1月1日前", "2027-01-01 17:30"),
]


def _outcome(now: datetime, text: str) -> str:
    found = find_deadline(text, now, TZ, CALENDAR, END_OF_WORK)
    if found is None:
        return "not understood"
    if found.due <= now:
        return "past"
    due = found.due.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    if found.doubt is not None:
        return f"ask {due}"
    return f"moved {due}" if found.said is not None else due


@pytest.mark.parametrize(
    ("when", "text", "expected"), CASES, ids=[f"{when}-{text}" for when, text, _ in CASES]
)
def test_deadline_corpus(when: str, text: str, expected: str) -> None:
    assert _outcome(NOW[when], text) == expected


def test_the_corpus_is_large_and_has_no_repeats() -> None:
    assert len(CASES) >= 150
    assert len({(when, text) for when, text, _ in CASES}) == len(CASES)


def test_a_moved_deadline_keeps_the_day_said_and_the_rest_of_the_text() -> None:
    found = find_deadline("明天下班以前完成现场整改", NOW["EVE"], TZ, CALENDAR, END_OF_WORK)
    assert found is not None
    assert (found.said, found.phrase, found.rest) == (
        date(2026, 10, 1),
        "明天下班以前",
        "完成现场整改",
    )
