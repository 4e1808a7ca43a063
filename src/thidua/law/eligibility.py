"""Eligibility (functional core): may this unit be proposed for this award form this year?

Every rule checked is returned — met, unmet, or missing a fact — with its RULES.md number,
a Vietnamese sentence and the citation from the rulebook, so the screen can say exactly
why ("Chưa đủ điều kiện Cờ thi đua của UBND tỉnh: chưa hoàn thành vượt mức chỉ tiêu —
Điều 26, Luật Thi đua, khen thưởng 2022"). A fact that is unknown is reported as missing,
never assumed either way.

Rules applied, per form:
- every form: 7 (registered on time), 22 (no other form of the exclusive group for the
  same year), 19 where the rulebook lists the form;
- Cờ thi đua của UBND tỉnh: 17, 18 (the party organisation and the mass organisations),
  19 (together: the provincial-flag standard);
- Cờ thi đua của Chính phủ: the provincial-flag standard and 20 (leads its bloc);
- Tập thể lao động xuất sắc: 21 — its "internal unity" is read, like rule 18's, from the
  party organisation's rating (the one fact agencies record for it);
- Bằng khen của Chủ tịch UBND tỉnh: 43 (the province's standard), 19 where listed.
Before 2024 the flag standard adds 17's other criteria (new models; thrift and
anti-corruption), asks no party rating (18: "none") and the provincial flag goes only
through a bloc's comparison (25).
- every form, where the rulebook says so (`eligibility.pending_matter_defers`, NĐ
  152/2025): a discipline, inspection, complaint or press allegation under consideration
  DEFERS the award — a status of its own, reported, never a silent drop.
- every form, where the rulebook says so (`eligibility.achievements_from_discipline_end`,
  NĐ 152/2025) and a discipline period's end is entered: achievements count from that
  day, so the year's award needs the period over by 1 January (19).

Only confirmed facts decide: a fact the unit entered that the leader or the province has
not confirmed is reported as missing, naming the fact and the value entered.
"""

import datetime
from dataclasses import dataclass
from fractions import Fraction

from thidua.core.daytext import short_day
from thidua.law.award_forms import AwardForm, label_in
from thidua.law.deadline import registered_on_time
from thidua.law.facts import (
    MASS_ORGANISATIONS,
    DisciplineLevel,
    OrganisationRating,
    PendingMatter,
    Rating,
    UnitYearFacts,
    discipline_at_least,
    rating_at_least,
)
from thidua.law.rulebook import (
    EXTRA_FLAG_CRITERIA,
    NO_MINIMUM,
    Citation,
    Rulebook,
)
from thidua.law.text import format_number

MET, UNMET, MISSING, DEFERRED = "met", "unmet", "missing", "deferred"
# DEFERRED is both a check's status and the eligibility's: a pending matter.
ELIGIBLE, INELIGIBLE, UNKNOWN = "eligible", "ineligible", "unknown"
FLAGS = (AwardForm.GOVERNMENT_FLAG, AwardForm.PROVINCIAL_FLAG)


@dataclass(frozen=True)
class Check:
    rule: int | None  # RULES.md number (None: the confirmation of the facts)
    status: str  # met | unmet | missing | deferred
    sentence: str
    citation: Citation | None = None

    def __str__(self):
        return f"{self.sentence} — {self.citation}" if self.citation else self.sentence


@dataclass(frozen=True)
class Eligibility:
    unit_id: int
    award_form: str
    year: int
    checks: tuple
    # "tỉnh" or "thành phố" (a centrally-run city): the forms' names follow it (R2).
    kind_word: str = "tỉnh"

    @property
    def unmet(self) -> tuple:
        return tuple(c for c in self.checks if c.status == UNMET)

    @property
    def missing(self) -> tuple:
        return tuple(c for c in self.checks if c.status == MISSING)

    @property
    def deferred(self) -> tuple:
        return tuple(c for c in self.checks if c.status == DEFERRED)

    @property
    def status(self) -> str:
        if self.unmet:
            return INELIGIBLE
        if self.deferred:
            return DEFERRED
        return UNKNOWN if self.missing else ELIGIBLE

    @property
    def eligible(self) -> bool:
        return self.status == ELIGIBLE

    @property
    def form_label(self) -> str:
        return label_in(self.award_form, self.kind_word)

    def rules(self, status: str) -> set:
        return {c.rule for c in self.checks if c.status == status}

    def messages(self) -> list[str]:
        """One line per unmet or missing rule, as the leader reads them."""
        lines = [f"Chưa đủ điều kiện {self.form_label}: {c}" for c in self.unmet]
        lines += [f"Tạm hoãn xét {self.form_label}: {c}" for c in self.deferred]
        lines += [f"Chưa đủ căn cứ xét {self.form_label}: {c}" for c in self.missing]
        return lines

    def explain(self) -> str:
        if self.eligible:
            return f"Đủ điều kiện {self.form_label} năm {self.year}."
        return "\n".join(self.messages())


def _label(enum, value) -> str:
    return f"«{enum(value).label}»"


def check_eligibility(
    *,
    unit_id: int,
    year: int,
    award_form: str,
    rulebook: Rulebook,
    facts: UnitYearFacts | None,
    registration_submitted_on: datetime.date | None,
    registration_deadline: datetime.date,
    rank: int | None = None,
    same_year_forms: frozenset = frozenset(),
    require_confirmed: bool = True,
    kind_word: str = "tỉnh",
) -> Eligibility:
    """`rank`: the unit's rank in its bloc's ranking (tied units share a rank), needed for
    the Government flag; `same_year_forms`: forms the unit already has (proposed or
    awarded) for the same year."""
    form = AwardForm(award_form)
    checks = []

    # RULES 7: registration on time, for every form.
    citation = rulebook.citation("registration.deadline")
    if registered_on_time(registration_submitted_on, registration_deadline):
        checks.append(Check(7, MET, f"đã gửi bản đăng ký thi đua ngày "
                                    f"{short_day(registration_submitted_on)}, trong hạn "
                                    f"{short_day(registration_deadline)}", citation))
    elif registration_submitted_on is None:
        checks.append(Check(7, UNMET, f"không gửi bản đăng ký thi đua năm {year} (hạn "
                                      f"{short_day(registration_deadline)})", citation))
    else:
        checks.append(Check(7, UNMET, f"gửi bản đăng ký thi đua ngày "
                                      f"{short_day(registration_submitted_on)}, sau hạn "
                                      f"{short_day(registration_deadline)}", citation))

    # RULES 22: one achievement, one award.
    exclusive = rulebook.value("allocation.exclusive_forms")
    if form in exclusive:
        citation = rulebook.citation("allocation.exclusive_forms")
        others = [f for f in exclusive if f != form and f in same_year_forms]
        if others:
            names = ", ".join(label_in(f, kind_word) for f in others)
            checks.append(Check(22, UNMET, f"đã được đề nghị hoặc tặng {names} năm {year} "
                                           "(một thành tích chỉ một hình thức khen thưởng)",
                                citation))
        else:
            checks.append(Check(22, MET, "chưa được đề nghị hình thức khen thưởng khác "
                                         f"cho thành tích năm {year}", citation))

    fact_checks = []
    if form in FLAGS:
        fact_checks += _flag_standard(form, facts, rulebook)
    elif form in rulebook.value("eligibility.discipline")["forms"]:
        fact_checks += _discipline(form, facts, rulebook)
    if form == AwardForm.PROVINCIAL_FLAG and rulebook.value(
            "eligibility.provincial_flag_through_bloc"):
        fact_checks.append(_through_bloc(rulebook))
    if form == AwardForm.GOVERNMENT_FLAG:
        fact_checks.append(_leading(rank, rulebook))
    if form == AwardForm.CERTIFICATE_OF_MERIT:
        fact_checks += _certificate_standard(facts, rulebook)
    if form == AwardForm.EXCELLENT_COLLECTIVE:
        fact_checks += _excellent_collective(facts, rulebook)
    if rulebook.value("eligibility.pending_matter_defers"):
        fact_checks.append(_pending(facts, rulebook))
    if facts is not None and facts.discipline_ended_on is not None and rulebook.value(
            "eligibility.achievements_from_discipline_end"):
        fact_checks.append(_after_discipline(year, facts.discipline_ended_on, rulebook))

    if facts is not None and require_confirmed and not facts.confirmed:
        # Only confirmed facts decide: what the unit entered is shown, as missing.
        fact_checks = [_unconfirmed(c) for c in fact_checks]
    checks += fact_checks
    return Eligibility(unit_id, form.value, year, tuple(checks), kind_word)


def _unconfirmed(check):
    # The ranking, and the bloc comparison itself (25), are no unit's fact.
    if check.rule in (20, 25) or check.status == MISSING:
        return check
    return Check(check.rule, MISSING, f"{check.sentence} (đơn vị đã nhập, chưa được Trưởng "
                                      "khối hoặc Thường trực thi đua tỉnh xác nhận)",
                 check.citation)


def _pending(facts, rulebook):
    """RULES 19 (NĐ 152/2025): a matter under consideration defers every award."""
    citation = rulebook.citation("eligibility.pending_matter_defers")
    matter = facts.pending_matter if facts else None
    if matter is None:
        return _no_facts(19, "vụ việc đang xem xét (kỷ luật, thanh tra, khiếu nại, tố cáo, "
                             "báo chí phản ánh)", citation)
    if matter == PendingMatter.NONE:
        return Check(19, MET, "không có vụ việc kỷ luật, thanh tra, khiếu nại, tố cáo hay "
                              "báo chí phản ánh đang xem xét", citation)
    detail = facts.pending_matter_detail.strip()
    return Check(19, DEFERRED, f"{PendingMatter(matter).label.lower()}"
                               f"{': ' + detail if detail else ''} — xét khi có kết luận",
                 citation)


def _after_discipline(year, ended_on, rulebook):
    """RULES 19 (NĐ 152/2025): achievements count from the end of the discipline period,
    so a year's award needs the whole year after it (ended on or before 1 January)."""
    citation = rulebook.citation("eligibility.achievements_from_discipline_end")
    start = datetime.date(year, 1, 1)
    if ended_on <= start:
        return Check(19, MET, f"thời hạn kỷ luật đã hết ngày {short_day(ended_on)}, thành tích "
                              f"được tính cả năm {year}", citation)
    if ended_on.year > year:
        return Check(19, UNMET, f"còn trong thời hạn kỷ luật suốt năm {year} (hết ngày "
                                f"{short_day(ended_on)}): thành tích chỉ tính từ khi hết thời "
                                "hạn kỷ luật", citation)
    return Check(19, UNMET, f"thời hạn kỷ luật hết ngày {short_day(ended_on)}: thành tích chỉ "
                            f"tính từ ngày đó, chưa đủ cả năm {year}", citation)


def _no_facts(rule, what, citation):
    return Check(rule, MISSING, f"chưa có số liệu: {what}", citation)


def _flag_standard(form, facts, rulebook):
    """RULES 17, 18, 19: the standard of the provincial flag (and of the Government flag)."""
    checks = []
    citation = rulebook.citation("eligibility.flag_requires_targets_exceeded").for_form(form)
    if rulebook.value("eligibility.flag_requires_targets_exceeded"):
        exceeded = facts.targets_exceeded if facts else None
        if exceeded is None:
            checks.append(_no_facts(17, "hoàn thành vượt mức chỉ tiêu, nhiệm vụ", citation))
        elif exceeded:
            checks.append(Check(17, MET, "hoàn thành vượt mức chỉ tiêu, nhiệm vụ được giao",
                                citation))
        else:
            checks.append(Check(17, UNMET, "chưa hoàn thành vượt mức chỉ tiêu", citation))

    for name in rulebook.value("eligibility.flag_extra_criteria"):
        checks.append(_extra_criterion(name, form, facts, rulebook))

    minimum = rulebook.value("eligibility.party_rating_minimum")
    citation = rulebook.citation("eligibility.party_rating_minimum").for_form(form)
    rating = facts.party_rating if facts else None
    if minimum == NO_MINIMUM:
        pass  # RULES 18: not a criterion of the period (before 2024, Luật 2003/2013 art. 25)
    elif rating is None:
        checks.append(_no_facts(18, "xếp loại tổ chức đảng", citation))
    elif rating_at_least(rating, minimum):
        checks.append(Check(18, MET, f"tổ chức đảng xếp loại {_label(Rating, rating)}",
                            citation))
    else:
        checks.append(Check(18, UNMET, f"tổ chức đảng xếp loại {_label(Rating, rating)}, "
                                       f"chưa đạt {_label(Rating, minimum)}", citation))
    if minimum != NO_MINIMUM:  # before 2024 neither the party nor the đoàn thể is asked
        for field, name in MASS_ORGANISATIONS.items():
            checks.append(_mass_organisation(getattr(facts, field) if facts else None, name,
                                             minimum, citation))
    if form in rulebook.value("eligibility.discipline")["forms"]:
        checks += _discipline(form, facts, rulebook)
    return checks


def _extra_criterion(name, form, facts, rulebook):
    """RULES 17 before 2024: a criterion of the flag standard beyond exceeded targets,
    one yes/no fact each (EXTRA_FLAG_CRITERIA)."""
    citation = rulebook.citation("eligibility.flag_extra_criteria").for_form(form)
    what = EXTRA_FLAG_CRITERIA[name]
    value = getattr(facts, name) if facts else None
    if value is None:
        return _no_facts(17, what, citation)
    if value:
        return Check(17, MET, what, citation)
    return Check(17, UNMET, f"chưa đạt: {what}", citation)


def _through_bloc(rulebook):
    """RULES 25 before 2024 (NĐ 91/2017 art. 12): the provincial flag only through the
    comparison of a bloc — the unit is judged here as a member of its bloc."""
    return Check(25, MET, "được bình xét, so sánh trong khối thi đua của tỉnh",
                 rulebook.citation("eligibility.provincial_flag_through_bloc"))


def _certificate_standard(facts, rulebook):
    """RULES 43: the Bằng khen's standard as the rulebook (the province's regulation)
    sets it; "none" asks no rating (the bloc's vote is the "bình xét" route)."""
    minimum = rulebook.value("eligibility.certificate_of_merit")["min_task_rating"]
    if minimum == NO_MINIMUM:
        return []
    citation = rulebook.citation("eligibility.certificate_of_merit")
    rating = facts.task_rating if facts else None
    if rating is None:
        return [_no_facts(43, "xếp loại hoàn thành nhiệm vụ của tập thể", citation)]
    if rating_at_least(rating, minimum):
        return [Check(43, MET, f"tập thể xếp loại {_label(Rating, rating)}", citation)]
    return [Check(43, UNMET, f"tập thể xếp loại {_label(Rating, rating)}, chưa đạt "
                             f"{_label(Rating, minimum)}", citation)]


def _mass_organisation(rating, name, minimum, citation):
    """RULES 18: each mass organisation (đoàn thể) rated at least as the party
    organisation must be; an agency without that organisation is not held to it."""
    if rating is None:
        return _no_facts(18, f"xếp loại {name}", citation)
    if rating == OrganisationRating.NO_ORGANISATION:
        return Check(18, MET, f"đơn vị không có tổ chức {name}", citation)
    label = _label(OrganisationRating, rating)
    if rating_at_least(rating, minimum):
        return Check(18, MET, f"{name} xếp loại {label}", citation)
    return Check(18, UNMET, f"{name} xếp loại {label}, chưa đạt {_label(Rating, minimum)}",
                 citation)


def _discipline(form, facts, rulebook):
    """RULES 19: a member disciplined at the set level or above, or a negative inspection
    conclusion, in the year."""
    setting = rulebook.value("eligibility.discipline")
    citation = rulebook.citation("eligibility.discipline")
    checks = []
    level = facts.discipline_level if facts else None
    minimum = setting["min_level"]
    if level is None:
        checks.append(_no_facts(19, "kỷ luật cá nhân trong năm", citation))
    elif discipline_at_least(level, minimum):
        checks.append(Check(19, UNMET, f"có cá nhân bị kỷ luật {_label(DisciplineLevel, level)}"
                                       f" trong năm (từ {_label(DisciplineLevel, minimum)} trở "
                                       "lên)", citation))
    else:
        checks.append(Check(19, MET, "không có cá nhân bị kỷ luật từ "
                                     f"{_label(DisciplineLevel, minimum)} trở lên", citation))
    if setting["negative_inspection_blocks"]:
        negative = facts.negative_inspection if facts else None
        if negative is None:
            checks.append(_no_facts(19, "kết luận thanh tra, kiểm tra", citation))
        elif negative:
            checks.append(Check(19, UNMET, "có kết luận thanh tra, kiểm tra có vi phạm trong "
                                           "năm", citation))
        else:
            checks.append(Check(19, MET, "không có kết luận thanh tra, kiểm tra có vi phạm",
                                citation))
    return checks


def _leading(rank, rulebook):
    """RULES 20: the Government flag goes to a unit leading its bloc (tied units share the
    rank, so a unit tied first leads) that meets the provincial-flag standard (17–19,
    checked beside this one)."""
    leading = rulebook.value("eligibility.government_flag_leading_rank")
    citation = rulebook.citation("eligibility.government_flag_leading_rank")
    if rank is None:
        return Check(20, MISSING, "chưa có kết quả xếp hạng của khối", citation)
    if rank <= leading:
        return Check(20, MET, f"dẫn đầu khối (xếp thứ {rank})", citation)
    return Check(20, UNMET, f"không dẫn đầu khối (xếp thứ {rank}; cần thứ "
                            f"{'nhất' if leading == 1 else leading})", citation)


def _excellent_collective(facts, rulebook):
    """RULES 21: excellently completed tasks; all members completed theirs, at least 70 %
    "Lao động tiên tiến"; at least one "Chiến sĩ thi đua cơ sở"; internal unity."""
    setting = rulebook.value("eligibility.excellent_collective")
    citation = rulebook.citation("eligibility.excellent_collective")
    checks = []
    rating, minimum = (facts.task_rating if facts else None), setting["min_task_rating"]
    if rating is None:
        checks.append(_no_facts(21, "xếp loại hoàn thành nhiệm vụ của tập thể", citation))
    elif rating_at_least(rating, minimum):
        checks.append(Check(21, MET, f"tập thể xếp loại {_label(Rating, rating)}", citation))
    else:
        checks.append(Check(21, UNMET, f"tập thể xếp loại {_label(Rating, rating)}, chưa đạt "
                                       f"{_label(Rating, minimum)}", citation))

    total = facts.member_count if facts else None
    for field, key, title in (
        ("completed_count", "members_completed", "hoàn thành nhiệm vụ"),
        ("advanced_worker_count", "advanced_workers", "đạt «Lao động tiên tiến»"),
    ):
        count = getattr(facts, field) if facts else None
        if total is None or count is None:
            checks.append(_no_facts(21, f"số thành viên và số {title}", citation))
            continue
        rule = setting[key]
        share = f"{count}/{total} thành viên {title}"
        percent = Fraction(100 * count, total) if total else None
        if percent is not None and (percent * 100).denominator == 1:
            # Shown only when exact to two decimals; the comparison never uses it.
            share += f" ({format_number(percent)} %)"
        if total > 0 and rule.is_met(count, total):
            checks.append(Check(21, MET, share, citation))
        else:
            checks.append(Check(21, UNMET, f"{share}, cần {rule}", citation))

    soldiers, needed = (facts.emulation_soldier_count if facts else None), setting[
        "min_emulation_soldiers"]
    if soldiers is None:
        checks.append(_no_facts(21, "số cá nhân đạt «Chiến sĩ thi đua cơ sở»", citation))
    elif soldiers >= needed:
        checks.append(Check(21, MET, f"có {soldiers} cá nhân đạt «Chiến sĩ thi đua cơ sở»",
                            citation))
    else:
        checks.append(Check(21, UNMET, f"có {soldiers} cá nhân đạt «Chiến sĩ thi đua cơ sở», "
                                       f"cần ít nhất {needed}", citation))

    # Internal unity is read from the party organisation's rating: at the rulebook's own
    # minimum for it when stated, else at the flags' minimum (RULES 18).
    party = facts.party_rating if facts else None
    party_min = setting.get("unity_min_party_rating") or rulebook.value(
        "eligibility.party_rating_minimum")
    if party_min == NO_MINIMUM:
        return checks
    if party is None:
        checks.append(_no_facts(21, "xếp loại tổ chức đảng (nội bộ đoàn kết)", citation))
    elif rating_at_least(party, party_min):
        checks.append(Check(21, MET, "nội bộ đoàn kết (tổ chức đảng xếp loại "
                                     f"{_label(Rating, party)})", citation))
    else:
        checks.append(Check(21, UNMET, "chưa bảo đảm nội bộ đoàn kết (tổ chức đảng xếp loại "
                                       f"{_label(Rating, party)}, chưa đạt "
                                       f"{_label(Rating, party_min)})", citation))
    return checks
