"""Issue 15, item 2: signature blocks with a real person. Signers are entered once per
unit and per conference (page and API, documents.signers) and every paper prints them,
read back from the DOCX; nobody entered → a dotted line to sign, never a unit's name,
never "Đồng chí" alone. Bad input: a Vietnamese reason and nothing changed."""

import json

import pytest
from django.test import Client

from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.core.models import AuditEvent
from thidua.documents import services, signers
from thidua.documents.models import Signer
from thidua.pledges import services as pledges

from . import conference as conf
from .test_documents import body_lines, cell_lines, read

GAP = ["", "", "", ""]


def api(user):
    client = Client()
    client.force_login(user)
    return client


def put(client, path, data):
    return client.put("/api/v1" + path, json.dumps(data), content_type="application/json")


def signature(doc) -> list[str]:
    return cell_lines(doc.tables[-1].rows[0].cells[1])


def test_unit_signer_entered_once_prints_on_the_units_and_the_blocs_papers(world):
    kt1 = world.units["KT1"]  # leads bloc KT
    officer = api(world.users["officer"])
    response = put(officer, f"/units/{kt1.pk}/signer", {
        "authority": "KT.", "on_behalf_of": "Giám đốc", "title": "Phó Giám đốc",
        "name": "Nguyễn Văn Hải"})
    assert response.status_code == 200
    assert response.json() == {
        "role": "head", "entered": True, "authority": "KT.", "on_behalf_of": "Giám đốc",
        "title": "Phó Giám đốc", "name": "Nguyễn Văn Hải",
        "printed": {"mandate": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC",
                    "name": "Nguyễn Văn Hải"}}
    event = AuditEvent.objects.filter(action="documents.signer").get()
    assert (event.before, event.after["name"], event.actor_id) == (
        None, "Nguyễn Văn Hải", world.users["officer"].id)
    # The unit's own paper: KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC / the name.
    actor = world.actor("officer")
    registration = pledges.open_registration(actor, kt1, world.year)
    doc = read(services.draft(actor, "dang-ky", registration.pk).content)
    assert signature(doc) == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", *GAP, "Nguyễn Văn Hải"]
    # The bloc's paper, KT1 leading: TM. KHỐI THI ĐUA / TRƯỞNG KHỐI / the person.
    doc = read(services.draft(world.actor("leader"), "giao-uoc",
                              world.bloc_years["KT"].pk).content)
    assert signature(doc) == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", *GAP, "Nguyễn Văn Hải"]
    assert "Sở Công Thương" not in signature(doc)
    # Changed once (Q. = acting head), every paper follows; the audit keeps the before.
    put(officer, f"/units/{kt1.pk}/signer", {"authority": "Q.", "title": "Giám đốc",
                                              "name": "Trần Văn Long"})
    doc = read(services.draft(actor, "dang-ky", registration.pk).content)
    assert signature(doc) == ["", "Q. GIÁM ĐỐC", *GAP, "Trần Văn Long"]
    last = AuditEvent.objects.filter(action="documents.signer").order_by("-id").first()
    assert last.before["name"] == "Nguyễn Văn Hải" and last.after["authority"] == "Q."
    assert Signer.objects.filter(unit=kt1).count() == 1


def test_no_signer_entered_leaves_a_dotted_line_never_a_unit_name(world):
    doc = read(services.draft(world.actor("leader"), "giao-uoc",
                              world.bloc_years["KT"].pk).content)
    assert signature(doc) == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", *GAP, signers.BLANK_NAME]
    assert set(signers.BLANK_NAME) == {"…"}


@pytest.mark.parametrize(("payload", "message"), [
    ({"title": "Giám đốc", "name": "Đồng chí Nguyễn Văn Hải"},
     "Họ và tên chỉ ghi tên người ký, không ghi “Đồng chí”, “Ông”, “Bà”."),
    ({"authority": "KT.", "title": "Phó Giám đốc", "name": "Nguyễn Văn Hải"},
     "Ký “KT.” cần ghi ký thay / thay mặt ai (ví dụ: Giám đốc)."),
    ({"authority": "", "on_behalf_of": "Giám đốc", "title": "Giám đốc",
      "name": "Nguyễn Văn Hải"}, "Chỉ ghi “ký thay / thay mặt” khi ký KT. hoặc TM."),
    ({"title": "   ", "name": "Nguyễn Văn Hải"},
     "Nhập chức vụ người ký (ví dụ: Giám đốc, Phó Giám đốc)."),
])
def test_bad_signer_refused_in_vietnamese_and_nothing_changes(world, payload, message):
    kt1 = world.units["KT1"]
    Signer.objects.create(unit=kt1, role="head", title="Giám đốc", name="Lê Thị Mai")
    response = put(api(world.users["officer"]), f"/units/{kt1.pk}/signer", payload)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert list(Signer.objects.values_list("title", "name")) == [("Giám đốc", "Lê Thị Mai")]
    assert not AuditEvent.objects.filter(action="documents.signer").exists()


def test_malformed_signer_payloads_answer_422_and_change_nothing(world):
    kt1 = world.units["KT1"]
    client = api(world.users["officer"])
    for body in ({"authority": "TL.", "title": "Giám đốc", "name": "A"}, [None, None],
                 {"title": "Giám đốc"}, {"title": "G", "name": "x" * 121}):
        assert put(client, f"/units/{kt1.pk}/signer", body).status_code == 422, body
    assert not Signer.objects.exists()


def test_who_may_enter_a_units_signer(world):
    kt1 = world.units["KT1"]
    Signer.objects.create(unit=kt1, role="head", title="Giám đốc", name="Lê Thị Mai")
    body = {"title": "Giám đốc", "name": "Người Lạ"}
    outcomes = {}
    for name in ("peer", "outsider", "delegate", "other_secretariat", "nobody", "leader",
                 "secretariat"):
        response = put(api(world.users[name]), f"/units/{kt1.pk}/signer", body)
        outcomes[name] = response.status_code
        if response.status_code == 404:
            assert "Lê Thị Mai" not in response.content.decode()
    assert outcomes == {"peer": 404, "outsider": 404, "delegate": 404,
                        "other_secretariat": 404, "nobody": 404, "leader": 403,
                        "secretariat": 200}
    assert Signer.objects.get(unit=kt1).name == "Người Lạ"  # the secretariat's
    with pytest.raises(NotFound):
        signers.find_unit(world.actor("outsider"), kt1.pk)


def test_unit_signer_page_saves_and_shows_the_signature_line(world, client):
    kt1 = world.units["KT1"]
    client.force_login(world.users["officer"])
    url = f"/don-vi/{kt1.pk}/nguoi-ky/"
    page = client.get(url).content.decode()
    assert "THỦ TRƯỞNG ĐƠN VỊ" in page and signers.BLANK_NAME in page
    refused = client.post(url, {"vai_tro": "head", "head-authority": "KT.",
                                "head-title": "Phó Giám đốc", "head-name": "Nguyễn Văn Hải"})
    assert refused.status_code == 400
    assert "Ký “KT.” cần ghi ký thay / thay mặt ai" in refused.content.decode()
    assert 'value="Nguyễn Văn Hải"' in refused.content.decode()  # what was typed stays
    assert not Signer.objects.exists()
    saved = client.post(url, {"vai_tro": "head", "head-authority": "KT.",
                              "head-on_behalf_of": "Giám đốc", "head-title": "Phó Giám đốc",
                              "head-name": "Nguyễn Văn Hải"})
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert "KT. GIÁM ĐỐC" in page and "PHÓ GIÁM ĐỐC" in page
    assert Signer.objects.get(unit=kt1).name == "Nguyễn Văn Hải"


def test_minutes_sign_with_the_conferences_chair_and_secretary(world, client):
    leader = world.actor("leader")
    run = conf.run(leader, world.bloc_years["KT"])
    conference = run.conference
    # Typed with a form of address and a title, or the address alone: the signature line
    # holds the name only, or a dotted line.
    type(conference).objects.filter(pk=conference.pk).update(
        chair="Đồng chí Nguyễn Văn An, Giám đốc Sở Công Thương", secretary="Đồng chí")
    conference.refresh_from_db()
    doc = read(services.draft(leader, "bien-ban-hop", conference.pk).content)
    secretary, chair = (cell_lines(c) for c in doc.tables[-1].rows[0].cells)
    assert chair == ["CHỦ TRÌ", "(Ký, ghi rõ họ tên)", *GAP, "Nguyễn Văn An"]
    assert secretary == ["THƯ KÝ", "(Ký, ghi rõ họ tên)", *GAP, signers.BLANK_NAME]
    # Entered once on the conference's page: both the signature and the opening use it.
    client.force_login(world.users["leader"])
    url = f"/hoi-nghi/{conference.pk}/nguoi-ky/"
    assert client.post(url, {"vai_tro": "secretary", "secretary-authority": "",
                             "secretary-title": "Chuyên viên Văn phòng Sở Công Thương",
                             "secretary-name": "Trần Thị Bình"}).status_code == 302
    doc = read(services.draft(leader, "bien-ban-hop", conference.pk).content)
    secretary, _ = (cell_lines(c) for c in doc.tables[-1].rows[0].cells)
    assert secretary == ["THƯ KÝ", "(Ký, ghi rõ họ tên)", *GAP, "Trần Thị Bình"]
    assert "Thư ký: Trần Thị Bình, Chuyên viên Văn phòng Sở Công Thương." in body_lines(doc)
    # The count record: the committee's head by name.
    record = read(services.draft(leader, "kiem-phieu", run.award.pk).content)
    assert signature(record) == ["TM. BAN KIỂM PHIẾU", "TRƯỞNG BAN", *GAP, "Lê Văn Cường"]
    # A member unit's officer sees the signers, does not change them.
    officer = api(world.users["officer"])
    listed = officer.get(f"/api/v1/conferences/{conference.pk}/signers").json()
    assert [(s["role"], s["entered"], s["printed"]["name"]) for s in listed] == [
        ("chair", False, "Nguyễn Văn An"), ("secretary", True, "Trần Thị Bình")]
    refused = put(officer, f"/conferences/{conference.pk}/signers/chair",
                  {"title": "Giám đốc", "name": "Người Khác"})
    assert refused.status_code == 403
    with pytest.raises(Forbidden):
        signers.set_conference_signer(world.actor("officer"), conference, "chair",
                                      signers.SignerIn("", "", "Giám đốc", "Người Khác"))
    with pytest.raises(DomainError):
        signers.set_conference_signer(leader, conference, "head",
                                      signers.SignerIn("", "", "Giám đốc", "Người Khác"))
    assert list(Signer.objects.filter(conference=conference).values_list("role", "name")) \
        == [("secretary", "Trần Thị Bình")]


def test_person_name_keeps_the_name_only():
    assert signers.person_name("Đồng chí Nguyễn Văn An, Giám đốc Sở Công Thương") == \
        "Nguyễn Văn An"
    assert signers.person_name("Ông Lê Văn Cường - Phó Giám đốc") == "Lê Văn Cường"
    assert signers.person_name("Đồng chí") == ""
    assert signers.person_name("Nguyễn Thị Đông") == "Nguyễn Thị Đông"
    assert signers.person_name("Bà Triệu Thị Anh (Chánh Văn phòng)") == "Triệu Thị Anh"
