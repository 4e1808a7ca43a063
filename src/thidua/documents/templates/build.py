"""Build the Word templates of the documents once, with python-docx (RULES.md 35–39).

    .venv/bin/python -m thidua.documents.templates.build

writes docx/*.docx beside this file; the files are committed and docxtpl fills them. Every
Jinja tag is written inside one run (tests/documents/test_templates.py checks it), every
size, margin and font comes from documents/format.py. A new document is one more
function here (its body) plus its context function in documents/kinds.py.
"""

from pathlib import Path

from docx.shared import Mm

from thidua.documents.templates import build_awards, build_conference
from thidua.documents.templates.blocks import (
    closing_block,
    grid,
    heading_block,
    legal_bases,
    new_document,
    para,
    paragraphs,
    section_title,
)

OUT = Path(__file__).with_name("docx")


def registration():
    doc = new_document()
    heading_block(doc)
    legal_bases(doc)
    paragraphs(doc, "intro")
    section_title(doc, "I. DANH HIỆU ĐĂNG KÝ")
    paragraphs(doc, "titles")
    section_title(doc, "II. CHỈ TIÊU THI ĐUA")
    grid(doc, ["STT", "Chỉ tiêu", "Đơn vị tính", "Giá trị xuất phát", "Giá trị mục tiêu",
               "Thời hạn"],
         ["t.no", "t.indicator", "t.unit", "t.baseline", "t.target", "t.deadline"],
         [Mm(12), Mm(58), Mm(22), Mm(24), Mm(24), Mm(25)], "t in targets")
    paragraphs(doc, "closing", keep=True)
    closing_block(doc)
    return doc


def pledge():
    doc = new_document()
    heading_block(doc)
    legal_bases(doc)
    paragraphs(doc, "intro")
    section_title(doc, "I. CÁC ĐƠN VỊ THÀNH VIÊN")
    grid(doc, ["STT", "Đơn vị", "Vai trò trong khối", "Danh hiệu đăng ký"],
         ["m.no", "m.name", "m.role", "m.titles"],
         [Mm(12), Mm(68), Mm(35), Mm(50)], "m in members")
    section_title(doc, "II. NỘI DUNG GIAO ƯỚC")
    paragraphs(doc, "commitments")
    section_title(doc, "ĐẠI DIỆN CÁC ĐƠN VỊ KÝ GIAO ƯỚC")
    grid(doc, ["STT", "Đơn vị", "Thủ trưởng đơn vị ký", "Ghi chú"],
         ["s.no", "s.name", "s.signer", "s.note"],
         [Mm(12), Mm(68), Mm(50), Mm(35)], "s in signatures")
    paragraphs(doc, "closing", keep=True)
    closing_block(doc)
    return doc


def self_assessment():
    doc = new_document()
    heading_block(doc)
    legal_bases(doc)
    paragraphs(doc, "intro")
    grid(doc, ["Mã", "Tiêu chí", "Điểm chuẩn", "Điểm tự chấm", "Ghi chú"],
         ["r.code", "r.title", "r.max", "r.points", "r.note"],
         [Mm(15), Mm(80), Mm(20), Mm(20), Mm(30)], "r in rows")
    paragraphs(doc, "totals", keep=True)
    closing_block(doc)
    return doc


def ranking():
    doc = new_document(landscape=True)  # the wide table (RULES.md 36: A4, turned)
    heading_block(doc)
    legal_bases(doc)
    paragraphs(doc, "intro")
    para(doc, "{{ ranking_table }}")  # engine.Table: drawn in place
    paragraphs(doc, "notes", keep=True)
    closing_block(doc)
    return doc


TEMPLATES = {"registration": registration, "pledge": pledge,
             "self_assessment": self_assessment, "ranking": ranking}

# The award documents (tờ trình, form 02, decision draft) and the conference papers
# (ballots, voting cards, count record, minutes) live in their own modules.
TEMPLATES.update(build_awards.TEMPLATES)
TEMPLATES.update(build_conference.TEMPLATES)


def build(out: Path = OUT):
    out.mkdir(parents=True, exist_ok=True)
    for name, make in TEMPLATES.items():
        doc = make()
        doc.core_properties.author = "thidua"
        doc.save(out / f"{name}.docx")
        print(out / f"{name}.docx")


if __name__ == "__main__":
    build()
