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


def proposed_list():
    """Danh sách trích ngang: a wide table on A4 turned, one line per proposed unit."""
    doc = b.new_document(landscape=True)
    b.heading_block(doc)
    b.para(doc, "{{ attached_to }}", italic=True, align=b.CENTER, after=12)
    b.para(doc, "{{ list_table }}")  # engine.Table: drawn in place
    b.paragraphs(doc, "notes", keep=True)
    b.keep_with_next(b.para(doc))
    b.closing_block(doc)
    return doc


def decision():
    """The numbered decision (its number and date as recorded) and, on a page of its own,
    the attached list (danh sách kèm theo): a table of the units per award form."""
    doc = decision_draft()
    page_break(doc)
    b.para(doc, "DANH SÁCH", bold=True, align=b.CENTER)
    b.para(doc, "{{ annex_subject }}", bold=True, align=b.CENTER)
    b.para(doc, "{{ annex_reference }}", italic=True, align=b.CENTER, after=12)
    b.para(doc, "{{ annex_table }}")  # engine.Table: drawn in place
    return doc


def page_break(doc):
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def notice():
    """Thông báo kết quả: the decision it reports, the results bloc by bloc, signed for the
    People's Committee."""
    doc = b.new_document()
    b.heading_block(doc)
    agency = doc.tables[0].rows[0].cells[0].paragraphs[0]
    agency.runs[0].bold = True
    b.paragraphs(doc, "intro")
    b.paragraphs(doc, "body")
    b.paragraphs(doc, "closing", keep=True)
    b.closing_block(doc)
    return doc


def certificates():
    """Phôi Bằng khen / Giấy chứng nhận Cờ thi đua: one landscape page per award, the text a
    certificate carries (not an administrative paper: no number, no recipients)."""
    doc = b.new_document(landscape=True)
    doc.sections[0].different_first_page_header_footer = False
    doc.sections[0].header.paragraphs[0].clear()  # no page numbers on a certificate
    size = b.fmt.BODY_SIZE
    b.para(doc, "{%p for c in certificates %}")
    b.para(doc, "{{ c.authority }}", bold=True, align=b.CENTER, before=24, size=size)
    b.para(doc, "TẶNG", bold=True, align=b.CENTER, before=12, size=size)
    b.para(doc, "{{ c.title }}", bold=True, align=b.CENTER, before=12, size=b.Pt(36))
    b.para(doc, "{%p if c.award %}")
    b.para(doc, "{{ c.award }}", bold=True, align=b.CENTER, size=b.Pt(18))
    b.para(doc, "{%p endif %}")
    b.para(doc, "{{ c.unit }}", bold=True, align=b.CENTER, before=18, size=b.Pt(24))
    b.para(doc, "{{ c.reason }}", italic=True, align=b.CENTER, before=12, size=size)
    b.para(doc, "{{ c.decision }}", align=b.CENTER, before=18, size=b.Pt(12))
    b.para(doc, "{{ c.register }}", align=b.CENTER, size=b.Pt(12))
    b.para(doc, "{{ c.date_line }}", italic=True, align=b.CENTER, before=12, size=size)
    b.para(doc, "{{ c.signer.mandate }}", bold=True, align=b.CENTER, size=size)
    b.para(doc, "{{ c.signer.title }}", bold=True, align=b.CENTER, size=size)
    b.para(doc, "{{ c.signer.name }}", bold=True, align=b.CENTER, before=48, size=size)
    b.para(doc, "{%p if not loop.last %}")
    page_break(doc)
    b.para(doc, "{%p endif %}")
    b.para(doc, "{%p endfor %}")
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
             "decision": decision, "notice": notice, "certificates": certificates,
             "proposed_list": proposed_list,
             "achievement_report": achievement_report, "decision_draft": decision_draft}
