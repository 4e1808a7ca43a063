"""Decree 30/2020/NĐ-CP layout: the one place its constants live (RULES.md 35–39).

The template builder (templates/build.py), the engine and the tests all read these; a
change of the law is a change here, then `python -m thidua.documents.templates.build`.
"""

import functools

from docx.shared import Mm, Pt

FONT = "Times New Roman"  # RULES.md 36 (LibreOffice renders it with Liberation Serif)
PDF_FONT_FILE = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"

# RULES.md 36: A4; margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM = Mm(20), Mm(20)
MARGIN_LEFT, MARGIN_RIGHT = Mm(30), Mm(15)
HEADER_DISTANCE = Mm(10)  # the page number sits in the top margin (RULES.md 39)

# Sizes (RULES.md 35, 36).
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(12)  # dense tables (targets, criteria, ranking)
NATIONAL_NAME_SIZE = Pt(13)  # 12–13, bold, capitals
MOTTO_SIZE = Pt(14)  # 13–14, bold, a rule as long as the line under it
AGENCY_SIZE = Pt(13)  # 12–13, capitals; the issuing agency bold
NUMBER_SIZE = Pt(13)
DATE_SIZE = Pt(14)  # italic
TYPE_SIZE = Pt(14)  # bold, capitals
SUBJECT_SIZE = Pt(14)  # bold
SIGNATURE_SIZE = Pt(14)  # bold
RECIPIENTS_LABEL_SIZE = Pt(12)  # bold italic
RECIPIENTS_SIZE = Pt(11)
PAGE_NUMBER_SIZE = Pt(13)
# Decree 30/2020, Appendix I: at least 6 pt between paragraphs.
PARAGRAPH_AFTER = Pt(6)
# The short solid rule under the trích yếu: 1/3 to 1/2 of the line's length, centred.
SUBJECT_RULE_STYLE = "Trich yeu rule"
SUBJECT_RULE_SHARE = (1, 3)
SUBJECT_RULE_MIN = Mm(15)

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS_LABEL = "Nơi nhận:"
AGENCY_RULE = Mm(25)  # short rule under the issuing agency, centred
# The two header columns: agencies and number | national name, motto, date. The right one
# holds the national name on one line (95.7 mm at 13 pt bold) with the cell's padding.
HEADER_LEFT_WIDTH = Mm(62)
CELL_PADDING = Mm(1.9)  # Word's default left/right cell margin (108 twips)

# RULES.md 37: type symbols. ĐK (bản đăng ký) and BTT (bản thỏa thuận: the bloc pledge)
# are the Decree 30 appendix's way of abbreviating papers outside the list.
SYMBOLS = {
    "BB": "Biên bản", "TTr": "Tờ trình", "BC": "Báo cáo", "KH": "Kế hoạch",
    "QĐ": "Quyết định", "TB": "Thông báo", "HD": "Hướng dẫn",
    "ĐK": "Bản đăng ký", "BTT": "Bản thỏa thuận",
}


def number_text(number: int | None) -> str:
    """RULES.md 37: below 10 zero-padded ("05"); a draft has no number yet (blank)."""
    if number is None:
        return " " * 6
    return f"{number:02d}"


def number_line(number: int | None, symbol: str, issuer: str) -> str:
    """"Số: 05/BB-KTKT"."""
    return f"Số: {number_text(number)}/{symbol}-{issuer}"


@functools.cache
def _metrics(font_file: str):
    from fontTools.ttLib import TTFont

    font = TTFont(font_file)
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


def text_width(text: str, size_pt: float, font_file: str = PDF_FONT_FILE) -> int:
    """Width in EMU of `text` set in the (metric-compatible) font at `size_pt`: the motto's
    rule is drawn exactly as long as the line (characters the font lacks count as a
    space's width)."""
    cmap, metrics, units = _metrics(font_file)
    space = metrics[cmap[ord(" ")]][0]
    advance = sum(metrics[cmap[ord(ch)]][0] if ord(ch) in cmap else space for ch in text)
    return int(advance / units * size_pt * 12700)
