"""The conference papers' Word templates (RULES.md 34–40): printed paper ballots, the sheet
of voting cards, the count record (biên bản kiểm phiếu) and the conference minutes (biên
bản họp bình xét).

Built by `python -m thidua.documents.templates.build` with the others (build.py adds
`TEMPLATES` below to its own); the shared blocks (heading, legal bases, grid, signature)
come from blocks.py.

Ballots: one per A4 page. A bloc has 5–20 members, so a poll needs at most a score of
ballots: an office printer prints them in a minute, nobody has to cut sheets (a miscut
sheet mixes up codes), the whole candidate list stays large enough to mark, and the foot
of the page carries the receipt stub the voter tears off along the dashed line and keeps
to check the ballot once the result is published. Ballots and cards carry no page number
(a page number would tell in which order codes were handed out).
"""

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from thidua.documents import format as fmt
from thidua.documents.templates import blocks as b


def _no_page_numbers(doc):
    header = doc.sections[0].header.paragraphs[0]
    for run in list(header.runs):
        run._r.getparent().remove(run._r)


def _page_break(doc):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run()
    br = OxmlElement("w:br")
    br.set(qn("w:type"), "page")
    run._r.append(br)
    return paragraph


def _edges(table, value, size=6):
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), str(size))
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _cant_split(row):
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _loop_table(doc, columns, widths, loop, fill, *, borders="nil"):
    """A table of one repeated row (`{%tr for loop %}`): `fill(cell, index)` writes the
    paragraphs of each cell of that row."""
    table = doc.add_table(rows=3, cols=columns)
    _edges(table, borders)
    b._widths(table, widths)
    table.rows[0].cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
    table.rows[2].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    _cant_split(table.rows[1])
    for index, cell in enumerate(table.rows[1].cells):
        cell._tc.remove(cell.paragraphs[0]._p)
        fill(cell, index)
    return table


def ballots():
    """One ballot a page: heading, "PHIẾU BẦU", the poll, the rule "chọn tối đa N", the
    candidates with score, rank and a box to mark, the code; a receipt stub at the foot."""
    doc = b.new_document()
    _no_page_numbers(doc)
    b.para(doc, "{%p for ballot in ballots %}")
    b.heading_block(doc)
    b.paragraphs(doc, "instructions")
    b.grid(doc, ["STT", "Tên đơn vị", "Tổng điểm", "Hạng", "Đồng ý (đánh dấu X)"],
           ["c.no", "c.name", "c.score", "c.rank", "''"],
           [Mm(12), Mm(78), Mm(25), Mm(15), Mm(35)], "c in candidates")
    b.para(doc, "{{ ballot.code_line }}", size=fmt.BODY_SIZE, bold=True, align=b.CENTER,
           before=12)
    b.para(doc, "{{ ballot_note }}", size=fmt.RECIPIENTS_LABEL_SIZE, italic=True,
           align=b.CENTER, before=3)
    stub = b.para(doc, "{{ stub_label }}", size=fmt.RECIPIENTS_SIZE, italic=True,
                  align=b.CENTER, before=36)
    top = OxmlElement("w:pBdr")
    line = OxmlElement("w:top")
    for key, value in (("w:val", "dashed"), ("w:sz", "8"), ("w:space", "6"),
                       ("w:color", "000000")):
        line.set(qn(key), value)
    top.append(line)
    stub._p.get_or_add_pPr().append(top)
    b.para(doc, "{{ stub_title }}", size=fmt.RECIPIENTS_LABEL_SIZE, align=b.CENTER, before=6)
    b.para(doc, "{{ ballot.code_line }}", size=fmt.BODY_SIZE, bold=True, align=b.CENTER,
           before=3)
    b.para(doc, "{{ stub_help }}", size=fmt.RECIPIENTS_SIZE, italic=True, align=b.CENTER,
           before=3)
    b.para(doc, "{%p if not loop.last %}")
    _page_break(doc)
    b.para(doc, "{%p endif %}")
    b.para(doc, "{%p endfor %}")
    return doc


def voting_cards():
    """The sheet of voting cards: the heading on page 1, then two cards a row, each with
    its unit, delegate, QR code and link, framed by dashed cut lines."""
    doc = b.new_document()
    _no_page_numbers(doc)
    b.heading_block(doc)
    b.paragraphs(doc, "intro")
    width = (b.text_width(doc.sections[0]) - Mm(1)) // 2

    def card(cell, index):
        side = "left" if index == 0 else "right"
        b.para(cell, f"{{{{ r.{side}.title }}}}", size=fmt.RECIPIENTS_SIZE, align=b.CENTER,
               before=6)
        b.para(cell, f"{{{{ r.{side}.unit }}}}", size=fmt.TABLE_SIZE, bold=True,
               align=b.CENTER, before=3)
        b.para(cell, f"{{{{ r.{side}.delegate }}}}", size=fmt.RECIPIENTS_SIZE, align=b.CENTER)
        b.para(cell, f"{{{{ r.{side}.qr }}}}", align=b.CENTER, before=3)
        b.para(cell, f"{{{{ r.{side}.url }}}}", size=Pt(7), align=b.CENTER)
        b.para(cell, f"{{{{ r.{side}.help }}}}", size=fmt.RECIPIENTS_SIZE, italic=True,
               align=b.CENTER, after=6)

    _loop_table(doc, 2, [width, width], "r in card_rows", card, borders="dashed")
    return doc


def count_record():
    """Biên bản kiểm phiếu (RULES.md 34): the committee, the ballots (issued, returned,
    valid, invalid), the threshold, per candidate the yes votes, percentage and sentence;
    the committee members sign, its head signs for it."""
    doc = b.new_document()
    b.heading_block(doc)
    b.legal_bases(doc)
    b.paragraphs(doc, "intro")
    b.section_title(doc, "I. SỐ PHIẾU")
    b.grid(doc, ["STT", "Nội dung", "Số lượng"], ["n.no", "n.label", "n.value"],
           [Mm(15), Mm(110), Mm(40)], "n in counts")
    b.paragraphs(doc, "rule_lines")
    b.section_title(doc, "II. KẾT QUẢ KIỂM PHIẾU")
    b.grid(doc, ["STT", "Đơn vị", "Số phiếu đồng ý", "Tỷ lệ", "Cách tính", "Kết quả"],
           ["c.no", "c.name", "c.votes", "c.percentage", "c.sentence", "c.outcome"],
           [Mm(12), Mm(45), Mm(18), Mm(20), Mm(42), Mm(28)], "c in candidates")
    b.paragraphs(doc, "notes")
    b.section_title(doc, "III. BAN KIỂM PHIẾU")
    b.grid(doc, ["STT", "Họ và tên", "Nhiệm vụ", "Chữ ký"],
           ["m.no", "m.name", "m.role", "''"], [Mm(15), Mm(70), Mm(40), Mm(40)],
           "m in committee")
    b.paragraphs(doc, "closing", keep=True)
    b.closing_block(doc)
    return doc


def minutes():
    """Biên bản họp bình xét (RULES.md 40): time, place, chair, secretary, guests,
    attendance, proceedings with the score chart, each poll's results with its arithmetic
    and chart, the leader election, the ballot-box digests, closing; secretary and chair
    sign, then the recipients."""
    doc = b.new_document()
    b.heading_block(doc)
    b.legal_bases(doc)
    b.section_title(doc, "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN")
    b.paragraphs(doc, "opening")
    b.grid(doc, ["STT", "Đơn vị thành viên", "Đại biểu dự", "Có mặt", "Lý do vắng"],
           ["a.no", "a.name", "a.delegate", "a.present", "a.reason"],
           [Mm(12), Mm(63), Mm(40), Mm(18), Mm(32)], "a in attendance")
    b.section_title(doc, "II. NỘI DUNG HỘI NGHỊ")
    b.paragraphs(doc, "proceedings")
    b.para(doc, "{{ score_chart }}", align=b.CENTER, before=6, after=6)
    b.section_title(doc, "III. KẾT QUẢ BỎ PHIẾU")
    b.paragraphs(doc, "no_polls")
    b.para(doc, "{%p for p in polls %}")
    b.keep_with_next(b.para(doc, "{{ p.heading }}", bold=True, italic=True, before=6,
                            after=fmt.PARAGRAPH_AFTER.pt))
    b.para(doc, "{%p for line in p.lines %}")
    b.para(doc, "{{ line }}", align=b.JUSTIFY, indent_first=Mm(10), after=fmt.PARAGRAPH_AFTER.pt)
    b.para(doc, "{%p endfor %}")
    b.grid(doc, ["STT", "Đơn vị", "Số phiếu đồng ý", "Tỷ lệ", "Cách tính", "Kết quả"],
           ["c.no", "c.name", "c.votes", "c.percentage", "c.sentence", "c.outcome"],
           [Mm(12), Mm(45), Mm(18), Mm(20), Mm(42), Mm(28)], "c in p.candidates")
    b.para(doc, "{{ p.chart }}", align=b.CENTER, before=6, after=6)
    b.para(doc, "{%p endfor %}")
    b.section_title(doc, "IV. BẦU TRƯỞNG KHỐI, PHÓ KHỐI")
    b.paragraphs(doc, "elections")
    b.paragraphs(doc, "closing", keep=True)
    total = b.text_width(doc.sections[0])
    table = doc.add_table(rows=1, cols=2)
    b._no_borders(table)
    b._widths(table, [total // 2, total - total // 2])
    _cant_split(table.rows[0])  # the two signatures stay on one page
    for cell, who in zip(table.rows[0].cells, ("secretary", "chair"), strict=True):
        cell._tc.remove(cell.paragraphs[0]._p)
        b.para(cell, f"{{{{ {who}.title }}}}", size=fmt.SIGNATURE_SIZE, bold=True,
               align=b.CENTER, before=12)
        b.para(cell, "(Ký, ghi rõ họ tên)", size=fmt.RECIPIENTS_LABEL_SIZE, italic=True,
               align=b.CENTER)
        for _ in range(4):
            b.para(cell, size=fmt.SIGNATURE_SIZE)
        b.para(cell, f"{{{{ {who}.name }}}}", size=fmt.SIGNATURE_SIZE, bold=True,
               align=b.CENTER)
    b.para(doc, fmt.RECIPIENTS_LABEL, size=fmt.RECIPIENTS_LABEL_SIZE, bold=True, italic=True,
           before=12)
    b.para(doc, "{%p for recipient in recipients %}", size=fmt.RECIPIENTS_SIZE)
    b.para(doc, "{{ recipient }}", size=fmt.RECIPIENTS_SIZE)
    b.para(doc, "{%p endfor %}", size=fmt.RECIPIENTS_SIZE)
    verification_annex(doc)
    return doc


def verification_annex(doc):
    """The ballot boxes' check codes (SHA-256 of each published poll's ballot list) are
    for verification, not part of the minutes' text: an annex on a page of its own, each
    code left-aligned in groups of eight characters (a justified 64-character word would
    stretch the line)."""
    heading = b.para(doc, "PHỤ LỤC: MÃ KIỂM TRA HÒM PHIẾU", bold=True, align=b.CENTER)
    heading.paragraph_format.page_break_before = True
    b.para(doc, "{{ annex_intro }}", italic=True, size=fmt.RECIPIENTS_LABEL_SIZE,
           align=b.LEFT, before=6, after=fmt.PARAGRAPH_AFTER.pt)
    b.para(doc, "{%p for d in digests %}")
    b.para(doc, "{{ d.poll }}", size=fmt.RECIPIENTS_LABEL_SIZE, bold=True, align=b.LEFT,
           before=6)
    b.para(doc, "{{ d.code }}", size=fmt.RECIPIENTS_LABEL_SIZE, align=b.LEFT,
           after=fmt.PARAGRAPH_AFTER.pt)
    b.para(doc, "{%p endfor %}")


TEMPLATES = {"ballots": ballots, "voting_cards": voting_cards,
             "count_record": count_record, "minutes": minutes}
