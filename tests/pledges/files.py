"""Real, minimal files of each accepted kind, built byte by byte (no binary fixtures)."""

import io
import struct
import zipfile
import zlib


def pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def png() -> bytes:
    """A 1×1 red PNG with valid chunk CRCs."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, then R G B
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def jpeg() -> bytes:
    """A 1×1 mid-grey baseline JPEG: one block, DC difference 0, then end-of-block."""
    def segment(marker, payload):
        return b"\xff" + marker + struct.pack(">H", len(payload) + 2) + payload
    one_code = bytes([1] + [0] * 15)  # one Huffman code of length 1
    return b"".join([
        b"\xff\xd8",
        segment(b"\xdb", b"\x00" + bytes([1] * 64)),  # quantisation table 0
        segment(b"\xc0", b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"),  # 8-bit, 1×1, 1 comp.
        segment(b"\xc4", b"\x00" + one_code + b"\x00"),  # DC table 0: category 0
        segment(b"\xc4", b"\x10" + one_code + b"\x00"),  # AC table 0: end of block
        segment(b"\xda", b"\x01\x01\x00\x00\x3f\x00"),  # scan header
        b"\x3f",  # bits 0 (DC 0) 0 (EOB), padded with ones
        b"\xff\xd9",
    ])


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="{part}" ContentType="{type}"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{target}"/></Relationships>'
)


def _zip(parts: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_parts() -> dict:
    return {
        "[Content_Types].xml": CONTENT_TYPES.format(
            part="/word/document.xml",
            type="application/vnd.openxmlformats-officedocument.wordprocessingml."
                 "document.main+xml"),
        "_rels/.rels": RELS.format(target="word/document.xml"),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            'main"><w:body><w:p><w:r><w:t>Báo cáo kết quả thực hiện chỉ tiêu</w:t></w:r>'
            '</w:p></w:body></w:document>'),
    }


def docx() -> bytes:
    return _zip(docx_parts())


def xlsx() -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return _zip({
        "[Content_Types].xml": CONTENT_TYPES.format(
            part="/xl/workbook.xml",
            type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
        "_rels/.rels": RELS.format(target="xl/workbook.xml"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" '
            f'xmlns:r="{rel}"><sheets><sheet name="Chỉ tiêu" sheetId="1" r:id="rId1"/>'
            '</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>'),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{main}">'
            '<sheetData><row r="1"><c r="A1"><v>42</v></c></row></sheetData></worksheet>'),
    })


def plain_zip() -> bytes:
    """A ZIP that is no Office file: no [Content_Types].xml."""
    return _zip({"word/document.xml": "<w:document/>", "readme.txt": "xin chào"})


def zip_with_declared_size(declared: int) -> bytes:
    """A real .docx whose central directory claims `declared` bytes for document.xml:
    the shape of a zip bomb, without the bomb."""
    content = bytearray(docx())
    end = content.rindex(b"PK\x05\x06")
    (cd_offset,) = struct.unpack_from("<I", content, end + 16)
    position = cd_offset
    while content[position:position + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", content, position + 28)
        name = bytes(content[position + 46:position + 46 + name_len])
        if name == b"word/document.xml":
            struct.pack_into("<I", content, position + 24, declared)
        position += 46 + name_len + extra_len + comment_len
    return bytes(content)


def zero_bomb(size: int) -> bytes:
    """A .docx-shaped archive whose document.xml is `size` zero bytes (deflates ~1000:1)."""
    parts = docx_parts()
    parts["word/document.xml"] = b"\x00" * size
    return _zip(parts)


def many_entries(count: int) -> bytes:
    parts = docx_parts()
    parts.update({f"word/media/image{i}.png": b"" for i in range(count)})
    return _zip(parts, zipfile.ZIP_STORED)
