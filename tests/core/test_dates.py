"""Dates as papers and pages write them (core.dates, Decree 30/2020, RULES.md 38), always
in the province's time: UTC is still the day before until 07:00."""

import datetime

import pytest

from thidua.core.dates import (
    blank_date_line,
    clock,
    clock_and_date,
    date_line,
    local_date,
    long_date,
    short_date,
    short_moment,
)

UTC = datetime.UTC
# 31/12 17:30 UTC is 1 January 00:30 in Bắc Ninh (UTC+7).
NEW_YEAR_IN_UTC = datetime.datetime(2025, 12, 31, 17, 30, tzinfo=UTC)


@pytest.mark.parametrize("on,expected", [
    (datetime.date(2023, 1, 5), "Bắc Ninh, ngày 05 tháng 01 năm 2023"),
    (datetime.date(2026, 2, 28), "Bắc Ninh, ngày 28 tháng 02 năm 2026"),
    (datetime.date(2026, 3, 15), "Bắc Ninh, ngày 15 tháng 3 năm 2026"),
    (datetime.date(2026, 12, 31), "Bắc Ninh, ngày 31 tháng 12 năm 2026"),
])
def test_date_line_pads_days_below_10_and_months_1_and_2_rule_38(on, expected):
    assert date_line("Bắc Ninh", on) == expected


def test_blank_date_line_leaves_the_date_for_the_signer():
    assert blank_date_line("Bắc Ninh") == "Bắc Ninh, ngày … tháng … năm …"


def test_a_moment_in_utc_is_dated_on_the_local_day(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    assert local_date(NEW_YEAR_IN_UTC) == datetime.date(2026, 1, 1)
    assert short_date(NEW_YEAR_IN_UTC) == "01/01/2026"
    assert long_date(NEW_YEAR_IN_UTC) == "ngày 01 tháng 01 năm 2026"
    assert date_line("Bắc Ninh", NEW_YEAR_IN_UTC) == "Bắc Ninh, ngày 01 tháng 01 năm 2026"
    assert short_moment(NEW_YEAR_IN_UTC) == "01/01/2026 00:30"
    assert clock_and_date(NEW_YEAR_IN_UTC) == "00 giờ 30, ngày 01 tháng 01 năm 2026"


def test_the_same_moment_before_7_in_the_morning_is_still_31_12_in_utc_but_not_here(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    before = datetime.datetime(2026, 12, 31, 16, 59, tzinfo=UTC)  # 23:59 local
    after = datetime.datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 00:00 local, next year
    assert short_date(before) == "31/12/2026"
    assert short_date(after) == "01/01/2027"


def test_dates_and_naive_times_are_taken_as_local():
    assert local_date(datetime.date(2026, 12, 31)) == datetime.date(2026, 12, 31)
    assert short_date(datetime.datetime(2026, 12, 31, 23, 0)) == "31/12/2026"
    assert clock(datetime.time(8, 5)) == "08 giờ 05"


def test_rule_38_the_pure_day_text_is_what_core_dates_writes_and_loads_no_django():
    """core.daytext is the text of core.dates without the time zone (issue 12: the law
    modules, which load no Django, write dates through it, the same way)."""
    import subprocess
    import sys

    from thidua.core.daytext import clock_text, long_day, short_day, short_stamp

    on = datetime.date(2026, 2, 5)
    assert (short_day(on), long_day(on)) == (short_date(on), long_date(on)) == (
        "05/02/2026", "ngày 05 tháng 02 năm 2026")
    moment = datetime.datetime(2026, 3, 15, 8, 5)
    assert (short_stamp(moment), clock_text(moment)) == (short_moment(moment), clock(moment)) == (
        "15/03/2026 08:05", "08 giờ 05")
    check = ("import sys, thidua.core.daytext; "
             "assert not [m for m in sys.modules if m.split('.')[0] == 'django']")
    assert subprocess.run([sys.executable, "-c", check], check=False).returncode == 0
