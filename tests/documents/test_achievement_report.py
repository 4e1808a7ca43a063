"""Issue 15, item 8 (RULES.md 17, 20, 21, 41, 43): a proposed collective's achievement
report on the period's form, filled from the unit's data — its year facts, score and rank,
pledge targets and results, the conference's vote, past awards, and the statement it
writes once — with the confirming authority's block; one form per award where the award's
standard differs. Read back from the DOCX (python-docx) and the PDF (pdftotext)."""

import datetime
import io
import unicodedata
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document as Docx

from thidua.core.audit import AuditEvent
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.documents import format as fmt
from thidua.documents import services, signers, statements
from thidua.documents.achievement import CONFIRMING_HEAD, DOTS
from thidua.documents.models import AchievementStatement, DocumentJob
from thidua.law.rulebooks import rulebook_for
from thidua.pledges.models import Registration, Target

from .award_year import ON, build
from .conftest import pdf_info

STATEMENT = statements.StatementIn(
    address="Số 10 Phù Đổng Thiên Vương, phường Suối Hoa, thành phố Bắc Ninh",
    phone="0222 3822 111", email="sct@bacninh.gov.vn",
    duties="Tham mưu quản lý nhà nước về công nghiệp và thương mại.\n\n"
           "Quản lý thị trường, xúc tiến thương mại trên địa bàn tỉnh.",
    highlights="Giá trị sản xuất công nghiệp tăng 12,5% so với năm trước.",
    measures="- Cải cách thủ tục hành chính, số hóa hồ sơ.",
    policy="- Quán triệt, thực hiện nghị quyết của Đảng bộ tỉnh.")
NOT_ENTERED = "(đơn vị bổ sung)"


@pytest.fixture
def award_year(world):
    return build(world)


def body(doc):
    return [p.text for p in doc.paragraphs if p.style.name != fmt.SUBJECT_RULE_STYLE]


def rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def cell_lines(cell):
    return [p.text for p in cell.paragraphs]


def between(text, first, last):
    """The paragraphs from the one starting with `first` to the one starting with `last`."""
    def at(prefix):
        return next(i for i, t in enumerate(text) if t.startswith(prefix))
    return text[at(first):at(last)]


def report(world, award_year, code, on=ON):
    line = award_year.proposal.lines.get(unit=world.units[code])
    return line, Docx(io.BytesIO(services.draft(world.actor("secretariat"),
                                                "bao-cao-thanh-tich", line.pk, on=on).content))


def enter_everything(world, award_year):
    """KT1's statement, its head (KT.), a target's result. KT1 leads the bloc: its head
    also signs the bloc's confirmation (TM. KHỐI THI ĐUA)."""
    officer = world.actor("officer")
    assert award_year.bloc_year.leader_unit == world.units["KT1"]
    statements.save(officer, world.units["KT1"], world.year, STATEMENT)
    signers.set_unit_signer(officer, world.units["KT1"], signers.SignerIn(
        "KT.", "Giám đốc", "Phó Giám đốc", "Lê Thị Cúc"))
    registration = Registration.objects.get(unit=world.units["KT1"], emulation_year=world.year)
    # The year's last check-in as pledges.report_progress stores it (tests/pledges test
    # the check-in; the bloc is at its conference now, when no more are taken).
    Target.objects.filter(registration=registration).update(
        latest_actual=Decimal(97), latest_reported_on=datetime.date(world.year.year, 12, 10))
    return timezone.localdate(registration.submitted_at)


def test_government_flag_report_is_filled_from_the_units_data(world, award_year):
    registered = enter_everything(world, award_year)
    line, doc = report(world, award_year, "KT1")
    year = world.year.year
    text = body(doc)
    assert NOT_ENTERED not in "\n".join(text) and DOTS not in "\n".join(text)
    assert text[:3] == ["BÁO CÁO THÀNH TÍCH", f"Đề nghị tặng Cờ thi đua của Chính phủ năm "
                        f"{year}", "Tên tập thể đề nghị: Sở Công Thương"]
    assert between(text, "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH", "II. THÀNH TÍCH ĐẠT ĐƯỢC") == [
        "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH",
        "1. Đặc điểm, tình hình:",
        "- Địa chỉ trụ sở chính: Số 10 Phù Đổng Thiên Vương, phường Suối Hoa, thành phố Bắc "
        "Ninh; điện thoại: 0222 3822 111; thư điện tử: sct@bacninh.gov.vn.",
        f"- Thành viên Khối Kinh tế năm {year}.",
        "- Tổng số cán bộ, công chức, viên chức, người lao động: 20; số hoàn thành nhiệm "
        "vụ: 20.",
        "2. Chức năng, nhiệm vụ:",
        "Tham mưu quản lý nhà nước về công nghiệp và thương mại.",
        "Quản lý thị trường, xúc tiến thương mại trên địa bàn tỉnh."]
    # RULES.md 17, 20: a flag's report shows the targets exceeded and the bloc's lead.
    assert between(text, "II. THÀNH TÍCH ĐẠT ĐƯỢC", "Kết quả thực hiện các chỉ tiêu đăng "
                   "ký thi đua:") == [
        "II. THÀNH TÍCH ĐẠT ĐƯỢC",
        f"1. Thành tích đạt được năm {year}:",
        "Giá trị sản xuất công nghiệp tăng 12,5% so với năm trước.",
        "- Kết quả thực hiện chỉ tiêu, nhiệm vụ được giao: hoàn thành vượt mức các chỉ "
        "tiêu, nhiệm vụ (chi tiết tại bảng dưới).",
        "- Dẫn đầu phong trào thi đua của Khối Kinh tế (xếp hạng 1/5).",
        f"- Được hội nghị tổng kết Khối Kinh tế ngày 20/12/{year} bình xét, đề nghị tặng "
        "Cờ thi đua của Chính phủ với 5 phiếu đồng ý."]  # then the years table
    header, years, targets, titles, rewards, closing = doc.tables
    assert rows(years) == [
        ["Năm", "Xếp loại mức độ hoàn thành nhiệm vụ",
         "Kết quả chấm điểm, xếp hạng thi đua trong khối"],
        [str(year), "Hoàn thành xuất sắc nhiệm vụ", "90,00 điểm, hạng 1/5 Khối Kinh tế"]]
    assert rows(targets) == [
        ["STT", "Chỉ tiêu đăng ký thi đua", "Đơn vị tính", "Chỉ tiêu", "Kết quả thực hiện",
         "Tỷ lệ so với chỉ tiêu (%)"],
        ["1", "Tỷ lệ hồ sơ đúng hạn", "%", "95,00", "97,00", "102,1"]]  # 97/95 half-up
    assert between(text, "2. Những biện pháp", "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG") == [
        "2. Những biện pháp hoặc nguyên nhân đạt được thành tích; các phong trào thi đua đã "
        "được áp dụng:",
        "- Cải cách thủ tục hành chính, số hóa hồ sơ.",
        f"- Đăng ký thi đua với khối ngày {registered:%d/%m/%Y}, thực hiện giao ước thi đua "
        "của khối.",
        "3. Việc thực hiện chủ trương, chính sách của Đảng, pháp luật của Nhà nước; công "
        "tác xây dựng Đảng và các đoàn thể:",
        "- Quán triệt, thực hiện nghị quyết của Đảng bộ tỉnh.",
        "- Tổ chức đảng xếp loại: Hoàn thành xuất sắc nhiệm vụ.",
        "- Đoàn thể xếp loại: Công đoàn cơ sở Hoàn thành xuất sắc nhiệm vụ; Đoàn Thanh niên "
        "Hoàn thành tốt nhiệm vụ.",
        "- Trong năm không có cán bộ, công chức, viên chức, người lao động bị kỷ luật.",
        "- Thanh tra, kiểm tra trong năm: không có kết luận vi phạm."]
    assert rows(titles)[1:] == [[str(year - 1), "Cờ thi đua của UBND tỉnh",
                                 f"Số 123/QĐ-UBND ngày 15/01/{year}; Phó Chủ tịch Nguyễn "
                                 "Văn A"]]
    assert rows(rewards)[1:] == [["", "", ""]]
    confirming, head = closing.rows[0].cells
    assert cell_lines(confirming) == [CONFIRMING_HEAD, "TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI",
                                      "", "", "", "", "Lê Thị Cúc"]
    assert cell_lines(head) == ["", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "", "", "", "",
                                "Lê Thị Cúc"]


def test_certificate_report_covers_two_years_without_a_targets_table(world, award_year):
    """RULES.md 41, 43: a Bằng khen report covers the rulebook's two years; it has no
    flag's targets table; what nobody entered is a dotted line, never a placeholder."""
    assert rulebook_for("BN", ON).value("documents.report_years") == {
        "government_flag": 1, "provincial_flag": 1, "certificate_of_merit": 2,
        "excellent_collective": 1}
    line, doc = report(world, award_year, "KT3")
    year = world.year.year
    text = body(doc)
    assert NOT_ENTERED not in "\n".join(text)
    assert text[1] == f"Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm {year}"
    assert (f"- Địa chỉ trụ sở chính: {DOTS}; điện thoại: {DOTS}; thư điện tử: {DOTS}."
            in text)
    assert between(text, "2. Chức năng, nhiệm vụ:", "II. THÀNH TÍCH ĐẠT ĐƯỢC") == [
        "2. Chức năng, nhiệm vụ:", DOTS]
    assert between(text, "II. THÀNH TÍCH ĐẠT ĐƯỢC", "2. Những biện pháp hoặc nguyên nhân "
                   "đạt được thành tích; các phong trào thi đua đã được áp dụng:") == [
        "II. THÀNH TÍCH ĐẠT ĐƯỢC", f"1. Thành tích đạt được các năm {year - 1}–{year}:",
        f"- Được hội nghị tổng kết Khối Kinh tế ngày 20/12/{year} bình xét, đề nghị tặng "
        "Bằng khen của Chủ tịch UBND tỉnh với 5 phiếu đồng ý."]
    header, years, titles, rewards, closing = doc.tables
    assert rows(years)[1:] == [[str(year - 1), DOTS, DOTS],
                               [str(year), "Hoàn thành xuất sắc nhiệm vụ",
                                "88,00 điểm, hạng 3/5 Khối Kinh tế"]]
    confirming, head = closing.rows[0].cells
    assert cell_lines(confirming)[:3] == [CONFIRMING_HEAD, "TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI"]
    assert cell_lines(head) == ["", "", "THỦ TRƯỞNG ĐƠN VỊ", "", "", "", "",
                                signers.BLANK_NAME]


def test_the_periods_form_is_named_on_the_report(world, award_year):
    """RULES.md 41: NĐ 98/2023's Mẫu số 02 in 2024 – 6/2025; NĐ 152/2025's form (named,
    its number unverified) after."""
    _, doc = report(world, award_year, "KT1", on=datetime.date(2025, 1, 6))
    assert doc.paragraphs[0].text == "Mẫu số 02 ban hành kèm theo Nghị định số 98/2023/NĐ-CP"
    _, doc = report(world, award_year, "KT1", on=datetime.date(2025, 12, 20))
    assert body(doc)[0] == "BÁO CÁO THÀNH TÍCH"


def test_the_report_reads_back_from_the_pdf(world, award_year, needs_libreoffice, tmp_path):
    enter_everything(world, award_year)
    line = award_year.proposal.lines.get(unit=world.units["KT1"])
    officer = world.actor("officer")
    document = services.issue(officer, "bao-cao-thanh-tich", line.pk, on=ON)
    job = DocumentJob.objects.get(pk=services.request_pdf(
        officer, "bao-cao-thanh-tich", line.pk, document).id)
    assert job.status == "done", job.error
    _, text = pdf_info(bytes(job.pdf), tmp_path)
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    for value in ("Số: 01/BC-KT1", "Tên tập thể đề nghị: Sở Công Thương",
                  "thư điện tử: sct@bacninh.gov.vn",
                  "Dẫn đầu phong trào thi đua của Khối Kinh tế (xếp hạng 1/5)",
                  "90,00 điểm, hạng 1/5 Khối Kinh tế", "Tỷ lệ hồ sơ đúng hạn",
                  "95,00 97,00 102,1", CONFIRMING_HEAD, "PHÓ GIÁM ĐỐC", "Lê Thị Cúc",
                  "Số 123/QĐ-UBND ngày 15/01/"):
        assert value in flat, value
    assert NOT_ENTERED not in flat and DOTS not in flat


# --- the statement: entered once, checked, audited ------------------------------------

def test_statement_saved_with_an_audit_event_and_carried_to_the_next_year(world):
    officer = world.actor("officer")
    unit = world.units["KT1"]
    statements.save(officer, unit, world.year, STATEMENT)
    event = AuditEvent.objects.filter(action="documents.achievement_statement").get()
    assert (event.before, event.after["email"], event.after["year"]) == (
        None, "sct@bacninh.gov.vn", world.year.year)
    from thidua.org import services as org_services

    later = org_services.ensure_year(world.actor("admin"), world.province, world.year.year + 1)
    carried = statements.current(unit.id, later)
    assert (carried.address, carried.email, carried.duties, carried.highlights) == (
        STATEMENT.address, STATEMENT.email, STATEMENT.duties, "")


def test_bad_statement_is_refused_in_vietnamese_and_nothing_changes(world):
    officer = world.actor("officer")
    unit = world.units["KT1"]
    statements.save(officer, unit, world.year, STATEMENT)
    with pytest.raises(DomainError) as caught:
        statements.save(officer, unit, world.year, statements.StatementIn(
            address="Dòng một\nDòng hai", phone="gọi tôi", email="không-phải-thư",
            highlights="x" * 20_001))
    assert caught.value.messages == [
        "Thành tích nổi bật theo chức năng, nhiệm vụ dài quá 20.000 ký tự.",
        "Địa chỉ trụ sở chính ghi trên một dòng.",
        "Thư điện tử không đúng dạng (ví dụ: sct@bacninh.gov.vn).",
        "Điện thoại chỉ gồm chữ số và các dấu + ( ) . - (ví dụ: 0222 3822 111)."]
    row = AchievementStatement.objects.get()
    assert (row.address, row.email, row.phone) == (STATEMENT.address, STATEMENT.email,
                                                   STATEMENT.phone)


def test_another_unit_neither_sees_nor_writes_the_statement(world, client_for):
    """KT1's statement holds data; KT2's officer (peer) gets 404 on the page and 403 from
    the service, and nothing of KT1's shows."""
    statements.save(world.actor("officer"), world.units["KT1"], world.year, STATEMENT)
    peer = world.actor("peer")
    with pytest.raises(NotFound):
        statements.find(peer, world.units["KT1"].id, world.year.year)
    with pytest.raises(Forbidden):
        statements.save(peer, world.units["KT1"], world.year, statements.StatementIn(
            address="Địa chỉ khác"))
    assert AchievementStatement.objects.get().address == STATEMENT.address
    url = reverse("achievement_statement", args=[world.units["KT1"].id, world.year.year])
    response = client_for(world.users["peer"]).get(url)
    assert response.status_code == 404
    assert STATEMENT.address not in response.content.decode()


def test_statement_page_saves_refuses_bad_input_and_the_report_page_links_it(
        world, award_year, client_for):
    client = client_for(world.users["officer"])
    unit = world.units["KT1"]
    url = reverse("achievement_statement", args=[unit.id, world.year.year])
    line = award_year.proposal.lines.get(unit=unit)
    page = client.get(reverse("document_page", args=["bao-cao-thanh-tich", line.pk]))
    assert f'href="{url}"' in page.content.decode()
    response = client.post(url, {"address": "Số 10", "email": "sai@", "duties": "Tham mưu"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Thư điện tử không đúng dạng (ví dụ: sct@bacninh.gov.vn)." in html
    assert 'value="Số 10"' in html  # what the user typed is kept
    assert not AchievementStatement.objects.exists()
    response = client.post(url, {"address": "Số 10", "email": "sct@bacninh.gov.vn",
                                 "duties": "Tham mưu"})
    assert response.status_code == 302
    row = AchievementStatement.objects.get()
    assert (row.unit, row.emulation_year, row.address, row.email, row.duties) == (
        unit, world.year, "Số 10", "sct@bacninh.gov.vn", "Tham mưu")
    assert "Tham mưu" in client.get(url).content.decode()
    # The leader sees the report, but writes no other unit's statement: no link.
    leader_page = client_for(world.users["leader"]).get(
        reverse("document_page", args=["bao-cao-thanh-tich", line.pk]))
    assert leader_page.status_code == 200
    assert url not in leader_page.content.decode()
