"""The documents the engine knows: for each, its template, type symbol, who issues it,
how its subject is loaded (visibility checked) and its context from live data.

Adding a document (ballots, count record, minutes, proposal letter …) is one template
function in templates/build.py and one `Kind` (documents.kind) in a kinds module with its
context function, registered in KINDS here (an app above documents: `register`).
"""

from thidua.core import dates
from thidua.core.errors import NotFound
from thidua.core.numbers import vi_number
from thidua.documents import rules
from thidua.documents.engine import Table
from thidua.documents.kind import (
    Kind,
    bloc_issuer,
    bloc_signer,
    council_standing,
    legal_bases,
    load_bloc_year,
    recipients,
    unit_issuer,
    unit_signer,
)
from thidua.documents.kinds_awards import award_kinds
from thidua.documents.kinds_conference import conference_kinds
from thidua.documents.kinds_province import province_kinds
from thidua.law.award_forms import label_for
from thidua.org.models import BlocYear, Unit
from thidua.org.rules import Actor
from thidua.pledges.models import PledgeSignature, PledgeSigning, Registration
from thidua.scoring import queries as scoring_queries
from thidua.scoring.models import PublishedRanking, ScoreSheet


def _titles(registration) -> list[str]:
    province = registration.unit.province
    return [label_for(t.award_form, province) for t in registration.titles.all()]


# --- a unit's registration ---------------------------------------------------------------

def load_registration(actor: Actor, pk: int) -> Registration:
    registration = (Registration.objects.select_related(
        "unit__province", "emulation_year", "bloc_year__bloc__province")
        .prefetch_related("titles", "targets").filter(pk=pk).first())
    if registration is None or not rules.can_view_registration_doc(actor, registration):
        raise NotFound("Không tìm thấy bản đăng ký.")
    return registration


def registration_context(actor, registration, on) -> dict:
    unit, bloc = registration.unit, registration.bloc_year.bloc
    year = registration.emulation_year.year
    return {
        "doc_type": "BẢN ĐĂNG KÝ THI ĐUA",
        "subject": f"Năm {year}",
        "legal_bases": legal_bases(unit.province.code, on, territory=bloc.territory_code),
        "intro": [f"{unit.name}, thành viên {bloc.name}, đăng ký thi đua năm {year} với các "
                  "danh hiệu và chỉ tiêu sau:"],
        "titles": [f"- {label}." for label in _titles(registration)] or ["- (Chưa đăng ký "
                                                                          "danh hiệu)."],
        "targets": [{"no": i, "indicator": t.indicator, "unit": t.unit_of_measure,
                     "baseline": vi_number(t.baseline), "target": vi_number(t.target_value),
                     "deadline": f"{dates.short_date(t.deadline)}"}
                    for i, t in enumerate(registration.targets.all(), 1)],
        "closing": [f"{unit.name} cam kết tổ chức thực hiện đạt và vượt các chỉ tiêu đã "
                    "đăng ký."],
        "signer": unit_signer(unit),
        "recipients": recipients(unit.province, f"- Trưởng {bloc.name};"),
    }


REGISTRATION = Kind(
    slug="dang-ky", label="Bản đăng ký thi đua", template="registration", symbol="ĐK",
    load=load_registration, issuer=lambda r: unit_issuer(r.unit),
    can_issue=rules.can_issue_registration_doc, context=registration_context,
    filename=lambda r: f"dang-ky-thi-dua-{r.emulation_year.year}-{r.unit.code}",
    province_id=lambda r: r.unit.province_id)


# --- the bloc pledge ------------------------------------------------------------------------

def _signing_day(bloc_year):
    """The pledge is dated the day the heads signed it (PledgeSigning), once recorded."""
    signing = PledgeSigning.objects.filter(bloc_year=bloc_year).first()
    return signing.signed_on if signing else None


def pledge_context(actor, bloc_year, on) -> dict:
    bloc, year = bloc_year.bloc, bloc_year.year
    units = list(Unit.objects.filter(memberships__bloc_year=bloc_year)
                 .order_by("sort_key", "id"))
    deputies = set(bloc_year.deputy_units.values_list("id", flat=True))
    registrations = {r.unit_id: r for r in Registration.objects.filter(
        bloc_year=bloc_year, status=Registration.Status.SUBMITTED).prefetch_related("titles")}
    signatures = {s.unit_id: s for s in PledgeSignature.objects.filter(
        signing__bloc_year=bloc_year)}

    def role(unit):
        if unit.id == bloc_year.leader_unit_id:
            return "Trưởng khối"
        return "Phó khối" if unit.id in deputies else "Thành viên"

    def note(unit):
        signature = signatures.get(unit.id)
        if signature is None:
            return ""
        if signature.status == PledgeSignature.Status.ABSENT:
            return f"Vắng mặt: {signature.absence_reason}" if signature.absence_reason \
                else "Vắng mặt"
        return "Đã ký"

    return {
        "doc_type": "GIAO ƯỚC THI ĐUA",
        "subject": f"{bloc.name} năm {year}",
        "legal_bases": legal_bases(bloc.province.code, on, territory=bloc.territory_code),
        "intro": [f"Thực hiện phong trào thi đua năm {year}, các đơn vị thành viên {bloc.name} "
                  "thống nhất ký kết giao ước thi đua với các nội dung sau:"],
        "members": [{"no": i, "name": u.name, "role": role(u),
                     "titles": "; ".join(_titles(registrations[u.id]))
                     if u.id in registrations else "Chưa đăng ký"}
                    for i, u in enumerate(units, 1)],
        "commitments": [
            "1. Thực hiện tốt các nhiệm vụ chính trị được giao; hoàn thành các chỉ tiêu đã "
            "đăng ký thi đua.",
            "2. Tham gia đầy đủ các hoạt động của khối; tự chấm điểm, chấm chéo khách quan, "
            "đúng thời hạn theo bảng tiêu chí của khối.",
            "3. Nhân rộng điển hình tiên tiến; phối hợp, hỗ trợ các đơn vị trong khối cùng "
            "hoàn thành nhiệm vụ.",
        ],
        "signatures": [{"no": i, "name": u.name,
                        "signer": getattr(signatures.get(u.id), "signer_name", ""),
                        "note": note(u)} for i, u in enumerate(units, 1)],
        "closing": ["Giao ước có hiệu lực từ ngày ký; mỗi đơn vị thành viên giữ một bản, "
                    f"một bản gửi {council_standing(bloc_year.bloc.province)}."],
        "signer": bloc_signer(bloc_year),
        "recipients": recipients(bloc_year.bloc.province, "- Các đơn vị thành viên;"),
    }


PLEDGE = Kind(
    slug="giao-uoc", label="Giao ước thi đua", template="pledge", symbol="BTT",
    load=load_bloc_year, issuer=bloc_issuer, can_issue=rules.can_issue_pledge_doc,
    context=pledge_context,
    filename=lambda b: f"giao-uoc-thi-dua-{b.year}-{b.bloc.code}",
    province_id=lambda b: b.bloc.province_id, event_date=_signing_day)


# --- a unit's self-assessment ----------------------------------------------------------------

def load_self_sheet(actor: Actor, pk: int) -> ScoreSheet:
    sheet = (ScoreSheet.objects.select_related(
        "table__bloc_year__bloc__province", "table__bloc_year__emulation_year",
        "table__bloc_year__leader_unit", "scored_unit__province")
        .filter(pk=pk, kind=ScoreSheet.Kind.SELF).first())
    if sheet is None:
        raise NotFound("Không tìm thấy phiếu tự chấm điểm.")
    published = PublishedRanking.objects.filter(table=sheet.table).exists()
    if not rules.can_view_self_assessment_doc(actor, sheet, published):
        raise NotFound("Không tìm thấy phiếu tự chấm điểm.")
    return sheet


def self_assessment_context(actor, sheet, on) -> dict:
    bloc_year, unit = sheet.table.bloc_year, sheet.scored_unit
    breakdown = scoring_queries.unit_breakdown(actor, bloc_year, unit)
    rows = [{"code": line.criterion.code, "title": line.criterion.title,
             "max": vi_number(line.criterion.max_points),
             "points": "" if line.criterion.is_section else vi_number(line.self_points),
             "note": line.self_note} for line in breakdown.lines]
    return {
        "doc_type": "BÁO CÁO",
        "subject": f"Tự chấm điểm thi đua năm {bloc_year.year}",
        "legal_bases": legal_bases(unit.province.code, on,
                                   territory=bloc_year.bloc.territory_code),
        "intro": [f"Căn cứ bảng tiêu chí “{sheet.table.name}” của {bloc_year.bloc.name}, "
                  f"{unit.name} tự chấm điểm kết quả thực hiện nhiệm vụ năm {bloc_year.year} "
                  "như sau:"],
        "rows": rows,
        "totals": [f"Điểm trong khung: {vi_number(sheet.total)} / "
                   f"{vi_number(sheet.table.total)}.",
                   f"Điểm thưởng: {vi_number(sheet.bonus)}; điểm trừ: "
                   f"{vi_number(sheet.penalty)}.",
                   f"Tổng điểm tự chấm: {vi_number(sheet.final)}."],
        "signer": unit_signer(unit),
        "recipients": [f"- Trưởng {bloc_year.bloc.name};", "- Lưu: VT."],
    }


SELF_ASSESSMENT = Kind(
    slug="tu-cham", label="Báo cáo tự chấm điểm", template="self_assessment", symbol="BC",
    load=load_self_sheet, issuer=lambda s: unit_issuer(s.scored_unit),
    can_issue=rules.can_issue_self_assessment_doc, context=self_assessment_context,
    filename=lambda s: f"tu-cham-diem-{s.table.bloc_year.year}-{s.scored_unit.code}",
    province_id=lambda s: s.scored_unit.province_id)


# --- the consolidated score and ranking table --------------------------------------------------

RANKING_TEXT_WIDTH_MM = 252  # A4 landscape less the left and right margins


def load_ranking(actor: Actor, pk: int) -> BlocYear:
    bloc_year = load_bloc_year(actor, pk, rules.can_view_ranking_doc)
    if not PublishedRanking.objects.filter(table__bloc_year=bloc_year).exists():
        raise NotFound("Khối chưa công bố kết quả chấm điểm.")
    return bloc_year


def _figure(value):
    return "" if value is None else vi_number(value)


def ranking_context(actor, bloc_year, on) -> dict:
    view = scoring_queries.published_ranking(actor, bloc_year)
    sections = view.sections
    fixed = [15, 70, 22, 22, 25, 18]  # rank, unit, bonus, penalty, total, tied
    share = (RANKING_TEXT_WIDTH_MM - sum(fixed)) // max(1, len(sections))
    headers = (["Hạng", "Đơn vị"] + [f"{code} ({vi_number(top)})" for code, _, top in sections]
               + ["Điểm thưởng", "Điểm trừ", "Tổng điểm", "Đồng hạng"])
    rows = [[str(line.row.rank), line.unit.name]
            + [_figure(line.section(code)) for code, _, _ in sections]
            + [_figure(line.bonus), _figure(line.penalty), vi_number(line.final),
               "Có" if line.row.tied else ""] for line in view.lines]
    notes = [f"{code}: {title} (tối đa {vi_number(top)} điểm)." for code, title, top in sections]
    for group in view.ties:
        notes.append(f"Đồng hạng {group[0].row.rank}: "
                     + ", ".join(line.unit.name for line in group) + ".")
    return {
        "doc_type": "BÁO CÁO",
        "subject": f"Kết quả chấm điểm, xếp hạng thi đua {bloc_year.bloc.name} năm "
                   f"{bloc_year.year}",
        "legal_bases": legal_bases(bloc_year.bloc.province.code, on,
                                   territory=bloc_year.bloc.territory_code),
        "intro": [f"{bloc_year.bloc.name} tổng hợp kết quả chấm điểm thi đua năm "
                  f"{bloc_year.year} (bảng tiêu chí “{view.table.name}”, công bố ngày "
                  f"{dates.short_date(view.ranking.published_at)}) như sau:"],
        "ranking_table": Table(headers, rows, [15, 70] + [share] * len(sections)
                               + fixed[2:]),
        "notes": notes,
        "signer": bloc_signer(bloc_year),
        "recipients": recipients(bloc_year.bloc.province, "- Các đơn vị thành viên;"),
    }


RANKING = Kind(
    slug="xep-hang", label="Bảng tổng hợp điểm và xếp hạng", template="ranking", symbol="BC",
    load=load_ranking, issuer=bloc_issuer, can_issue=rules.can_issue_ranking_doc,
    context=ranking_context,
    filename=lambda b: f"ket-qua-xep-hang-{b.year}-{b.bloc.code}",
    province_id=lambda b: b.bloc.province_id)


KINDS = {kind.slug: kind for kind in (REGISTRATION, PLEDGE, SELF_ASSESSMENT, RANKING)}

# The award documents (tờ trình, form 02, decision draft): kinds_awards.py; the conference
# papers (ballots, voting cards, count record, minutes): kinds_conference.py.
KINDS.update({kind.slug: kind for kind in award_kinds()})
KINDS.update({kind.slug: kind for kind in conference_kinds()})
# The province's papers after the decision (quyết định, thông báo, phôi): kinds_province.py.
KINDS.update({kind.slug: kind for kind in province_kinds()})


def register(kinds) -> None:
    """Kinds of an app above documents, registered from its AppConfig.ready (the press
    release: publication.paper)."""
    for kind in kinds:
        if KINDS.setdefault(kind.slug, kind) is not kind:
            raise ValueError(f"document kind {kind.slug!r} registered twice")


def kind_for(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise NotFound("Không có loại văn bản này.") from None

