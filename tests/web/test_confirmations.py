"""Irreversible steps ask first (issue 11 item 10): every form of the conference, awards
and press pages whose step cannot be undone carries a `data-confirm` sentence naming its
consequence (thidua.js asks it before the form is sent; a cancelled question sends
nothing — tests/browser/test_conference_day.py). Forms whose step can be redone (the
roll call, the committee, the conference's details, the candidates before opening, a
draft's save) do not ask."""

import pytest
from django.urls import reverse
from tests import factories
from tests.factories import (
    award_poll,
    candidate_ids,
    cards_by_unit,
    vote,
)

from awards.conftest import prepare_kt
from thidua.awards import proposals as awards
from thidua.law.award_forms import AwardForm
from thidua.publication import services as press
from thidua.voting import services
from thidua.voting.models import Poll

from .page import parse

pytestmark = pytest.mark.django_db


def forms_of(client, url):
    """action → data-confirm ("" when the form does not ask) of every POST form."""
    response = client.get(url)
    assert response.status_code == 200, url
    return {f.attrs.get("action", ""): f.attrs.get("data-confirm", "")
            for f in parse(response).find_all("form") if f.attrs.get("method") == "post"}


def test_the_poll_steps_ask_with_their_consequence(world, present, client):
    client.force_login(world.users["leader"])
    poll = award_poll(world, present)
    page = reverse("voting_poll", args=[poll.pk])
    step = lambda action: reverse("voting_poll_step", args=[poll.pk, action])  # noqa: E731
    forms = forms_of(client, page)
    assert forms[step("mo")] == (
        f"Mở bỏ phiếu «{poll.title}»? Danh sách ứng viên được cố định, không sửa được nữa; "
        "đại biểu bắt đầu bỏ phiếu.")
    assert forms[reverse("voting_poll_candidates", args=[poll.pk])] == ""
    cards = ("Phát thẻ biểu quyết cho các đơn vị có mặt chưa bỏ phiếu? Mọi thẻ đã phát mà "
             "chưa dùng bị thu hồi, thẻ đã in không dùng được nữa.")
    assert forms[reverse("voting_poll_cards_issue", args=[poll.pk])] == cards

    services.open_poll(world.actor("leader"), poll)
    services.cast_with_card(cards_by_unit(world, poll)["KT1"], poll.pk, [])
    forms = forms_of(client, page)
    assert forms[step("ket-thuc")] == (
        f"Kết thúc bỏ phiếu «{poll.title}» với 1/5 phiếu? Không nhận thêm phiếu nào, thẻ "
        "chưa dùng bị thu hồi, kết quả kiểm phiếu được lưu; không mở lại được.")
    assert forms[reverse("voting_poll_cards_issue", args=[poll.pk])] == cards
    assert forms_of(client, reverse("voting_poll_delegates", args=[poll.pk]))[
        reverse("voting_poll_cards_issue", args=[poll.pk])] == (
        "Phát thẻ cho từng đại biểu chưa bỏ phiếu? Mọi thẻ đã phát mà chưa dùng bị thu hồi, "
        "thẻ đã in không dùng được nữa.")
    # The cards page: re-issuing names how many printed cards it voids.
    assert forms_of(client, reverse("voting_poll_cards", args=[poll.pk]))[
        reverse("voting_poll_cards_issue", args=[poll.pk])] == (
        "Phát lại thẻ? 4 thẻ đã phát mà chưa dùng bị thu hồi: thẻ đã in không dùng được nữa.")
    assert forms_of(client, reverse("voting_paper", args=[poll.pk]))[
        reverse("voting_paper_issue", args=[poll.pk])] == (
        "Phát phiếu giấy cho các đơn vị đã chọn? Các đơn vị này được ghi là đã nhận phiếu: "
        "thẻ QR của họ bị thu hồi, không bỏ phiếu điện tử được nữa.")

    services.close_poll(world.actor("leader"), poll)
    assert forms_of(client, page)[step("cong-bo")] == (
        f"Công bố kết quả «{poll.title}»? Mọi người trong khối thấy kết quả và danh sách "
        "phiếu theo mã biên nhận; không rút lại được.")


def test_the_conference_page_asks_only_where_nothing_can_be_undone(world, present, client):
    client.force_login(world.users["leader"])
    forms = forms_of(client, reverse("voting_conference", args=[present.bloc_year_id]))
    assert forms == {
        reverse("voting_roll_call", args=[present.pk]): "",
        reverse("voting_committee", args=[present.pk]): "",
        reverse("voting_poll_create", args=[present.pk]): "",
        reverse("voting_conference_save", args=[present.bloc_year_id]): "",
        reverse("logout"): ""}


def test_the_run_off_button_asks_naming_the_tied(world, present, client):
    leader = world.actor("leader")
    poll = services.open_poll(leader, award_poll(world, present,
                                                 AwardForm.CERTIFICATE_OF_MERIT,
                                                 ["KT2", "KT3", "KT4"]))
    cards = cards_by_unit(world, poll)
    for code, marks in {"KT1": ["KT2", "KT3"], "KT2": ["KT2", "KT3"], "KT3": ["KT2", "KT4"],
                        "KT4": ["KT2", "KT4"], "KT5": ["KT3", "KT4"]}.items():
        services.cast_with_card(cards[code], poll.pk, candidate_ids(poll, world, *marks))
    services.close_poll(leader, poll)
    client.force_login(world.users["leader"])
    url = reverse("voting_poll_step", args=[poll.pk, "bo-phieu-lai"])
    question = ("Mở bỏ phiếu lại giữa Sở Xây dựng, Đài Phát thanh (1 suất)? Cuộc bỏ phiếu "
                "lại mở ngay với danh sách này, không sửa được; phát thẻ mới cho đại biểu có "
                "mặt. Kết quả lần này được giữ nguyên trong biên bản.")
    assert forms_of(client, reverse("voting_result", args=[poll.pk]))[url] == question
    assert forms_of(client, reverse("voting_poll", args=[poll.pk]))[url] == question


def test_the_proposal_steps_decision_next_year_and_press_ask(world, client):
    kt = prepare_kt(world)
    conference = factories.conference(world, kt, present=factories.KT)
    vote(world, conference, AwardForm.PROVINCIAL_FLAG, ["KT2", "KT3"],
         {"KT1": ["KT2"], "KT2": ["KT3"], "KT3": ["KT2"], "KT4": ["KT2"], "KT5": ["KT2"]})
    proposal = awards.assemble_proposal(world.actor("leader"), kt)
    client.force_login(world.users["leader"])
    forms = forms_of(client, reverse("award_proposal", args=[kt.pk]))
    step = lambda action: reverse("award_proposal_step", args=[proposal.pk, action])  # noqa: E731
    assert forms[step("submit")] == (
        "Gửi hồ sơ đề nghị cho Thường trực thi đua tỉnh? Sau khi gửi, khối không sửa hồ sơ "
        "được nữa, trừ khi tỉnh trả lại.")
    awards.move_proposal(world.actor("leader"), proposal, "submit")
    client.force_login(world.users["secretariat"])
    forms = forms_of(client, reverse("award_proposal", args=[kt.pk]))
    assert forms[step("return")] == (
        "Trả lại hồ sơ cho khối với lý do đã ghi? Khối sửa rồi gửi lại; tỉnh không tiếp nhận "
        "hồ sơ này cho đến khi khối gửi lại.")
    assert forms[step("accept")] == (
        "Tiếp nhận hồ sơ đề nghị? Sau khi tiếp nhận không trả lại cho khối được nữa; bước "
        "tiếp theo là ghi quyết định khen thưởng.")
    awards.move_proposal(world.actor("secretariat"), proposal, "return", "Thiếu báo cáo")
    client.force_login(world.users["leader"])
    forms = forms_of(client, reverse("award_proposal", args=[kt.pk]))
    assert forms[step("resubmit")].startswith("Gửi lại hồ sơ đề nghị cho tỉnh? Sau khi gửi")
    assert forms[reverse("award_proposal_assemble", args=[kt.pk])] == (
        "Lập lại hồ sơ từ kết quả bình xét? Các dòng đề nghị hiện có được thay bằng danh sách "
        "tính lại từ kết quả bỏ phiếu đã công bố.")
    awards.move_proposal(world.actor("leader"), proposal, "resubmit")
    awards.move_proposal(world.actor("secretariat"), proposal, "accept")

    client.force_login(world.users["secretariat"])
    forms = forms_of(client, reverse("award_province", args=["BN", world.year.year]))
    assert forms[reverse("award_decision", args=["BN", world.year.year])] == (
        "Ghi quyết định khen thưởng với số, ngày, người ký và các đơn vị đã chọn? Hồ sơ đề "
        "nghị chuyển sang «Đã có quyết định», không sửa được; khen thưởng được tính cho các "
        "năm sau.")
    year = world.year.year + 1
    assert forms_of(client, reverse("award_next_year", args=[kt.pk]))[""] == (
        f"Mở năm thi đua {year} với Trưởng khối và Phó khối đã chọn? Khối năm {year} được "
        "lập với các thành viên và bảng tiêu chí này; không mở lại được.")

    press.generate(world.actor("leader"), kt)
    forms = forms_of(client, reverse("publication_press", args=[kt.pk]))
    assert forms[reverse("publication_press_publish", args=[kt.pk])] == (
        "Công bố thông cáo? Bài được đăng ngay trên trang kết quả công khai của khối, ai cũng "
        "đọc được; bản đã công bố không rút lại được (sửa sau đó thành lần công bố tiếp "
        "theo).")
    assert forms[reverse("publication_press_save", args=[kt.pk])] == ""


def test_no_inline_handler_does_the_asking(world, present, client):
    """The question is data for thidua.js (CSP allows no inline script or handler)."""
    client.force_login(world.users["leader"])
    poll = award_poll(world, present)
    root = parse(client.get(reverse("voting_poll", args=[poll.pk])))
    assert [e.tag for e in root.iter() if any(a.startswith("on") for a in e.attrs)] == []
    assert [s.attrs.get("src") for s in root.find_all("script")] == [
        "/static/web/vendor/htmx.min.js", "/static/web/js/thidua.js",
        "/static/web/js/ballot.js"]
    assert Poll.objects.get(pk=poll.pk).state == "created"


def test_adding_a_year_and_a_check_in_ask_with_their_consequence(world, client):
    """Issue 11 item 10: the year (htmx form: htmx asks) and a progress report cannot be
    taken back, so both ask first, naming what cannot be undone."""
    from web.conftest import register, start_year

    client.force_login(world.users["secretariat"])
    form = parse(client.get(reverse("province_setup", args=["BN"]))).by_id("form-nam")
    assert form.attrs["hx-confirm"] == (
        "Mở năm thi đua mới cho Bắc Ninh? Năm đã mở không xóa được; các khối lập danh sách "
        "thành viên cho năm này.")
    target = register(world, "officer", "KT1").targets.first()
    start_year(world)
    client.force_login(world.users["officer"])
    form = parse(client.get(reverse("check_in", args=[target.pk]))).by_id("form-bao-cao")
    assert form.attrs["data-confirm"] == (
        f"Gửi báo cáo tiến độ “{target.indicator}”? Báo cáo đã gửi và minh chứng kèm theo "
        "không sửa, không xóa được.")
