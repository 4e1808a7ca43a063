"""The province's papers once the chairman has decided (issue 15, dossier complete): the
numbered Quyết định with its attached list (danh sách kèm theo), the results notice
(thông báo kết quả) and the print-ready certificates and flags (phôi Bằng khen / Giấy
chứng nhận Cờ thi đua), each filled from a recorded `AwardDecision` — its number and
signing date as the user typed them when recording it (awards.proposals), its signer,
its awards. The register number of each award comes from the award register
(awards.queries.award_register). Registered in kinds.KINDS.
"""

import re

from thidua.awards.models import AwardDecision, ProposalLine
from thidua.awards.queries import register_numbers
from thidua.core import dates
from thidua.core.errors import NotFound
from thidua.core.text import nfc
from thidua.documents import decision_text as text
from thidua.documents import rules
from thidua.documents.engine import Table
from thidua.documents.kind import Kind
from thidua.law.award_forms import AwardForm, label_for
from thidua.law.rulebooks import rulebook_for
from thidua.org.rules import Actor

FLAGS = (AwardForm.GOVERNMENT_FLAG, AwardForm.PROVINCIAL_FLAG)
VICE = re.compile(r"^\s*(?:KT\.?\s*Chủ tịch\s*[,;/-]?\s*)?Phó\s+Chủ\s+tịch\b\s*[:,-]?\s*",
                  re.IGNORECASE)
CHAIR = re.compile(r"^\s*Chủ\s+tịch\b\s*[:,-]?\s*", re.IGNORECASE)


def load_decision(actor: Actor, pk: int) -> AwardDecision:
    decision = (AwardDecision.objects.select_related("emulation_year__province")
                .filter(pk=pk).first())
    if decision is None or not rules.can_view_decision_draft(actor, decision.emulation_year):
        raise NotFound("Không tìm thấy quyết định khen thưởng.")
    return decision


def signer_block(signer: str) -> dict:
    """The decision's signer as recorded ("Phó Chủ tịch Nguyễn Văn A") as a signature
    block: KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / the name; "Chủ tịch …": CHỦ TỊCH / the name;
    anything else is taken as the vice-chairman's name."""
    signer = nfc(signer or "").strip()
    if VICE.match(signer):
        return {"mandate": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH",
                "name": VICE.sub("", signer).strip()}
    if CHAIR.match(signer):
        return {"mandate": "", "title": "CHỦ TỊCH", "name": CHAIR.sub("", signer).strip()}
    return {**text.decision_signer(), "name": signer}


def not_awarded(decision) -> list[str]:
    """The units this decision refused (RULES.md 27), in the blocs' order."""
    return list(ProposalLine.objects.filter(
        proposal__bloc_year__emulation_year=decision.emulation_year,
        outcome=ProposalLine.Outcome.NOT_AWARDED, decision=decision)
        .order_by("proposal__bloc_year__bloc__sort_key", "position", "id")
        .values_list("unit__name", flat=True))


def _awards(decision) -> dict:
    """award form → [(award, bloc name)] of the decision, in the forms' order, each form's
    units in their blocs' order then the proposal's."""
    grouped = {form: [] for form in AwardForm.values}
    for award in (decision.awards.select_related(
            "unit", "proposal_line__proposal__bloc_year__bloc")
            .order_by("proposal_line__proposal__bloc_year__bloc__sort_key",
                      "proposal_line__position", "id")):
        line = award.proposal_line
        bloc = line.proposal.bloc_year.bloc.name if line else ""
        grouped[award.award_form].append((award, bloc))
    return {form: items for form, items in grouped.items() if items}


def _reference(decision) -> str:
    province = decision.emulation_year.province
    day = decision.decision_date
    return (f"Quyết định số {decision.number} ngày {day.day:02d}/{day.month:02d}/{day.year} "
            f"của Chủ tịch Ủy ban nhân dân {province.full_name}")


def _fixed_lines(decision) -> dict:
    """The number and date the user typed when recording the decision (issue 15, item 3:
    a decision is dated its signing day)."""
    province = decision.emulation_year.province
    return {"number_line": f"Số: {decision.number}",
            "date_line": dates.date_line(province.name, decision.decision_date)}


# --- the numbered decision with its attached list -------------------------------------

def annex_table(decision, grouped) -> Table:
    province = decision.emulation_year.province
    rows, bold, n = [], set(), 0
    for numeral, (form, items) in zip(("I", "II", "III", "IV"), grouped.items(),
                                      strict=False):
        bold.add(len(rows))
        rows.append([numeral, f"{label_for(form, province)} ({len(items)} tập thể)", ""])
        for award, bloc in items:
            n += 1
            rows.append([str(n), award.unit.name, bloc])
    return Table(["STT", "Tên tập thể", "Cụm, khối thi đua"], rows, [15, 95, 55],
                 bold_rows=frozenset(bold))


def decision_context(actor, decision, on) -> dict:
    emulation_year = decision.emulation_year
    province, year = emulation_year.province, emulation_year.year
    grouped = _awards(decision)
    forms = ", ".join(label_for(f, province) for f in grouped) or "khen thưởng"
    count = sum(len(items) for items in grouped.values())
    on = decision.decision_date
    kind = province.kind_word
    return {
        "doc_type": "QUYẾT ĐỊNH",
        "subject": f"Về việc tặng {forms} năm {year}",
        **_fixed_lines(decision),
        "authority": text.authority(province),
        "legal_bases": rulebook_for(province.code, on).legal_basis_lines(on, last=";"),
        "considering": text.considering(province, year),
        "articles": [
            {"head": "Điều 1.", "lines": [],
             "text": f"Tặng {forms} cho {count} tập thể đã có thành tích xuất sắc trong phong "
                     f"trào thi đua năm {year} của các cụm, khối thi đua của {kind} (có danh "
                     "sách kèm theo)."},
            *text.closing_articles(province)],
        "signer": signer_block(decision.signer),
        "recipients": text.recipients(province),
        "annex_subject": f"Các tập thể được tặng {forms} năm {year}",
        "annex_reference": f"(Kèm theo {_reference(decision)})",
        "annex_table": annex_table(decision, grouped),
    }


# --- the results notice -------------------------------------------------------------------

def notice_context(actor, decision, on) -> dict:
    emulation_year = decision.emulation_year
    province, year = emulation_year.province, emulation_year.year
    kind = province.kind_word
    grouped = _awards(decision)
    by_bloc = {}
    for form, items in grouped.items():
        for award, bloc in items:
            by_bloc.setdefault(bloc or "Đơn vị khác", {}).setdefault(form, []).append(
                award.unit.name)
    body = []
    for number, (bloc, forms) in enumerate(by_bloc.items(), 1):
        body.append(f"{number}. {bloc}:")
        body += [f"- {label_for(form, province)}: {', '.join(names)}."
                 for form, names in forms.items()]
    refused = not_awarded(decision)
    if refused:
        body.append("Các tập thể được đề nghị nhưng không được khen thưởng theo quyết định: "
                    + ", ".join(refused) + ".")
    return {
        "doc_type": "THÔNG BÁO",
        "subject": f"Kết quả khen thưởng phong trào thi đua các cụm, khối thi đua năm {year}",
        "intro": [f"Ngày {decision.decision_date:%d/%m/%Y}, Chủ tịch Ủy ban nhân dân "
                  f"{kind} ký {_reference(decision).split(' của ')[0]} khen thưởng các tập "
                  f"thể có thành tích xuất sắc trong phong trào thi đua năm {year} của các "
                  f"cụm, khối thi đua của {kind}. Ủy ban nhân dân {kind} thông báo kết quả "
                  "như sau:"],
        "body": body,
        "closing": ["Đề nghị Trưởng các cụm, khối thi đua thông báo đến các đơn vị thành "
                    "viên; các tập thể được khen thưởng nhận hiện vật khen thưởng theo hướng "
                    "dẫn của Ban Thi đua - Khen thưởng (Sở Nội vụ)./."],
        "signer": {"mandate": "TM. ỦY BAN NHÂN DÂN", **{
            k: v for k, v in signer_block(decision.signer).items() if k != "mandate"}},
        "recipients": ["- Các cụm, khối thi đua của " + kind + ";",
                       "- Các tập thể được khen thưởng;", "- Ban Thi đua - Khen thưởng "
                       "(Sở Nội vụ);", "- Lưu: VT, TĐKT."],
    }


# --- certificates and flags ---------------------------------------------------------------

def certificates_context(actor, decision, on) -> dict:
    emulation_year = decision.emulation_year
    province, year = emulation_year.province, emulation_year.year
    numbers = register_numbers(emulation_year)
    authority = f"CHỦ TỊCH ỦY BAN NHÂN DÂN {province.full_name.upper()}"
    signer = signer_block(decision.signer)
    date_line = dates.date_line(province.name, decision.decision_date)
    sheets = []
    for form, items in _awards(decision).items():
        flag = form in FLAGS
        for award, bloc in items:
            reason = (f"Đơn vị dẫn đầu phong trào thi đua {bloc} năm {year}" if flag and bloc
                      else f"Đã có thành tích xuất sắc trong phong trào thi đua năm {year}")
            sheets.append({
                "authority": authority,
                "title": "GIẤY CHỨNG NHẬN" if flag else "BẰNG KHEN",
                "award": label_for(form, province).upper() if flag else "",
                "unit": award.unit.name, "reason": reason + ".",
                "decision": f"Quyết định số {decision.number}, ngày "
                            f"{decision.decision_date:%d/%m/%Y}",
                "register": f"Số sổ: {numbers.get(award.id, '')}",
                "date_line": date_line, "signer": signer})
    return {"certificates": sheets}


def province_kinds() -> list:
    def issuer(decision):
        return text.province_issuer(decision.emulation_year)

    def never(actor, decision):
        return False  # the number is the one the office gave; nothing to take here

    common = {"load": load_decision, "issuer": issuer,
              "province_id": lambda d: d.emulation_year.province_id}
    return [
        Kind(slug="quyet-dinh", label="Quyết định khen thưởng (kèm danh sách)",
             template="decision", symbol="QĐ", can_issue=never, context=decision_context,
             filename=lambda d: f"quyet-dinh-khen-thuong-{d.emulation_year.year}-{d.pk}",
             event_date=lambda d: d.decision_date, **common),
        Kind(slug="thong-bao-ket-qua", label="Thông báo kết quả khen thưởng",
             template="notice", symbol="TB", can_issue=lambda a, d: rules.can_issue_notice(
                 a, d.emulation_year), context=notice_context,
             filename=lambda d: f"thong-bao-ket-qua-khen-thuong-{d.emulation_year.year}-"
                                f"{d.pk}", **common),
        Kind(slug="phoi-khen-thuong", label="Phôi Bằng khen, Giấy chứng nhận Cờ thi đua",
             template="certificates", symbol="BK", can_issue=never,
             context=certificates_context,
             filename=lambda d: f"phoi-khen-thuong-{d.emulation_year.year}-{d.pk}",
             event_date=lambda d: d.decision_date, **common),
    ]
