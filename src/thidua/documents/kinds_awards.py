"""The award documents (issue 6, item 4; RULES.md 41): the bloc's proposal letter to the
province (tờ trình), each proposed collective's achievement report (báo cáo thành tích)
and the chairman's decision draft (dự thảo quyết định). Registered in kinds.KINDS.

Legal bases (căn cứ) come from the rulebook in force on the document's date, as for every
kind; so do the dossier papers' form names and numbers (rulebook `documents.forms`:
Mẫu số 01 of NĐ 91/2017 for the report before 2024, Mẫu số 01/02 of NĐ 98/2023 after).
kinds.py registers `award_kinds()`; the shared helpers come from documents.kind.
"""

from thidua.awards import queries as award_queries
from thidua.awards.models import (
    Award,
    Proposal,
    ProposalLine,
    UnitYearFacts,
)
from thidua.awards.proposals import bloc_ranking, differences
from thidua.core.dates import short_date
from thidua.core.errors import NotFound
from thidua.documents import achievement, rules
from thidua.documents import decision_text as text
from thidua.documents import kind as k
from thidua.documents.engine import Table
from thidua.law.award_forms import AwardForm, label_for
from thidua.law.workflow import State
from thidua.org.models import EmulationYear
from thidua.org.rules import Actor
from thidua.voting.models import Conference
from thidua.voting.queries import attendance_count

# What the chairman of the provincial People's Committee confers; the Government flag is the
# Prime Minister's (the province proposes it), so his decision lists the others.
CHAIRMAN_FORMS = (AwardForm.PROVINCIAL_FLAG, AwardForm.CERTIFICATE_OF_MERIT,
                  AwardForm.EXCELLENT_COLLECTIVE)
FORM_ORDER = list(AwardForm.values)



def _date(on) -> str:
    return f"{short_date(on)}"


def _council(province) -> str:
    return f"Hội đồng Thi đua - Khen thưởng {province.full_name}"


def _numbered(paper, short: bool = False) -> str:
    """" (Mẫu số 01 ban hành kèm theo …)" after a paper's name where the period's texts
    number it (short: " (Mẫu số 01)"), nothing where they do not (RULES.md 41)."""
    if not paper.number:
        return ""
    return f" ({paper.number.split(' ban hành')[0]})" if short else f" ({paper.number})"


def _ranks(bloc_year) -> dict:
    return {r.unit_id: r for r in bloc_ranking(bloc_year)}


def _conference(bloc_year):
    """(conference or None, present, total) of the bloc's year-end conference."""
    conference = Conference.objects.filter(bloc_year=bloc_year).first()
    if conference is None:
        return None, None, None
    present, members = attendance_count(conference)
    return conference, present, members


def _vote_bases(conference) -> dict:
    """award form → the base its yes votes are counted against (the minutes' "7 phiếu /
    12 thành viên"): the stored count of the form's first counted poll (a run-off keeps
    its poll's threshold and base)."""
    if conference is None:
        return {}
    bases = {}
    for poll in conference.polls.filter(kind="award_proposal", state__in=(
            "closed", "published")).order_by("id"):
        record = poll.result or {}
        if poll.award_form and "base" in record:
            bases.setdefault(poll.award_form, record["base"])
    return bases


# --- the proposal letter (tờ trình) --------------------------------------------------

def differs_from_minutes(proposal) -> list[str]:
    """The paragraphs a paper stating the proposal prints where it differs from the
    conference's minutes, with the reasons (issue 15 item 1); none when they agree."""
    found = differences(proposal)
    if not found:
        return []
    return ["Danh sách đề nghị khác với kết quả bình xét ghi trong biên bản hội nghị ở các "
            "điểm sau:", *(f"- {sentence}" for sentence in found)]


def load_proposal(actor: Actor, pk: int) -> Proposal:
    proposal = (Proposal.objects.select_related(
        "bloc_year__bloc__province", "bloc_year__emulation_year", "bloc_year__leader_unit")
        .filter(pk=pk).first())
    if proposal is None or not rules.can_view_proposal_letter(actor, proposal):
        raise NotFound("Không tìm thấy hồ sơ đề nghị khen thưởng.")
    return proposal


def _lines(proposal):
    lines = list(proposal.lines.select_related("unit"))
    return sorted(lines, key=lambda x: (FORM_ORDER.index(x.award_form), x.position, x.id))


def proposal_context(actor, proposal, on) -> dict:
    bloc_year = proposal.bloc_year
    bloc, year, province = bloc_year.bloc, bloc_year.year, bloc_year.bloc.province
    members = bloc_year.memberships.count()
    ranks = _ranks(bloc_year)
    conference, present, total = _conference(bloc_year)
    bases = _vote_bases(conference)
    held = (f"Ngày {_date(proposal.conference_date)}, {bloc.name} tổ chức hội nghị tổng kết "
            f"công tác thi đua năm {year}")
    if conference is not None:
        held += (f" tại {conference.place}, do {conference.chair} chủ trì; dự hội nghị có "
                 f"{present}/{total} đơn vị thành viên")
    else:
        held += f" với {members} đơn vị thành viên"
    lines = _lines(proposal)
    counts = {}
    for line in lines:
        counts[line.award_form] = counts.get(line.award_form, 0) + 1
    summary = "; ".join(f"{label_for(form, province)}: {n} tập thể"
                        for form, n in counts.items())
    return {
        "doc_type": "TỜ TRÌNH",
        "subject": f"Về việc đề nghị khen thưởng năm {year} cho các tập thể thuộc {bloc.name}",
        "addressee": f"Kính gửi: {_council(province)}.",
        "legal_bases": k.legal_bases(province.code, on),
        "intro": [
            held + ".",
            "Căn cứ kết quả chấm điểm, xếp hạng thi đua và kết quả bỏ phiếu kín bình xét "
            f"tại hội nghị, {bloc.name} đề nghị khen thưởng {len(lines)} lượt tập thể"
            + (f" ({summary})" if summary else "") + ", cụ thể như sau:",
        ],
        "proposed": [{"no": i, "unit": line.unit.name,
                      "form": label_for(line.award_form, province),
                      "rank": str(ranks[line.unit_id].rank) if line.unit_id in ranks else "",
                      "votes": f"{line.votes}/{bases.get(line.award_form, members)}"
                      if line.votes is not None else ""}
                     for i, line in enumerate(lines, 1)],
        "closing": differs_from_minutes(proposal) + [
                    f"{bloc.name} kính trình {_council(province)} xem xét, trình Chủ tịch "
                    f"Ủy ban nhân dân {province.full_name} khen thưởng (Cờ thi đua của Chính "
                    "phủ: đề nghị Thủ tướng Chính phủ tặng) cho các tập thể nêu trên./."],
        "attachments": ["- Biên bản họp bình xét thi đua của khối, kèm kết quả bỏ phiếu;",
                        "- Báo cáo thành tích của từng tập thể được đề nghị"
                        + _numbered(k.dossier_form(province.code, on, "achievement_report"))
                        + "."],
        "signer": k.bloc_signer(bloc_year),
        "recipients": ["- Như trên;", "- Các đơn vị thành viên;", "- Lưu: VT."],
    }


# --- the list of proposed units (danh sách trích ngang) -------------------------------

def proposed_list_context(actor, proposal, on) -> dict:
    """One line per proposed collective, on a paper of its own in the bloc's dossier: the
    form proposed, rank, votes, task rating and the awards of the last three years."""
    bloc_year = proposal.bloc_year
    bloc, year, province = bloc_year.bloc, bloc_year.year, bloc_year.bloc.province
    ranks, members = _ranks(bloc_year), bloc_year.memberships.count()
    conference, _, _ = _conference(bloc_year)
    bases = _vote_bases(conference)
    lines = _lines(proposal)
    units = [line.unit_id for line in lines]
    ratings = {f.unit_id: f.get_task_rating_display() for f in UnitYearFacts.objects.filter(
        unit_id__in=units, emulation_year=bloc_year.emulation_year).exclude(task_rating="")}
    history = {}
    for award in (Award.objects.filter(unit_id__in=units, emulation_year__year__lt=year,
                                       emulation_year__year__gte=year - 3)
                  .select_related("emulation_year").order_by("-emulation_year__year", "id")):
        history.setdefault(award.unit_id, []).append(
            f"{label_for(award.award_form, province)} ({award.emulation_year.year})")
    rows = [[str(i), line.unit.name, label_for(line.award_form, province),
             f"{ranks[line.unit_id].rank}/{members}" if line.unit_id in ranks else "",
             f"{line.votes}/{bases.get(line.award_form, members)}"
             if line.votes is not None else "",
             ratings.get(line.unit_id, ""), "; ".join(history.get(line.unit_id, []))]
            for i, line in enumerate(lines, 1)]
    return {
        "doc_type": "DANH SÁCH",
        "subject": f"Trích ngang các tập thể đề nghị khen thưởng năm {year}",
        "attached_to": f"(Kèm theo Tờ trình đề nghị khen thưởng năm {year} của {bloc.name})",
        "list_table": Table(["STT", "Tên tập thể", "Hình thức đề nghị", "Xếp hạng",
                             "Số phiếu đồng ý", "Xếp loại hoàn thành nhiệm vụ",
                             "Khen thưởng 3 năm gần nhất"], rows,
                            [10, 50, 45, 20, 22, 45, 60]),
        "notes": differs_from_minutes(proposal),
        "signer": k.bloc_signer(bloc_year),
        "recipients": ["- Hội đồng Thi đua - Khen thưởng " + province.full_name + ";",
                       "- Lưu: VT."],
    }


# --- a collective's achievement report (its context: achievement.py) ----------------

def achievement_context(actor, line, on) -> dict:
    return achievement.report_context(line, on, ranking_of=bloc_ranking)


def load_line(actor: Actor, pk: int) -> ProposalLine:
    line = (ProposalLine.objects.select_related(
        "unit__province", "proposal__bloc_year__bloc__province",
        "proposal__bloc_year__emulation_year", "proposal__bloc_year__leader_unit")
        .filter(pk=pk).first())
    if line is None or not rules.can_view_achievement_report(actor, line):
        raise NotFound("Không tìm thấy tập thể được đề nghị khen thưởng.")
    return line


def achievement_links(actor: Actor, line) -> list[tuple[str, str, tuple]]:
    """Where the report's unit enters what it prints: its statement and its signer."""
    if not rules.can_write_achievement_statement(actor, line.unit):
        return []
    return [("Nội dung báo cáo do đơn vị nhập (địa chỉ, chức năng, nhiệm vụ, thành tích)",
             "achievement_statement", (line.unit_id, line.proposal.bloc_year.year)),
            ("Người ký văn bản của đơn vị", "unit_signer", (line.unit_id,))]


# --- the chairman's decision draft --------------------------------------------------------------

def load_emulation_year(actor: Actor, pk: int) -> EmulationYear:
    emulation_year = EmulationYear.objects.select_related("province").filter(pk=pk).first()
    if emulation_year is None or not rules.can_view_decision_draft(actor, emulation_year):
        raise NotFound("Không tìm thấy năm thi đua.")
    return emulation_year


def decision_lines(emulation_year) -> dict:
    """Award form → unit names the decision confers: lines of the proposals the province
    accepted (or already decided, awarded), in the chairman's forms, bloc by bloc."""
    lines = (ProposalLine.objects.filter(
        proposal__bloc_year__emulation_year=emulation_year,
        proposal__state__in=(State.ACCEPTED, State.DECIDED), award_form__in=CHAIRMAN_FORMS)
        .exclude(outcome=ProposalLine.Outcome.NOT_AWARDED).select_related("unit")
        .order_by("proposal__bloc_year__bloc__sort_key", "proposal__bloc_year__bloc_id",
                  "position", "id"))
    grouped = {form: [] for form in CHAIRMAN_FORMS}
    for line in lines:
        grouped[line.award_form].append(line.unit.name)
    return {form: names for form, names in grouped.items() if names}


def decision_notes(emulation_year) -> list[str]:
    """Issue 15 item 1: where an accepted proposal differs from its bloc's minutes, the
    draft says so with the reason, bloc by bloc (the tờ trình states the same)."""
    notes = []
    for proposal in (Proposal.objects.filter(
            bloc_year__emulation_year=emulation_year, state__in=(State.ACCEPTED, State.DECIDED))
            .select_related("bloc_year__bloc").order_by("bloc_year__bloc__sort_key", "id")):
        notes += [f"(Ghi chú — {proposal.bloc_year.bloc.name}, khác biên bản hội nghị: "
                  f"{sentence})" for sentence in differences(proposal)]
    return notes + council_notes(emulation_year)


def council_notes(emulation_year) -> list[str]:
    """RULES.md 20: the council's choice of Government-flag candidates, each with the bloc
    it leads, as its minutes name them (awards.council) — the papers say what it chose."""
    choice = award_queries.council_choice(emulation_year)
    if choice is None:
        return []
    selection = choice.selection
    chosen = "; ".join(f"{line.unit.name} (dẫn đầu {line.proposal.bloc_year.bloc.name})"
                       for line in choice.lines)
    return [f"(Hội đồng Thi đua - Khen thưởng {emulation_year.province.kind_word}, "
            f"{str(selection)[0].lower()}{str(selection)[1:]}, chọn đề nghị Thủ tướng Chính "
            f"phủ tặng Cờ thi đua của Chính phủ: {chosen}.)"]


def decision_context(actor, emulation_year, on) -> dict:
    province, year = emulation_year.province, emulation_year.year
    grouped = decision_lines(emulation_year)
    forms = ", ".join(label_for(f, province) for f in grouped) or "khen thưởng"
    article_1 = []
    for letter, (form, names) in zip("abcdefgh", grouped.items(), strict=False):
        article_1.append(f"{letter}) {label_for(form, province)} ({len(names)} tập thể):")
        article_1 += [f"- {name};" for name in names]
    if not article_1:
        article_1 = ["(Chưa có hồ sơ đề nghị nào được tiếp nhận.)"]
    article_1 += decision_notes(emulation_year)
    kind = province.kind_word  # tỉnh / thành phố (a centrally-run city)
    return {
        "doc_type": "QUYẾT ĐỊNH",
        "subject": f"Về việc tặng {forms} năm {year}",
        # The draft has no number and no date yet: the office writes them in.
        "number_line": "Số: …/QĐ-UBND",
        "authority": text.authority(province),
        # Decree 30: the căn cứ lines run on into "Xét đề nghị …", so the last keeps ";".
        "legal_bases": k.legal_bases(province.code, on, last=";"),
        "considering": text.considering(province, year),
        "articles": [
            {"head": "Điều 1.", "text": "Tặng danh hiệu thi đua, hình thức khen thưởng cho "
             f"các tập thể đã có thành tích xuất sắc trong phong trào thi đua năm {year} của "
             f"các cụm, khối thi đua của {kind}, gồm:", "lines": article_1},
            *text.closing_articles(province),
        ],
        "signer": text.decision_signer(),
        "recipients": text.recipients(province),
    }


def award_kinds() -> list:
    Kind = k.Kind  # noqa: N806
    return [
        Kind(slug="to-trinh", label="Tờ trình đề nghị khen thưởng",
             template="proposal_letter", symbol="TTr", load=load_proposal,
             issuer=lambda p: k.bloc_issuer(p.bloc_year),
             can_issue=rules.can_issue_proposal_letter, context=proposal_context,
             filename=lambda p: f"to-trinh-khen-thuong-{p.bloc_year.year}-"
                                f"{p.bloc_year.bloc.code}",
             province_id=lambda p: p.bloc_year.bloc.province_id),
        Kind(slug="danh-sach-trich-ngang", label="Danh sách trích ngang các tập thể đề nghị",
             template="proposed_list", symbol="DS", load=load_proposal,
             issuer=lambda p: k.bloc_issuer(p.bloc_year),
             can_issue=rules.can_issue_proposal_letter, context=proposed_list_context,
             filename=lambda p: f"danh-sach-trich-ngang-{p.bloc_year.year}-"
                                f"{p.bloc_year.bloc.code}",
             province_id=lambda p: p.bloc_year.bloc.province_id),
        Kind(slug="bao-cao-thanh-tich", label="Báo cáo thành tích tập thể",
             template="achievement_report", symbol="BC", load=load_line,
             issuer=lambda line: k.unit_issuer(line.unit),
             can_issue=rules.can_issue_achievement_report, context=achievement_context,
             links=achievement_links,
             filename=lambda line: f"bao-cao-thanh-tich-{line.proposal.bloc_year.year}-"
                                   f"{line.unit.code}-{line.award_form}",
             province_id=lambda line: line.unit.province_id),
        Kind(slug="du-thao-quyet-dinh", label="Dự thảo quyết định khen thưởng",
             template="decision_draft", symbol="QĐ", load=load_emulation_year,
             issuer=text.province_issuer, can_issue=rules.can_issue_decision_draft,
             context=decision_context,
             filename=lambda y: f"du-thao-quyet-dinh-khen-thuong-{y.year}-"
                                f"{y.province.code}",
             province_id=lambda y: y.province_id),
    ]


def proposal_documents(bloc_year) -> list[tuple[str, int]]:
    """(kind slug, subject id) of a bloc year's award documents: its proposal letter, the
    list of proposed units (trích ngang) and one achievement report per proposed line (the
    province pack, RULES.md 41)."""
    proposal = Proposal.objects.filter(bloc_year=bloc_year).first()
    if proposal is None:
        return []
    return [("to-trinh", proposal.id), ("danh-sach-trich-ngang", proposal.id)] + [
        ("bao-cao-thanh-tich", line.id) for line in _lines(proposal)]



def visible_papers(actor: Actor, proposal) -> list[tuple[str, str, int]]:
    """(label, kind slug, subject id) of the proposal's papers the actor may open: the
    letter, and each proposed collective's report (the proposal page links them)."""
    if proposal is None:
        return []
    papers = []
    province, on = proposal.bloc_year.bloc.province.code, proposal.conference_date
    letter = _numbered(k.dossier_form(province, on, "proposal_letter"), short=True)
    report = _numbered(k.dossier_form(province, on, "achievement_report"), short=True)
    if rules.can_view_proposal_letter(actor, proposal):
        papers.append((f"Tờ trình đề nghị khen thưởng{letter}", "to-trinh", proposal.id))
        papers.append(("Danh sách trích ngang các tập thể đề nghị", "danh-sach-trich-ngang",
                       proposal.id))
    for line in _lines(proposal):
        line.proposal = proposal
        if rules.can_view_achievement_report(actor, line):
            papers.append((f"Báo cáo thành tích{report} — {line.unit.name}, "
                           f"{label_for(line.award_form, proposal.bloc_year.bloc.province)}",
                           "bao-cao-thanh-tich",
                           line.id))
    return papers
