"""RULES.md 35, LEGAL-REVIEW R2 (issue 14): in a thành phố trực thuộc trung ương (Hà Nội,
Huế …) no page or paper names the authority "tỉnh": the province's award page (the
decision and council choices, the cap), its papers page and register, its history form,
the public results, a registration's titles and the "Nơi nhận" of the bloc's papers."""

import datetime

import pytest
from django.urls import reverse

from documents.award_year import ON, build
from thidua.awards import proposals
from thidua.documents.kind import common_context
from thidua.documents.kinds import KINDS
from thidua.org.models import Province
from thidua.pledges.models import Registration

CITY_FLAG = "Cờ thi đua của UBND thành phố"
CITY_CERTIFICATE = "Bằng khen của Chủ tịch UBND thành phố"
PROVINCE_WORDS = ("UBND tỉnh", "Khen thưởng tỉnh", "toàn tỉnh", "Ủy ban nhân dân tỉnh",
                  "UBND TỈNH", "lên tỉnh", "gửi tỉnh")


@pytest.fixture
def city(world):
    award_year = build(world)
    Province.objects.filter(pk=world.province.pk).update(name="Huế",
                                                         kind=Province.Kind.THANH_PHO)
    world.province.refresh_from_db()
    return award_year


def page(client, user, name, *args) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def no_province_word(text: str):
    assert [text[max(0, text.index(w) - 150):text.index(w) + 60] for w in PROVINCE_WORDS
            if w in text] == []


@pytest.mark.django_db
def test_rule_35_the_citys_award_page_names_the_citys_awards(world, city, client):
    text = page(client, world.users["secretariat"], "award_province", "BN", world.year.year)
    # The decision form's choices (one per accepted line) and the council's.
    kt2, kt3 = world.units["KT2"].name, world.units["KT3"].name
    assert f"{kt2} — {CITY_FLAG}" in text
    assert f"{kt3} — {CITY_CERTIFICATE}" in text
    assert f"(khối đề nghị {CITY_FLAG})" in text
    assert "Hội đồng Thi đua – Khen thưởng thành phố chọn đề nghị" in text
    assert "Giới hạn Cờ thi đua của Chính phủ toàn thành phố" in text
    no_province_word(text)


@pytest.mark.django_db
def test_rule_35_the_citys_papers_page_register_and_history(world, city, client):
    secretariat = world.actor("secretariat")
    proposals.record_decision(
        secretariat, world.year, number="45/QĐ-UBND",
        decision_date=datetime.date(world.year.year + 1, 1, 10), signer="Phó Chủ tịch",
        awarded=list(city.proposal.lines.values_list("id", flat=True)))
    user = world.users["secretariat"]
    papers = page(client, user, "province_documents", "BN", world.year.year)
    assert "Dự thảo quyết định khen thưởng của Chủ tịch UBND thành phố" in papers
    no_province_word(papers)
    register = page(client, user, "award_register", "BN")
    assert CITY_FLAG in register and CITY_CERTIFICATE in register
    no_province_word(register)
    history = page(client, user, "province_history", "BN")
    assert f'<option value="provincial_flag">{CITY_FLAG}</option>' in history
    no_province_word(history)


@pytest.mark.django_db
def test_rule_35_the_citys_public_results(world, city, client):
    text = page(client, world.users["secretariat"], "publication_public",
                world.bloc_years["KT"].pk)
    assert f'<td data-label="Hình thức">{CITY_FLAG}</td>' in text
    no_province_word(text)


@pytest.mark.django_db
def test_rule_35_the_citys_registration_and_bloc_papers(world, city, client):
    registration = Registration.objects.filter(unit=world.units["KT2"],
                                               emulation_year=world.year).first()
    registration.titles.update_or_create(award_form="provincial_flag")
    text = page(client, world.users["secretariat"], "registration", registration.pk)
    assert CITY_FLAG in text
    no_province_word(text)
    kind = KINDS["dang-ky"]
    subject = kind.load(world.actor("secretariat"), registration.pk)
    paper = common_context(kind, subject, number=None, on=ON) | kind.context(
        world.actor("secretariat"), subject, ON)
    assert f"- {CITY_FLAG}." in paper["titles"]
    assert paper["recipients"][0] == ("- Thường trực Hội đồng Thi đua - Khen thưởng thành "
                                      "phố;")
    pledge = KINDS["giao-uoc"]
    bloc_year = pledge.load(world.actor("secretariat"), world.bloc_years["KT"].pk)
    context = pledge.context(world.actor("secretariat"), bloc_year, ON)
    assert context["recipients"][0] == ("- Thường trực Hội đồng Thi đua - Khen thưởng thành "
                                        "phố;")
    assert context["closing"][0].endswith("Thường trực Hội đồng Thi đua - Khen thưởng thành "
                                          "phố.")


@pytest.mark.django_db
def test_rule_35_the_api_labels_follow_the_city(world, city, client):
    client.force_login(world.users["secretariat"])
    history = client.get("/api/v1/provinces/BN/history").json()
    assert {a["award_form_label"] for a in history["awards"]} == {CITY_FLAG}
    register = client.get("/api/v1/provinces/BN/award-register").json()
    assert {e["award_form_label"] for e in register["entries"]} == {CITY_FLAG}
    unit = client.get(f"/api/v1/units/{world.units['KT1'].id}/awards").json()
    assert [a["award_form_label"] for a in unit["awards"]] == [CITY_FLAG]
    public = client.get(f"/api/v1/public/bloc-years/{world.bloc_years['KT'].pk}/results").json()
    assert [line["award_form_label"] for line in public["proposals"]] == [
        "Cờ thi đua của Chính phủ", CITY_FLAG, CITY_CERTIFICATE, CITY_CERTIFICATE]


@pytest.mark.django_db
def test_rule_35_the_proposals_sentences_name_the_citys_awards(world):
    """The allocation's reasons (stored on the proposal, printed on its papers) say
    "UBND thành phố" when the proposal is assembled in a city."""
    Province.objects.filter(pk=world.province.pk).update(kind=Province.Kind.THANH_PHO)
    award_year = build(world)
    texts = [d["text"] for d in award_year.proposal.explanation]
    assert any(CITY_FLAG in text for text in texts)
    assert not any("UBND tỉnh" in text for text in texts)


@pytest.mark.django_db
def test_rule_35_the_bonus_sentence_names_the_citys_flag(world, city):
    """RULES.md 11: KT1's provincial flag of last year brings this year's bonus; in a city
    the sentence names the city's flag."""
    from thidua.awards.services import next_year_bonus
    bonus = next_year_bonus(world.units["KT1"], world.year.year)
    assert bonus.explanation.startswith(f"Được tặng {CITY_FLAG} năm {world.year.year - 1}")
