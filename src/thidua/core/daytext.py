"""Calendar days and clock times as Vietnamese papers and pages write them (Decree
30/2020/NĐ-CP, RULES.md 38) — the pure part of core.dates: plain dates and times in, text
out, no Django, so the law modules (pure, tests/law/test_pure.py) write dates the same way.
core.dates reads a stored moment in the province's time first, then calls these."""

import datetime


def short_day(on: datetime.date) -> str:
    """"07/12/2026"."""
    return f"{on:%d/%m/%Y}"


def short_stamp(moment: datetime.datetime) -> str:
    """"07/12/2026 08:30"."""
    return f"{moment:%d/%m/%Y %H:%M}"


def long_day(on: datetime.date) -> str:
    """RULES.md 38: "ngày 05 tháng 01 năm 2023" — days below 10 and months 1–2
    zero-padded ("ngày 15 tháng 3 năm 2026")."""
    month = f"{on.month:02d}" if on.month <= 2 else str(on.month)
    return f"ngày {on.day:02d} tháng {month} năm {on.year}"


def clock_text(moment: datetime.datetime | datetime.time) -> str:
    """"08 giờ 30"."""
    return f"{moment:%H} giờ {moment:%M}"
