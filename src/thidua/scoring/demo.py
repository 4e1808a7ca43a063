"""A complete, deterministic scoring year for a demo bloc year, through the services.

`build_scoring_year` takes a bloc year whose members registered (the demo loader's current
year), builds demo.yaml's criteria table, and plays the year to a published ranking: the
year-end progress reports, the PAR INDEX import, self-assessment with evidence, peer
review (with one declared conflict), appraisal with reasons, publication. Scores are
SYNTHETIC and plausible: each unit has a fixed "quality", scorers add a little noise; the
same seed always gives the same year.
"""

import datetime
import random
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from thidua.core.errors import DomainError
from thidua.core.evidence import Upload
from thidua.org import services as org
from thidua.org.domain.phases import ORDER, Phase
from thidua.org.models import BlocYear, Role, RoleAssignment
from thidua.org.rules import actor_for
from thidua.pledges import services as pledges
from thidua.pledges.models import Registration, Target
from thidua.scoring import services
from thidua.scoring.domain.methods import (
    AWARD_FORMS,
    BONUS,
    COUNT,
    DEDUCTION,
    FREE,
    GRADED,
    PENALTY,
    is_computed,
)
from thidua.scoring.models import PublishedRanking
from thidua.scoring.services import CriterionInput

SEED = 2022
SAMPLE_FILE = Path(__file__).resolve().parent.parent / "demo" / "demo.yaml"
# A small valid PDF: a scanned report, a few hundred bytes.
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# Plausible conflicts of interest (both units must be members for one to be declared).
CONFLICTS = [("QDTPT", "STC", "Quỹ Đầu tư phát triển tỉnh do Sở Tài chính tham mưu quản lý "
                               "nhà nước về tài chính; hai đơn vị không chấm chéo cho nhau.")]
APPRAISAL_REASONS = [
    "Đối chiếu báo cáo tổng kết: hai văn bản tham mưu ban hành chậm so với kế hoạch.",
    "Biên bản kiểm tra của Khối ghi nhận đơn vị vắng một buổi sinh hoạt Khối không báo cáo.",
    "Đơn vị bổ sung minh chứng điển hình tiên tiến được UBND tỉnh biểu dương.",
]


def sample_table_spec() -> dict:
    """demo.yaml's `criteria_table`: the sample structure a bloc may start its table from."""
    return yaml.safe_load(SAMPLE_FILE.read_text(encoding="utf-8"))["criteria_table"]


def create_sample_table(actor, bloc_year: BlocYear):
    """The bloc year's table built from the sample structure (through create_table, which
    checks the actor and the phase)."""
    spec = sample_table_spec()
    return services.create_table(actor, bloc_year, name=spec["name"],
                                 total=Decimal(str(spec["total"])), criteria=table_inputs(spec))


def table_inputs(spec: dict) -> list[CriterionInput]:
    """demo.yaml's `criteria_table` as criterion inputs: its sections, then the bonus
    items in section "B" (capped at the bonus max) and penalty items in section "P"."""
    inputs = []
    for section in spec["sections"]:
        inputs.append(CriterionInput(code=section["code"], title=section["title"],
                                     max_points=Decimal(section["max"]), is_section=True))
        for item in section["criteria"]:
            params = {key: item[key] for key in ("grades", "per_item", "cap") if key in item}
            inputs.append(CriterionInput(
                code=item["code"], title=item["title"], max_points=Decimal(item["max"]),
                method=item["method"], parent=section["code"], params=params,
                evidence_required=bool(item.get("evidence"))))
    for code, title, part, method in (("B", "Điểm thưởng", spec.get("bonus"), BONUS),
                                      ("P", "Điểm trừ", spec.get("penalty"), PENALTY)):
        if not part:
            continue
        items = part["items"]
        cap = Decimal(part.get("max") or sum(Decimal(i["points"]) for i in items))
        inputs.append(CriterionInput(code=code, title=title, max_points=cap, is_section=True))
        for item in items:
            # A per-item bonus (e.g. each recognised initiative) counts up to the cap;
            # the others are a single fact worth their points.
            # A bonus for last year's awards (RULES.md 11) is read from the award history.
            per_item = Decimal(item["points"])
            params = {"per_item": str(per_item)}
            if item.get(AWARD_FORMS):
                params[AWARD_FORMS] = list(item[AWARD_FORMS])
            inputs.append(CriterionInput(
                code=item["code"], title=item["title"], method=method, parent=code,
                max_points=cap if item.get("per_item") else per_item, params=params))
    return inputs


def _forward(system, bloc_year: BlocYear, phase: Phase):
    bloc_year.refresh_from_db()
    while ORDER.index(Phase(bloc_year.phase)) < ORDER.index(phase):
        org.move_phase(system, bloc_year, ORDER[ORDER.index(Phase(bloc_year.phase)) + 1])
        bloc_year.refresh_from_db()


def _officers(bloc_year: BlocYear) -> dict:
    """unit id → the actor of one of its officers (the demo loader creates them)."""
    officers = {}
    for assignment in RoleAssignment.objects.filter(
            role=Role.UNIT_OFFICER, unit__memberships__bloc_year=bloc_year
    ).select_related("user", "unit").order_by("id"):
        officers.setdefault(assignment.unit_id, actor_for(assignment.user))
    return officers


def _leader(system, bloc_year: BlocYear):
    assignment = RoleAssignment.objects.filter(role=Role.BLOC_LEADER_OFFICER,
                                               bloc_year=bloc_year).select_related("user").first()
    return actor_for(assignment.user) if assignment else system


def _level(rng, quality: float, noise: float) -> float:
    return min(1.0, max(0.0, quality + rng.uniform(-noise, noise)))


def _entries(table_criteria, level: float, rng, facts: dict) -> dict:
    """Raw inputs for every typed criterion at quality `level` ∈ [0, 1]. Bonus and
    penalty are facts about the unit (`facts`: code → count), the same for every scorer."""
    entries = {}
    for criterion in table_criteria:
        method, params = criterion.scoring_method, criterion.params
        if is_computed(method, params):
            continue  # the product fills it (target formula, imports, last year's awards)
        per_item = Decimal(str(params.get("per_item", 1)))
        if method == GRADED:
            steps = sorted(Decimal(str(g)) for g in params["grades"])
            index = round(level * (len(steps) - 1) + rng.uniform(-0.4, 0.4))
            entries[criterion.code] = {"points": steps[min(len(steps) - 1, max(0, index))]}
        elif method == FREE:
            entries[criterion.code] = {"points": (criterion.max_points * Decimal(
                str(round(level, 2)))).quantize(Decimal("0.01"))}
        elif method == DEDUCTION:
            faults = int((criterion.max_points / per_item) * Decimal(str(1 - level)) * 2 / 3)
            entries[criterion.code] = {"items": max(0, faults + rng.choice([0, 0, 0, 1]))}
        elif method == COUNT:
            entries[criterion.code] = {"count": int(level * float(criterion.max_points
                                                                   / per_item) + 0.5)}
        elif method in (BONUS, PENALTY):
            entries[criterion.code] = {"count": facts.get(criterion.code, 0)}
    return entries


def _report_year_end(bloc_year: BlocYear, officers: dict, rng, today: datetime.date):
    """Each target without a reported actual gets its year-end figure (RULES.md 15 needs
    it); units report during self-assessment as the pledge rules allow."""
    for target in Target.objects.filter(
            registration__bloc_year=bloc_year, latest_actual__isnull=True,
            registration__status=Registration.Status.SUBMITTED,
    ).select_related("registration").order_by("id"):
        span = target.target_value - target.baseline
        share = Decimal(rng.randint(60, 115)) / 100
        pledges.report_progress(
            officers[target.registration.unit_id], target, reported_on=today,
            actual_value=(target.baseline + span * share).quantize(Decimal("0.01")),
            note="Số liệu tổng kết năm.",
            files=[Upload("bao-cao-tong-ket.pdf", EVIDENCE_PDF)])


@transaction.atomic
def build_scoring_year(system, bloc_year: BlocYear, table_spec: dict, *, seed: int = SEED,
                       today: datetime.date | None = None, order: dict | None = None
                       ) -> PublishedRanking:
    """Play the scoring year of `bloc_year` to a published ranking. `system` is an actor
    who may move phases (an admin); units act through their officers, the bloc through its
    leader officer. The bonus for last year's flags (RULES.md 11) is computed from the
    units' decided awards, so they must be recorded before this runs. The bloc year must
    not be past APPRAISAL; it is left in APPRAISAL with the ranking published."""
    if ORDER.index(Phase(bloc_year.phase)) > ORDER.index(Phase.APPRAISAL):
        raise DomainError("Khối đã qua giai đoạn chấm điểm; không dựng được năm chấm điểm mẫu.")
    rng = random.Random(seed)  # noqa: S311 - synthetic, reproducible demo data
    today = today or timezone.localdate()
    leader = _leader(system, bloc_year)
    officers = _officers(bloc_year)
    # `order`: unit code → the key the draws follow (the 2022 member a unit plays).
    key = (order or {}).get
    members = sorted(bloc_year.memberships.select_related("unit"),
                     key=lambda m: key(m.unit.code, m.unit.code))
    missing = [m.unit.name for m in members if m.unit_id not in officers]
    if missing:
        raise DomainError("Chưa có cán bộ thi đua cho: " + ", ".join(missing) + ".")
    units = {m.unit.code: m.unit for m in members}

    table = services.current_table(bloc_year) or services.create_table(
        leader, bloc_year, name=table_spec["name"], total=Decimal(table_spec["total"]),
        criteria=table_inputs(table_spec))
    _forward(system, bloc_year, Phase.SELF_ASSESSMENT)
    _report_year_end(bloc_year, officers, rng, today)
    loaded = services.load_table(table)
    quality = {code: rng.uniform(0.55, 0.95) for code in units}
    facts = {}
    for code in units:
        facts[code] = {
            "B.3": rng.choice([0, 0, 1, 1, 2]),
            "P.1": int(rng.random() < 0.08),
        }
    for imported in [c for c in loaded.leaves if c.scoring_method == "imported"]:
        services.import_values(leader, table, imported.code, {
            unit.id: (imported.max_points * Decimal(str(round(_level(rng, quality[code], 0.1),
                                                              2)))).quantize(Decimal("0.01"))
            for code, unit in units.items()}, "Sở Nội vụ — Chỉ số cải cách hành chính (PAR INDEX)")

    for code, unit in units.items():
        actor = officers[unit.id]
        sheet = services.open_self_assessment(actor, bloc_year, unit)
        # Units score themselves a little generously.
        services.set_scores(actor, sheet, _entries(loaded.leaves, _level(
            rng, quality[code] + 0.08, 0.05), rng, facts[code]))
        for criterion in [c for c in loaded.leaves if c.evidence_required]:
            services.attach_evidence(actor, sheet, criterion.code, [Upload(
                f"minh-chung-{criterion.code}.pdf", EVIDENCE_PDF)])
        services.submit_sheet(actor, sheet)

    _forward(system, bloc_year, Phase.APPRAISAL)
    for first, second, reason in CONFLICTS:
        if first in units and second in units:
            services.declare_conflict(officers[units[first].id], bloc_year, units[first],
                                      units[second], reason)
    services.generate_assignments(leader, bloc_year)
    for assignment in sorted(table.assignments.select_related("scorer_unit", "scored_unit"),
                             key=lambda a: (key(a.scorer_unit.code, a.scorer_unit.code),
                                            key(a.scored_unit.code, a.scored_unit.code))):
        scorer, scored = assignment.scorer_unit, assignment.scored_unit
        actor = officers[scorer.id]
        sheet = services.open_peer_sheet(actor, bloc_year, scorer, scored)
        services.set_scores(actor, sheet, _entries(loaded.leaves, _level(
            rng, quality[scored.code], 0.12), rng, facts[scored.code]))
        services.submit_sheet(actor, sheet)

    changeable = [c for c in loaded.leaves if c.scoring_method in (GRADED, DEDUCTION, COUNT)]
    for index, (code, unit) in enumerate(units.items()):
        sheet = services.open_appraisal(leader, bloc_year, unit)
        if index % 3 == 0:  # the leader corrects a third of the units, each with a reason
            criterion = changeable[index % len(changeable)]
            lower = _entries([criterion], max(0.0, quality[code] - 0.25), rng, facts[code])
            services.appraise(leader, sheet, criterion.code, lower[criterion.code],
                              reason=APPRAISAL_REASONS[index % len(APPRAISAL_REASONS)])
        services.submit_sheet(leader, sheet)
    return services.publish_ranking(leader, bloc_year)
