"""The blocks every Word template is made of (RULES.md 35–39): the page, the Decree 30
heading, the subject rule, legal bases, paragraphs and grids of Jinja loops, the signature
block. Every size, margin and font comes from documents/format.py; every Jinja tag is
written inside one run. The templates themselves: build.py, build_awards.py,
build_conference.py.
"""

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from thidua.documents import format as fmt

CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
LEFT = WD_ALIGN_PARAGRAPH.LEFT
HEADER_LEFT = fmt.HEADER_LEFT_WIDTH  # agencies and number; the right column takes the rest


def _fonts(run_or_style, size=None):
    font = run_or_style.font
    font.name = fmt.FONT
    element = run_or_style.element if hasattr(run_or_style, "element") else None
    rpr = (element.get_or_add_rPr() if element is not None and hasattr(element, "get_or_add_rPr")
           else None)
    if rpr is not None:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), fmt.FONT)
    if size is not None:
        font.size = size


def para(container, text="", *, size=fmt.BODY_SIZE, bold=False, italic=False, align=None,
         before=0, after=0, indent_first=None, style=None):
    """One paragraph of one run: a Jinja tag never straddles runs."""
    p = container.add_paragraph(style=style)
    spacing = p.paragraph_format
    spacing.space_before, spacing.space_after = Pt(before), Pt(after)
    spacing.line_spacing = 1.0
    if align is not None:
        p.alignment = align
    if indent_first is not None:
        spacing.first_line_indent = indent_first
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        _fonts(run, size)
    return p


def _border(paragraph, edge="bottom", size=6):
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), "000000")
    borders.append(line)
    ppr.append(borders)


def rule(cell, width, length, size=fmt.AGENCY_SIZE):
    """A centred horizontal rule `length` long in a cell `width` wide: an empty paragraph's
    bottom border between equal indents."""
    p = para(cell, size=size)
    side = max(0, int((width - length) / 2))
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    _tiny(p)
    _border(p)
    return p


def _tiny(paragraph, exact=False):
    """An empty paragraph only a few points high (the rule's own line). `exact`: exactly
    one point high, nothing before or after — the closing paragraph, which a body filling
    its last page to the foot must not push onto a blank page of its own."""
    ppr = paragraph._p.get_or_add_pPr()
    if exact:
        spacing = OxmlElement("w:spacing")
        for key, value in (("before", "0"), ("after", "0"), ("line", "20"),
                           ("lineRule", "exact")):
            spacing.set(qn(f"w:{key}"), value)
        ppr.append(spacing)
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "4")
    rpr.append(sz)
    ppr.append(rpr)


def _page_field(paragraph):
    run = paragraph.add_run()
    _fonts(run, fmt.PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"),
                       ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text.strip() == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _no_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _widths(table, widths):
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width


def new_document(landscape=False):
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = fmt.PAGE_HEIGHT, fmt.PAGE_WIDTH
    else:
        section.page_width, section.page_height = fmt.PAGE_WIDTH, fmt.PAGE_HEIGHT
    section.top_margin, section.bottom_margin = fmt.MARGIN_TOP, fmt.MARGIN_BOTTOM
    section.left_margin, section.right_margin = fmt.MARGIN_LEFT, fmt.MARGIN_RIGHT
    section.header_distance = fmt.HEADER_DISTANCE
    style = doc.styles["Normal"]
    _fonts(style, fmt.BODY_SIZE)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), fmt.FONT)
    style.paragraph_format.space_after = Pt(0)
    # RULES.md 39: nothing on page 1, the number centred at the top from page 2.
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = CENTER
    _page_field(header)
    return doc


def text_width(section):
    return section.page_width - section.left_margin - section.right_margin


def heading_block(doc):
    """RULES.md 35, 37, 38: agencies | national name and motto on the first row; "Số:" |
    place and date on the second, so the two lines sit level however many lines the
    agency's name takes (Decree 30/2020, Appendix I, layout of the header)."""
    total = text_width(doc.sections[0])
    right = total - HEADER_LEFT
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, [HEADER_LEFT, right])
    # Rows that never split: otherwise a table ending at the foot of a page leaves
    # the signature's empty lines alone on the next one (form 02 did).
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    (left_cell, right_cell), (number_cell, date_cell) = (r.cells for r in table.rows)
    for cell in (left_cell, right_cell, number_cell, date_cell):
        cell._tc.remove(cell.paragraphs[0]._p)
    para(left_cell, "{{ parent_agency }}", size=fmt.AGENCY_SIZE, align=CENTER)
    para(left_cell, "{{ issuing_agency }}", size=fmt.AGENCY_SIZE, bold=True, align=CENTER)
    rule(left_cell, HEADER_LEFT, fmt.AGENCY_RULE)
    para(number_cell, "{{ number_line }}", size=fmt.NUMBER_SIZE, align=CENTER, before=6)
    para(right_cell, fmt.NATIONAL_NAME, size=fmt.NATIONAL_NAME_SIZE, bold=True, align=CENTER)
    motto = para(right_cell, fmt.MOTTO, size=fmt.MOTTO_SIZE, bold=True, align=CENTER)
    usable = right - 2 * fmt.CELL_PADDING
    if fmt.text_width(fmt.NATIONAL_NAME, fmt.NATIONAL_NAME_SIZE.pt) > usable:
        raise ValueError("the national name does not fit its column on one line")
    # The rule as long as the motto's line (+0.5 mm each side so the line never wraps).
    side = int((usable - fmt.text_width(fmt.MOTTO, fmt.MOTTO_SIZE.pt)) / 2 - Mm(0.5))
    motto.paragraph_format.left_indent = side
    motto.paragraph_format.right_indent = side
    _border(motto)
    para(date_cell, "{{ date_line }}", size=fmt.DATE_SIZE, italic=True, align=CENTER,
         before=6)
    para(doc, "{{ doc_type }}", size=fmt.TYPE_SIZE, bold=True, align=CENTER, before=18)
    para(doc, "{{ subject }}", size=fmt.SUBJECT_SIZE, bold=True, align=CENTER)
    subject_rule(doc)


def subject_rule(doc):
    """Decree 30/2020, Appendix I: a short solid rule under the trích yếu, centred. The
    template draws it full width in the style SUBJECT_RULE_STYLE; the engine narrows it to
    fmt.SUBJECT_RULE_SHARE of the subject's longest line once the subject is known."""
    from docx.enum.style import WD_STYLE_TYPE

    if fmt.SUBJECT_RULE_STYLE not in [s.name for s in doc.styles]:
        doc.styles.add_style(fmt.SUBJECT_RULE_STYLE, WD_STYLE_TYPE.PARAGRAPH).base_style = \
            doc.styles["Normal"]
    p = para(doc, style=fmt.SUBJECT_RULE_STYLE, after=12)
    _tiny(p)
    _border(p)
    return p


def legal_bases(doc):
    para(doc, "{%p for basis in legal_bases %}")
    para(doc, "{{ basis }}", italic=True, align=JUSTIFY, indent_first=Mm(10),
         after=fmt.PARAGRAPH_AFTER.pt)
    para(doc, "{%p endfor %}")


def paragraphs(doc, name, *, keep=False, **kwargs):
    """A list of paragraphs from the context (`name` is a list of strings). `keep`: each
    stays on the page of what follows (the last paragraphs before the signature, so the
    signature never stands alone on a page)."""
    para(doc, f"{{%p for line in {name} %}}")
    p = para(doc, "{{ line }}", align=JUSTIFY, indent_first=Mm(10),
             after=fmt.PARAGRAPH_AFTER.pt, **kwargs)
    if keep:
        keep_with_next(p)
    para(doc, "{%p endfor %}")


def grid(doc, headers, cells, widths, loop):
    """A bordered table: a bold header row, then one row per item of `loop` ("t in rows")
    whose cells are `cells` (Jinja expressions)."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    texts = [headers, [f"{{%tr for {loop} %}}"] + [""] * (len(headers) - 1),
             [f"{{{{ {c} }}}}" for c in cells], ["{%tr endfor %}"] + [""] * (len(headers) - 1)]
    for row_index, (row, values) in enumerate(zip(table.rows, texts, strict=True)):
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            p = cell.paragraphs[0]
            p.alignment = LEFT if (row_index == 2 and index == 1) else CENTER  # names left
            if value:
                run = p.add_run(value)
                run.bold = row_index == 0
                _fonts(run, fmt.TABLE_SIZE)
    repeat_header(table.rows[0])
    return table


def repeat_header(row):
    """A table's header row is repeated at the top of every page the table runs onto."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def keep_with_next(paragraph):
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def closing_block(doc):
    """Recipients on the left, the signature on the right (TM./KT. as the context says)."""
    total = text_width(doc.sections[0])
    left = HEADER_LEFT
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [left, total - left])
    # One row that never splits: otherwise a table ending at the foot of a page leaves
    # the signature's empty lines alone on the next one (form 02 did).
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left_cell, right_cell = table.rows[0].cells
    left_cell._tc.remove(left_cell.paragraphs[0]._p)
    right_cell._tc.remove(right_cell.paragraphs[0]._p)
    para(left_cell, fmt.RECIPIENTS_LABEL, size=fmt.RECIPIENTS_LABEL_SIZE, bold=True, italic=True,
         before=12)
    para(left_cell, "{%p for recipient in recipients %}", size=fmt.RECIPIENTS_SIZE)
    para(left_cell, "{{ recipient }}", size=fmt.RECIPIENTS_SIZE)
    para(left_cell, "{%p endfor %}", size=fmt.RECIPIENTS_SIZE)
    para(right_cell, "{{ signer.mandate }}", size=fmt.SIGNATURE_SIZE, bold=True, align=CENTER,
         before=12)
    para(right_cell, "{{ signer.title }}", size=fmt.SIGNATURE_SIZE, bold=True, align=CENTER)
    for _ in range(4):
        para(right_cell, size=fmt.SIGNATURE_SIZE)
    para(right_cell, "{{ signer.name }}", size=fmt.SIGNATURE_SIZE, bold=True, align=CENTER)
    # The body ends with a paragraph two points high: otherwise the full-height one Word
    # and LibreOffice add after a closing table can spill onto a page of its own.
    _tiny(para(doc, size=Pt(1)), exact=True)


def confirmed_closing_block(doc):
    """The achievement report's foot (its form has no "Nơi nhận"): the confirming
    authority on the left ("XÁC NHẬN CỦA CẤP TRÌNH KHEN", then its TM./title/name), the
    unit's head on the right, level, in one row that never splits from the page."""
    total = text_width(doc.sections[0])
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [total // 2, total - total // 2])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for cell, who, head in zip(table.rows[0].cells, ("confirming", "signer"),
                               ("{{ confirming.head }}", ""), strict=True):
        cell._tc.remove(cell.paragraphs[0]._p)
        para(cell, head, size=fmt.SIGNATURE_SIZE, bold=True, align=CENTER, before=12)
        para(cell, f"{{{{ {who}.mandate }}}}", size=fmt.SIGNATURE_SIZE, bold=True,
             align=CENTER)
        para(cell, f"{{{{ {who}.title }}}}", size=fmt.SIGNATURE_SIZE, bold=True, align=CENTER)
        for _ in range(4):
            para(cell, size=fmt.SIGNATURE_SIZE)
        para(cell, f"{{{{ {who}.name }}}}", size=fmt.SIGNATURE_SIZE, bold=True, align=CENTER)
    _tiny(para(doc, size=Pt(1)), exact=True)


def section_title(doc, text, *, keep=True):
    """A heading stays with the paragraph or table it introduces."""
    p = para(doc, text, bold=True, before=6, after=fmt.PARAGRAPH_AFTER.pt)
    if keep:
        keep_with_next(p)
    return p


# --- the documents ------------------------------------------------------------------------
