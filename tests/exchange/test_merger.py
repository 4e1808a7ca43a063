"""Issue 14, 2025 reform: a province merger (Nghị quyết 202/2025/QH15, 34 provinces from
1/7/2025). Bắc Giang's export imported into Bắc Ninh: every colliding unit and bloc code
remapped as the preview showed, Bắc Giang's history kept under it as a former province,
its public page still there; a bad file, the province's own file or an unknown target
refused in Vietnamese, nothing written."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from tests import factories
from tests.law.test_rulebook_territory import merged_library

from thidua.awards import history
from thidua.awards.services import next_year_bonus
from thidua.core.errors import Conflict, DomainError, NotFound
from thidua.core.models import AuditEvent, User
from thidua.exchange import envelope, export, importer, merger
from thidua.exchange.sections import SECTIONS
from thidua.law.award_forms import AwardForm
from thidua.org.models import (
    Bloc,
    BlocYear,
    EmulationYear,
    LineageEvent,
    Province,
    RoleAssignment,
    Unit,
)
from thidua.voting import services as voting
from thidua.voting.models import Ballot, Poll

pytestmark = pytest.mark.django_db
MERGED_ON = datetime.date(2025, 7, 1)
RESOLUTION = "Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội"


def relabelled(document, code="BG", name="Bắc Giang"):
    """The world's Bắc Ninh export as another province's (same unit and bloc codes, so
    every one collides), its checksum recomputed. Voting cards are unique in the whole
    instance (their token's hash), so the copy's get other ones."""
    text = json.dumps(document, ensure_ascii=False)
    for card in document["sections"]["voting_cards"]:
        text = text.replace(card["token_hash"], card["token_hash"][::-1])
    document = json.loads(text)
    old = document["sections"]["province"][0]["key"]
    document["sections"]["province"][0].update(key=code, code=code, name=name)
    for section in SECTIONS:
        refs = [n for n, target in section.refs.items() if target == "province"]
        for row in document["sections"][section.name]:
            for ref in refs:
                if row.get(ref) == old:
                    row[ref] = code
    return envelope.with_checksum(document)


def bac_giang(world):
    return importer.loads(envelope.dumps(relabelled(export.export_province("BN"))))


def merge(document, target="BN", actor=None, **kwargs):
    return merger.merge_province(document, target, merged_on=kwargs.pop("merged_on", MERGED_ON),
                                 resolution=kwargs.pop("resolution", RESOLUTION),
                                 actor=actor, **kwargs)


def snapshot():
    return (Province.objects.count(), Unit.objects.count(), Bloc.objects.count(),
            BlocYear.objects.count(), User.objects.count(), AuditEvent.objects.count(),
            Ballot.objects.count())


def test_rule_47_the_preview_lists_every_remap_and_conflict_and_writes_nothing(world):
    document = bac_giang(world)
    before = snapshot()
    plan = merge(document, dry_run=True)
    assert snapshot() == before
    assert (plan.former_code, plan.target_code) == ("BG", "BN")
    codes = [u["key"] for u in document["sections"]["units"]]
    assert [r.code for r in plan.units] == codes
    assert all(r.new_code == f"{r.code}-BG" for r in plan.units)  # all collide in BN
    assert {r.code: r.new_code for r in plan.blocs} == {"KT": "KT-BG", "VX": "VX-BG"}
    assert plan.conflicts[0] == (f"Đơn vị «{codes[0]}» ({plan.units[0].name}) trùng mã đã có ở "
                                 f"tỉnh Bắc Ninh: đổi thành «{codes[0]}-BG».")
    assert len(plan.conflicts) == len(codes) + 2
    assert dict(plan.history)["khối – năm"] == len(document["sections"]["bloc_years"])


def test_rule_47_the_merger_keeps_the_former_province_and_brings_its_units_in(world, client):
    document = bac_giang(world)
    bn_units = set(Unit.objects.filter(province=world.province).values_list("pk", "code"))
    plan = merge(document, actor=world.actor("secretariat"))
    former = Province.objects.get(code="BG")
    assert (former.merged_into, former.merged_on, former.merger_resolution) == (
        world.province, MERGED_ON, RESOLUTION)
    # B's history stays B's: its years and bloc years, its units and blocs as they were.
    assert EmulationYear.objects.filter(province=former).count() == 1
    assert BlocYear.objects.filter(bloc__province=former).count() == 2
    assert not RoleAssignment.objects.filter(province=former).exists()  # nobody works in B
    # B's units are now BN's too, remapped as previewed, pointing at their past.
    carried = Unit.objects.filter(province=world.province, territory=former)
    assert {u.code: u.former_unit.code for u in carried} == {
        r.new_code: r.code for r in plan.units}
    assert all(u.former_unit.province == former for u in carried)
    assert set(Bloc.objects.filter(province=world.province, territory=former)
               .values_list("code", flat=True)) == {"KT-BG", "VX-BG"}
    assert bn_units <= set(Unit.objects.filter(province=world.province)
                           .values_list("pk", "code"))  # BN's own untouched
    event = AuditEvent.objects.get(action="province.merged")
    assert event.province_id == world.province.pk
    assert event.after["units"]["KT1"] == "KT1-BG" and event.after["resolution"] == RESOLUTION
    assert AuditEvent.objects.filter(action="province.merged_into", province_id=former.pk
                                     ).exists()
    page = client.get("/cong-khai/tinh/BG/")
    assert page.status_code == 200
    assert ("Tỉnh Bắc Giang đã hợp nhất vào tỉnh Bắc Ninh từ ngày 01/07/2025 (Nghị quyết số "
            "202/2025/QH15 ngày 12/6/2025 của Quốc hội)") in page.content.decode()


def test_remapped_codes_are_deterministic_and_never_collide():
    taken = {"SCT", "SCT-BG", "STC"}
    assert merger.remap_codes(["SCT", "SYT", "STC", "SCT-BG2"], taken, "BG") == {
        "SCT": "SCT-BG3", "SYT": "SYT", "STC": "STC-BG", "SCT-BG2": "SCT-BG2"}
    long = "X" * 20
    assert merger.remap_codes([long], {long}, "BG") == {long: "X" * 17 + "-BG"}


def _published(world):
    """Bắc Ninh with one published poll (4 ballots), exported as Bắc Giang; the digest."""
    leader = world.actor("leader")
    conference = factories.conference(world, present=factories.KT)
    poll = voting.open_poll(leader, factories.award_poll(world, conference, title="Bằng khen"))
    candidates = list(poll.candidates.order_by("position").values_list("pk", flat=True))
    for card in voting.issue_cards(leader, poll)[:4]:
        voting.cast_with_card(card.token, poll.pk, [candidates[0]])
    voting.close_poll(leader, poll)
    voting.publish_poll(leader, poll)
    poll.refresh_from_db()
    return relabelled(export.export_province("BN")), poll.digest


def _edited_ballot(world):
    """`_published`, one ballot's mark moved and the checksum recomputed: only the box
    digest can tell."""
    document, _ = _published(world)
    sections = document["sections"]
    choice = sections["ballot_choices"][0]
    poll_key = choice["candidate"].split("/")[0]
    choice["candidate"] = next(c["key"] for c in sections["candidates"]
                               if c["key"].startswith(poll_key + "/")
                               and c["key"] != choice["candidate"])
    return importer.loads(envelope.dumps(envelope.with_checksum(document)))


def _twice(world):
    document = bac_giang(world)
    merge(document)
    return document


BAD = {
    "the province's own file": (
        lambda world: importer.loads(envelope.dumps(export.export_province("BN"))), "BN", {},
        Conflict, "Tệp là dữ liệu của chính tỉnh Bắc Ninh (mã «BN»): không thể hợp nhất"),
    "unknown target": (bac_giang, "XX", {}, NotFound, "Không có tỉnh mã «XX» để nhập vào"),
    "already imported": (_twice, "BN", {}, Conflict, "Tỉnh mã «BG» đã có trong hệ thống"),
    "no resolution": (bac_giang, "BN", {"resolution": "  "}, DomainError,
                      "Cần ghi văn bản hợp nhất"),
    "no date": (bac_giang, "BN", {"merged_on": "01/07/2025"}, DomainError,
                "Cần ngày hợp nhất có hiệu lực"),
    "edited ballot": (_edited_ballot, "BN", {}, DomainError,
                      "không khớp mã kiểm tra hòm phiếu đã công bố"),
    "outsider secretariat": (bac_giang, "BN", {"actor": "other_secretariat"}, NotFound,
                             "Không có tỉnh mã «BN»"),
}


@pytest.mark.parametrize("case", BAD)
def test_rule_47_a_refused_merger_says_why_in_vietnamese_and_writes_nothing(world, case):
    make, target, kwargs, error, message = BAD[case]
    document = make(world)
    if "actor" in kwargs:
        kwargs["actor"] = world.actor(kwargs["actor"])
    before = snapshot()
    with pytest.raises(error) as raised:
        merge(document, target, **kwargs)
    assert message in " ".join(raised.value.messages)
    assert snapshot() == before
    assert not Province.objects.filter(merged_into__isnull=False).exclude(code="BG").exists()


def test_a_tampered_file_is_refused_before_the_merger(world, tmp_path):
    path = tmp_path / "bg.json"
    document = relabelled(export.export_province("BN"))
    path.write_text(envelope.dumps({**document, "exporter": "sửa tay"}), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        call_command("import", str(path), "--into", "BN", "--merged-on", "2025-07-01",
                     "--resolution", RESOLUTION)
    assert "Mã kiểm tra toàn tệp («checksum») không khớp nội dung" in str(raised.value)
    assert snapshot() == before


def test_the_command_previews_then_merges(world, tmp_path, capsys):
    path = tmp_path / "bg.json"
    path.write_text(envelope.dumps(relabelled(export.export_province("BN"))), encoding="utf-8")
    before = snapshot()
    call_command("import", str(path), "--into", "bn", "--merged-on", "2025-07-01",
                 "--resolution", RESOLUTION, "--dry-run")
    out = capsys.readouterr().out
    assert out.startswith("Xem trước (chưa ghi gì): tỉnh Bắc Giang vào tỉnh Bắc Ninh từ ngày "
                          "01/07/2025")
    assert "  Khối, cụm «KT» (" in out and "đổi thành «KT-BG»." in out
    assert snapshot() == before
    call_command("import", str(path), "--into", "BN", "--merged-on", "2025-07-01",
                 "--resolution", RESOLUTION)
    assert capsys.readouterr().out.startswith("Đã hợp nhất: tỉnh Bắc Giang vào tỉnh Bắc Ninh")
    assert Province.objects.get(code="BG").merged_into == world.province
    with pytest.raises(CommandError, match="chỉ dùng cùng --into"):
        call_command("import", str(path), "--dry-run")


def test_rule_48_two_units_of_the_merged_province_are_judged_by_their_own_rules(world, tmp_path):
    """Rulebooks per former territory: a unit from former Bắc Giang gets Bắc Giang's
    provincial-flag bonus (8) for 2025, a Bắc Ninh unit Bắc Ninh's (10); from the merged
    province's own regulation (1/1/2026) both get its value (12). RULES.md 11."""
    library = merged_library(tmp_path)

    def award(unit, year):
        history.record_past_award(
            world.actor("secretariat"), world.province, unit=unit, year=year,
            award_form=AwardForm.PROVINCIAL_FLAG, decision_number=f"{year % 100}/QĐ-UBND",
            decision_date=datetime.date(year + 1, 1, 15), signer="Chủ tịch UBND tỉnh")

    award(world.units["KT1"], 2024)
    award(world.units["KT2"], 2024)  # Bắc Giang's copy of the file has it too
    merge(bac_giang(world))
    bn_unit = world.units["KT1"]
    bg_unit = Unit.objects.get(province=world.province, code="KT2-BG")
    award(bn_unit, 2025)  # decided by the merged province
    award(bg_unit, 2025)
    assert next_year_bonus(bn_unit, 2025, library=library).points == 10
    assert next_year_bonus(bg_unit, 2025, library=library).points == 8
    assert next_year_bonus(bn_unit, 2026, library=library).points == 12
    assert next_year_bonus(bg_unit, 2026, library=library).points == 12


def test_a_published_result_of_the_former_province_stays_readable_with_its_digest(world):
    document, digest = _published(world)
    plan = merge(importer.loads(envelope.dumps(document)))
    assert plan.published_polls == 1
    poll = Poll.objects.get(conference__bloc_year__bloc__province__code="BG")
    assert poll.digest == digest and poll.state == Poll.State.PUBLISHED
    assert poll.ballots.count() == 4


def test_rule_11_and_45_and_47_a_former_provinces_award_counts_for_the_merged_unit(world):
    """RULES.md 11 and 45: the agency's 2024 provincial flag, decided by Bắc Giang, gives
    its row in the merged Bắc Ninh the 2025 bonus (a rename in the lineage from the
    merger's date); Bắc Giang's row gets no award after the merger."""
    history.record_past_award(
        world.actor("secretariat"), world.province, unit=world.units["KT2"], year=2024,
        award_form=AwardForm.PROVINCIAL_FLAG, decision_number="24/QĐ-UBND",
        decision_date=datetime.date(2025, 1, 15), signer="Chủ tịch UBND tỉnh")
    merge(bac_giang(world))
    carried = Unit.objects.get(province=world.province, code="KT2-BG")
    event = LineageEvent.objects.get(successors=carried)
    assert event.kind == "rename" and event.effective_date == MERGED_ON
    assert list(event.predecessors.all()) == [carried.former_unit]
    bonus = next_year_bonus(carried, 2025)
    assert bonus.points == 10 and bonus.award is not None
    assert next_year_bonus(Unit.objects.get(province=world.province, code="KT3-BG"),
                           2025).points == 0


def test_rule_47_a_former_province_is_read_only_even_for_the_administrator(world):
    from thidua.org import services as org_services

    merge(bac_giang(world))
    former = Province.objects.get(code="BG")
    admin = world.actor("admin")
    before = snapshot()
    for change in (lambda: org_services.create_unit(admin, former, code="MOI", name="Sở Mới"),
                   lambda: org_services.ensure_year(admin, former, 2030)):
        with pytest.raises(Conflict) as raised:
            change()
        assert raised.value.messages == [
            "Tỉnh Bắc Giang đã hợp nhất vào tỉnh Bắc Ninh từ ngày 01/07/2025: dữ liệu của "
            "tỉnh cũ chỉ để xem, không thay đổi được."]
    assert snapshot() == before


def test_a_preview_nobody_confirmed_is_deleted_after_a_day(world):
    """A kept preview holds a whole province's data: the next preview deletes those older
    than a day (merger.STAGED_FOR); a fresh one stays until it is confirmed."""
    import os
    import time

    from django.core.files.storage import default_storage

    content = json.dumps(bac_giang(world)).encode()
    stale = f"{merger.STAGING}/{'a' * 64}.json"
    default_storage.save(stale, io.BytesIO(b"{}"))
    two_days_ago = time.time() - 2 * 86400
    os.utime(default_storage.path(stale), (two_days_ago, two_days_ago))
    _, token = merger.merge_upload(world.actor("secretariat"), "BN", content=content,
                                   merged_on=MERGED_ON, resolution=RESOLUTION, dry_run=True)
    assert sorted(default_storage.listdir(merger.STAGING)[1]) == [f"{token}.json"]
    plan, _ = merger.merge_upload(world.actor("secretariat"), "BN", token=token,
                                  merged_on=MERGED_ON, resolution=RESOLUTION, dry_run=False)
    assert plan.former_code == "BG"
    assert default_storage.listdir(merger.STAGING)[1] == []


def _without_times(document):
    """A document and the former provinces inside it, without their export times."""
    return {k: ([_without_times(f) for f in v] if k == envelope.FORMER else v)
            for k, v in document.items() if k not in {"created_at", "checksum"}}


@pytest.mark.django_db(transaction=True)
def test_rule_47_a_merged_province_makes_the_round_trip_with_its_former_province(world):
    """The export of a province that took another in carries the former province whole
    (its own export inside, checked the same way) and, on its units and blocs, the former
    territory and the unit's row there: imported into an empty instance, the merger, the
    lineage and the former province's history are as they were, and the export again
    gives the same document. (Before: the export failed on the lineage's former units.)"""
    from django.core.management import call_command

    merge(bac_giang(world), actor=world.actor("secretariat"))
    first = export.export_province("BN")
    [former] = first[envelope.FORMER]
    assert former["province"] == "BG" and former["sections"]["province"][0]["merged_on"] == (
        MERGED_ON.isoformat())
    carried = {u["key"]: u for u in first["sections"]["units"] if u["territory"] == "BG"}
    assert carried["KT1-BG"]["former_unit"] == "BG:KT1"
    assert {b["key"] for b in first["sections"]["blocs"] if b["territory"] == "BG"} == {
        "KT-BG", "VX-BG"}
    events = [e for e in first["sections"]["lineage_events"] if "BG:KT1" in e["predecessors"]]
    assert [e["successors"] for e in events] == [["KT1-BG"]]

    text = envelope.dumps(first)
    call_command("flush", interactive=False, verbosity=0)
    importer.import_province(importer.loads(text))
    bg, bn = Province.objects.get(code="BG"), Province.objects.get(code="BN")
    assert (bg.merged_into, bg.merged_on, bg.merger_resolution) == (bn, MERGED_ON, RESOLUTION)
    unit = Unit.objects.get(province=bn, code="KT1-BG")
    assert (unit.territory, unit.former_unit.province, unit.former_unit.code) == (bg, bg, "KT1")
    assert Bloc.objects.get(province=bn, code="KT-BG").territory == bg
    assert BlocYear.objects.filter(bloc__province=bg).count() == 2
    assert list(AuditEvent.objects.filter(action="province.imported").order_by("pk")
                .values_list("after__code", "after__former_provinces")) == [
        ("BG", []), ("BN", ["BG"])]
    assert _without_times(export.export_province("BN")) == _without_times(first)


@pytest.mark.django_db(transaction=True)
def test_a_tampered_former_province_inside_a_merged_export_is_refused(world):
    merge(bac_giang(world), actor=world.actor("secretariat"))
    document = export.export_province("BN")
    document[envelope.FORMER][0]["sections"]["units"][0]["name"] = "Sửa tay"
    document = envelope.with_checksum(document)  # the outer checksum recomputed
    with pytest.raises(envelope.ExportFormatError, match="checksum"):
        importer.loads(envelope.dumps(document))
