"""The set of rulebook files, checked together (codes, overlapping periods), and the
selection of the rules in force for a province on a date."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from thidua.core.daytext import short_day
from thidua.law.rulebook import (
    Rulebook,
    RulebookFile,
)
from thidua.law.rulebooks.errors import Problem, RulebookError, RulebookNotFound
from thidua.law.rulebooks.reading import load_rulebook_file

RULEBOOK_DIR = Path(__file__).parent


# --- the set of files -------------------------------------------------------------------

@dataclass(frozen=True)
class Library:
    files: tuple  # RulebookFile, every one checked, no two overlapping in scope

    def national_on(self, on: datetime.date) -> RulebookFile:
        for book in self.files:
            if book.scope == "national" and book.in_force(on):
                return book
        raise RulebookNotFound(
            f"Không có bộ quy tắc quốc gia có hiệu lực ngày {short_day(on)}: ngày này nằm "
            "ngoài các giai đoạn pháp luật mà hệ thống có. Các bộ quy tắc quốc gia hiện có: "
            + "; ".join(self.national_periods()) + ". Hãy chọn một ngày trong các giai "
            "đoạn này.")

    def national_periods(self) -> list[str]:
        """"15/09/2017 – 31/12/2023 (title)", one per national book, oldest first."""
        books = sorted((b for b in self.files if b.scope == "national"),
                       key=lambda b: b.effective_from)
        return [f"{b.period()} ({b.title})" for b in books]

    def provincial_on(self, province_code: str, on: datetime.date,
                      territory: str | None = None) -> RulebookFile | None:
        """The province's book in force on `on` for `territory` — after a merger, the
        former province a unit or bloc comes from (None: the province's own). While no
        book of the merged province in force covers that territory (`territories` in its
        header), the former province's own book still applies there: its regulation
        stays in force on its old territory until the merged province issues its own."""
        code = province_code.upper()
        place = (territory or code).upper()
        for book in self.files:
            if (book.scope == "province" and book.province == code and book.in_force(on)
                    and book.covers(place)):
                return book
        if place != code:
            return self.provincial_on(place, on)
        return None

    def rulebook_for(self, province_code: str, on_date: datetime.date,
                     territory: str | None = None) -> Rulebook:
        national = self.national_on(on_date)
        provincial = self.provincial_on(province_code, on_date, territory)
        settings = dict(national.settings)
        if provincial is not None:
            settings.update(provincial.settings)
        return Rulebook(province_code.upper(), on_date, national, provincial, settings)


def overlap_problems(files) -> list[Problem]:
    """Two books of the same scope (national, or one province) in force on the same day
    would make the choice arbitrary: refused, naming both files."""
    problems = []
    groups = defaultdict(list)
    for book in files:
        groups[(book.scope, book.province)].append(book)
    for books in groups.values():
        books.sort(key=lambda b: b.effective_from)
        for i, first in enumerate(books):
            for second in books[i + 1:]:
                if first.effective_to is None or second.effective_from <= first.effective_to:
                    problems.append(Problem(
                        second.file, second.line,
                        f"thời gian hiệu lực ({second.period()}) chồng lên bộ quy tắc "
                        f"{first.file}, dòng {first.line} ({first.period()})."))
    return problems


def load_library(directory: Path = RULEBOOK_DIR) -> Library:
    problems, files = [], []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            files.append(load_rulebook_file(path))
        except RulebookError as exc:
            problems.extend(exc.problems)
    codes = defaultdict(list)
    for book in files:
        codes[book.code].append(book)
    for code, books in codes.items():
        for book in books[1:]:
            problems.append(Problem(book.file, book.line,
                                    f"mã bộ quy tắc {code!r} trùng với {books[0].file}."))
    problems.extend(overlap_problems(files))
    if problems:
        raise RulebookError(problems)
    return Library(tuple(files))


@lru_cache(maxsize=1)
def shipped_library() -> Library:
    """The rulebooks shipped in law/rulebooks/, read once per process."""
    return load_library(RULEBOOK_DIR)


def rulebook_for(province_code: str, on_date: datetime.date, library: Library | None = None,
                 *, territory: str | None = None) -> Rulebook:
    """The rules in force for a province on a date (see the module docstring for which
    date to pass: the conference's date for proposals, the document's date for căn cứ);
    `territory`: the former province a merged-in bloc or unit comes from (org
    `territory_code`), judged by that province's rules until the merged one's own."""
    return (library or shipped_library()).rulebook_for(province_code, on_date, territory)


def registration_deadline(province_code: str, year: int, library: Library | None = None
                          ) -> datetime.date:
    """RULES.md 7: the deadline of the emulation year `year`, from the rulebook in force
    when that year's registration opens (1 January)."""
    book = rulebook_for(province_code, datetime.date(year, 1, 1), library)
    month, day = book.value("registration.deadline")
    if (month, day) == (2, 29) and not _leap(year):
        day = 28  # a 29 February deadline falls on the last day of February
    return datetime.date(year, month, day)


def _leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
