"""Where am I, what next (issue 11 item 9), on the demo province as its users see it: each
role's home lists its next steps with their counts — a unit officer its pledge, progress
and scoring sheets, a delegate the open vote, a leader the bloc year's checklist, the
province the blocs needing attention — and a phase change names what it leaves undone
and needs an explicit confirmation."""

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import at_conference, held_today

from thidua.core.models import AuditEvent, User
from thidua.demo import loader
from thidua.org.models import BlocYear
from thidua.org.rules import actor_for
from thidua.voting import services as voting
from thidua.voting.models import Poll

from .page import parse

pytestmark = pytest.mark.django_db


def lines(response, element_id):
    element = parse(response).by_id(element_id)
    assert element is not None, element_id
    return [" ".join(li.text.split()) for li in element.find_all("li")]


def home(client, username):
    client.force_login(User.objects.get(username=username))
    return client.get("/", follow=True)


def test_each_roles_home_lists_its_next_steps_with_counts(demo_province, client):
    # Unit officers: KTKT has scored its year (every sheet in); VHXH is mid-year.
    assert lines(home(client, "canbo.sct"), "buoc-tiep-theo") == [
        "Xong Gửi bản đăng ký thi đua: Đã gửi.",
        "Xong Báo cáo tiến độ các chỉ tiêu: 3/3 chỉ tiêu đã có báo cáo.",
        "Xong Nhập số liệu năm (chỉ tiêu, xếp loại, kỷ luật, thanh tra): Đã xác nhận.",
        "Xong Tự chấm điểm: 1/1 phiếu tự chấm đã gửi.",
        "Xong Chấm chéo các đơn vị được phân công: 11/11 phiếu chấm chéo đã gửi."]
    year = timezone.localdate().year
    draft = loader.code_for("SGTVT", year).lower()  # its part after NĐ 45/2025 (demo.yaml)
    assert lines(home(client, f"canbo.{draft}"), "buoc-tiep-theo")[0] == (
        "Cần làm Gửi bản đăng ký thi đua: Bản nháp, chưa gửi.")
    assert lines(home(client, "canbo.ttxtdl"), "buoc-tiep-theo") == [
        "Cần làm Lập và gửi bản đăng ký thi đua: Chưa lập."]
    assert lines(home(client, "canbo.syt"), "buoc-tiep-theo") == [
        "Xong Gửi bản đăng ký thi đua: Đã gửi.",
        "Cần làm Báo cáo tiến độ các chỉ tiêu: 2/3 chỉ tiêu đã có báo cáo."]
    # The leaders: each bloc year's checklist with its counts.
    assert lines(home(client, "truongkhoi"), "danh-sach-kiem-tra") == [
        "Cần làm Đăng ký thi đua: 10/12 đơn vị đã gửi bản đăng ký. Chưa gửi: Ban Quản lý dự "
        "án đầu tư xây dựng các công trình giao thông tỉnh, Ban Quản lý dự án đầu tư xây dựng "
        "tỉnh.",
        "Xong Bảng tiêu chí chấm điểm: Đã khóa.",
        "Xong Phiếu tự chấm điểm: 12/12 phiếu đã gửi.",
        "Xong Phiếu chấm chéo: 130/130 phiếu đã gửi.",
        "Cần làm Số liệu năm của các đơn vị: 10/12 đã xác nhận; chờ xác nhận 1, trả lại 0, "
        "chưa nhập 1.",
        "Xong Công bố kết quả xếp hạng: Đã công bố."]
    vhxh_leader = home(client, "truongkhoi.vhxh")
    assert lines(vhxh_leader, "danh-sach-kiem-tra") == [
        "Cần làm Đăng ký thi đua: 8/9 đơn vị đã gửi bản đăng ký. Chưa gửi: Trung tâm Xúc "
        "tiến Du lịch."]
    gap = ("7 đơn vị còn chỉ tiêu chưa báo cáo tiến độ: Báo Bắc Ninh, Bảo hiểm xã hội tỉnh, "
           "Sở Giáo dục và Đào tạo, Sở Nội vụ, Sở Văn hóa, Thể thao và Du lịch và 2 đơn vị "
           "khác.")
    assert lines(vhxh_leader, "chuyen-mid_year_review") == [gap]
    # The province: the blocs needing attention, with the same sentence.
    assert lines(home(client, "thuongtruc"), "khoi-can-chu-y") == [
        f"Khối Văn hóa – Xã hội (Đang thực hiện): {gap}",
        "Khối Kinh tế – Kỹ thuật (Chấm chéo, thẩm định): 2 đơn vị chưa được xác nhận số "
        "liệu năm: chưa xét được điều kiện khen thưởng."]
    # The delegate: no vote open, then the open vote with its link.
    assert lines(home(client, "daibieu.sct"), "buoc-tiep-theo") == [
        "Xong Chưa có cuộc bỏ phiếu nào đang mở: Khi hội nghị mở bỏ phiếu, liên kết hiện ở "
        "đây."]
    bloc_year = BlocYear.objects.get(bloc__code="KTKT",
                                     leader_unit__code=loader.code_for("STTTT", year))
    leader = actor_for(User.objects.get(username="truongkhoi"))
    at_conference(bloc_year)
    conference = voting.create_conference(leader, bloc_year, held_at=held_today(),
                                          place="Hội trường", chair="A", secretary="B")
    for membership in bloc_year.memberships.all():
        voting.record_attendance(leader, conference, membership.unit_id, present=True,
                                 delegate_name="Đại biểu")
    poll = voting.open_poll(leader, voting.create_poll(leader, conference,
                                                       Poll.Kind.LEADER_ELECTION))
    page = home(client, "daibieu.sct")
    assert lines(page, "buoc-tiep-theo") == [
        f"Cần làm Bỏ phiếu: {poll.title}: Đang mở — bấm để bỏ phiếu."]
    assert parse(page).by_id("buoc-tiep-theo").find("a").attrs["href"] == reverse(
        "voting_poll", args=[poll.pk])


def test_a_phase_change_with_gaps_needs_the_confirmation(demo_province, client):
    bloc_year = BlocYear.objects.get(bloc__code="VHXH", phase="in_progress")
    client.force_login(User.objects.get(username="truongkhoi.vhxh"))
    url = reverse("bloc_year_phase", args=[bloc_year.pk])
    events = AuditEvent.objects.count()
    refused = client.post(url, {"target": "mid_year_review"})
    assert refused.status_code == 409
    assert [li.text for li in parse(refused).find(class_="error-summary").find_all("li")][
        -1] == ("Còn thiếu như trên: xác nhận «Vẫn chuyển giai đoạn» nếu khối vẫn chuyển "
                "sang giai đoạn sau.")
    bloc_year.refresh_from_db()
    assert (bloc_year.phase, AuditEvent.objects.count()) == ("in_progress", events)
    assert client.post(url, {"target": "mid_year_review", "confirm": "1"}).status_code == 302
    bloc_year.refresh_from_db()
    assert bloc_year.phase == "mid_year_review"
    event = AuditEvent.objects.get(action="org.bloc_year.phase", object_id=str(bloc_year.pk),
                                   after__phase="mid_year_review")
    assert event.after["gaps_confirmed"][0].startswith("7 đơn vị còn chỉ tiêu chưa báo cáo")
