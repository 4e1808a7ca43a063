"""The award documents' Word templates (RULES.md 35–39, 41): the proposal letter (tờ trình,
form 01), a collective's achievement report (form 02) and the chairman's decision draft.

Built by `python -m thidua.documents.templates.build` with the others (build.py adds
`TEMPLATES` below to its own); the shared blocks (heading, legal bases, grid, signature)
come from blocks.py.
"""

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from thidua.documents.templates import blocks as b


def proposal_letter():
    """Tờ trình: addressee, legal bases, the conference and its vote results, the table of
    units proposed per award form, the dossier it comes with (RULES.md 41)."""
    doc = b.new_document()
    b.heading_block(doc)
    b.para(doc, "{{ addressee }}", align=b.CENTER, after=6)
    b.legal_bases(doc)
    b.paragraphs(doc, "intro")
    b.grid(doc, ["STT", "Tập thể được đề nghị", "Hình thức khen thưởng", "Hạng thi đua",
                 "Số phiếu đồng ý"],
           ["p.no", "p.unit", "p.form", "p.rank", "p.votes"],
           [Mm(12), Mm(62), Mm(48), Mm(20), Mm(23)], "p in proposed")
    b.paragraphs(doc, "closing", keep=True)
    b.section_title(doc, "Hồ sơ kèm theo:")
    b.paragraphs(doc, "attachments", keep=True)
    b.closing_block(doc)
    return doc


def achievement_report():
    """A collective's achievement report on the period's form (RULES.md 41; context in
    documents/achievement.py): the form's number top right where the texts number it,
    I. the unit, II. its achievements with the years it covers and, for a flag, its
    pledge's targets against their results, III. the awards already received (titles and
    forms of reward, each with its decision); the confirming authority (xác nhận của cấp
    trình khen) signs on the left, the unit's head on the right."""
    doc = b.new_document()
    b.para(doc, "{%p if form_line %}")
    b.para(doc, "{{ form_line }}", italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, after=3)
    b.para(doc, "{%p endif %}")
    b.heading_block(doc)
    b.para(doc, "{{ unit_line }}", align=b.CENTER, italic=True, after=6)
    b.section_title(doc, "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH")
    b.paragraphs(doc, "situation")
    b.section_title(doc, "II. THÀNH TÍCH ĐẠT ĐƯỢC")
    b.paragraphs(doc, "results_intro", keep=True)
    b.para(doc, "{{ years_table }}")  # engine.Table: drawn in place
    b.para(doc, "{%p if targets_table %}")
    b.keep_with_next(b.para(doc, "Kết quả thực hiện các chỉ tiêu đăng ký thi đua:",
                            italic=True, before=6, after=b.fmt.PARAGRAPH_AFTER.pt))
    b.para(doc, "{{ targets_table }}")
    b.para(doc, "{%p endif %}")
    b.paragraphs(doc, "measures")
    b.paragraphs(doc, "policy")
    b.section_title(doc, "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG")
    b.keep_with_next(b.para(doc, "1. Danh hiệu thi đua", italic=True,
                            after=b.fmt.PARAGRAPH_AFTER.pt))
    b.grid(doc, ["Năm", "Danh hiệu thi đua", "Số, ngày quyết định; cơ quan ban hành"],
           ["h.year", "h.form", "h.decision"], [Mm(20), Mm(70), Mm(75)], "h in titles")
    b.keep_with_next(b.para(doc, "2. Hình thức khen thưởng", italic=True, before=6,
                            after=b.fmt.PARAGRAPH_AFTER.pt))
    rewards = b.grid(doc, ["Năm", "Hình thức khen thưởng",
                           "Số, ngày quyết định; cơ quan ban hành"],
                     ["h.year", "h.form", "h.decision"], [Mm(20), Mm(70), Mm(75)],
                     "h in rewards")
    # The signatures never stand alone on a page: the table's last row and a spacer line
    # stay with them.
    for cell in rewards.rows[2].cells:
        b.keep_with_next(cell.paragraphs[0])
    b.keep_with_next(b.para(doc))
    b.confirmed_closing_block(doc)
    return doc


def decision_draft():
    """Dự thảo quyết định of the chairman: the authority line, legal bases, the proposal
    considered, "QUYẾT ĐỊNH:", then Điều 1 … with their lines, signature KT./TM."""
    doc = b.new_document()
    b.heading_block(doc)
    # UBND tỉnh is one agency written on two lines, both bold (Decree 30 appendix I).
    agency = doc.tables[0].rows[0].cells[0].paragraphs[0]
    agency.runs[0].bold = True
    b.para(doc, "{{ authority }}", bold=True, align=b.CENTER, after=6)
    b.legal_bases(doc)
    b.para(doc, "{{ considering }}", italic=True, align=b.JUSTIFY, indent_first=Mm(10),
           after=6)
    b.para(doc, "QUYẾT ĐỊNH:", bold=True, align=b.CENTER, before=6, after=6)
    b.para(doc, "{%p for article in articles %}")
    p = b.para(doc, "{{ article.head }}", bold=True, align=b.JUSTIFY, indent_first=Mm(10),
               after=b.fmt.PARAGRAPH_AFTER.pt)
    run = p.add_run(" {{ article.text }}")
    b._fonts(run, b.fmt.BODY_SIZE)
    b.para(doc, "{%p for line in article.lines %}")
    b.para(doc, "{{ line }}", align=b.JUSTIFY, indent_first=Mm(10), after=b.fmt.PARAGRAPH_AFTER.pt)
    b.para(doc, "{%p endfor %}")
    b.para(doc, "{%p endfor %}")
    b.closing_block(doc)
    return doc


def press_release():
    """Thông cáo báo chí: the published title as the subject, the lead in bold, the body's
    paragraphs, signed for the bloc."""
    doc = b.new_document()
    b.heading_block(doc)
    b.para(doc, "{{ lead }}", bold=True, align=b.JUSTIFY, indent_first=Mm(10),
           after=b.fmt.PARAGRAPH_AFTER.pt)
    b.paragraphs(doc, "body", keep=True)
    b.closing_block(doc)
    return doc


TEMPLATES = {"press_release": press_release, "proposal_letter": proposal_letter,
             "achievement_report": achievement_report, "decision_draft": decision_draft}
