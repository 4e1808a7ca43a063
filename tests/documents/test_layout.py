"""Issue 15, items 4–6 and 9, read back from the DOCX (python-docx) and the PDF (LibreOffice,
pdftotext, pdffonts) as a clerk would check them against Decree 30/2020, Appendix I:

- "Số:" and the place-and-date line on one level (the heading's second row);
- a short solid rule under the trích yếu, centred, 1/3 to 1/2 of the subject's line;
- at least 6 pt between the body's paragraphs;
- the header row of every bordered table repeated on each page it runs onto;
- the last paragraphs kept with the signature block (never a signature alone on a page);
- no software internals on the papers (rule numbers, SHA-256 codes);
- the PDF carries Liberation Serif, embedded, as the README says.
"""

import re
import subprocess
import unicodedata
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from thidua.documents import format as fmt
from thidua.documents import pdf, services
from thidua.documents.engine import formal_text

from .award_year import ON as AWARD_ON
from .test_documents import ON, read, subjects

README = Path(__file__).resolve().parents[2] / "README.md"


def subject_rule(doc):
    [rule] = [p for p in doc.paragraphs if p.style.name == fmt.SUBJECT_RULE_STYLE]
    return rule


def check_layout(doc, where):
    section = doc.sections[0]
    usable = section.page_width - section.left_margin - section.right_margin
    # The heading: agencies | national name and motto; then "Số:" | date, one row, level.
    table = doc.tables[0]
    assert len(table.rows) == 2, where
    number, date = table.rows[1].cells
    assert [p.text for p in number.paragraphs][0].startswith("Số:"), where
    assert [p.text for p in date.paragraphs][0].startswith("Bắc Ninh, ngày"), where
    assert number.paragraphs[0].paragraph_format.space_before == \
        date.paragraphs[0].paragraph_format.space_before, where
    # The rule under the trích yếu, straight after the subject, a third of its line.
    paragraphs = list(doc.paragraphs)
    rule = subject_rule(doc)
    subject = paragraphs[paragraphs.index(next(p for p in paragraphs
                                               if p._p is rule._p)) - 1].text
    assert rule._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:val")) == "single"
    indents = rule.paragraph_format
    assert indents.left_indent == indents.right_indent, where
    length = usable - indents.left_indent - indents.right_indent
    line = min(fmt.text_width(subject, fmt.SUBJECT_SIZE.pt), usable)
    slack = fmt.Mm(0.1)  # Word keeps indents in twips
    assert line // 3 - slack <= length <= max(line // 2, fmt.SUBJECT_RULE_MIN) + slack, where
    # ≥ 6 pt after every body paragraph of running text (justified).
    spacing = {p.paragraph_format.space_after for p in paragraphs
               if p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY and p.text}
    assert spacing and min(spacing) >= Pt(6), (where, spacing)
    # Every bordered table repeats its header row.
    for grid in doc.tables:
        if grid.style is not None and grid.style.name == "Table Grid":
            assert grid.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None, where
    # The paragraph before the signature table stays on its page.
    signature = doc.tables[-1]._tbl
    before = signature.getprevious()
    assert before.tag == qn("w:p"), where
    keep = before.find(qn("w:pPr"))
    assert keep is not None and keep.find(qn("w:keepNext")) is not None, where
    # No software internals (issue 15, item 6).
    text = "\n".join(p.text for p in paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Quy tắc" not in text and "SHA-256" not in text, where


def test_demo_papers_decree_30_layout_items_4_5_6(demo_year):
    for slug, (pk, actor, _) in subjects(demo_year).items():
        check_layout(read(bytes(services.issue(actor, slug, pk, on=ON).docx)), slug)


def test_award_papers_decree_30_layout_items_4_5_6(world, award_year):
    from .test_award_documents import subjects as award_subjects

    actors = {"to-trinh": "leader", "bao-cao-thanh-tich": "officer"}
    for slug, pk in award_subjects(world, award_year).items():
        if slug in actors:
            document = services.issue(world.actor(actors[slug]), slug, pk, on=AWARD_ON)
            check_layout(read(bytes(document.docx)), slug)


def test_formal_text_drops_rule_citations_only():
    assert formal_text("đủ số đơn vị để biểu quyết (Quy tắc 28).") == \
        "đủ số đơn vị để biểu quyết."
    assert formal_text("(luân phiên, nhìn lại 1 năm — Quy tắc 4)") == \
        "(luân phiên, nhìn lại 1 năm)"
    assert formal_text("kín (Quy tắc 30), mỗi đơn vị (Quy tắc 28, 29); hết") == \
        "kín, mỗi đơn vị; hết"
    assert formal_text("Quyết định số 38/QĐ-UBND (Điều 3)") == \
        "Quyết định số 38/QĐ-UBND (Điều 3)"


def test_pdf_number_level_with_date_signature_kept_and_font_item_9(world, award_year,
                                                                   needs_libreoffice,
                                                                   tmp_path):
    """The tờ trình as PDF: "Số:" and the date on one printed line; the signature on the
    page of the closing paragraph; Liberation Serif embedded, as the README says."""
    document = services.issue(world.actor("leader"), "to-trinh", award_year.proposal.pk,
                              on=AWARD_ON)
    path = tmp_path / "to-trinh.pdf"
    path.write_bytes(pdf.docx_to_pdf(bytes(document.docx)))
    text = unicodedata.normalize("NFC", subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
        check=True).stdout)
    [level] = [line for line in text.splitlines() if "Số: 01/TTr-KT" in line]
    assert re.search(r"Số: 01/TTr-KT\s+Bắc Ninh, ngày 05 tháng 01 năm \d{4}", level), level
    pages = text.split("\f")
    [signed] = [page for page in pages if "TM. KHỐI THI ĐUA" in page]
    assert "Báo cáo thành tích của từng tập thể" in signed  # the last paragraph, kept
    assert "Quy tắc" not in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in fonts}
    assert names and all(n.startswith("LiberationSerif") for n in names), names
    assert all(" yes " in line for line in fonts)  # embedded
    readme = README.read_text()
    assert "Liberation Serif" in readme and "metric-compatible" in readme
    assert "### Phông chữ của bản PDF" in readme and "### The PDF's font" in readme
