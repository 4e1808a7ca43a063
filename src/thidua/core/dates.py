"""Dates as Vietnamese papers and pages write them (Decree 30/2020/NĐ-CP, RULES.md 38).

The one place a date or a moment becomes text. A moment (an aware datetime, stored in
UTC) is always read in the province's time (settings.TIME_ZONE, Asia/Ho_Chi_Minh):
UTC is still the day before until 07:00, so a ranking published at 06:30 on 1 January
would otherwise be dated 31 December on paper and 1 January on the page. The text itself
comes from core.daytext (pure, shared with the law modules).
"""

import datetime

from django.utils import timezone

from thidua.core.daytext import clock_text, long_day, short_day, short_stamp

BLANK_DATE = "ngày … tháng … năm …"


def local_date(value):
    """The calendar day of a date, or of a datetime in local time (a naive one is taken
    as already local)."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def local_moment(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in local time; a naive one as it is."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def short_date(value) -> str:
    """"07/12/2026", in local time."""
    return short_day(local_date(value))


def short_moment(value: datetime.datetime) -> str:
    """"07/12/2026 08:30", in local time."""
    return short_stamp(local_moment(value))


def long_date(value) -> str:
    """RULES.md 38: "ngày 05 tháng 01 năm 2023" — days below 10 and months 1–2
    zero-padded ("ngày 15 tháng 3 năm 2026"); in local time."""
    return long_day(local_date(value))


def date_line(place: str, value) -> str:
    """RULES.md 38: "Bắc Ninh, ngày 05 tháng 01 năm 2023"."""
    return f"{place}, {long_date(value)}"


def blank_date_line(place: str) -> str:
    """An unsigned draft: the date is left for the signer to write."""
    return f"{place}, {BLANK_DATE}"


def clock_and_date(value: datetime.datetime) -> str:
    """Minutes' opening (RULES.md 40): "08 giờ 30, ngày 05 tháng 01 năm 2023", local."""
    moment = local_moment(value)
    return f"{clock(moment)}, {long_date(moment)}"


def clock(value: datetime.datetime) -> str:
    """"08 giờ 30", local."""
    return clock_text(local_moment(value))
