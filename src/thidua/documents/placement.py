"""Where the visible digital signature goes on an issued PDF (issue 15): at the signer's
block, measured in the PDF itself, as Decree 30/2020 Appendix I (electronic documents)
describes — the signer's signature image centred between the signer's title and name,
the issuing body's seal image at its real size over about a third of the signature on
its left.

The signer's block is read from the issued DOCX (the right cell of its closing table:
the title, four empty lines, the name), then found in the PDF by its text with poppler's
`pdftotext -bbox-layout` (the `run` packages of scripts/system-deps): the name's line and,
just above it in the same column, the last line of the title. Pages are searched from
the last one back, so a paper whose annex follows its signature (a decision and its
list) is signed on the signature's page. A PDF where the block cannot be found (no
closing block, or poppler missing) is signed in the fixed box where the closing block
falls on a one-page A4 paper (FALLBACK_BOX, last page).
"""

import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

# Points from the bottom left of an A4 page: the right column of templates.blocks'
# closing block, between the title and name lines of a one-page paper.
FALLBACK_BOX = (330, 150, 530, 240)
SEAL_DIAMETER = 102  # ≈ 36 mm, a provincial body's seal at its real size (1 mm ≈ 2.835 pt)
SIGNATURE_WIDTH = 150  # the signer's signature image
EMPTY_LINES = 3  # at least this many empty paragraphs between title and name
NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    top: float  # from the top of the page, as poppler gives it
    x1: float
    bottom: float


@dataclass(frozen=True)
class Block:
    """The signer's block found in a PDF: page index, title and name lines, page height."""

    page: int
    title: Line
    name: Line
    height: float

    def text_box(self) -> tuple[float, float, float, float]:
        """The block's text (title to name) in PDF points from the bottom left."""
        return (min(self.title.x0, self.name.x0), self.height - self.name.bottom,
                max(self.title.x1, self.name.x1), self.height - self.title.top)

    def stamp_box(self) -> tuple[float, float, float, float]:
        """The signature between title and name, centred on the column; the seal's disc
        to its left covering its left third; the union of both, in PDF points."""
        centre = (self.name.x0 + self.name.x1 + self.title.x0 + self.title.x1) / 4
        gap_low, gap_high = self.height - self.name.top, self.height - self.title.bottom
        middle = (gap_low + gap_high) / 2
        signature_left = centre - SIGNATURE_WIDTH / 2
        seal_left = signature_left + SIGNATURE_WIDTH / 3 - SEAL_DIAMETER
        low = min(gap_low, middle - SEAL_DIAMETER / 2)
        high = max(gap_high, middle + SEAL_DIAMETER / 2)
        return (round(seal_left, 1), round(low, 1),
                round(signature_left + SIGNATURE_WIDTH, 1), round(high, 1))


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def signer_lines(docx: bytes) -> tuple[str, str] | None:
    """(title, name) of the issued paper's signer: in the last two-column table whose
    right cell ends with a name after at least three empty lines, the line before them."""
    import io

    from docx import Document as DocxDocument

    for table in reversed(DocxDocument(io.BytesIO(docx)).tables):
        if len(table.columns) != 2 or not table.rows:
            continue
        texts = [p.text.strip() for p in table.rows[-1].cells[-1].paragraphs]
        while texts and not texts[-1]:
            texts.pop()
        if len(texts) < EMPTY_LINES + 2:
            continue
        name, before = texts[-1], texts[:-1]
        empties = 0
        while before and not before[-1]:
            before.pop()
            empties += 1
        if empties >= EMPTY_LINES and before:
            return before[-1], name
    return None


def pdf_lines(pdf: bytes) -> list[tuple[float, list[Line]]] | None:
    """Every page's (height, text lines) by poppler; None without poppler."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    with tempfile.TemporaryDirectory(prefix="thidua-sign-") as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        done = subprocess.run(  # noqa: S603 - poppler's tool on our own temporary file
            [tool, "-bbox-layout", str(source), "-"], capture_output=True, timeout=60,
            check=False)
    if done.returncode != 0:
        return None
    xml = re.sub(rb"<!DOCTYPE[^>]*>", b"", done.stdout)
    pages = []
    # The DOCTYPE is cut off above: no entity can be declared, let alone expanded.
    for page in ElementTree.fromstring(xml).iter(f"{NS}page"):  # noqa: S314
        lines = [Line(" ".join(w.text or "" for w in line.iter(f"{NS}word")),
                      float(line.get("xMin")), float(line.get("yMin")),
                      float(line.get("xMax")), float(line.get("yMax")))
                 for line in page.iter(f"{NS}line")]
        pages.append((float(page.get("height")), lines))
    return pages


def _title_above(name: Line, lines: list[Line], title: str) -> Line | None:
    """The nearest line above the name in its column, when it ends the signer's title."""
    above = [line for line in lines if line.bottom <= name.top
             and line.x0 < name.x1 and name.x0 < line.x1]
    if not above:
        return None
    nearest = max(above, key=lambda line: line.bottom)
    text = _plain(nearest.text)
    return nearest if text and _plain(title).endswith(text) else None


def find_block(pdf: bytes, title: str, name: str) -> Block | None:
    pages = pdf_lines(pdf)
    if not pages or not name:
        return None
    wanted = _plain(name)
    for index in range(len(pages) - 1, -1, -1):
        height, lines = pages[index]
        for line in reversed(lines):
            if _plain(line.text) != wanted:
                continue
            found = _title_above(line, lines, title)
            if found is not None:
                return Block(index, found, line, height)
    return None


def locate(pdf: bytes, docx: bytes | None) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, box) of the visible signature on `pdf`, the paper issued as `docx`."""
    lines = signer_lines(docx) if docx else None
    block = find_block(pdf, *lines) if lines else None
    if block is not None:
        return block.page, block.stamp_box()
    return -1, FALLBACK_BOX


FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
SCALE = 4  # image pixels per PDF point


def appearance(size: tuple[float, float], seal_png: bytes | None, lines: list[str]):
    """The visible signature as one transparent image of `size` points (see stamp_box):
    the seal's disc at the left, its real diameter, centred on the height; the text lines
    in blue (a signature's colour) over the signature area to its right."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    width, height = round(size[0] * SCALE), round(size[1] * SCALE)
    canvas = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    diameter = round(min(SEAL_DIAMETER, size[1]) * SCALE)
    if seal_png:
        seal = Image.open(io.BytesIO(seal_png)).convert("RGBA").resize((diameter, diameter))
        canvas.alpha_composite(seal, (0, (height - diameter) // 2))
    left = max(0, round((size[0] - SIGNATURE_WIDTH) * SCALE))
    room = width - left - 2 * SCALE
    points = 8
    while True:
        try:
            font = ImageFont.truetype(FONT, points * SCALE)
        except OSError:
            font = ImageFont.load_default(points * SCALE)
        if points <= 5 or max(font.getlength(line) for line in lines) <= room:
            break
        points -= 1
    draw = ImageDraw.Draw(canvas)
    step = round(points * 1.25 * SCALE)
    top = height // 2 - len(lines) * step // 2
    for index, line in enumerate(lines):
        draw.text((left, top + index * step), line, font=font, fill=(0, 51, 153, 255))
    return canvas
