"""Export and import of one province (issue 7 item 4, docs/export-format.md): the demo
province exported, the instance wiped, imported where other rows already took the ids,
exported again — the same document but for its creation time; broken files refused with
a Vietnamese sentence and nothing written."""

import copy
import datetime
import hashlib
import json
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from tests import factories

from thidua.core.models import AuditEvent, User
from thidua.demo import loader
from thidua.documents import services as doc_services
from thidua.documents.models import Document
from thidua.exchange import envelope, export, importer
from thidua.org.models import Bloc, Province, Unit
from thidua.pledges.models import Evidence
from thidua.voting.models import Ballot, Conference, Participation, Poll


def _shift_ids(past=0):
    """Another province first, so every id of the import differs from the export's: at
    least 30 rows, and more when the exported ids ran higher (`past`: the largest — an
    earlier test in the session may have moved the sequences; flush resets them)."""
    other = Province.objects.create(code="HN", name="Hà Nội")
    for i in range(max(30, past)):
        Bloc.objects.create(province=other, code=f"B{i}", kind="khoi", name=f"Khối {i}")
        Unit.objects.create(province=other, code=f"U{i}", name=f"Đơn vị {i}")


def _without_time(document):
    """The checksum covers created_at, so it differs with it."""
    return {k: v for k, v in document.items() if k not in {"created_at", "checksum"}}


@pytest.mark.django_db(transaction=True)
def test_export_import_export_gives_the_same_document(tmp_path):
    loader.load()
    unit_ids = dict(Unit.objects.values_list("code", "pk"))
    path = tmp_path / "bn.json"
    call_command("export", "--province", "BN", "-o", str(path))
    first = json.loads(path.read_text(encoding="utf-8"))
    assert first["format"] == "thidua-province-export" and first["version"] == 1
    sections = first["sections"]
    # 27 units: the 22 of 2022 and 5 from the 2025 mergers (demo.yaml), in 42 memberships.
    assert len(sections["units"]) == 27 and len(sections["memberships"]) == 42
    assert len(sections["lineage_events"]) == 5
    assert len(sections["evidence"]) == Evidence.objects.count() > 0
    assert len(sections["ballots"]) == Ballot.objects.count()
    assert len(sections["participations"]) == Participation.objects.count()
    assert all(set(b) == {"key", "receipt_code", "valid", "source", "poll"}
               for b in sections["ballots"])  # nothing names a voter
    assert all(isinstance(s["total"], str) for s in sections["score_sheets"])

    call_command("flush", interactive=False, verbosity=0)  # a fresh, empty instance
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    _shift_ids(past=max(unit_ids.values()))
    call_command("import", str(path))
    assert {code: pk for code, pk in Unit.objects.filter(province__code="BN")
            .values_list("code", "pk")}.keys() == unit_ids.keys()
    assert not set(Unit.objects.filter(province__code="BN").values_list("pk", flat=True)
                   ) & set(unit_ids.values())
    assert AuditEvent.objects.filter(action="province.imported").count() == 1
    assert all(e.file.read() for e in Evidence.objects.all())
    assert not User.objects.get(username="thuongtruc").has_usable_password()
    # Closed polls still name their candidates (by the new ids).
    for poll in Poll.objects.filter(result__has_key="candidates"):
        ids = {c["candidate"] for c in poll.result["candidates"]}
        assert ids <= set(poll.candidates.values_list("pk", flat=True))

    second = export.export_province("BN")
    assert _without_time(second) == _without_time(first)

    rows = Unit.objects.count()
    with pytest.raises(CommandError, match="Tỉnh mã «BN» đã có trong hệ thống"):
        call_command("import", str(path))
    assert Unit.objects.count() == rows


@pytest.mark.django_db(transaction=True)
def test_a_conference_with_a_published_poll_makes_the_round_trip(world):
    """The demo has no conference yet: polls, cards, ballots and participations (card and
    delegate), the count naming candidates — exported, imported, exported the same."""
    from thidua.voting import services as voting
    leader = world.actor("leader")
    conference = factories.conference(world, present=factories.KT)
    Conference.objects.filter(pk=conference.pk).update(ended_at=datetime.time(11, 30))
    poll = voting.open_poll(leader, factories.award_poll(world, conference))
    candidates = list(poll.candidates.values_list("pk", flat=True))
    cards = voting.issue_cards(leader, poll)
    for i, card in enumerate(cards[:4]):
        voting.cast_with_card(card.token, poll.pk, candidates[i % 2:i % 2 + 2])
    voting.close_poll(leader, poll)
    voting.publish_poll(leader, poll)
    issued = doc_services.issue(leader, "kiem-phieu", poll.pk)
    first = export.export_province("BN")
    sections = first["sections"]
    assert [c["ended_at"] for c in sections["conferences"]] == ["11:30:00"]
    assert len(sections["ballots"]) == 4 and len(sections["participations"]) == 4
    assert len(sections["ballot_choices"]) == 8 and len(sections["voting_cards"]) == 5
    [document] = sections["documents"]
    assert (document["subject_id"], document["issuer"]) == ("1", "bloc_year:KT/" + str(
        world.year.year))
    assert document["docx"] in first["files"] and len(sections["number_counters"]) == 1
    assert {c["candidate"] for c in sections["polls"][0]["result"]["candidates"]} == {
        c["key"] for c in sections["candidates"]}

    call_command("flush", interactive=False, verbosity=0)
    _shift_ids()
    importer.import_province(importer.loads(envelope.dumps(first)))
    poll = Poll.objects.get()
    assert poll.conference.ended_at == datetime.time(11, 30)
    # The published digest is recomputed from the moved box: ballot-paper numbers, no ids.
    assert hashlib.sha256(voting.box_listing(poll).encode()).hexdigest() == poll.digest
    assert {c["candidate"] for c in poll.result["candidates"]} == set(
        poll.candidates.values_list("pk", flat=True))
    assert _without_time(export.export_province("BN")) == _without_time(first)
    imported = Document.objects.get()
    assert bytes(imported.docx) == bytes(issued.docx) and imported.subject_id == poll.pk


@pytest.mark.django_db(transaction=True)
def test_a_per_delegate_poll_keeps_its_delegate_keys_through_the_round_trip(world):
    """RULES.md 29 per delegate: a participation names the delegate by a digest
    ("del:…"), which names no row — exported and imported as it is."""
    from thidua.voting import services as voting
    leader = world.actor("leader")
    conference = factories.conference(world)
    for code in ("KT1", "KT2", "KT3", "KT4"):
        voting.record_attendance(leader, conference, world.units[code].id, present=True,
                                 delegate_name=f"Đại biểu {code} A; Đại biểu {code} B")
    poll = factories.award_poll(world, conference)
    Poll.objects.filter(pk=poll.pk).update(vote_per="delegate")
    poll = voting.open_poll(leader, Poll.objects.get(pk=poll.pk))
    candidate = poll.candidates.values_list("pk", flat=True).first()
    for card in voting.issue_cards(leader, poll)[:3]:
        voting.cast_with_card(card.token, poll.pk, [candidate])
    keys = set(Participation.objects.values_list("voter_key", flat=True))
    assert len(keys) == 3 and all(k.startswith("del:") and len(k) == 36 for k in keys)
    voting.close_poll(leader, poll)
    first = export.export_province("BN")
    assert {p["voter_key"] for p in first["sections"]["participations"]} == keys

    call_command("flush", interactive=False, verbosity=0)
    _shift_ids()
    importer.import_province(importer.loads(envelope.dumps(first)))
    assert set(Participation.objects.values_list("voter_key", flat=True)) == keys
    assert _without_time(export.export_province("BN")) == _without_time(first)


@pytest.fixture
def exported(world):
    """A small province's export (the conftest world's BN), the instance then emptied: the
    broken-file cases need no rich data, only a fresh instance to import into."""
    document = export.export_province("BN")
    call_command("flush", interactive=False, verbosity=0)
    return document


def _broken(document, change):
    """The document changed and its checksum recomputed (as anyone can): what the import
    must catch past the checksum."""
    broken = copy.deepcopy(document)
    change(broken)
    return envelope.dumps(envelope.with_checksum(broken))


def _dangling(d):
    d["sections"]["memberships"][3]["unit"] = "KHONG-CO"


def _bad_number(d):
    d["sections"]["province"][0]["min_bloc_size"] = "năm"


def _tampered_file(d):
    d["files"]["0" * 64] = {"size": 3, "base64": "QUJD"}


def _bad_choice(d):
    d["sections"]["bloc_years"][0]["phase"] = "khong-co"


def _late_failure(d):  # a unit twice in one year: the rows before it are undone too
    d["sections"]["memberships"].append(dict(d["sections"]["memberships"][0]))


CASES = {
    "not json": (lambda d: "{không phải json", "không phải JSON"),
    "wrong version": (lambda d: _broken(d, lambda x: x.update(version=99)),
                      "Phiên bản định dạng 99"),
    "not an export": (lambda d: json.dumps({"hello": 1}), "không phải tệp xuất"),
    "edited, checksum kept": (
        lambda d: envelope.dumps({**d, "province": "HN"}),
        "Mã kiểm tra toàn tệp («checksum») không khớp nội dung"),
    "no checksum": (lambda d: envelope.dumps({k: v for k, v in d.items() if k != "checksum"}),
                    "Tệp thiếu mã kiểm tra toàn tệp"),
    "missing section": (lambda d: _broken(d, lambda x: x["sections"].pop("units")),
                        "thiếu các mục: units"),
    "missing field": (lambda d: _broken(d, lambda x: x["sections"]["units"][0].pop("name")),
                      "thiếu hoặc sai trường"),
    "dangling reference": (lambda d: _broken(d, _dangling), "«KHONG-CO» tới mục «units»"),
    "bad number": (lambda d: _broken(d, _bad_number), "province», dòng 1, trường «min_bloc_size"),
    "bad choice": (lambda d: _broken(d, _bad_choice), "trường «phase»"),
    "tampered file": (lambda d: _broken(d, _tampered_file), "SHA-256 không khớp"),
    "constraint": (lambda d: _broken(d, _late_failure), "mâu thuẫn với ràng buộc"),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", CASES)
def test_a_broken_file_is_refused_and_nothing_is_written(case, exported, tmp_path):
    make, message = CASES[case]
    path = tmp_path / "broken.json"
    path.write_text(make(exported), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import", str(path))
    assert message in str(raised.value)
    assert not Province.objects.exists() and not Unit.objects.exists()
    assert not User.objects.exists() and not AuditEvent.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


# --- a ballot edited in the file (issue 13, break 8) ------------------------------------

def _published_poll_export(world):
    """KT's certificate poll: 4 card ballots, closed and published; the export."""

    from thidua.voting import services as voting

    leader = world.actor("leader")
    conference = factories.conference(world, present=factories.KT)
    poll = voting.open_poll(leader, factories.award_poll(world, conference,
                                                         title="Bằng khen 2026"))
    candidates = list(poll.candidates.order_by("position").values_list("pk", flat=True))
    for card in voting.issue_cards(leader, poll)[:4]:
        voting.cast_with_card(card.token, poll.pk, [candidates[0]])
    voting.close_poll(leader, poll)
    voting.publish_poll(leader, poll)
    return export.export_province("BN")


def _switch_one_choice(document):
    """One ballot's mark moved to another candidate of the same poll."""
    sections = document["sections"]
    choice = sections["ballot_choices"][0]
    poll_key = choice["candidate"].split("/")[0]
    other = next(c["key"] for c in sections["candidates"]
                 if c["key"].startswith(poll_key + "/") and c["key"] != choice["candidate"])
    choice["candidate"] = other


def _refused(path):
    with pytest.raises(CommandError) as raised:
        call_command("import", str(path))
    assert not Province.objects.exists() and not Unit.objects.exists()
    assert not Poll.objects.exists() and not Ballot.objects.exists()
    assert not User.objects.exists() and not AuditEvent.objects.exists()
    return str(raised.value)


@pytest.mark.django_db(transaction=True)
def test_an_edited_ballot_choice_is_refused_even_with_the_checksum_recomputed(world, tmp_path):
    document = _published_poll_export(world)
    call_command("flush", interactive=False, verbosity=0)
    path = tmp_path / "bn.json"

    edited = copy.deepcopy(document)
    _switch_one_choice(edited)
    path.write_text(envelope.dumps(edited), encoding="utf-8")  # the old checksum kept
    assert _refused(path) == ("Mã kiểm tra toàn tệp («checksum») không khớp nội dung: tệp "
                              "đã bị sửa hoặc hỏng sau khi xuất; không ghi gì.")

    path.write_text(envelope.dumps(envelope.with_checksum(edited)), encoding="utf-8")
    assert _refused(path) == (
        "Cuộc bỏ phiếu «Bằng khen 2026» (mục «polls», dòng 1): các phiếu trong tệp không "
        "khớp mã kiểm tra hòm phiếu đã công bố (phiếu bị sửa?); không ghi gì.")

    # A ballot's validity flipped, or one dropped: the same refusal.
    flipped = copy.deepcopy(document)
    flipped["sections"]["ballots"][0]["valid"] = False
    path.write_text(envelope.dumps(envelope.with_checksum(flipped)), encoding="utf-8")
    assert "không khớp mã kiểm tra hòm phiếu đã công bố" in _refused(path)

    # The file as exported imports, and the audit event names what was verified.
    path.write_text(envelope.dumps(document), encoding="utf-8")
    call_command("import", str(path))
    poll = Poll.objects.get()
    event = AuditEvent.objects.get(action="province.imported")
    assert event.after["checksum"] == document["checksum"]
    assert event.after["published_digests"] == {"1": poll.digest}
    assert len(poll.digest) == 64
