"""The four documents from the demo's live data, read back with python-docx: header lines,
number and date, legal bases of the rulebook in force, signature block, recipients, page
setup and fonts (RULES.md 35–39); each document's variables all supplied."""

import datetime
import io

import pytest
from docx import Document as Docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt

from thidua.core import dates
from thidua.core.models import AuditEvent, User
from thidua.documents import engine, services
from thidua.documents import format as fmt
from thidua.documents.kind import common_context
from thidua.documents.kinds import KINDS
from thidua.documents.models import Document, NumberCounter
from thidua.documents.signers import BLANK_NAME
from thidua.law.rulebooks import rulebook_for
from thidua.org.models import RoleAssignment
from thidua.org.rules import actor_for
from thidua.pledges.models import Registration
from thidua.scoring.models import ScoreSheet

ON = datetime.date(2026, 3, 5)


def mm(length) -> float:
    """Word keeps lengths in twips: compare to a tenth of a millimetre."""
    return round(length.mm, 1)


def read(content: bytes):
    return Docx(io.BytesIO(content))


def cell_lines(cell):
    return [p.text for p in cell.paragraphs]


class Column:
    """One side of the heading table read top to bottom across its two rows."""

    def __init__(self, cells):
        self.cells = cells
        self.paragraphs = [p for cell in cells for p in cell.paragraphs]


def header(doc) -> tuple[Column, Column]:
    """(agencies and "Số:", national name, motto and date): the heading table's two rows
    (agencies | national name and motto; number | place and date)."""
    rows = doc.tables[0].rows
    return (Column([row.cells[0] for row in rows]), Column([row.cells[1] for row in rows]))


def officer_of(unit):
    return actor_for(RoleAssignment.objects.filter(role="unit_officer", unit=unit)
                     .select_related("user").first().user)


def leader_of(bloc_year):
    return actor_for(RoleAssignment.objects.get(role="bloc_leader_officer",
                                                bloc_year=bloc_year).user)


def subjects(bloc_year):
    registration = Registration.objects.filter(
        bloc_year=bloc_year, status="submitted").select_related("unit").order_by("unit__code")[0]
    sheet = ScoreSheet.objects.filter(table__bloc_year=bloc_year, kind="self").select_related(
        "scored_unit").order_by("scored_unit__code")[0]
    return {
        "dang-ky": (registration.pk, officer_of(registration.unit), registration.unit),
        "giao-uoc": (bloc_year.pk, leader_of(bloc_year), None),
        "tu-cham": (sheet.pk, officer_of(sheet.scored_unit), sheet.scored_unit),
        "xep-hang": (bloc_year.pk, leader_of(bloc_year), None),
    }


def expected_bases(on):
    """";" after each căn cứ, "." after the last (issue 14: no trailing ";")."""
    lines = [f"Căn cứ {b.title}" for b in rulebook_for("BN", on).legal_bases(on)]
    return [line + (";" if i < len(lines) - 1 else ".") for i, line in enumerate(lines)]


def pledge_day(bloc_year) -> str:
    from thidua.pledges.models import PledgeSigning

    return dates.date_line("Bắc Ninh", PledgeSigning.objects.get(bloc_year=bloc_year).signed_on)


def body_lines(doc):
    """The body's paragraphs without the rule under the trích yếu (test_layout checks it)."""
    return [p.text for p in doc.paragraphs if p.style.name != fmt.SUBJECT_RULE_STYLE]


def test_every_document_issued_from_the_demo_reads_back_rules_35_to_39(demo_year):
    bloc = demo_year.bloc
    for slug, (pk, actor, unit) in subjects(demo_year).items():
        kind = KINDS[slug]
        document = services.issue(actor, slug, pk, on=ON)
        doc = read(bytes(document.docx))
        if unit is not None:
            issuing, abbreviation = unit.name.upper(), unit.code.upper()
        else:
            issuing, abbreviation = bloc.name.upper(), "KTKT"  # the bloc's code
        # Header: agencies, short rule, number | national name, motto, date (35, 37, 38).
        left, right = header(doc)
        assert cell_lines(left) == ["UBND TỈNH BẮC NINH", issuing, "",
                                    f"Số: 01/{kind.symbol}-{abbreviation}"], slug
        # The pledge is dated the day the heads signed it; the others the signing date.
        dated = (pledge_day(demo_year) if slug == "giao-uoc"
                 else "Bắc Ninh, ngày 05 tháng 3 năm 2026")
        assert cell_lines(right) == [fmt.NATIONAL_NAME, fmt.MOTTO, dated], slug
        national, motto, date = (p.runs[0] for p in right.paragraphs)
        assert (national.bold, national.font.size) == (True, Pt(13))
        assert (motto.bold, motto.font.size) == (True, Pt(14))
        assert (date.italic, date.font.size) == (True, Pt(14))
        issuing_run = left.paragraphs[1].runs[0]
        assert (issuing_run.bold, left.paragraphs[0].runs[0].bold) == (True, False)
        assert left.paragraphs[2]._p.pPr.find(qn("w:pBdr")) is not None  # the short rule
        assert right.paragraphs[1]._p.pPr.find(qn("w:pBdr")) is not None  # motto's rule
        # Legal bases of the rulebook in force on the document's date, in order.
        lines = body_lines(doc)
        bases = expected_bases(ON)
        assert bases and lines[2:2 + len(bases)] == bases, slug
        # Signature block and recipients (the last table).
        recipients, signature = doc.tables[-1].rows[0].cells
        assert cell_lines(recipients)[0] == "Nơi nhận:"
        assert cell_lines(recipients)[-1] == "- Lưu: VT."
        if unit is None:
            # Issue 15, item 2: no signer entered → a dotted line, never the unit's name.
            assert cell_lines(signature) == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", "", "", "", "",
                                             BLANK_NAME], slug
        else:
            assert cell_lines(signature) == ["", "THỦ TRƯỞNG ĐƠN VỊ", "", "", "", "",
                                             BLANK_NAME]
        # Page setup (36, 39): A4, margins, Times New Roman, no number on page 1.
        section = doc.sections[0]
        landscape = slug == "xep-hang"
        assert section.orientation == (WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT)
        size = (297.0, 210.0) if landscape else (210.0, 297.0)
        assert (mm(section.page_width), mm(section.page_height)) == size, slug
        assert [mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin),
                mm(section.right_margin)] == [20.0, 20.0, 30.0, 15.0]
        assert section.different_first_page_header_footer is True
        assert "".join(p.text for p in section.first_page_header.paragraphs) == ""
        assert "PAGE" in section.header._element.xml
        assert section.header.paragraphs[0].alignment == 1  # centred
        normal = doc.styles["Normal"].font
        assert (normal.name, normal.size) == ("Times New Roman", Pt(14))
        fonts = {r.font.name for p in doc.paragraphs for r in p.runs}
        fonts |= {r.font.name for t in doc.tables for row in t.rows for c in row.cells
                  for p in c.paragraphs for r in p.runs}
        assert fonts <= {"Times New Roman", None}, (slug, fonts)


def test_document_texts_from_live_data(demo_year):
    items = subjects(demo_year)
    pk, actor, unit = items["dang-ky"]
    registration = Registration.objects.get(pk=pk)
    doc = read(services.issue(actor, "dang-ky", pk, on=ON).docx)
    lines = body_lines(doc)
    assert lines[:2] == ["BẢN ĐĂNG KÝ THI ĐUA", f"Năm {registration.emulation_year.year}"]
    targets = doc.tables[1]
    assert [c.text for c in targets.rows[0].cells] == [
        "STT", "Chỉ tiêu", "Đơn vị tính", "Giá trị xuất phát", "Giá trị mục tiêu", "Thời hạn"]
    assert [r.cells[1].text for r in targets.rows[1:]] == [
        t.indicator for t in registration.targets.all()]
    # The ranking table: one row per ranked unit in rank order, the final score.
    from thidua.scoring.models import RankingRow
    pk, actor, _ = items["xep-hang"]
    doc = read(services.issue(actor, "xep-hang", pk, on=ON).docx)
    table = doc.tables[1]
    rows = RankingRow.objects.filter(ranking__table__bloc_year=demo_year).select_related(
        "unit").order_by("rank", "unit__sort_key")
    assert [r.cells[1].text for r in table.rows[1:]] == [r.unit.name for r in rows]
    assert [r.cells[0].text for r in table.rows[1:]] == [str(r.rank) for r in rows]
    assert body_lines(doc)[:2] == ["BÁO CÁO", f"Kết quả chấm điểm, xếp hạng thi đua "
                                   f"{demo_year.bloc.name} năm {demo_year.year}"]


def test_every_template_variable_is_supplied_by_its_context(demo_year):
    for slug, (pk, actor, _) in subjects(demo_year).items():
        kind = KINDS[slug]
        subject = kind.load(actor, pk)
        context = common_context(kind, subject, number=None, on=ON)
        context.update(kind.context(actor, subject, ON))
        assert engine.template_variables(kind.template) <= set(context), slug


def test_a_draft_carries_no_number_and_takes_none(demo_year):
    pk, actor, unit = subjects(demo_year)["dang-ky"]
    produced = services.draft(actor, "dang-ky", pk, on=ON)
    doc = read(produced.content)
    left, right = header(doc)
    assert cell_lines(left)[3] == f"Số:       /ĐK-{unit.code}"
    assert cell_lines(right)[2] == "Bắc Ninh, ngày … tháng … năm …"  # signed by hand
    assert produced.filename.endswith("-du-thao.docx")
    assert NumberCounter.objects.count() == 0 and Document.objects.count() == 0


def test_issue_numbers_per_issuer_type_and_year_restarting_on_1_january(demo_year):
    items = subjects(demo_year)
    bloc_pk, leader, _ = items["xep-hang"]
    refs = [services.issue(leader, "xep-hang", bloc_pk, on=ON).reference for _ in range(10)]
    assert refs == [f"{n:02d}/BC-KTKT" for n in range(1, 11)]
    # Another type of the same body, another body: numbering of their own.
    assert services.issue(leader, "giao-uoc", bloc_pk, on=ON).reference == "01/BTT-KTKT"
    pk, officer, unit = items["tu-cham"]
    assert services.issue(officer, "tu-cham", pk, on=ON).reference == f"01/BC-{unit.code}"
    # 31 December, then 1 January: 11, then 01 again.
    assert services.issue(leader, "xep-hang", bloc_pk,
                          on=datetime.date(2026, 12, 31)).reference == "11/BC-KTKT"
    new_year = services.issue(leader, "xep-hang", bloc_pk, on=datetime.date(2027, 1, 1))
    assert (new_year.reference, new_year.year) == ("01/BC-KTKT", 2027)
    assert cell_lines(header(read(new_year.docx))[1])[2] == \
        "Bắc Ninh, ngày 01 tháng 01 năm 2027"
    event = AuditEvent.objects.filter(action="documents.issue").order_by("-id").first()
    assert (event.object_id, event.after["reference"], event.actor_id) == (
        str(new_year.pk), "01/BC-KTKT", leader.user.id)


def test_issuing_is_refused_to_who_may_only_read(demo_year):
    from thidua.core.errors import Forbidden, NotFound

    items = subjects(demo_year)
    pk, officer, unit = items["dang-ky"]
    # A member unit sees the bloc's ranking and pledge but does not issue them.
    with pytest.raises(Forbidden):
        services.issue(officer, "xep-hang", demo_year.pk, on=ON)
    with pytest.raises(Forbidden):
        services.issue(officer, "giao-uoc", demo_year.pk, on=ON)
    # The leader reads a unit's submitted registration but the unit issues it.
    with pytest.raises(Forbidden):
        services.issue(leader_of(demo_year), "dang-ky", pk, on=ON)
    nobody = actor_for(User.objects.create_user(username="khach"))
    with pytest.raises(NotFound):
        services.draft(nobody, "giao-uoc", demo_year.pk, on=ON)
    assert Document.objects.count() == 0 and NumberCounter.objects.count() == 0
