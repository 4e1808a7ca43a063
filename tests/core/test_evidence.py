"""What an evidence file may be (core.evidence): the type by content, not name."""

import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.pledges import files

from thidua.core.evidence import MAX_ZIP_ENTRIES, Upload, Verdict, check_files, classify

MB = 1024 * 1024
LIMIT = 20 * MB
GOOD = {
    "bao-cao.pdf": (files.pdf(), "pdf", "application/pdf"),
    "anh-chup.png": (files.png(), "png", "image/png"),
    "anh-chup.jpg": (files.jpeg(), "jpeg", "image/jpeg"),
    "anh-chup.jpeg": (files.jpeg(), "jpeg", "image/jpeg"),
    "Báo cáo quý I.docx": (files.docx(), "docx",
                           "application/vnd.openxmlformats-officedocument."
                           "wordprocessingml.document"),
    "Số liệu.xlsx": (files.xlsx(), "xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def renamed(name, extension):
    return f"Tệp “{name}”", extension


@pytest.mark.parametrize("name", sorted(GOOD))
def test_real_files_are_accepted(name):
    content, kind, content_type = GOOD[name]
    verdict = classify(name, content, LIMIT)
    assert verdict == Verdict(kind)
    assert verdict.content_type == content_type


@pytest.mark.parametrize("name", ["BAO-CAO.PDF", "Ảnh.Png", "so.lieu.2026.XLSX"])
def test_extension_case_and_dots_do_not_matter(name):
    content = {".pdf": files.pdf(), ".png": files.png(), ".xlsx": files.xlsx()}[
        "." + name.rsplit(".", 1)[1].lower()]
    assert classify(name, content, LIMIT).error is None


@pytest.mark.parametrize("name,content,extension", [
    ("bao-cao.pdf", files.png(), "PDF"),          # an image renamed to .pdf
    ("anh.png", files.jpeg(), "PNG"),
    ("anh.jpg", files.png(), "JPG"),
    ("bao-cao.docx", files.xlsx(), "DOCX"),       # a workbook renamed to .docx
    ("so-lieu.xlsx", files.docx(), "XLSX"),
    ("bao-cao.docx", files.plain_zip(), "DOCX"),  # a plain ZIP is no Word file
    ("bao-cao.pdf", b"<html><body>%PDF-1.4</body></html>", "PDF"),
    ("bao-cao.docx", b"PK\x03\x04" + b"\x00" * 200, "DOCX"),  # corrupt zip
    ("bao-cao.docx", files.docx()[:400], "DOCX"),  # truncated zip
])
def test_wrong_or_broken_content_is_refused(name, content, extension):
    assert classify(name, content, LIMIT) == Verdict(
        None, f"Nội dung tệp “{name}” không đúng định dạng {extension} "
              "(tệp hỏng hoặc bị đổi đuôi).")


@pytest.mark.parametrize("name", ["virus.exe", "bao-cao.doc", "README", "anh.gif", "a.pdf.exe"])
def test_other_types_are_refused_by_name(name):
    assert classify(name, files.pdf(), LIMIT) == Verdict(
        None, f"Tệp “{name}” không thuộc loại được chấp nhận (PDF, JPG, PNG, DOCX, XLSX).")


def test_empty_file():
    assert classify("bao-cao.pdf", b"", LIMIT) == Verdict(None, "Tệp “bao-cao.pdf” rỗng.")
    assert classify("", b"", LIMIT) == Verdict(None, "Tệp “(không tên)” rỗng.")


def test_size_limit_is_inclusive():
    content = files.pdf() + b"\n" * (MB - len(files.pdf()))
    assert len(content) == MB
    assert classify("lon.pdf", content, MB) == Verdict("pdf")
    assert classify("lon.pdf", content + b"\n", MB // 2) == Verdict(
        None, "Tệp “lon.pdf” dung lượng 1,0 MB, vượt giới hạn 0,5 MB.")
    assert classify("lon.pdf", content * 21, LIMIT) == Verdict(
        None, "Tệp “lon.pdf” dung lượng 21,0 MB, vượt giới hạn 20,0 MB.")


def test_archive_declaring_a_huge_size_is_refused():
    """A zip-bomb-like archive: 1 kB on disk, 4 GB declared."""
    content = files.zip_with_declared_size(4_000_000_000)
    assert len(content) < 2000
    assert classify("bom.docx", content, LIMIT) == Verdict(
        None, "Nội dung tệp “bom.docx” không đúng định dạng DOCX (tệp hỏng hoặc bị đổi đuôi).")


def test_archive_expanding_past_the_limit_and_ratio_is_refused():
    content = files.zero_bomb(2 * MB)
    assert len(content) < 20_000  # ratio far above 100
    assert classify("bom.docx", content, MB).kind is None
    # Within both the size limit and the ratio the same shape is fine.
    assert classify("bom.docx", files.zero_bomb(100_000), MB) == Verdict("docx")


def test_archive_with_too_many_entries_is_refused():
    assert classify("nhieu.docx", files.many_entries(MAX_ZIP_ENTRIES - 3), LIMIT) == \
        Verdict("docx")  # 3 parts + the images = the maximum
    assert classify("nhieu.docx", files.many_entries(MAX_ZIP_ENTRIES - 2), LIMIT).kind is None


def test_docx_made_with_zipfile_has_the_parts_it_claims():
    with zipfile.ZipFile(__import__("io").BytesIO(files.docx())) as archive:
        assert sorted(archive.namelist()) == [
            "[Content_Types].xml", "_rels/.rels", "word/document.xml"]
        assert archive.testzip() is None


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_damaged_office_files_never_crash(data):
    """Property: flipping bytes anywhere in a real .docx/.xlsx yields a verdict, never an
    exception, and a refusal names the file."""
    original = bytearray(data.draw(st.sampled_from([files.docx(), files.xlsx()])))
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    verdict = classify("hong.docx", bytes(original), LIMIT)
    assert verdict.kind in {None, "docx"}
    assert (verdict.kind is None) == (verdict.error is not None)


@given(st.binary(max_size=400), st.sampled_from(["a.pdf", "a.png", "a.jpg", "a.docx", "a.xlsx"]))
def test_arbitrary_bytes_never_crash(content, name):
    verdict = classify(name, b"PK\x03\x04" + content, LIMIT)
    assert verdict.kind is None or verdict.kind in {"docx", "xlsx"}
    verdict = classify(name, content, LIMIT)
    assert (verdict.kind is None) == (verdict.error is not None)


def test_check_files_names_every_refused_file_and_asks_for_one(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    assert check_files([]) == ([], ["Chưa chọn tệp minh chứng."])
    assert check_files([], required=False) == ([], [])
    good, empty = Upload("bao-cao.pdf", b"%PDF-1.4 noi dung"), Upload("trong.pdf", b"")
    big = Upload("lon.pdf", b"%PDF-" + b"x" * 2000)
    checked, problems = check_files([good, empty, big])
    assert [(upload.name, verdict.kind) for upload, verdict in checked] == [
        ("bao-cao.pdf", "pdf"), ("trong.pdf", None), ("lon.pdf", None)]
    assert problems == ["Tệp “trong.pdf” rỗng.",
                        "Tệp “lon.pdf” dung lượng 0,0 MB, vượt giới hạn 0,0 MB."]
