"""Registration editing by the unit's officer: titles, targets (htmx partials or plain
forms), submit, withdraw; bad input changes nothing and is answered in Vietnamese."""

import unicodedata

import pytest

from thidua.core.models import AuditEvent
from thidua.pledges.models import Registration, Target

from .conftest import matrix, outcome, register
from .page import inline_code, parse

HTMX = {"HX-Request": "true"}


def open_url(world, code="KT1"):
    return f"/don-vi/{world.units[code].pk}/dang-ky/"


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=403, secretariat=403, other_secretariat=404, leader=403, officer=302, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_who_may_open_a_registration(world, as_who, who, status):
    response = as_who(who).post(open_url(world), {"nam": world.year.year})
    assert outcome(response) == status
    created = list(Registration.objects.values_list("unit__code", "status"))
    assert created == ([("KT1", "draft")] if status == 302 else [])
    if status == 302:
        assert response["Location"] == f"/dang-ky/{Registration.objects.get().pk}/"
        assert AuditEvent.objects.filter(action="pledges.registration.create").count() == 1


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=404, secretariat=404, other_secretariat=404, leader=404, officer=200, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_a_draft_is_its_own_units_business(world, as_who, who, status):
    registration = register(world, "officer", "KT1", submit=False)
    assert outcome(as_who(who).get(f"/dang-ky/{registration.pk}/")) == status


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=200,
    outsider=404, delegate=200, nobody=404, anonymous="login",
))
def test_a_submitted_registration_is_shared_with_the_bloc(world, as_who, who, status):
    registration = register(world, "officer", "KT1")
    response = as_who(who).get(f"/dang-ky/{registration.pk}/")
    assert outcome(response) == status
    if status == 200:
        page = parse(response)
        assert page.by_id("trang-thai-dang-ky").text.startswith("Tình trạng: Đã đăng ký")
        assert page.find("form", action=f"/dang-ky/{registration.pk}/danh-hieu/") is None


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=403, secretariat=403, other_secretariat=404, leader=403, officer=409, peer=403,
    outsider=404, delegate=403, nobody=404, anonymous="login",
))
def test_nobody_edits_a_submitted_registration(world, as_who, who, status):
    registration = register(world, "officer", "KT1")
    response = as_who(who).post(f"/dang-ky/{registration.pk}/danh-hieu/",
                                {"award_forms": ["government_flag"]})
    assert outcome(response) == status
    assert sorted(registration.titles.values_list("award_form", flat=True)) == [
        "provincial_flag"]


def test_titles_saved_through_htmx_return_the_section_only(world, as_who):
    registration = register(world, "officer", "KT1", submit=False, titles=())
    client = as_who("officer")
    response = client.post(f"/dang-ky/{registration.pk}/danh-hieu/",
                           {"award_forms": ["provincial_flag", "excellent_collective"]},
                           headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert not html.lstrip().startswith("<!doctype")
    section = parse(html).by_id("muc-danh-hieu")
    checked = [i.attrs["value"] for i in section.find_all("input", type="checkbox")
               if "checked" in i.attrs]
    assert checked == ["provincial_flag", "excellent_collective"]
    assert section.find("span", role="status").text == "Đã lưu"
    assert sorted(registration.titles.values_list("award_form", flat=True)) == [
        "excellent_collective", "provincial_flag"]
    event = AuditEvent.objects.filter(action="pledges.registration.titles").latest("id")
    assert event.before["titles"] == [] and event.after["titles"] == [
        "excellent_collective", "provincial_flag"]


def test_titles_without_htmx_redirect_back(world, as_who):
    registration = register(world, "officer", "KT1", submit=False, titles=())
    response = as_who("officer").post(f"/dang-ky/{registration.pk}/danh-hieu/",
                                      {"award_forms": ["certificate_of_merit"]})
    assert response.status_code == 302
    assert response["Location"] == f"/dang-ky/{registration.pk}/"


def test_an_unknown_title_is_refused(world, as_who):
    registration = register(world, "officer", "KT1", submit=False)
    response = as_who("officer").post(f"/dang-ky/{registration.pk}/danh-hieu/",
                                      {"award_forms": ["huan_chuong"]})
    assert response.status_code == 400
    summary = parse(response).with_class("error-summary")[0]
    assert [(a.text, a.attrs["href"]) for a in summary.find_all("a")] == [
        ("Hãy chọn một lựa chọn hợp lệ. huan_chuong không phải là một trong các lựa chọn "
         "khả thi.", "#id_award_forms_0")]
    assert list(registration.titles.values_list("award_form", flat=True)) == [
        "provincial_flag"]


def target_data(world, **changes):
    data = {"indicator": "Giải quyết hồ sơ đúng hạn", "baseline": "80", "target_value": "98.5",
            "unit_of_measure": "%", "deadline": f"{world.year.year}-12-31"}
    data.update(changes)
    return data


def test_add_a_target_with_nfd_text_is_stored_nfc(world, as_who):
    registration = register(world, "officer", "KT1", submit=False, targets=0)
    nfd = unicodedata.normalize("NFD", "Tỷ lệ thủ tục hành chính trực tuyến")
    response = as_who("officer").post(f"/dang-ky/{registration.pk}/chi-tieu/",
                                      target_data(world, indicator=nfd, unit_of_measure="%"),
                                      headers=HTMX)
    assert response.status_code == 200
    target = Target.objects.get()
    assert target.indicator == "Tỷ lệ thủ tục hành chính trực tuyến"
    assert unicodedata.is_normalized("NFC", target.indicator)
    assert str(target.target_value) == "98.50"
    section = parse(response).by_id("muc-chi-tieu")
    rows = [[td.text for td in tr.find_all("td")][:5]
            for tr in section.by_id("bang-chi-tieu").find("tbody").find_all("tr")]
    assert rows == [["Tỷ lệ thủ tục hành chính trực tuyến", "80", "98,50", "%",
                     f"31/12/{world.year.year}"]]
    # A fresh, empty form for the next target.
    assert section.find("input", name="indicator").attrs.get("value", "") == ""
    assert AuditEvent.objects.filter(action="pledges.target.add").count() == 1


def test_empty_target_fields_keep_the_input_and_write_nothing(world, as_who):
    registration = register(world, "officer", "KT1", submit=False, targets=0)
    before = AuditEvent.objects.count()
    response = as_who("officer").post(
        f"/dang-ky/{registration.pk}/chi-tieu/",
        target_data(world, indicator="Số sáng kiến", target_value="", unit_of_measure="",
                    deadline=f"{world.year.year + 1}-01-15"))
    assert response.status_code == 400
    page = parse(response)
    summary = page.with_class("error-summary")[0]
    assert [(a.text, a.attrs["href"]) for a in summary.find_all("a")] == [
        ("Trường này là bắt buộc.", "#id_target_value"),
        ("Trường này là bắt buộc.", "#id_unit_of_measure"),
        (f"Thời hạn phải nằm trong năm thi đua {world.year.year}.", "#id_deadline"),
    ]
    assert page.find("input", name="indicator").attrs["value"] == "Số sáng kiến"
    assert page.find("input", name="deadline").attrs["value"] == f"{world.year.year + 1}-01-15"
    assert page.find("input", id="id_target_value").attrs["aria-invalid"] == "true"
    assert inline_code(page) == []
    assert Target.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_too_many_decimals_are_refused(world, as_who):
    registration = register(world, "officer", "KT1", submit=False, targets=0)
    response = as_who("officer").post(f"/dang-ky/{registration.pk}/chi-tieu/",
                                      target_data(world, target_value="1.234"))
    assert response.status_code == 400
    assert Target.objects.count() == 0


def test_remove_a_target(world, as_who):
    registration = register(world, "officer", "KT1", submit=False, targets=2)
    first = registration.targets.order_by("id").first()
    response = as_who("officer").post(f"/chi-tieu/{first.pk}/xoa/", headers=HTMX)
    assert response.status_code == 200
    assert list(registration.targets.values_list("indicator", flat=True)) == ["Chỉ tiêu số 2"]
    event = AuditEvent.objects.filter(action="pledges.target.remove").get()
    assert event.before["indicator"] == "Chỉ tiêu số 1"


def test_another_unit_cannot_remove_my_target(world, as_who):
    registration = register(world, "officer", "KT1", submit=False)
    target = registration.targets.get()
    assert as_who("peer").post(f"/chi-tieu/{target.pk}/xoa/").status_code == 404
    assert Target.objects.filter(pk=target.pk).exists()


def test_submit_needs_titles_and_targets(world, as_who):
    registration = register(world, "officer", "KT1", submit=False, titles=(), targets=0)
    response = as_who("officer").post(f"/dang-ky/{registration.pk}/gui/")
    assert response.status_code == 400
    summary = parse(response).with_class("error-summary")[0]
    assert [li.text for li in summary.find_all("li")] == [
        "Chưa chọn danh hiệu thi đua đăng ký.", "Chưa có chỉ tiêu nào."]
    registration.refresh_from_db()
    assert registration.status == "draft"


def test_submit_then_withdraw_with_a_reason(world, as_who):
    registration = register(world, "officer", "KT1", submit=False)
    client = as_who("officer")
    response = client.post(f"/dang-ky/{registration.pk}/gui/")
    assert response.status_code == 302
    assert response["Location"] == f"/don-vi/{world.units['KT1'].pk}/?nam={world.year.year}"
    registration.refresh_from_db()
    assert registration.status == "submitted" and registration.submitted_by == world.users[
        "officer"]
    assert AuditEvent.objects.filter(action="pledges.registration.submit").count() == 1

    response = client.post(f"/dang-ky/{registration.pk}/rut-lai/", {"reason": "  "})
    assert response.status_code == 400
    registration.refresh_from_db()
    assert registration.status == "submitted"

    response = client.post(f"/dang-ky/{registration.pk}/rut-lai/",
                           {"reason": "Bổ sung chỉ tiêu chuyển đổi số"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "draft" and registration.submitted_at is None
    event = AuditEvent.objects.filter(action="pledges.registration.withdraw").get()
    assert event.reason == "Bổ sung chỉ tiêu chuyển đổi số"


def test_the_edit_page_has_a_label_for_every_input(world, as_who):
    registration = register(world, "officer", "KT1", submit=False)
    page = parse(as_who("officer").get(f"/dang-ky/{registration.pk}/"))
    labels = {label.attrs.get("for") for label in page.find_all("label")}
    fields = [e for e in page.find_all() if e.tag in {"input", "select", "textarea"}
              and e.attrs.get("type") not in {"hidden", "submit"}]
    assert fields
    assert [f.attrs.get("name") for f in fields if f.attrs.get("id") not in labels] == []
