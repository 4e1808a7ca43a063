"""Test factories: one builder per GLOSSARY concept, each with one meaning, built on the
`world` fixture (tests/conftest.py) through the services — never mocked.

The fixtures built from them live in tests/conftest.py (`conference`, `present`,
`open_poll`); a test that needs another shape calls the factory with its arguments instead of
copying the service calls."""

import datetime

from django.utils import timezone

from thidua.awards.models import UnitYearFacts
from thidua.law.award_forms import AwardForm
from thidua.org.domain.phases import Phase
from thidua.org.models import Bloc, BlocYear, Membership, Unit
from thidua.pledges.models import Registration
from thidua.voting import services as voting
from thidua.voting.models import Poll

# Every role of the `world` fixture, plus nobody logged in (permission matrices).
USERS = ["admin", "secretariat", "other_secretariat", "leader", "officer", "peer",
         "outsider", "delegate", "nobody"]
WHO = [*USERS, "anonymous"]

# The five members of the KT bloc in `world`.
KT = ("KT1", "KT2", "KT3", "KT4", "KT5")

# A small but well-formed PDF (the evidence core checks content, not names).
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
       b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")

# Year facts (UnitYearFacts) that meet every standard of RULES.md 17–21.
STANDARD_FACTS = {
    "targets_exceeded": True, "task_rating": "excellent", "party_rating": "excellent",
    "discipline_level": "none", "negative_inspection": False, "member_count": 20,
    "completed_count": 20, "advanced_worker_count": 16, "emulation_soldier_count": 2,
    "union_rating": "excellent", "youth_union_rating": "good", "pending_matter": "none"}


# --- units ------------------------------------------------------------------------------------

FREE_UNIT_NAMES = ["Công an tỉnh", "Sở Tư pháp", "Thanh tra tỉnh", "Tòa án nhân dân tỉnh",
                   "Viện Kiểm sát nhân dân tỉnh", "Bộ Chỉ huy Quân sự tỉnh"]


def free_units(world):
    """Six units of the world's province in no bloc yet (NC1 … NC6), and the bloc
    "Khối Nội chính" (NC) they may form — for the bloc-setup tests (RULES.md 1, 2, 5)."""
    units = [Unit.objects.create(province=world.province, code=f"NC{i}", name=name)
             for i, name in enumerate(FREE_UNIT_NAMES, 1)]
    bloc = Bloc.objects.create(province=world.province, code="NC", kind=Bloc.Kind.KHOI,
                               name="Khối Nội chính")
    return bloc, units


def make_eligible(bloc_year, units=None, **facts):
    """Units that meet the award standards (RULES.md 7, 17–21), as a history import would
    load them: every member of `bloc_year` (or just `units`) registered the day before the
    deadline, its year facts (STANDARD_FACTS, `facts` overriding) confirmed by the
    secretariat. An award poll lists only eligible members by default."""
    emulation_year = bloc_year.emulation_year
    if units is None:
        units = [m.unit for m in Membership.objects.filter(bloc_year=bloc_year)
                 .select_related("unit")]
    deadline = emulation_year.registration_deadline
    sent = timezone.make_aware(datetime.datetime.combine(
        deadline - datetime.timedelta(days=1), datetime.time(9)))
    for unit in units:
        Registration.objects.update_or_create(
            unit=unit, emulation_year=emulation_year,
            defaults={"bloc_year": bloc_year, "status": Registration.Status.SUBMITTED,
                      "submitted_at": sent})
        UnitYearFacts.objects.update_or_create(
            unit=unit, emulation_year=emulation_year,
            defaults={**STANDARD_FACTS, **facts, "confirmed_at": timezone.now(),
                      "confirmed_as": UnitYearFacts.ConfirmedAs.SECRETARIAT})


# --- the year-end conference (Conference, Attendance) -----------------------------------------

def at_conference(bloc_year):
    """The bloc year at its conference phase, as its leader moves it on the bloc year page:
    polls open only there (issue 11 item 9, `org.domain.phases.conference_phase_problem`)."""
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=Phase.CONFERENCE)
    bloc_year.phase = Phase.CONFERENCE
    return bloc_year


def today() -> datetime.date:
    """The product's date (settings.TIME_ZONE), asked when used: a module constant taken at
    import is yesterday's for tests run after midnight in Vietnam (17:00 UTC)."""
    return timezone.localdate()


def held_today():
    """Today at 08:00 — or a minute ago before 08:00 (a conference is never in the future)."""
    now = timezone.localtime()
    return now.replace(hour=8, minute=0, second=0, microsecond=0) if now.hour >= 8 else (
        now - datetime.timedelta(minutes=1))


CONFERENCE = {"place": "Hội trường tỉnh", "chair": "Nguyễn Văn A", "secretary": "Trần Thị B",
              "guests": "Thường trực thi đua tỉnh",
              "agenda": "Tổng kết; bình xét; bầu Trưởng khối"}


def conference(world, bloc_year=None, *, eligible=True, present=(), by="leader", **fields):
    """The year-end Conference of `bloc_year` (KT's by default) held today, created by the
    world user `by`, the bloc year at its conference phase (at_conference). `eligible`: every
    member made eligible first (make_eligible); `present`:
    the member codes marked present at the roll call (none by default); `fields` override
    CONFERENCE."""
    bloc_year = bloc_year or world.bloc_years["KT"]
    if eligible:
        make_eligible(bloc_year)
    at_conference(bloc_year)
    created = voting.create_conference(
        world.actor(by), bloc_year, held_at=fields.pop("held_at", None) or held_today(),
        **{**CONFERENCE, **fields})
    mark_present(world, created, present)
    return created


def mark_present(world, conference, codes=KT):
    """The roll call: each unit of `codes` present with its delegate "Đại biểu <code>"."""
    for code in codes:
        voting.record_attendance(world.actor("leader"), conference, world.units[code].id,
                                 present=True, delegate_name=f"Đại biểu {code}")


# --- polls, cards and ballots (Poll, VotingCard, Ballot) --------------------------------------

def award_poll(world, conference, form=AwardForm.CERTIFICATE_OF_MERIT, codes=None,
               overrides=None, **fields):
    """An award-proposal Poll (created, not opened) for `form`: the eligible members by
    default, or the units `codes`; `overrides`: {code: reason} for units on the ballot
    although not eligible."""
    unit_ids = None if codes is None else [world.units[c].id for c in codes]
    return voting.create_poll(
        world.actor("leader"), conference, Poll.Kind.AWARD_PROPOSAL, award_form=form,
        unit_ids=unit_ids,
        overrides={world.units[c].id: why for c, why in (overrides or {}).items()}, **fields)


def leader_election(world, conference, codes=None):
    """The leader election (RULES.md 3), opened: every member a candidate, or `codes`."""
    unit_ids = None if codes is None else [world.units[c].id for c in codes]
    leader = world.actor("leader")
    return voting.open_poll(leader, voting.create_poll(
        leader, conference, Poll.Kind.LEADER_ELECTION, unit_ids=unit_ids))


def candidate_ids(poll, world, *codes):
    """The Candidate ids of `codes` on `poll`, in that order."""
    by_unit = {c.unit_id: c.id for c in poll.candidates.all()}
    return [by_unit[world.units[code].id] for code in codes]


def cards_by_unit(world, poll):
    """Issue `poll`'s voting cards: {unit code: the card's one-time token}."""
    return {c.card.unit.code: c.token for c in voting.issue_cards(world.actor("leader"), poll)}


def cast_close_publish(world, poll, marks):
    """`poll` (open) voted by card — `marks`: voter code → candidate codes — then closed and
    published by the leader."""
    leader = world.actor("leader")
    by_unit = {c.unit.code: c.id for c in poll.candidates.select_related("unit")}
    cards = cards_by_unit(world, poll)
    for voter, chosen in marks.items():
        voting.cast_with_card(cards[voter], poll.pk, [by_unit[c] for c in chosen])
    voting.close_poll(leader, Poll.objects.get(pk=poll.pk))
    return voting.publish_poll(leader, Poll.objects.get(pk=poll.pk))


def vote(world, conference, form, codes, marks):
    """A published award poll for `form` among the units `codes`: `marks` is voter code →
    candidate codes."""
    poll = voting.open_poll(world.actor("leader"), award_poll(world, conference, form, codes))
    return cast_close_publish(world, poll, marks)
