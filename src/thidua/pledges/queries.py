"""Read side of pledges: what the province, the bloc and the unit see.

Each function runs a fixed number of queries whatever the number of units or targets
(the pages assert it), and hides other units' drafts (a draft is its own unit's business).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from thidua.core.dates import short_date
from thidua.core.errors import NotFound
from thidua.law.deadline import registered_on_time
from thidua.org.models import BlocYear, EmulationYear, Unit
from thidua.org.rules import Actor
from thidua.pledges import rules
from thidua.pledges.domain.progress import Progress, progress
from thidua.pledges.domain.signing import SigningStatus, signing_status
from thidua.pledges.models import (
    CheckIn,
    Evidence,
    PledgeSignature,
    PledgeSigning,
    Registration,
    Target,
)

NOT_REGISTERED = "none"


@dataclass(frozen=True)
class BlocYearSummary:
    bloc_year: BlocYear
    member_count: int
    registered: int
    missing: int
    drafts: int = 0  # among `missing`: begun but not submitted (the province's eyes only)


def province_overview(province, emulation_year: EmulationYear) -> list[BlocYearSummary]:
    """Every bloc of the province that year: phase, leader, how many units registered.
    Drafts count as missing: only a submitted registration is a registration."""
    submitted = Q(registrations__status=Registration.Status.SUBMITTED)
    draft = Q(registrations__status=Registration.Status.DRAFT)
    bloc_years = (
        BlocYear.objects.filter(bloc__province=province, emulation_year=emulation_year)
        .select_related("bloc", "leader_unit", "emulation_year")
        .annotate(
            member_count=Count("memberships", distinct=True),
            registered=Count("registrations", filter=submitted, distinct=True),
            drafts=Count("registrations", filter=draft, distinct=True),
        )
        .order_by("bloc__sort_key", "id")
    )
    return [
        BlocYearSummary(by, by.member_count, by.registered, by.member_count - by.registered,
                        by.drafts)
        for by in bloc_years
    ]


@dataclass(frozen=True)
class MemberStatus:
    unit: Unit
    is_leader: bool
    is_deputy: bool
    status: str  # Registration.Status value, or NOT_REGISTERED
    submitted_on: datetime.date | None
    on_time: bool
    registration_id: int | None
    signature: str | None  # PledgeSignature.Status value, or None

    @property
    def status_label(self):
        if self.status == NOT_REGISTERED:
            return "Chưa đăng ký"
        return Registration.Status(self.status).label


@dataclass(frozen=True)
class BlocYearView:
    bloc_year: BlocYear
    members: list[MemberStatus]
    signing: SigningStatus
    deadline: datetime.date

    @property
    def registered_count(self):
        return sum(m.status == Registration.Status.SUBMITTED for m in self.members)


def bloc_year_view(actor: Actor, bloc_year: BlocYear) -> BlocYearView:
    """Members in Vietnamese order with their registration and signature as this actor may
    see them: another unit's draft reads as not registered."""
    units = list(
        Unit.objects.filter(memberships__bloc_year=bloc_year).order_by("sort_key", "id")
    )
    deputies = set(bloc_year.deputy_units.values_list("id", flat=True))
    registrations = {
        r.unit_id: r for r in Registration.objects.filter(bloc_year=bloc_year)
        .only("id", "unit_id", "status", "submitted_at")
    }
    signatures = dict(
        PledgeSignature.objects.filter(signing__bloc_year=bloc_year)
        .values_list("unit_id", "status")
    )
    deadline = bloc_year.effective_registration_deadline
    rows = []
    for unit in units:
        registration = registrations.get(unit.id)
        visible = registration is not None and (
            registration.is_submitted or unit.id in actor.own_units
        )
        rows.append(MemberStatus(
            unit=unit,
            is_leader=unit.id == bloc_year.leader_unit_id,
            is_deputy=unit.id in deputies,
            status=registration.status if visible else NOT_REGISTERED,
            submitted_on=registration.submitted_on if visible else None,
            on_time=visible and registered_on_time(registration.submitted_on, deadline),
            registration_id=registration.id if visible else None,
            signature=signatures.get(unit.id),
        ))
    signing = signing_status(
        frozenset(u.id for u in units),
        frozenset(u for u, s in signatures.items() if s == PledgeSignature.Status.SIGNED),
        frozenset(u for u, s in signatures.items() if s == PledgeSignature.Status.ABSENT),
    )
    return BlocYearView(bloc_year, rows, signing, deadline)


@dataclass(frozen=True)
class TargetView:
    target: Target
    progress: Progress
    check_ins: list[CheckIn]


@dataclass(frozen=True)
class Task:
    text: str
    due: datetime.date | None
    done: bool


@dataclass
class UnitYearView:
    unit: Unit
    emulation_year: EmulationYear
    bloc_year: BlocYear | None
    registration: Registration | None
    on_time: bool
    targets: list[TargetView] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


def unit_year_view(actor: Actor, unit: Unit, emulation_year: EmulationYear) -> UnitYearView:
    """A unit's year: its registration (if the actor may see it), each target's progress
    with its check-ins and evidence, and what is left to do."""
    bloc_year = (
        BlocYear.objects.filter(memberships__unit=unit, emulation_year=emulation_year)
        .select_related("bloc", "emulation_year").first()
    )
    registration = (
        Registration.objects.filter(unit=unit, emulation_year=emulation_year)
        .select_related("bloc_year")
        .prefetch_related(
            "titles",
            Prefetch("targets", queryset=Target.objects.prefetch_related(
                Prefetch("check_ins", queryset=CheckIn.objects.prefetch_related("evidence")))),
        ).first()
    )
    if registration and not (registration.is_submitted or unit.id in actor.own_units):
        registration = None
    deadline = (bloc_year.effective_registration_deadline if bloc_year
                else emulation_year.registration_deadline)
    on_time = bool(registration) and registered_on_time(registration.submitted_on, deadline)
    view = UnitYearView(unit, emulation_year, bloc_year, registration, on_time)
    if registration:
        view.targets = [
            TargetView(t, progress(t.baseline, t.target_value, t.latest_actual),
                       list(t.check_ins.all()))
            for t in registration.targets.all()
        ]
    view.tasks = _tasks(registration, deadline, view.targets)
    return view


def _tasks(registration, deadline, targets) -> list[Task]:
    submitted = bool(registration and registration.is_submitted)
    tasks = [Task(f"Gửi bản đăng ký thi đua (hạn {short_date(deadline)})", deadline, submitted)]
    for item in targets:
        tasks.append(Task(
            f"Hoàn thành chỉ tiêu “{item.target.indicator}” ({item.progress.percent} %)",
            item.target.deadline, item.progress.done,
        ))
    return sorted(tasks, key=lambda t: (t.done, t.due or datetime.date.max))


def registered_titles(registration: Registration) -> list[str]:
    """The award forms the registration competes for, sorted."""
    return sorted(registration.titles.values_list("award_form", flat=True))


def targets_of(registration: Registration) -> list[Target]:
    return list(registration.targets.all())


def registration_id_of_target(target_id) -> int:
    """The registration a target belongs to (whose scope check then decides)."""
    registration_id = (Target.objects.filter(pk=target_id)
                       .values_list("registration_id", flat=True).first())
    if registration_id is None:
        raise NotFound("Không tìm thấy chỉ tiêu.")
    return registration_id


def target_in(registration: Registration, target_id) -> Target:
    target = registration.targets.filter(pk=target_id).first()
    if target is None:
        raise NotFound("Không tìm thấy chỉ tiêu.")
    target.registration = registration
    return target


def evidence_in_scope(actor: Actor, evidence_id) -> Evidence:
    """A progress report's evidence file if the actor may read its registration."""
    evidence = (Evidence.objects.select_related(
        "check_in__target__registration__bloc_year__bloc").filter(pk=evidence_id).first())
    if evidence is None or not rules.can_view_registration(
            actor, evidence.check_in.target.registration):
        raise NotFound("Không tìm thấy tệp minh chứng.")
    return evidence


def signing_of(bloc_year: BlocYear) -> PledgeSigning | None:
    """The bloc year's pledge signing record, if one was kept."""
    return PledgeSigning.objects.filter(bloc_year=bloc_year).first()
