"""The values a rulebook holds, and the merged rulebook itself (functional core, no ORM).

A rulebook file is parsed by `thidua.law.rulebooks`; what it yields lives here so the
eligibility, quota and allocation cores (and their tests) need nothing but plain data.
Every number is exact: fractions are `Fraction`, points `Decimal`, never float.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from thidua.core.daytext import short_day
from thidua.law.text import format_fraction

TAGS = {
    "law": "luật",
    "old-law": "văn bản cũ, giả định còn áp dụng",
    "practice": "thực tiễn",
    "format": "thể thức văn bản",
}


@dataclass(frozen=True)
class Citation:
    """What a setting rests on: a text and, where there is one, its article."""

    text: str
    article: str = ""
    tag: str = "practice"
    # One setting may rest on a different article for each award form (RULES.md 17: art.
    # 25 for the Government flag, art. 26 for the provincial flag): form → article.
    by_form: tuple = ()

    def for_form(self, form: str) -> "Citation":
        article = dict(self.by_form).get(form)
        return Citation(self.text, article, self.tag) if article else self

    def __str__(self):
        where = f"{self.article}, {self.text}" if self.article else self.text
        if self.tag in ("old-law", "practice"):
            return f"{where} ({TAGS[self.tag]})"
        return where


@dataclass(frozen=True)
class Source:
    """Where a setting was read: the rulebook file, its line, and the book's code."""

    file: str
    line: int
    rulebook: str

    def __str__(self):
        return f"{self.file}, dòng {self.line}"


@dataclass(frozen=True)
class Setting:
    key: str
    value: object
    citation: Citation
    source: Source
    rules: tuple = ()  # RULES.md numbers the setting carries
    note: str = ""
    open_point: str = ""  # RULES.md "Open points": kept a setting until a text decides

    @property
    def tag(self):
        return self.citation.tag


COMPARISONS = {"more_than": "hơn", "at_least": "ít nhất"}


@dataclass(frozen=True)
class FractionRule:
    """"more than 1/2", "at least 2/3", "at least 70/100" of a base — compared exactly.

    DESIGN.md: "More than half of 12" is 7; "at least two thirds of 9" is 6. Integers
    only: count·den > num·base (more than) or count·den ≥ num·base (at least).
    """

    comparison: str  # more_than | at_least
    fraction: Fraction

    def is_met(self, count: int, base: int) -> bool:
        left = count * self.fraction.denominator
        right = self.fraction.numerator * base
        return left > right if self.comparison == "more_than" else left >= right

    def minimum(self, base: int) -> int:
        """The smallest count that meets the rule for this base."""
        num, den = self.fraction.numerator, self.fraction.denominator
        if self.comparison == "more_than":
            return num * base // den + 1
        return -(-num * base // den)  # ceiling without float

    def __str__(self):
        return f"{COMPARISONS[self.comparison]} {format_fraction(self.fraction)}"


@dataclass(frozen=True)
class Bracket:
    min_members: int
    max_members: int | None  # None: and above
    quota: int

    def covers(self, member_count: int) -> bool:
        return self.min_members <= member_count and (
            self.max_members is None or member_count <= self.max_members)

    def describe(self) -> str:
        if self.max_members is None:
            return f"từ {self.min_members} thành viên trở lên"
        if self.min_members == 1:
            return f"đến {self.max_members} thành viên"
        return f"từ {self.min_members} đến {self.max_members} thành viên"


@dataclass(frozen=True)
class Brackets:
    """Quota by bloc size. The loader checks the brackets start at 1, touch, and never
    overlap, so every member count falls in exactly one."""

    brackets: tuple

    def bracket_for(self, member_count: int) -> Bracket:
        for bracket in self.brackets:
            if bracket.covers(member_count):
                return bracket
        raise ValueError(f"Không có mức chỉ tiêu cho khối {member_count} thành viên.")


# RULES.md 18: "none" — the party organisation's rating is not a criterion (before 2024).
NO_MINIMUM = "none"

# RULES.md 17 before 2024: the flag standard's criteria beyond exceeded targets (Luật
# 2003/2013 art. 26 as provinces restate it): fact name → what the unit shows.
EXTRA_FLAG_CRITERIA = {
    "new_model": "có nhân tố mới, mô hình mới để các tập thể khác học tập",
    "thrift_anti_corruption_lead": "nội bộ đoàn kết, đi đầu thực hành tiết kiệm, chống "
                                   "lãng phí, chống tham nhũng và các tệ nạn xã hội khác",
}

# RULES.md 23: what the 20 % is taken of. NĐ 91/2017 art. 11.1 reads "các tập thể đạt
# tiêu chuẩn Cờ thi đua cấp tỉnh" (standard_met); Công văn 5007/BNV-TĐKT (2023) reads
# "tập thể được bình xét dẫn đầu các cụm, khối" (bloc_leaders).
STANDARD_MET, BLOC_LEADERS = "standard_met", "bloc_leaders"
CAP_BASES = {STANDARD_MET: "tập thể đạt tiêu chuẩn Cờ thi đua của UBND tỉnh",
             BLOC_LEADERS: "tập thể được các khối bình xét dẫn đầu"}


@dataclass(frozen=True)
class ProvinceCap:
    """RULES.md 23: Government flags ≤ fraction × the base (collectives meeting the
    provincial standard, or those the blocs voted as leading), the product brought to a
    whole number by `rounding`."""

    fraction: Fraction
    rounding: str  # floor | half_up | ceil
    base: str = STANDARD_MET  # CAP_BASES

    @property
    def base_label(self) -> str:
        return CAP_BASES[self.base]


# RULES.md 41: the papers of a flag dossier whose form the texts of the period number.
DOSSIER_FORMS = ("proposal_letter", "achievement_report")


@dataclass(frozen=True)
class DossierForm:
    """A dossier paper as the period's texts name it: "Báo cáo thành tích", and where a
    text numbers it, "Mẫu số 01 ban hành kèm theo Nghị định số 91/2017/NĐ-CP"."""

    name: str
    number: str | None = None

    def __str__(self):
        return f"{self.name} ({self.number})" if self.number else self.name


@dataclass(frozen=True)
class LegalBasis:
    """One "Căn cứ …" line of a document, with the dates it is in force."""

    title: str
    number: str
    issued: datetime.date | None  # None where the date is not yet verified
    effective_from: datetime.date
    effective_to: datetime.date | None = None

    def in_force(self, on: datetime.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None
                                              or on <= self.effective_to)


@dataclass(frozen=True)
class RulebookFile:
    """One parsed file: a national book or a province's override, with its period."""

    code: str
    title: str
    scope: str  # national | province
    province: str | None
    effective_from: datetime.date
    effective_to: datetime.date | None
    file: str
    line: int  # the line of effective_from, named when periods overlap
    settings: Mapping = field(default_factory=dict)  # key → Setting
    # A province's book: the former provinces' territories it governs after a merger
    # (Nghị quyết 202/2025/QH15); empty = the province's own territory only.
    territories: tuple = ()

    def covers(self, territory: str) -> bool:
        return territory in (self.territories or (self.province,))

    def in_force(self, on: datetime.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None
                                              or on <= self.effective_to)

    def period(self) -> str:
        end = short_day(self.effective_to) if self.effective_to else "nay"
        return f"{short_day(self.effective_from)} – {end}"


@dataclass(frozen=True)
class Rulebook:
    """The rules in force for one province on one date: the national book with the
    province's override laid over it, key by key."""

    province_code: str
    on_date: datetime.date
    national: RulebookFile
    provincial: RulebookFile | None
    settings: Mapping  # key → Setting

    def setting(self, key: str) -> Setting:
        try:
            return self.settings[key]
        except KeyError:
            raise KeyError(f"Bộ quy tắc không có thiết lập {key!r}.") from None

    def value(self, key: str):
        return self.setting(key).value

    def __getitem__(self, key: str):
        return self.value(key)

    def citation(self, key: str) -> Citation:
        return self.setting(key).citation

    @property
    def sources(self) -> tuple:
        return tuple(f for f in (self.national, self.provincial) if f is not None)

    def describe(self) -> str:
        """What the UI shows as "the rulebook in force": the books and their periods."""
        return "; ".join(f"{f.title} ({f.period()})" for f in self.sources)

    def legal_bases(self, on: datetime.date | None = None) -> tuple:
        """The legal bases (căn cứ) in force on a document's date: the national texts,
        then the province's own (the order a Vietnamese document cites them)."""
        on = on or self.on_date
        bases = tuple(self.value("documents.legal_bases")) + tuple(
            self.value("documents.provincial_legal_bases"))
        return tuple(b for b in bases if b.in_force(on))

    def legal_basis_lines(self, on: datetime.date | None = None, *, last: str = ".") -> list:
        """The "Căn cứ …" lines of a document dated `on`: each closed by ";", the last by
        `last` ("." where the bases end the preamble, ";" where "Xét đề nghị …" follows)."""
        lines = [f"Căn cứ {basis.title}" for basis in self.legal_bases(on)]
        return [line + (";" if i < len(lines) - 1 else last) for i, line in enumerate(lines)]

    def points(self, key: str, form: str) -> Decimal:
        return self.value(key).get(form, Decimal(0))
