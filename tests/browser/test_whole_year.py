"""The year in Debian's Chromium, every role through the pages only (issue 11, "Done when":
a browser test walks the whole year), at 1366 px and at 390 px — no service call changes
anything here (the database is only read, to assert):

the province secretariat sets the registration deadline and creates three unit officers'
accounts; five unit officers register (a title and a target) and report progress; the leader moves
the phase (dialog); four units enter their year facts, the leader confirms three and the
province the leader unit's own (RULES 19a); the leader adopts the sample criteria table,
checks and locks it, and enters the PAR INDEX figures once for the bloc; every unit
fills its self sheet in one save (evidence attached) and submits it, then its four peer
sheets (RULES 10, 12, 13, 15); the leader publishes the ranking (RULES 14, 16); the bloc
leader holds the conference — roll call «Tất cả có mặt», an award poll whose candidate
list is the eligible units with the unit without facts listed apart (RULES 7, 17–22),
delegates voting from the logged-in vote page and from card links, close and publish;
the leader election (RULES 3, 31); the proposal assembled from the published result (its
lines in the order of the votes, RULES 32) and sent to the province; the secretariat
accepts it and records the chairman's decision; the next year opened with the elected
leader. No page on the way shows English, Django's words or a template leftover
(`looks_right`).

Every phase move is made by the leader on the bloc year page, ticking «Vẫn chuyển giai
đoạn dù còn thiếu» where the page names what is missing."""

import datetime
import re

import pytest
from tests.factories import held_today

from thidua.awards.models import Proposal
from thidua.core.models import User
from thidua.org.domain.phases import Phase
from thidua.org.models import BlocYear

from .test_conference_day import (
    PHONE,
    close_and_publish,
    create_poll,
    delegate_votes,
    fits,
    issue_cards,
    open_page,
    vote_with_card,
)
from .test_unit_pledge_flow import PDF, settled

pytestmark = pytest.mark.browser
CODES = ["KT1", "KT2", "KT3", "KT4", "KT5"]


# The year facts each unit types (RULES 17–22): label → option value or number.
FACTS = [("Hoàn thành vượt mức chỉ tiêu", "yes"), ("Xếp loại hoàn thành nhiệm vụ", "excellent"),
         ("Xếp loại tổ chức đảng", "excellent"), ("Xếp loại Công đoàn cơ sở", "excellent"),
         ("Xếp loại Đoàn Thanh niên", "good"), ("Hình thức kỷ luật cao nhất", "none"),
         ("kết luận thanh tra", "no"), ("^Vụ việc đang xem xét", "none")]
COUNTS = [("Số thành viên của tập thể", "20"), ("Số thành viên hoàn thành nhiệm vụ", "20"),
          ("Số đạt «Lao động tiên tiến»", "16"), ("Số đạt «Chiến sĩ thi đua cơ sở»", "2")]


def move_phase(page, base, bloc_year, phase):
    """The leader moves the phase from the bloc year page (the dialog is accepted)."""
    from playwright.sync_api import expect

    page.goto(f"{base}/khoi/{bloc_year.pk}/")
    form = page.locator(f"#chuyen-{phase.value}")
    if form.locator("input[name=confirm]").count():  # what is missing is named first
        form.get_by_label("Vẫn chuyển giai đoạn dù còn thiếu").check()
    form.get_by_role("button").click()
    expect(page.locator("ul.messages")).to_contain_text("Đã chuyển sang giai đoạn")


# What every unit puts on its own sheet, and what each peer gives (the sample table's
# typed criteria; I.1 follows from the targets (RULES 15), III.1 from the figures the
# leader enters once, B.1 and B.2 from last year's awards (RULES 11)). The peers find k
# missed bloc meetings at the k-th unit (V.1, 2 points each).
SELF_SHEET = [("Mức điểm I.2", "10,00"), ("Mức điểm I.3", "10,00"),
              ("Số lỗi (lần vi phạm) II.1", "0"), ("Số lỗi (lần vi phạm) II.2", "0"),
              ("Số lượng II.3", "3"), ("Số lỗi (lần vi phạm) IV.1", "0"),
              ("Số lỗi (lần vi phạm) V.1", "0"), ("Số lượng B.3", "1"), ("Số lượng P.1", "0")]
PAR = {"KT1": "14", "KT2": "13,5", "KT3": "12", "KT4": "12,75", "KT5": "11"}
PAR_SOURCE = "Sở Nội vụ — Chỉ số cải cách hành chính (PAR INDEX) năm {year}"
# I.1: every unit reached 97 % against 95 %, the bloc's best (RULES 15): 30 points. Own
# sheet: 30 + 10 + 10 + 5 + 5 + 3 + PAR + 10 + 10 = 83 + PAR in the frame, B.3 bonus 2.
# Peer sheets: 30 + 10 + 5 + 5 + 5 + 3 + PAR + 10 + (10 − 2k) = 78 + PAR − 2k, no bonus.
SELF_TOTALS = {"KT1": ("97,00", "99,00"), "KT2": ("96,50", "98,50"),
               "KT3": ("95,00", "97,00"), "KT4": ("95,75", "97,75"),
               "KT5": ("94,00", "96,00")}
PEER_FINALS = {"KT1": "92,00", "KT2": "89,50", "KT3": "86,00", "KT4": "84,75", "KT5": "81,00"}
# What no page of the walk may show: English or Django's words, template leftovers.
LEFTOVERS = re.compile(r"\bNone\b|\bTODO\b|FIXME|Traceback|\{\{|\{%|This field|Enter a "
                       r"valid|Server Error|Not Found|Forbidden|\bnan\b|undefined|lorem",
                       re.IGNORECASE)


def looks_right(page, width):
    """Nothing wider than the screen, and nothing English, internal or unfinished."""
    fits(page, width)
    assert LEFTOVERS.findall(page.locator("body").inner_text()) == [], page.url


def peer_sheet(position):
    """What a peer types about the unit at `position` in CODES."""
    differs = {"Mức điểm I.3": "5,00", "Số lượng B.3": "0",
               "Số lỗi (lần vi phạm) V.1": str(position)}
    return [(label, differs.get(label, value)) for label, value in SELF_SHEET]


def fill_sheet(page, typed):
    """Every typed line of the sheet, typed or chosen."""
    for label, value in typed:
        field = page.get_by_label(re.compile("^" + re.escape(label)))
        if label.startswith("Mức điểm"):
            field.select_option(label=value)
        else:
            field.fill(value)


def save_sheet(page, said="Đã lưu phiếu chấm."):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator("ul.messages")).to_have_text(said)


def submit_sheet(page):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Gửi phiếu chấm").click()
    expect(page.locator("#trang-thai-phieu .badge")).to_have_text("Đã gửi")


def score_the_year(world, base, pages, leader, bloc_year, viewport, tmp_path):
    """The scoring half of the year, on the pages: the leader adopts the sample criteria
    table, checks and locks it, and enters III.1's figures (the PAR INDEX) once for the
    bloc, with their source; every unit fills its self sheet in one save (evidence for
    I.1 as a file, for II.3 as a note) and submits it; the leader assigns the cross
    scoring and every unit fills and submits its four peer sheets; the leader publishes
    the ranking."""
    from playwright.sync_api import expect

    year, name = world.year.year, {code: world.units[code].name for code in CODES}
    leader.goto(f"{base}/khoi/{bloc_year.pk}/cham-diem/")
    expect(leader.locator("#chua-co-bang")).to_be_visible()
    leader.get_by_label(re.compile("^Bảng tiêu chí mẫu")).check()
    leader.get_by_role("button", name="Lập bảng tiêu chí").click()
    expect(leader.locator("ul.messages")).to_have_text("Đã lập bảng tiêu chí chấm điểm.")
    expect(leader.locator("#tong-diem-bang")).to_have_text("100,00")
    leader.get_by_role("button", name="Kiểm tra bảng tiêu chí").click()
    expect(leader.locator("#ket-qua-kiem-tra")).to_contain_text("Bảng tiêu chí hợp lệ")
    leader.get_by_role("button", name="Khóa bảng tiêu chí").click()
    expect(leader.locator("#tinh-trang-bang")).to_have_text("Đã khóa")
    looks_right(leader, viewport["width"])
    # III.1's figures, from the provincial PAR INDEX, entered once for the bloc.
    leader.get_by_role("link", name="Nhập số liệu từ hệ thống khác (III.1)").click()
    form = leader.locator("#so-lieu-III\\.1")
    expect(form.locator(".tien-do-so-lieu")).to_have_text("Đã có số liệu của 0/5 đơn vị.")
    form.get_by_label("Nguồn số liệu III.1").fill(PAR_SOURCE.format(year=year))
    for code, figure in PAR.items():
        form.get_by_label(name[code], exact=True).fill(figure)
    form.get_by_role("button", name="Lưu số liệu III.1").click()
    expect(leader.locator("ul.messages")).to_have_text(
        f"Đã lưu số liệu III.1 của 5 đơn vị, nguồn: {PAR_SOURCE.format(year=year)}.")
    expect(form.locator(".tien-do-so-lieu")).to_have_text("Đã có số liệu của 5/5 đơn vị.")
    looks_right(leader, viewport["width"])
    for phase in (Phase.MID_YEAR_REVIEW, Phase.SELF_ASSESSMENT):
        move_phase(leader, base, bloc_year, phase)

    evidence = tmp_path / "Báo cáo kết quả thực hiện chỉ tiêu.pdf"
    evidence.write_bytes(PDF)
    for code in CODES:
        page, _ = pages[code]
        page.goto(f"{base}/khoi/{bloc_year.pk}/")
        page.get_by_role("link", name="Tự chấm điểm").first.click()
        page.get_by_role("button", name="Bắt đầu tự chấm điểm").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Tự chấm điểm: {name[code]}")
        expect(page.locator("[data-code='III.1'] .giai-thich")).to_have_text(
            f"Số liệu từ {PAR_SOURCE.format(year=year)}.")
        fill_sheet(page, SELF_SHEET)
        page.get_by_label("Tệp minh chứng I.1").set_input_files(str(evidence))
        page.get_by_label("Ghi chú II.3").fill("Ba điển hình được UBND tỉnh biểu dương")
        save_sheet(page, "Đã lưu phiếu chấm, kèm 1 tệp minh chứng.")
        expect(page.locator("[data-code='I.1']").get_by_role(
            "link", name=evidence.name)).to_be_visible()
        expect(page.locator("#tong-diem-so")).to_have_text(f"{SELF_TOTALS[code][0]} / 100,00")
        expect(page.locator("#tong-cuoi")).to_have_text(SELF_TOTALS[code][1])
        looks_right(page, viewport["width"])
        submit_sheet(page)
    move_phase(leader, base, bloc_year, Phase.APPRAISAL)

    leader.goto(f"{base}/khoi/{bloc_year.pk}/cham-cheo/")
    leader.get_by_role("button", name="Phân công chấm chéo").click()
    expect(leader.locator("ul.messages")).to_have_text("Đã phân công chấm chéo: 20 lượt chấm.")
    for code in CODES:
        page, _ = pages[code]
        for scored in CODES:
            if scored == code:
                continue
            page.goto(f"{base}/khoi/{bloc_year.pk}/cham-cheo/")
            page.get_by_role("button", name=f"Chấm {name[scored]}").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(
                f"Chấm chéo: {name[scored]}")
            fill_sheet(page, peer_sheet(CODES.index(scored)))
            save_sheet(page)
            expect(page.locator("#tong-cuoi")).to_have_text(PEER_FINALS[scored])
            submit_sheet(page)
        looks_right(page, viewport["width"])
    leader.goto(f"{base}/khoi/{bloc_year.pk}/cham-cheo/")
    expect(leader.locator("#tien-do-khoi")).to_have_text(
        "Cả khối: đã gửi 20/20 phiếu chấm chéo, 5/5 phiếu tự chấm điểm.")

    leader.goto(f"{base}/khoi/{bloc_year.pk}/xep-hang/")
    expect(leader.locator("#chua-cong-bo")).to_be_visible()
    leader.get_by_role("button", name="Công bố xếp hạng").click()
    expect(leader.locator("ul.messages")).to_have_text("Đã công bố kết quả xếp hạng.")
    rows = leader.locator("#bang-xep-hang tbody tr")
    expect(rows.locator("td.hang")).to_have_text(["1", "2", "3", "4", "5"])
    expect(rows.locator("td[data-label='Đơn vị'] a")).to_have_text([name[c] for c in CODES])
    expect(rows.locator("td.tong")).to_have_text([PEER_FINALS[c] for c in CODES])
    looks_right(leader, viewport["width"])


def set_up_the_year(world, secretariat, base, viewport):
    """The province secretariat sets the year's registration deadline and creates the
    accounts of KT3…KT5's officers (KT1's and KT2's exist), each scoped to its unit."""
    from playwright.sync_api import expect

    year = world.year.year
    secretariat.goto(f"{base}/tinh/BN/thiet-lap/")
    row = secretariat.locator(f"#bang-nam tr[data-year='{year}']")
    row.get_by_text("Đổi hạn đăng ký").click()
    row.get_by_label("Hạn mới").fill(f"{year}-12-31")
    row.get_by_role("button", name="Lưu hạn").click()
    expect(secretariat.locator("#muc-nam [role=status]")).to_have_text(
        f"Hạn đăng ký thi đua năm {year}: 31/12/{year}.")
    expect(secretariat.locator(f"#bang-nam tr[data-year='{year}'] td").nth(1)).to_have_text(
        f"31/12/{year}")
    looks_right(secretariat, viewport["width"])
    for code in CODES[2:]:
        unit = world.units[code]
        secretariat.goto(f"{base}/quan-tri/nguoi-dung/")
        form = secretariat.locator("#form-tao-nguoi-dung")
        form.get_by_label("Tên đăng nhập").fill(f"can_bo_{code.lower()}")
        form.get_by_label("Họ và tên").fill(f"Cán bộ thi đua {unit.name}")
        form.get_by_label("Vai trò").select_option(label="Cán bộ thi đua đơn vị")
        form.get_by_label("Phạm vi").select_option(label=unit.name)
        form.get_by_role("button", name="Tạo tài khoản").click()
        expect(secretariat.get_by_role("heading", level=1)).to_have_text(
            f"Cán bộ thi đua {unit.name}")
        expect(secretariat.locator("#vai-tro li")).to_contain_text(
            f"Cán bộ thi đua đơn vị — {unit.name}")
        # Reading only: the browser session of the new account.
        world.users[f"officer_{code.lower()}"] = User.objects.get(
            username=f"can_bo_{code.lower()}")
    looks_right(secretariat, viewport["width"])


def open_the_year(world, browser, live_server, viewport, leader, tmp_path):
    """Every unit officer registers (a title and a target) and reports progress; KT1…KT4
    enter their year facts and the leader confirms them; KT5 never enters its facts (so
    it cannot be proposed). The year is then scored and its ranking published on the
    pages (`score_the_year`), and the leader moves the phase to the conference."""
    from playwright.sync_api import expect

    base, year, bloc_year = live_server.url, world.year.year, world.bloc_years["KT"]
    secretariat, _, found = open_page(browser, live_server, viewport,
                                      world.users["secretariat"])
    pages = {"secretariat": (secretariat, found)}
    names = {"KT1": "officer", "KT2": "peer"} | {c: f"officer_{c.lower()}" for c in CODES[2:]}
    set_up_the_year(world, secretariat, base, viewport)
    for code in CODES:
        page, _, problems = open_page(browser, live_server, viewport, world.users[names[code]])
        pages[code] = (page, problems)
        page.goto(f"{base}/don-vi/{world.units[code].pk}/")
        page.get_by_role("button", name=re.compile("Lập bản đăng ký thi đua")).click()
        page.get_by_label("Cờ thi đua của UBND tỉnh").check()
        page.get_by_role("button", name="Lưu danh hiệu").click()
        expect(page.locator("#muc-danh-hieu [role=status]")).to_have_text("Đã lưu")
        settled(page, "#muc-danh-hieu")
        form = page.locator("#form-chi-tieu")
        form.get_by_label("Tên chỉ tiêu").fill("Tỷ lệ hồ sơ giải quyết đúng hạn")
        form.get_by_label("Giá trị xuất phát").fill("80")
        form.get_by_label("Giá trị mục tiêu").fill("95")
        form.get_by_label("Đơn vị tính").fill("%")
        form.get_by_label("Thời hạn").fill(f"{year}-12-15")
        form.get_by_role("button", name="Thêm chỉ tiêu").click()
        expect(page.locator("#bang-chi-tieu tbody tr")).to_have_count(1)
        settled(page, "#muc-chi-tieu")
        page.get_by_role("button", name="Gửi bản đăng ký").click()
        expect(page.locator(".message.success")).to_have_text("Đã gửi bản đăng ký thi đua.")
        expect(page.locator("main")).to_contain_text(
            f"Đã đăng ký ngày {datetime.date.today():%d/%m/%Y} — đúng hạn")
    leader.goto(f"{base}/khoi/{bloc_year.pk}/")
    expect(leader.locator("#so-da-dang-ky")).to_have_text("5/5")
    move_phase(leader, base, bloc_year, Phase.IN_PROGRESS)

    for code in CODES:
        page, _ = pages[code]
        page.goto(f"{base}/don-vi/{world.units[code].pk}/")
        page.get_by_role("link", name="Báo cáo tiến độ", exact=True).first.click()
        page.get_by_label("Kết quả đạt được").fill("97")
        page.get_by_role("button", name="Gửi báo cáo").click()
        expect(page.locator(".message.success")).to_have_text(
            "Đã báo cáo tiến độ chỉ tiêu “Tỷ lệ hồ sơ giải quyết đúng hạn”.")
    for code in CODES[:4]:
        page, _ = pages[code]
        page.goto(f"{base}/don-vi/{world.units[code].pk}/so-lieu-nam/{year}/")
        form = page.locator("#form-so-lieu")
        for label, value in FACTS:
            form.get_by_label(re.compile(label)).select_option(value)
        for label, value in COUNTS:
            form.get_by_label(label).fill(value)
        form.get_by_label(re.compile("Ghi chú, minh chứng")).fill(
            "Báo cáo tổng kết năm của đơn vị")
        form.get_by_role("button", name="Lưu số liệu").click()
        expect(page.locator("#trang-thai-so-lieu")).to_contain_text("Chờ xác nhận")
        looks_right(page, viewport["width"])
    leader.goto(f"{base}/khoi/{bloc_year.pk}/so-lieu-nam/")
    expect(leader.locator("#tien-do-so-lieu")).to_have_text(
        "0/5 đơn vị đã được xác nhận; 4 chờ xác nhận, 0 bị trả lại, 1 chưa nhập.")
    # The leader unit's own facts are the province's to confirm (RULES 19a).
    for code in CODES[:4]:
        confirmer = secretariat if code == "KT1" else leader
        confirmer.goto(f"{base}/khoi/{bloc_year.pk}/so-lieu-nam/")
        confirmer.locator(f"tr[data-unit='{code}']").get_by_role("link").click()
        confirmer.get_by_role("button", name="Xác nhận số liệu").click()
        expect(confirmer.locator("#trang-thai-so-lieu")).to_contain_text("Đã xác nhận")
    leader.goto(f"{base}/khoi/{bloc_year.pk}/so-lieu-nam/")
    expect(leader.locator("#tien-do-so-lieu")).to_have_text(
        "4/5 đơn vị đã được xác nhận; 0 chờ xác nhận, 0 bị trả lại, 1 chưa nhập.")
    score_the_year(world, base, pages, leader, bloc_year, viewport, tmp_path)
    problems = [p for _, (_, found) in pages.items() for p in found]
    for page, _ in pages.values():
        page.context.close()
    move_phase(leader, base, bloc_year, Phase.CONFERENCE)
    expect(leader.locator("#giai-doan")).to_have_text(Phase.CONFERENCE.label)
    return bloc_year, problems


@pytest.mark.parametrize("width", [1366, 390])
def test_the_year_closes_through_the_pages(transactional_db, world, live_server, browser,
                                           width, tmp_path):
    from playwright.sync_api import expect

    base, year = live_server.url, world.year.year
    viewport = PHONE if width == 390 else {"width": 1366, "height": 900}
    name = {code: world.units[code].name for code in CODES}
    page, dialogs, problems = open_page(browser, live_server, viewport, world.users["leader"])
    bloc_year, unit_problems = open_the_year(world, browser, live_server, viewport, page,
                                              tmp_path)
    dialogs.take()
    delegate, delegate_dialogs, delegate_problems = open_page(browser, live_server, PHONE,
                                                              world.users["delegate"])
    phone, _, phone_problems = open_page(browser, live_server, PHONE)

    # The conference and its roll call: everyone present in one tap.
    page.goto(f"{base}/khoi/{bloc_year.pk}/hoi-nghi/")
    form = page.locator("form.form-hoi-nghi")
    form.get_by_label("Thời gian (ngày và giờ)").fill(held_today().strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Địa điểm").fill("Hội trường tỉnh")
    form.get_by_label("Chủ trì").fill("Nguyễn Văn A")
    form.get_by_label("Thư ký").fill("Trần Thị B")
    page.get_by_role("button", name="Lập hội nghị").click()
    page.get_by_role("button", name="Tất cả có mặt").click()
    expect(page.locator("ul.messages")).to_have_text("Đã lưu điểm danh: 5/5 đơn vị có mặt.")
    expect(page.locator("#so-dai-bieu")).to_have_text(
        "5/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để biểu quyết (Quy tắc 28)")
    looks_right(page, viewport["width"])

    # The award poll: the eligible units are the candidates, KT5 is listed apart.
    poll_url, title = create_poll(page, dialogs, base, bloc_year.pk,
                                  "Bình xét đề nghị khen thưởng",
                                  "Bằng khen của Chủ tịch UBND tỉnh")
    expect(page.locator("#bang-ung-vien tbody tr td:first-child")).to_have_text(
        [name[c] for c in CODES[:4]])
    expect(page.locator(f"#chua-du-{world.units['KT5'].pk}")).to_contain_text(
        f"{name['KT5']} — không có tên trên phiếu")
    expect(page.locator(f"#chua-du-{world.units['KT5'].pk} li")).to_have_text([
        "chưa đủ căn cứ: chưa có số liệu: vụ việc đang xem xét (kỷ luật, thanh tra, khiếu nại, "
        "tố cáo, báo chí phản ánh) (Quy tắc 19) — nguyên tắc khen thưởng, Nghị định "
        "152/2025/NĐ-CP"])
    expect(page.locator("#chi-tieu")).to_have_text("2")
    looks_right(page, viewport["width"])

    # Five ballots: the logged-in delegate of KT3, then four cards on a phone. KT4 gets 5
    # votes, KT3 3, KT2 1: the proposal must follow the votes, not the unit ids.
    delegate_votes(delegate, base, bloc_year.pk, title, name["KT4"])
    links = issue_cards(page, dialogs)
    assert sorted(links) == sorted(name[c] for c in ("KT1", "KT2", "KT4", "KT5"))
    marks = {"KT1": ["KT4", "KT3"], "KT2": ["KT4", "KT3"], "KT4": ["KT4", "KT2"],
             "KT5": ["KT4", "KT3"]}
    for voter, chosen in marks.items():
        vote_with_card(phone, links[name[voter]], [name[c] for c in chosen])
    page.goto(poll_url)
    expect(page.locator("#da-bo-phieu")).to_have_text("5/5")
    close_and_publish(page, dialogs, title, "5/5")
    page.get_by_role("link", name="Kết quả").click()
    published = [name[c] for c in ("KT4", "KT3")]  # by votes: 5, then 3 (RULES 31, 32)
    rows = page.locator("#bang-ket-qua tbody tr")
    expect(rows).to_have_count(4)
    for code, votes, share, outcome in (
            ("KT4", 5, "100,00 % > 1/2: đạt", "trúng (trong chỉ tiêu)"),
            ("KT3", 3, "60,00 % > 1/2: đạt", "trúng (trong chỉ tiêu)"),
            ("KT2", 1, "20,00 % ≤ 1/2: không đạt", "không đạt ngưỡng"),
            ("KT1", 0, "0,00 % ≤ 1/2: không đạt", "không đạt ngưỡng")):
        expect(rows.filter(has_text=name[code]).locator("td")).to_have_text(
            [name[code], str(votes), f"{votes} phiếu / 5 thành viên = {share}", outcome])
    looks_right(page, viewport["width"])

    # The leader election: KT1 leads this year and cannot stand (RULES 4); KT2 elected.
    election_url, election = create_poll(page, dialogs, base, bloc_year.pk, "Bầu Trưởng khối")
    delegate_votes(delegate, base, bloc_year.pk, election, name["KT2"])
    links = issue_cards(page, dialogs)
    for voter, chosen in (("KT1", "KT2"), ("KT2", "KT2"), ("KT4", "KT3"), ("KT5", "KT2")):
        vote_with_card(phone, links[name[voter]], [name[chosen]])
    page.goto(election_url)
    close_and_publish(page, dialogs, election, "5/5")
    page.goto(f"{base}/khoi/{bloc_year.pk}/hoi-nghi/")
    expect(page.locator("#buoc-leader")).to_have_text(re.compile(
        rf"Xong Đã bầu Trưởng khối: {name['KT2']}\.$"))

    # The proposal, assembled from the published result and sent to the province.
    page.goto(f"{base}/khoi/{bloc_year.pk}/khen-thuong/de-nghi/")
    expect(page.locator("#chua-co-ho-so")).to_be_visible()
    page.get_by_role("button", name="Lập hồ sơ từ kết quả bình xét").click()
    lines = page.locator("#bang-de-nghi tbody tr")
    expect(lines.locator("td[data-label='Đơn vị']")).to_have_text(published)
    expect(lines.locator("td[data-label='Số phiếu']")).to_have_text(["5", "3"])
    expect(lines.locator("td[data-label='Hình thức']")).to_have_text(
        ["Bằng khen của Chủ tịch UBND tỉnh"] * 2)
    expect(lines.locator("td.ket-qua")).to_have_text(["Chờ quyết định"] * 2)
    expect(page.locator("#khac-bien-ban")).to_have_count(0)  # as the minutes say
    page.get_by_role("button", name="Gửi tỉnh").click()
    expect(page.locator("#trang-thai-ho-so")).to_have_text("Đã gửi tỉnh")
    looks_right(page, viewport["width"])
    assert dialogs.take()[-1] == (
        "Gửi hồ sơ đề nghị cho Thường trực thi đua tỉnh? Sau khi gửi, khối không sửa hồ sơ "
        "được nữa, trừ khi tỉnh trả lại.")

    # The secretariat accepts it and records the chairman's decision.
    secretariat, secretariat_dialogs, secretariat_problems = open_page(
        browser, live_server, viewport, world.users["secretariat"])
    secretariat.goto(f"{base}/tinh/BN/khen-thuong/{year}/")
    card = secretariat.locator("article[data-bloc=KT]")
    expect(card.locator(".trang-thai")).to_have_text("Đã gửi tỉnh")
    card.get_by_role("link", name="Mở hồ sơ").click()
    secretariat.get_by_role("button", name="Tiếp nhận").click()
    expect(secretariat.locator("#trang-thai-ho-so")).to_have_text("Tỉnh đã tiếp nhận")
    secretariat.goto(f"{base}/tinh/BN/khen-thuong/{year}/")
    form = secretariat.locator("#form-quyet-dinh")
    form.get_by_label("Số quyết định").fill("25/QĐ-UBND")
    form.get_by_label("Ngày quyết định").fill(datetime.date.today().isoformat())
    form.get_by_label("Người ký").fill("Nguyễn Văn Chủ tịch")
    awarded = form.locator("fieldset").filter(has_text="Được khen thưởng").first
    expect(awarded.locator("label")).to_have_text(
        [f"{n} — Bằng khen của Chủ tịch UBND tỉnh" for n in published])
    for code in ("KT3", "KT4"):
        awarded.get_by_label(f"{name[code]} — Bằng khen của Chủ tịch UBND tỉnh").check()
    form.get_by_role("button", name="Ghi quyết định").click()
    expect(secretariat.locator(".messages")).to_contain_text("Đã ghi Quyết định số 25/QĐ-UBND")
    expect(secretariat.locator("article[data-bloc=KT] .trang-thai")).to_have_text(
        "Đã có quyết định")
    assert secretariat_dialogs.take() == [
        "Tiếp nhận hồ sơ đề nghị? Sau khi tiếp nhận không trả lại cho khối được nữa; bước "
        "tiếp theo là ghi quyết định khen thưởng.",
        "Ghi quyết định khen thưởng với số, ngày, người ký và các đơn vị đã chọn? Hồ sơ đề "
        "nghị chuyển sang «Đã có quyết định», không sửa được; khen thưởng được tính cho các "
        "năm sau."]

    # The next year, opened with the elected leader.
    secretariat.goto(f"{base}/khoi/{bloc_year.pk}/nam-sau/")
    expect(secretariat.locator("#ket-qua-bau")).to_contain_text(
        f"Trưởng khối năm {year + 1} được bầu tại hội nghị tổng kết: {name['KT2']}")
    expect(secretariat.get_by_label("Trưởng khối năm sau")).to_have_value(
        str(world.units["KT2"].pk))
    secretariat.locator("#form-nam-sau").get_by_label(name["KT3"], exact=True).check()
    secretariat.get_by_role("button", name=f"Mở năm {year + 1}").click()
    # The elected leader's officer (KT2's) becomes next year's leader officer.
    expect(secretariat.locator("ul.messages")).to_have_text(
        f"Đã mở năm thi đua {year + 1} của khối. Cán bộ Trưởng khối năm {year + 1}: "
        "Can Bo Khac.")
    expect(secretariat.get_by_role("heading", level=1)).to_have_text(
        f"Khối Kinh tế — năm {year + 1}")
    expect(secretariat.locator("main")).to_contain_text(f"Trưởng khối: {name['KT2']}")
    new = BlocYear.objects.get(bloc=bloc_year.bloc, emulation_year__year=year + 1)
    assert (new.leader_unit, [d.pk for d in new.deputy_units.all()]) == (
        world.units["KT2"], [world.units["KT3"].pk])
    assert Proposal.objects.get(bloc_year=bloc_year).state == "decided"
    looks_right(secretariat, viewport["width"])
    assert unit_problems == problems == delegate_problems == phone_problems == []
    assert secretariat_problems == []
    assert delegate_dialogs.take() == []
