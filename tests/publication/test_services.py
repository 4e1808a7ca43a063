"""The press release through the services: generated from published data only, edited,
regenerated without losing edits, published as revisions (idempotent), audited; bad input
and other people change nothing."""

import pytest
from django.utils import timezone

from awards.conftest import prepare_kt
from thidua.awards import proposals
from thidua.core.errors import DomainError, Forbidden
from thidua.core.models import AuditEvent
from thidua.publication import queries, services
from thidua.publication.models import PressRelease, PressReleaseRevision

from .conftest import publish_election

pytestmark = pytest.mark.django_db


def actions():
    return list(AuditEvent.objects.filter(action__startswith="publication.")
                .order_by("id").values_list("action", flat=True))


def test_facts_hold_only_published_data(world, scene):
    """The counted but unpublished election and the draft proposal stay out; once the
    election is published and the proposal sent, they come in."""
    facts = queries.press_facts(scene.bloc_year)
    assert facts.conference_on == timezone.localdate(scene.conference.held_at)
    assert [(r.rank, r.unit, str(r.score)) for r in facts.ranking] == [
        (1, "Sở Công Thương", "90"), (2, "Sở Tài chính", "89"), (3, "Sở Xây dựng", "88"),
        (4, "Đài Phát thanh", "87"), (5, "Ban Quản lý dự án", "86")]
    assert [(v.award_form, [(line.unit, line.votes, line.passed) for line in v.lines])
            for v in facts.votes] == [
        ("Cờ thi đua của UBND tỉnh", [("Sở Tài chính", 4, True), ("Sở Xây dựng", 1, False)]),
        ("Bằng khen của Chủ tịch UBND tỉnh",
         [("Sở Xây dựng", 4, True), ("Đài Phát thanh", 1, False)])]
    leader = world.actor("leader")
    proposal = proposals.assemble_proposal(leader, scene.bloc_year)
    facts = queries.press_facts(scene.bloc_year)
    assert (facts.proposals, facts.next_leader) == ((), None)  # a draft, an unpublished poll

    publish_election(world, scene.election)
    proposals.move_proposal(leader, proposal, "submit")
    facts = queries.press_facts(scene.bloc_year)
    assert [(p.award_form, p.units) for p in facts.proposals] == [
        ("Cờ thi đua của UBND tỉnh", ("Sở Tài chính",)),
        ("Bằng khen của Chủ tịch UBND tỉnh", ("Sở Xây dựng",))]
    assert (facts.next_leader, facts.next_deputies) == ("Đài Phát thanh", ())


def test_generate_edit_publish_revisions(world, scene):
    leader, secretariat = world.actor("leader"), world.actor("secretariat")
    bloc_year = scene.bloc_year
    release, kept = services.generate(leader, bloc_year)
    assert kept == ()
    assert release.title == "Khối Kinh tế tổng kết phong trào thi đua năm " \
        f"{bloc_year.year}"
    assert queries.press_view(bloc_year).state == queries.DRAFT
    assert queries.latest_revision(bloc_year) is None

    services.edit(leader, bloc_year, title=release.title, lead="Sapo do Trưởng khối viết.",
                  body=release.body)
    first = services.publish(leader, bloc_year)
    assert (first.number, first.lead) == (1, "Sapo do Trưởng khối viết.")
    # Publishing the same text again: the same revision, nothing written.
    assert services.publish(secretariat, bloc_year) == first
    assert PressReleaseRevision.objects.count() == 1
    assert queries.press_view(bloc_year).state == queries.PUBLISHED

    # An edit after publication: the public keeps revision 1 until revision 2 is published.
    services.edit(secretariat, bloc_year, title="Tiêu đề đã sửa", lead=first.lead,
                  body=first.body)
    assert queries.press_view(bloc_year).state == queries.CHANGED
    assert queries.latest_revision(bloc_year).title == first.title
    second = services.publish(secretariat, bloc_year)
    assert (second.number, second.title) == (2, "Tiêu đề đã sửa")
    assert list(PressReleaseRevision.objects.order_by("number").values_list(
        "number", "title")) == [(1, first.title), (2, "Tiêu đề đã sửa")]
    assert actions() == ["publication.press.generate", "publication.press.edit",
                         "publication.press.publish", "publication.press.edit",
                         "publication.press.publish"]
    event = AuditEvent.objects.filter(action="publication.press.publish").last()
    assert (event.actor_label, event.before, event.after["number"]) == (
        "thuong_truc", {"number": 1}, 2)


def test_regenerate_keeps_edits_unless_overwrite(world, scene):
    leader = world.actor("leader")
    bloc_year = scene.bloc_year
    release, _ = services.generate(leader, bloc_year)
    services.edit(leader, bloc_year, title=release.title, lead="Sapo của tôi.",
                  body=release.body)
    old_body = release.body
    publish_election(world, scene.election)  # new data: the body will say more
    release, kept = services.generate(leader, bloc_year)
    assert kept == ("lead",)
    assert release.lead == "Sapo của tôi."
    assert release.body != old_body
    assert "Hội nghị bầu Đài Phát thanh làm Trưởng khối năm " in release.body
    assert queries.press_view(bloc_year).edited_fields == ["lead"]
    release, kept = services.generate(leader, bloc_year, overwrite=True)
    assert kept == ()
    assert release.lead.endswith("Đài Phát thanh được bầu làm Trưởng khối năm "
                                 f"{bloc_year.year + 1}.")
    assert queries.press_view(bloc_year).edited_fields == []
    assert actions() == ["publication.press.generate", "publication.press.edit",
                         "publication.press.regenerate", "publication.press.regenerate"]
    assert AuditEvent.objects.filter(action="publication.press.regenerate").first().after[
        "kept"] == ["lead"]


def test_bad_input_and_other_people_change_nothing(world):
    bloc_year = prepare_kt(world)
    leader = world.actor("leader")
    with pytest.raises(DomainError, match="Chưa có bản thảo"):
        services.publish(leader, bloc_year)
    release, _ = services.generate(leader, bloc_year)
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        services.edit(leader, bloc_year, title="  ", lead="x" * 2001, body="Nội dung")
    assert refused.value.messages == ["Tiêu đề không được để trống.",
                                      "Sapo dài quá 2000 ký tự (đang có 2001)."]
    with pytest.raises(DomainError, match="^Tiêu đề chỉ gồm một dòng.$"):
        services.edit(leader, bloc_year, title="Hai\ndòng", lead="a", body="b")
    for who in ("officer", "delegate", "outsider", "other_secretariat", "nobody"):
        with pytest.raises(Forbidden):
            services.edit(world.actor(who), bloc_year, title="T", lead="S", body="N")
        with pytest.raises(Forbidden):
            services.publish(world.actor(who), bloc_year)
        with pytest.raises(Forbidden):
            services.generate(world.actor(who), bloc_year, overwrite=True)
    assert AuditEvent.objects.count() == events
    assert PressRelease.objects.get().title == release.title
    assert PressReleaseRevision.objects.count() == 0
