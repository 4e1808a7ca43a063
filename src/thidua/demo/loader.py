"""The demo province (demo.yaml, a copy of the project's domain fixture), loaded through
the same services as real use, deterministically (fixed seed).

Two emulation years: last year's, decided, so every unit has a membership history; and
this year's, running, with most units registered (a few missing on purpose), targets,
check-ins with evidence files, and the pledge signing record; the economic-technical bloc
has also scored its year (self, peer, appraisal), published its ranking, and entered and
confirmed its units' year facts (one entry waiting, one unit with none). With
`year_end` (what `thidua demo` loads) that bloc has also held its conference, published
its results, and had its proposal accepted and decided (`demo.conference`); without it
(what most tests start from) the conference is left to the user.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyotp
import yaml
from django.db import transaction
from django.utils import timezone

from thidua.awards import services as awards
from thidua.core import twofactor
from thidua.core.evidence import Upload
from thidua.core.models import User
from thidua.demo import conference
from thidua.law.award_forms import AwardForm
from thidua.org import lineage
from thidua.org import services as org
from thidua.org.domain.phases import ORDER, Phase
from thidua.org.models import Bloc, BlocYear, Province, Role, RoleAssignment, Unit
from thidua.org.rules import actor_for
from thidua.pledges import services as pledges
from thidua.pledges.models import PledgeSignature, Registration
from thidua.scoring.demo import build_scoring_year

FIXTURE = Path(__file__).with_name("demo.yaml")
PASSWORD = "thidua-demo-2026"  # noqa: S105 - printed for the demo on purpose
SEED = 2022
# The demo's accounts that must use two-factor sign-in (admin, secretariat, bloc leader)
# are enrolled with this published secret, so a tester can make codes with any
# authenticator app. A demo only: real accounts enrol with their own random secret.
DEMO_TOTP_SECRET = "THIDUADEMOBACNINHKHOITHIDUAZZZZZ"  # noqa: S105 - published on purpose

# Leaders by rotation (RULES.md 4): last year's leader is not this year's. (last year,
# this year, deputy): in KTKT this year's leader STTTT is the Government-flag candidate
# (RULES.md 20) and its deputy BQLKCN may be elected next year's leader, as the 2022
# conference did (demo.yaml reported_outcome_2022).
LEADERS = {"KTKT": ("SCT", "STTTT", "BQLKCN"), "VHXH": ("SYT", "SGDDT", "SVHTTDL")}
# Units left without a submitted registration this year: one draft, one nothing at all.
UNREGISTERED = {"KTKT": {"SGTVT": "draft", "BQLDA": None}, "VHXH": {"TTXTDL": None}}
LATE = {"SXD"}  # registered after the deadline (RULES.md 7)
SCORED_BLOC = "KTKT"
# Last year's awards, as the 2022 conference proposed them (demo.yaml), recorded as the
# chairman's decision (number SYNTHETIC) so the units' history shows them and this year's
# bonus points (RULES.md 11) are read from them.
LAST_YEAR_AWARDS = {"STTTT": "government_flag", "SCT": "provincial_flag",
                    "QDTPT": "provincial_flag"}
LAST_YEAR_DECISION = "38/QĐ-UBND"

# This year's facts of the economic-technical bloc (SYNTHETIC), entered by each unit's
# officer with a note, confirmed by the leader officer (the secretariat confirms the
# leader unit STTTT's own): most meet every standard; a few fail one rule each, so the
# eligibility table names it (RULES.md 17–21); SXD has a press allegation under
# verification (a deferral, NĐ 152/2025); SGTVT's entry lacks its youth-union rating and
# waits for confirmation; BQLDA has entered nothing.
FACTS_STANDARD = {
    "targets_exceeded": True, "task_rating": "excellent", "party_rating": "excellent",
    "union_rating": "excellent", "youth_union_rating": "good", "discipline_level": "none",
    "negative_inspection": False, "pending_matter": "none", "member_count": 40,
    "completed_count": 40, "advanced_worker_count": 32, "emulation_soldier_count": 3}
FACTS = {
    "STTTT": {}, "SCT": {}, "QDTPT": {"emulation_soldier_count": 0},
    "SKHDT": {}, "SKHCN": {"advanced_worker_count": 26},
    "BQLKCN": {"targets_exceeded": False, "task_rating": "good"},
    "STC": {"party_rating": "completed"},
    "STNMT": {"negative_inspection": True},
    "SNNPTNT": {"discipline_level": "warning"},
    "SXD": {"pending_matter": "press",
            "pending_matter_detail": "Báo Bắc Ninh phản ánh chậm cấp phép xây dựng; Thanh "
                                     "tra tỉnh đang xác minh (Công văn 212/TTr-NV)"},
    "SGTVT": {"youth_union_rating": None},
}
UNCONFIRMED_FACTS = {"SGTVT"}

INDICATORS = [
    ("Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn", "%", 95, 100),
    ("Số văn bản tham mưu UBND tỉnh ban hành", "văn bản", 20, 30),
    ("Tỷ lệ giải ngân vốn đầu tư công", "%", 80, 95),
    ("Số doanh nghiệp được hỗ trợ", "doanh nghiệp", 50, 80),
    ("Tỷ lệ hồ sơ tiếp nhận trực tuyến toàn trình", "%", 60, 85),
    ("Số cuộc thanh tra, kiểm tra hoàn thành", "cuộc", 8, 12),
    ("Số sáng kiến được công nhận", "sáng kiến", 2, 5),
]

# A tiny valid PDF: what a scanned minute would be, in a few hundred bytes.
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    scope: str


def load(today: datetime.date | None = None, *, year_end: bool = False) -> list[Login]:
    """Load the demo once; later calls only return the logins."""
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    if not Province.objects.filter(code=data["province"]["code"]).exists():
        with transaction.atomic():
            _build(data, today or timezone.localdate(), year_end=year_end)
    return logins()


def logins() -> list[Login]:
    rows = []
    for assignment in RoleAssignment.objects.select_related(
        "user", "province", "bloc_year__bloc", "bloc_year__emulation_year", "unit"
    ).filter(user__username__in=_shown()).order_by("id"):
        scope = assignment.province or assignment.bloc_year or assignment.unit or "toàn hệ thống"
        rows.append(Login(assignment.user.username, assignment.get_role_display(), str(scope)))
    return rows


def _shown() -> list[str]:
    """The accounts the demo prints: the leader unit's officer is that of the unit playing
    Sở Thông tin và Truyền thông's 2022 part (demo.yaml `units_from_2025`)."""
    latest = (BlocYear.objects.filter(bloc__code="KTKT").select_related("leader_unit")
              .order_by("-emulation_year__year").first())
    leader = latest.leader_unit.code.lower() if latest else "stttt"
    return ["admin", "thuongtruc", "truongkhoi", f"canbo.{leader}", "canbo.sct", "daibieu.sct",
            "truongkhoi.vhxh"]


def _user(username, full_name, role, superuser=False, **scope):
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=full_name,
                                    is_superuser=superuser, is_staff=superuser)
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def _reorganised(data, year: int, today: datetime.date) -> bool:
    """Whether the demo's year `year` lists the agencies after Nghị định 45/2025/NĐ-CP
    (demo.yaml `reorganisation`): from its effective year, once the province decided it."""
    reorg = data.get("reorganisation")
    return bool(reorg) and year >= reorg["effective_date"].year and \
        today >= reorg["document_date"]


def _member_specs(data, spec, year: int, today: datetime.date) -> list[dict]:
    """The bloc's members of `year` as {code, name, as}: `as` is the 2022 member whose
    part the unit plays (the codes of LEADERS, FACTS … and demo.conference)."""
    if _reorganised(data, year, today) and "units_from_2025" in spec:
        return spec["units_from_2025"]
    return [{**u, "as": u["code"]} for u in spec["units"]]


def role_of(code: str) -> str:
    """The 2022 member whose part the demo's unit `code` plays (itself before 2025)."""
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return next((u["as"] for b in data["blocs"] for u in b.get("units_from_2025", ())
                 if u["code"] == code), code)


def code_for(role: str, year: int, today: datetime.date | None = None) -> str:
    """The code of the unit playing the 2022 member `role` in the demo's year `year`."""
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    today = today or timezone.localdate()
    for spec in data["blocs"]:
        for unit in _member_specs(data, spec, year, today):
            if unit["as"] == role:
                return unit["code"]
    return role


def _units_of(province, data, spec, year, today, made: dict) -> dict:
    """2022 member code → the Unit playing it in `year` (created once per code)."""
    result = {}
    for unit in _member_specs(data, spec, year, today):
        if unit["code"] not in made:
            made[unit["code"]] = Unit.objects.create(province=province, code=unit["code"],
                                                     name=unit["name"])
        result[unit["as"]] = made[unit["code"]]
    return result


def _reorganise(system, province, data, today, made: dict, first_year: int):
    """Nghị định 45/2025/NĐ-CP's mergers as the province's decision records them (RULES.md
    44): every pre-merger agency exists, as history, linked to its successor; its awards
    of 2024 are history too when the demo does not load 2024."""
    reorg = data.get("reorganisation")
    if not reorg or today < reorg["effective_date"]:
        return
    names = {u["code"]: u["name"] for b in data["blocs"]
             for u in [*b["units"], *b.get("units_from_2025", ())]}
    for code, name in names.items():
        if code not in made:
            made[code] = Unit.objects.create(province=province, code=code, name=name)
    past = reorg["awards_2024"]
    if first_year > 2024:
        year_2024 = org.ensure_year(system, province, 2024)
        for code, form in past["awards"].items():
            awards.record_award(system, made[code], year_2024, form,
                                decision_number=past["decision_number"],
                                decision_date=past["decision_date"],
                                signer="Chủ tịch UBND tỉnh", history=True)
    for event in reorg["events"]:
        lineage.record_event(
            system, province, kind="merge", predecessors=[made[c].id for c in event["from"]],
            successors=[made[event["into"]].id], effective_date=reorg["effective_date"],
            document_number=reorg["document_number"], document_date=reorg["document_date"],
            note=reorg["note"], today=today)


def _build(data, today, *, year_end=False):
    rng = random.Random(SEED)  # noqa: S311 - synthetic, reproducible demo data
    admin = _user("admin", "Quản trị hệ thống", Role.SYSTEM_ADMIN, superuser=True)
    system = actor_for(admin)
    province = Province.objects.create(code=data["province"]["code"],
                                       name=data["province"]["name"],
                                       kind=data["province"].get("kind", Province.Kind.TINH))
    secretariat = _user("thuongtruc", "Nguyễn Thị Thu (Ban Thi đua – Khen thưởng)",
                        Role.PROVINCE_SECRETARIAT, province=province)
    last_year = org.ensure_year(system, province, today.year - 1)
    this_year = org.ensure_year(system, province, today.year)
    made = {}
    for spec in data["blocs"]:
        bloc = Bloc.objects.create(province=province, code=spec["code"], kind=spec["kind"],
                                   name=spec["name"], short_name=spec["short_name"])
        # Keyed by the 2022 member whose part each unit plays (demo.yaml `units_from_2025`).
        before = _units_of(province, data, spec, last_year.year, today, made)
        units = _units_of(province, data, spec, this_year.year, today, made)
        _, leader, deputy = (units[c] for c in LEADERS[spec["code"]])
        old = org.create_bloc_year(system, bloc, last_year, members=before.values(),
                                   leader=before[LEADERS[spec["code"]][0]],
                                   deputies=[before[LEADERS[spec["code"]][1]]])
        for phase in ORDER[1:]:
            org.move_phase(system, old, phase)
        current = org.create_bloc_year(system, bloc, this_year, members=units.values(),
                                       leader=leader, deputies=[deputy])
        for code, unit in units.items():
            officer = _user(f"canbo.{unit.code.lower()}", f"Cán bộ thi đua {unit.name}",
                            Role.UNIT_OFFICER, unit=unit)
            missing = UNREGISTERED.get(spec["code"], {})
            if code in missing and missing[code] is None:
                continue
            _register(actor_for(officer), unit, this_year, rng,
                      submit=code not in missing, late=code in LATE)
        if spec["code"] == "KTKT":
            leader_officer = _user("truongkhoi", f"Văn phòng {leader.name}",
                                   Role.BLOC_LEADER_OFFICER, bloc_year=current)
            _user("daibieu.sct", "Trần Văn Hùng", Role.DELEGATE, unit=units["SCT"])
        _sign(system, current, units, today, complete=spec["code"] == "KTKT")
        if spec["code"] == "KTKT":
            _enrol_two_factor(admin, secretariat, leader_officer)
        else:  # the other bloc's leader too: its year can be run through the pages
            _enrol_two_factor(_user("truongkhoi.vhxh", f"Văn phòng {leader.name}",
                                    Role.BLOC_LEADER_OFFICER, bloc_year=current))
        org.move_phase(system, current, Phase.IN_PROGRESS)
        role = {unit.id: code for code, unit in units.items()}
        for registration in sorted(Registration.objects.filter(
            bloc_year=current, status=Registration.Status.SUBMITTED
        ).select_related("unit", "bloc_year"), key=lambda r: role[r.unit_id]):
            officer = User.objects.get(username=f"canbo.{registration.unit.code.lower()}")
            _report(actor_for(officer), registration, today, rng)
        if spec["code"] == SCORED_BLOC:
            # Late November: this bloc has scored its year and published the ranking, last
            # year's flags carried into its bonus points: the awards are recorded first,
            # since the sheets read them when they open (RULES.md 11).
            _last_years_flags(system, before, last_year, today)
            build_scoring_year(system, current, data["criteria_table"], today=today,
                               order={u.code: code for code, u in units.items()})
            _year_facts(units, this_year, leader_officer, secretariat)
            if year_end:
                conference.hold_year_end(current, units, spec["reported_outcome_2022"],
                                         leader=actor_for(leader_officer),
                                         secretariat=actor_for(secretariat), today=today)
    _reorganise(system, province, data, today, made, last_year.year)


def _last_years_flags(system, units, last_year, today):
    """Record last year's awards (the chairman's decision): this year's bonus criteria
    B.1 and B.2 read them from the units' award history (RULES.md 11)."""
    decided_on = min(today, datetime.date(today.year, 1, 15))
    for code, form in LAST_YEAR_AWARDS.items():
        awards.record_award(system, units[code], last_year, form,
                            decision_number=LAST_YEAR_DECISION, decision_date=decided_on,
                            signer="Chủ tịch UBND tỉnh")


def _year_facts(units, year, leader_officer, secretariat):
    """This year's facts through the services a unit and its leader use (RULES.md 19a)."""
    for code, changes in FACTS.items():
        officer = actor_for(User.objects.get(username=f"canbo.{units[code].code.lower()}"))
        facts = awards.enter_facts(officer, units[code], year, {**FACTS_STANDARD, **changes},
                                   note=f"Báo cáo tổng kết năm {year.year}; quyết định xếp "
                                        "loại tổ chức đảng, đoàn thể của cấp trên.")
        if code in UNCONFIRMED_FACTS:
            continue
        confirmer = secretariat if code == LEADERS["KTKT"][1] else leader_officer
        awards.confirm_facts(actor_for(confirmer), facts)


def _register(actor, unit, year, rng, *, submit, late):
    registration = pledges.open_registration(actor, unit, year)
    forms = [AwardForm.PROVINCIAL_FLAG, AwardForm.EXCELLENT_COLLECTIVE]
    if rng.random() < 0.3:
        forms.insert(0, AwardForm.GOVERNMENT_FLAG)
    pledges.set_titles(actor, registration, forms)
    for indicator, measure, baseline, goal in rng.sample(INDICATORS, 3):
        pledges.add_target(actor, registration, pledges.TargetInput(
            indicator=indicator, unit_of_measure=measure, baseline=Decimal(baseline),
            target_value=Decimal(goal), deadline=datetime.date(year.year, 12, 15)))
    if submit:
        pledges.submit_registration(actor, registration)
        # Back-date the submission to a plausible day around the deadline.
        deadline = year.registration_deadline
        day = deadline + datetime.timedelta(days=12) if late else deadline - datetime.timedelta(
            days=rng.randint(3, 40))
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
        Registration.objects.filter(pk=registration.pk).update(submitted_at=when)


def _enrol_two_factor(*users):
    for user in users:
        twofactor.enrol(user, DEMO_TOTP_SECRET, pyotp.TOTP(DEMO_TOTP_SECRET).now())


def _sign(actor, bloc_year, units, today, *, complete):
    signed_on = min(today, datetime.date(bloc_year.year, 2, 20))
    codes = sorted(units)
    for index, code in enumerate(codes):
        if not complete and index >= len(codes) - 3:
            break  # the record is still being completed for this bloc
        absent = index == 1
        pledges.record_signature(
            actor, bloc_year, units[code], signed_on=signed_on, place="Trụ sở UBND tỉnh",
            status=PledgeSignature.Status.ABSENT if absent else PledgeSignature.Status.SIGNED,
            signer_name="" if absent else f"Thủ trưởng {units[code].name}",
            absence_reason="Đi công tác theo lịch của UBND tỉnh" if absent else "")


def _report(actor, registration, today, rng):
    for target in registration.targets.all():
        if rng.random() < 0.25:
            continue  # not every target has news yet
        span = target.target_value - target.baseline
        share = Decimal(rng.randint(30, 110)) / 100
        actual = (target.baseline + span * share).quantize(Decimal("0.01"))
        pledges.report_progress(
            actor, target, reported_on=today - datetime.timedelta(days=rng.randint(1, 60)),
            actual_value=actual, note="Số liệu tổng hợp từ báo cáo tháng của đơn vị.",
            files=[Upload("bao-cao-tien-do.pdf", EVIDENCE_PDF)])
