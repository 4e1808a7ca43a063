"""The years that follow a decision: the unit's history, the leader election's result and
the next bloc year opened (issue 5, item 9)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from thidua.awards import rules
from thidua.awards.models import Award, LeaderDecision
from thidua.core import audit
from thidua.core.dates import short_date
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.text import nfc, tidy
from thidua.law.rulebooks import Library, RulebookNotFound, rulebook_for
from thidua.org import services as org_services
from thidua.org.models import BlocYear, Unit
from thidua.org.queries import leaders_by_year
from thidua.org.rules import Actor
from thidua.scoring import services as scoring_services
from thidua.voting import services as voting
from thidua.voting.domain.election import Election
from thidua.voting.models import Conference


def unit_history(actor: Actor, unit: Unit) -> list[Award]:
    """Item 8: the unit's decided awards, newest year first, with their decisions."""
    if not rules.can_view_history(actor, unit):
        raise NotFound("Không tìm thấy đơn vị.")
    return list(Award.objects.filter(unit=unit).select_related("emulation_year", "decision")
                .order_by("-emulation_year__year", "award_form", "id"))


def rotation_lookback(province, year: int, library: Library | None = None) -> int:
    try:
        book = rulebook_for(province.code, datetime.date(year, 1, 1), library)
    except RulebookNotFound:
        return 1
    return book.value("organisation.rotation_lookback_years")


@dataclass(frozen=True)
class ProvinceDecision:
    """The province's decision on next year's leader (number, date, reason), needed when
    the leader is not the one the conference elected (RULES.md 3)."""

    number: str
    decision_date: datetime.date
    reason: str


def _leader_decision_problems(decision: ProvinceDecision | None, today) -> list[str]:
    if decision is None:
        return ["chưa có quyết định của tỉnh"]
    problems = []
    if not tidy(decision.number):
        problems.append("Chưa nhập số quyết định của tỉnh về Trưởng khối.")
    if decision.decision_date is None:
        problems.append("Chưa nhập ngày quyết định của tỉnh về Trưởng khối.")
    elif decision.decision_date > today:
        problems.append(f"Ngày quyết định {short_date(decision.decision_date)} sau ngày hôm nay: "
                        "chỉ ghi quyết định đã ký.")
    if not tidy(decision.reason):
        problems.append("Chưa nhập lý do tỉnh chọn Trưởng khối khác kết quả bầu.")
    return problems


@transaction.atomic
def open_next_year(actor: Actor, bloc_year: BlocYear, *, leader=None, deputies=None,
                   members=None, decision: ProvinceDecision | None = None,
                   library: Library | None = None) -> BlocYear:
    """Open the bloc's next year with the leader the conference elected (RULES 3: read
    from the published leader election through `election_result`), this year's members
    (or those given) and a copy of this year's criteria table. `leader` None means the
    elected one; any other leader — or any leader when nobody was elected (a 6–6 tie) —
    needs the province's recorded `decision` (number, date, reason), stored with the new
    year and audited; without it nothing is written (409). Deputies default to the
    elected ones. RULES 4: a unit that led the bloc in the look-back window (rulebook
    `organisation.rotation_lookback_years`) may not lead. The leader unit's officers
    become the new year's leader officers (this year's keep theirs for this year only)."""
    bloc = bloc_year.bloc
    if not rules.can_oversee_province(actor, bloc.province_id):
        if rules.can_view_bloc_year(actor, bloc_year):
            raise Forbidden("Chỉ Thường trực thi đua tỉnh được mở năm thi đua mới của khối.")
        raise NotFound("Không tìm thấy khối thi đua.")
    year = bloc_year.emulation_year.year + 1
    election = election_result(bloc_year)
    elected_id = election.leader_id if election else None
    if leader is None:
        if elected_id is None:
            raise Conflict(f"Hội nghị chưa có Trưởng khối năm {year} được bầu (chưa công bố "
                           "kết quả bầu, hoặc không đơn vị nào đạt ngưỡng): chọn Trưởng khối "
                           "và ghi quyết định của tỉnh (số, ngày, lý do) — Quy tắc 3.")
        leader = elected_id
    if deputies is None:
        deputies = list(election.deputy_ids) if election else []
    leader_id = leader.id if isinstance(leader, Unit) else int(leader)
    lookback = rotation_lookback(bloc.province, year, library)
    earlier = leaders_by_year(bloc.id, range(year - lookback, year))
    led = sorted(y for y, unit_id in earlier.items() if unit_id == leader_id)
    if led:
        name = Unit.objects.get(pk=leader_id).name
        raise DomainError(f"{name} đã làm Trưởng khối năm {', '.join(map(str, led))}: theo "
                          f"luân phiên, không làm Trưởng khối năm {year} (Quy tắc 4, xét "
                          f"{lookback} năm trước).")
    designated = leader_id != elected_id
    if designated:
        problems = _leader_decision_problems(decision, timezone.localdate())
        if problems:
            names = dict(Unit.objects.filter(pk__in=[u for u in (leader_id, elected_id) if u])
                         .values_list("pk", "name"))
            why = (f"Trưởng khối năm {year} được bầu là {names.get(elected_id)}"
                   if elected_id else f"Hội nghị không bầu được Trưởng khối năm {year}")
            raise Conflict(f"{why}: chọn {names.get(leader_id, 'đơn vị khác')} làm Trưởng "
                           "khối cần quyết định của tỉnh (số, ngày, lý do) — Quy tắc 3.",
                           *[p for p in problems if p != "chưa có quyết định của tỉnh"])
    if members is None:
        members = list(bloc_year.memberships.values_list("unit_id", flat=True))
    next_year = org_services.ensure_year(actor, bloc.province, year)
    new = org_services.create_bloc_year(actor, bloc, next_year, members=members,
                                        leader=leader, deputies=deputies)
    if designated:
        record = LeaderDecision.objects.create(
            bloc_year=bloc_year, next_bloc_year=new, leader_unit_id=leader_id,
            elected_unit_id=elected_id, number=nfc(decision.number).strip()[:50],
            decision_date=decision.decision_date, reason=nfc(decision.reason).strip(),
            recorded_by=getattr(actor, "user", None))
        audit.record(actor, "awards.leader.decide", record, province_id=bloc.province_id,
                     after={"bloc_year": bloc_year.id, "next_bloc_year": new.id,
                            "leader_unit": leader_id, "elected_unit": elected_id,
                            "number": record.number, "decision_date": record.decision_date,
                            "reason": record.reason})
    table = scoring_services.current_table(bloc_year)
    copied = scoring_services.copy_table(actor, table, new) if table is not None else None
    officers = org_services.grant_leader_officers(actor, new)
    audit.record(actor, "awards.year.open", new, province_id=bloc.province_id,
                 after={"from_bloc_year": bloc_year.id, "year": year,
                        "leader_unit": leader_id, "elected_unit": elected_id,
                        "criteria_table": copied.id if copied else None,
                        "leader_officers": [user.id for user in officers]})
    return new


def election_result(bloc_year: BlocYear) -> Election | None:
    """The leader and deputies elected at the bloc's conference (RULES.md 3), from the
    voting app's published election polls (`voting.services.election_result`, the one
    reading the deputies' ballot uses too); None while no single leader's election is
    published."""
    return voting.election_result(Conference.objects.filter(bloc_year=bloc_year).first())
