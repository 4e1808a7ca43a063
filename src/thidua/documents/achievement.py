"""A proposed collective's achievement report (báo cáo thành tích; issue 15, item 8;
RULES.md 41) on the form of the period: the rulebook in force on the report's date names
and numbers the form (`documents.forms`: Mẫu số 01 of NĐ 91/2017 until 2023, Mẫu số 02 of
NĐ 98/2023 from 2024, NĐ 152/2025's form after 6/2025) and says how many years of
achievements it covers per award (`documents.report_years`).

Filled from what the product holds: the unit's year facts, its scores and rank in the
bloc, its pledge's targets and results, the conference's vote, its past awards, and the
statement the unit writes once (statements.py: address, duties, narrative). The form
differs by award where the award's standard does: a flag's report shows the pledge's
targets against their results and the bloc's lead (RULES.md 17, 20); a Tập thể lao động
xuất sắc report the members' titles (RULES.md 21); a Bằng khen report its two years.
What nobody has entered is left as a dotted line to write by hand. The confirming
authority (xác nhận của cấp trình khen) — the bloc, which presents the award — signs
beside the unit's head.
"""

from fractions import Fraction

from django.utils import timezone

from thidua.awards import services as award_services
from thidua.awards.models import UnitYearFacts
from thidua.core.dates import short_date
from thidua.core.numbers import vi_number
from thidua.documents import signers, statements
from thidua.documents.engine import Table
from thidua.law.award_forms import AwardForm, label_for
from thidua.law.rulebooks import rulebook_for
from thidua.org.models import Membership
from thidua.pledges.models import Registration

# Danh hiệu thi đua (titles) vs hình thức khen thưởng (forms of reward), as the form splits
# the history (Luật Thi đua, khen thưởng 2022, Điều 8 and 9).
TITLES = (AwardForm.GOVERNMENT_FLAG, AwardForm.PROVINCIAL_FLAG, AwardForm.EXCELLENT_COLLECTIVE)
FLAGS = (AwardForm.GOVERNMENT_FLAG, AwardForm.PROVINCIAL_FLAG)
DOTS = "…" * 20  # written by hand: nobody entered it
CONFIRMING_HEAD = "XÁC NHẬN CỦA CẤP TRÌNH KHEN"
TEXT_WIDTH_MM = 165


def _date(on) -> str:
    return f"{short_date(on)}"


def _paragraphs(text: str) -> list[str]:
    return [p for p in (text or "").split("\n") if p.strip()]


def _or_dots(value) -> str:
    return DOTS if value is None or value == "" else str(value)


def history_row(award, province, unit=None) -> dict:
    """One past award; one of a unit `unit` stems from (RULES.md 46) names that unit."""
    decision = f"Số {award.decision_number} ngày {_date(award.decision_date)}"
    whose = (f" ({award.unit.name}, trước sắp xếp)"
             if unit is not None and award.unit_id != unit.id else "")
    return {"year": str(award.emulation_year.year),
            "form": label_for(award.award_form, province) + whose,
            "decision": decision + (f"; {award.signer}" if award.signer else "")}


def _blank_row() -> dict:
    return {"year": "", "form": "", "decision": ""}


def _facts_by_year(unit, years) -> dict:
    return {f.emulation_year.year: f for f in UnitYearFacts.objects.filter(
        unit=unit, emulation_year__year__in=years).select_related("emulation_year")}


def _standing(ranking_of, unit, year: int, bloc_year=None) -> str:
    """"90,00 điểm, hạng 1/5 Khối Kinh tế" in the bloc the unit belonged to that year, as
    its latest published ranking has it; empty when none was published."""
    if bloc_year is None:
        membership = (Membership.objects.filter(unit=unit, emulation_year__year=year)
                      .select_related("bloc_year__bloc").first())
        bloc_year = membership.bloc_year if membership else None
    if bloc_year is None:
        return ""
    ranking = ranking_of(bloc_year)
    row = next((r for r in ranking if r.unit_id == unit.id), None)
    if row is None:
        return ""
    return f"{vi_number(row.final)} điểm, hạng {row.rank}/{len(ranking)} {bloc_year.bloc.name}"


def years_table(ranking_of, unit, bloc_year, years: list[int]) -> Table:
    """One row per year the report covers: the task rating, the bloc's score and rank."""
    facts = _facts_by_year(unit, years)
    rows = []
    for year in years:
        fact = facts.get(year)
        rating = fact.get_task_rating_display() if fact and fact.task_rating else ""
        standing = _standing(ranking_of, unit, year,
                             bloc_year if year == bloc_year.year else None)
        rows.append([str(year), _or_dots(rating), _or_dots(standing)])
    return Table(["Năm", "Xếp loại mức độ hoàn thành nhiệm vụ",
                  "Kết quả chấm điểm, xếp hạng thi đua trong khối"], rows, [20, 60, 85])


def _percent(actual, target) -> str:
    if actual is None or not target:
        return ""
    return vi_number(Fraction(actual) / Fraction(target) * 100, 1)


def targets_table(unit, bloc_year) -> Table | None:
    """The pledge's targets against their results (RULES.md 17: a flag asks the targets
    exceeded): indicator, unit, registered target, result reported, share of the target."""
    registration = (Registration.objects.filter(
        unit=unit, bloc_year=bloc_year, status=Registration.Status.SUBMITTED)
        .prefetch_related("targets").first())
    targets = list(registration.targets.all()) if registration else []
    if not targets:
        return None
    rows = [[str(i), t.indicator, t.unit_of_measure, vi_number(t.target_value),
             _or_dots(None if t.latest_actual is None else vi_number(t.latest_actual)),
             _percent(t.latest_actual, t.target_value)]
            for i, t in enumerate(targets, 1)]
    return Table(["STT", "Chỉ tiêu đăng ký thi đua", "Đơn vị tính", "Chỉ tiêu",
                  "Kết quả thực hiện", "Tỷ lệ so với chỉ tiêu (%)"], rows,
                 [12, 58, 22, 24, 24, 25])


def _yes(value, yes: str, no: str) -> str | None:
    return None if value is None else (yes if value else no)


def _form_results(line, facts, ranked, members) -> list[str]:
    """The lines proving the award's own standard (RULES.md 17, 20, 21, 43)."""
    form, lines = line.award_form, []
    if form in FLAGS:
        exceeded = _yes(facts and facts.targets_exceeded, "hoàn thành vượt mức",
                        "chưa hoàn thành vượt mức")
        if exceeded:
            lines.append(f"- Kết quả thực hiện chỉ tiêu, nhiệm vụ được giao: {exceeded} "
                         "các chỉ tiêu, nhiệm vụ (chi tiết tại bảng dưới).")
    bloc = line.proposal.bloc_year.bloc.name
    if form == AwardForm.GOVERNMENT_FLAG and ranked is not None:
        lead = "Dẫn đầu" if ranked.rank == 1 else "Xếp thứ " + str(ranked.rank) + " trong"
        lines.append(f"- {lead} phong trào thi đua của {bloc} (xếp hạng "
                     f"{ranked.rank}/{members}).")
    if form == AwardForm.EXCELLENT_COLLECTIVE and facts and facts.member_count:
        share = vi_number(Fraction(facts.advanced_worker_count or 0, facts.member_count)
                          * 100, 1)
        lines.append(f"- Cá nhân đạt danh hiệu Lao động tiên tiến: "
                     f"{_or_dots(facts.advanced_worker_count)}/{facts.member_count} "
                     f"({share}%); Chiến sĩ thi đua cơ sở: "
                     f"{_or_dots(facts.emulation_soldier_count)}.")
    votes = f" với {line.votes} phiếu đồng ý" if line.votes is not None else ""
    lines.append(f"- Được hội nghị tổng kết {bloc} ngày "
                 f"{_date(line.proposal.conference_date)} bình xét, đề nghị tặng "
                 f"{label_for(form, line.unit.province)}{votes}.")
    return lines


def _policy_facts(facts) -> list[str]:
    """Section II.3 from the year facts: the party and mass organisations' ratings,
    discipline, inspections, thrift and anti-corruption."""
    if facts is None:
        return []
    lines = []
    if facts.party_rating:
        lines.append(f"- Tổ chức đảng xếp loại: {facts.get_party_rating_display()}.")
    unions = [f"{name} {getattr(facts, f'get_{field}_display')()}"
              for name, field in (("Công đoàn cơ sở", "union_rating"),
                                  ("Đoàn Thanh niên", "youth_union_rating"))
              if getattr(facts, field)]
    if unions:
        lines.append("- Đoàn thể xếp loại: " + "; ".join(unions) + ".")
    if facts.discipline_level == "none":
        lines.append("- Trong năm không có cán bộ, công chức, viên chức, người lao động bị "
                     "kỷ luật.")
    elif facts.discipline_level:
        lines.append("- Hình thức kỷ luật cao nhất trong năm: "
                     f"{facts.get_discipline_level_display().lower()}.")
    inspection = _yes(facts.negative_inspection, "có kết luận có vi phạm",
                      "không có kết luận vi phạm")
    if inspection:
        lines.append(f"- Thanh tra, kiểm tra trong năm: {inspection}.")
    if facts.thrift_anti_corruption_lead:
        lines.append("- Đi đầu thực hành tiết kiệm, chống lãng phí, chống tham nhũng.")
    return lines


def _situation(unit, bloc_year, facts, statement) -> list[str]:
    contacts = (f"- Địa chỉ trụ sở chính: {_or_dots(statement.address)}; điện thoại: "
                f"{_or_dots(statement.phone)}; thư điện tử: {_or_dots(statement.email)}.")
    staff = f"- Tổng số cán bộ, công chức, viên chức, người lao động: " \
            f"{_or_dots(facts and facts.member_count)}"
    if facts and facts.completed_count is not None:
        staff += f"; số hoàn thành nhiệm vụ: {facts.completed_count}"
    return ["1. Đặc điểm, tình hình:", contacts,
            f"- Thành viên {bloc_year.bloc.name} năm {bloc_year.year}.", staff + ".",
            "2. Chức năng, nhiệm vụ:", *(_paragraphs(statement.duties) or [DOTS])]


def _measures(facts, statement, registration_date) -> list[str]:
    lines = ["2. Những biện pháp hoặc nguyên nhân đạt được thành tích; các phong trào thi "
             "đua đã được áp dụng:", *_paragraphs(statement.measures)]
    if registration_date is not None:
        lines.append(f"- Đăng ký thi đua với khối ngày {_date(registration_date)}, thực hiện "
                     "giao ước thi đua của khối.")
    if facts and facts.new_model:
        lines.append("- Có nhân tố mới, mô hình mới được áp dụng trong năm.")
    return lines if len(lines) > 1 else [*lines, DOTS]


def _report_years(province_code, on, form, year) -> list[int]:
    count = rulebook_for(province_code, on).value("documents.report_years").get(form, 1)
    return list(range(year - count + 1, year + 1))


def report_context(line, on, *, ranking_of) -> dict:
    """The report's context; `ranking_of(bloc_year)` gives a bloc year's published ranking
    (awards.proposals.bloc_ranking, passed in by kinds_awards)."""
    unit, bloc_year = line.unit, line.proposal.bloc_year
    province, year = unit.province, bloc_year.year
    form = label_for(line.award_form, province)
    facts = _facts_by_year(unit, [year]).get(year)
    ranking = ranking_of(bloc_year)
    ranked = next((r for r in ranking if r.unit_id == unit.id), None)
    members = bloc_year.memberships.count()
    statement = statements.current(unit.id, bloc_year.emulation_year)
    registration = Registration.objects.filter(
        unit=unit, bloc_year=bloc_year, status=Registration.Status.SUBMITTED).first()
    years = _report_years(province.code, on, line.award_form, year)
    span = f"năm {year}" if len(years) == 1 else f"các năm {years[0]}–{years[-1]}"
    history = award_services.lineage_awards(unit, year)
    paper = rulebook_for(province.code, on).value("documents.forms")["achievement_report"]
    return {
        "form_line": paper.number or "",
        "doc_type": "BÁO CÁO THÀNH TÍCH",
        "subject": f"Đề nghị tặng {form} năm {year}",
        "unit_line": f"Tên tập thể đề nghị: {unit.name}",
        "situation": _situation(unit, bloc_year, facts, statement),
        "results_intro": [f"1. Thành tích đạt được {span}:",
                          *_paragraphs(statement.highlights),
                          *_form_results(line, facts, ranked, members)],
        "years_table": years_table(ranking_of, unit, bloc_year, years),
        "targets_table": targets_table(unit, bloc_year)
        if line.award_form in FLAGS else None,
        "measures": _measures(facts, statement, registration and registration.submitted_at
                              and timezone.localdate(registration.submitted_at)),
        "policy": ["3. Việc thực hiện chủ trương, chính sách của Đảng, pháp luật của Nhà "
                   "nước; công tác xây dựng Đảng và các đoàn thể:",
                   *(_paragraphs(statement.policy) + _policy_facts(facts) or [DOTS])],
        "titles": [history_row(a, province, unit) for a in history if a.award_form in TITLES]
        or [_blank_row()],
        "rewards": [history_row(a, province, unit) for a in history
                    if a.award_form not in TITLES] or [_blank_row()],
        "confirming": {"head": CONFIRMING_HEAD, **signers.bloc_block(bloc_year)},
        "signer": signers.unit_block(unit),
    }
