"""Criteria tables (RULES.md 9): create, copy, edit, lock and version them; a new version
of a locked table carries the sheets over."""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, NotFound
from thidua.core.text import tidy
from thidua.org.models import BlocYear
from thidua.org.rules import Actor
from thidua.scoring import rules
from thidua.scoring.domain.assignments import peer_pairs
from thidua.scoring.domain.methods import (
    GRADED,
    CriterionSpec,
    grades,
)
from thidua.scoring.domain.table import table_errors
from thidua.scoring.models import (
    CriteriaTable,
    Criterion,
    PeerAssignment,
    ScoreSheet,
)
from thidua.scoring.services.common import (
    conflict_pairs,
    members_of,
    province_id_of,
    require_runner,
    user_of,
)
from thidua.scoring.services.entries import Entry, load_table, write_entries


@dataclass(frozen=True)
class CriterionInput:
    code: str
    title: str
    max_points: Decimal
    method: str = ""  # empty for a section
    parent: str | None = None
    params: dict = field(default_factory=dict)
    evidence_required: bool = False
    is_section: bool = False

    def spec(self) -> CriterionSpec:
        return CriterionSpec(code=self.code, title=self.title, is_section=self.is_section,
                             max_points=Fraction(self.max_points), method=self.method,
                             params=self.params, parent=self.parent,
                             evidence_required=self.evidence_required)


def _clean(item: CriterionInput) -> CriterionInput:
    return CriterionInput(
        code=tidy(item.code), title=tidy(item.title),
        max_points=Decimal(item.max_points), method="" if item.is_section else item.method,
        parent=tidy(item.parent) if item.parent else None, params=dict(item.params),
        evidence_required=item.evidence_required and not item.is_section,
        is_section=item.is_section)


def _checked(total: Decimal, criteria) -> list[CriterionInput]:
    cleaned = [_clean(c) for c in criteria]
    errors = table_errors(Fraction(total), [c.spec() for c in cleaned])
    if errors:
        raise DomainError(*errors)
    return cleaned


def _write_criteria(table: CriteriaTable, criteria: list[CriterionInput]):
    """Parents first (inputs list sections before their leaves or not: we sort)."""
    created: dict[str, Criterion] = {}
    pending = list(enumerate(criteria))
    while pending:
        rest = []
        for position, item in pending:
            if item.parent and item.parent not in created:
                rest.append((position, item))
                continue
            created[item.code] = Criterion.objects.create(
                table=table, parent=created.get(item.parent) if item.parent else None,
                code=item.code, title=item.title, is_section=item.is_section,
                max_points=item.max_points, scoring_method=item.method, params=item.params,
                evidence_required=item.evidence_required, position=position)
        pending = rest


def criteria_inputs(table: CriteriaTable) -> list[CriterionInput]:
    """A table's criteria as inputs (to copy, or to edit into a new version)."""
    rows = list(table.criteria.select_related("parent").order_by("position", "id"))
    return [CriterionInput(code=c.code, title=c.title, max_points=c.max_points,
                           method=c.scoring_method, parent=c.parent.code if c.parent else None,
                           params=c.params, evidence_required=c.evidence_required,
                           is_section=c.is_section) for c in rows]


def table_snapshot(table: CriteriaTable) -> dict:
    return {"version": table.version, "name": table.name, "total": table.total,
            "locked": table.is_locked,
            "criteria": [[c.code, c.parent, str(c.max_points), c.method]
                         for c in criteria_inputs(table)]}


def current_table(bloc_year: BlocYear) -> CriteriaTable | None:
    return (CriteriaTable.objects.select_related("bloc_year__bloc__province")
            .filter(bloc_year=bloc_year).order_by("-version").first())


@transaction.atomic
def create_table(actor: Actor, bloc_year: BlocYear, *, name: str, total: Decimal,
                 criteria) -> CriteriaTable:
    """The bloc year's first criteria table, checked whole (RULES.md 9) before writing."""
    if refusal := rules.table_creation_refusal(actor, bloc_year):
        raise refusal
    if CriteriaTable.objects.filter(bloc_year=bloc_year).exists():
        raise Conflict("Khối đã có bảng tiêu chí năm này; hãy sửa bảng hoặc lập phiên bản mới.")
    cleaned = _checked(total, criteria)
    table = CriteriaTable.objects.create(bloc_year=bloc_year, name=tidy(name),
                                         total=total, created_by=user_of(actor))
    _write_criteria(table, cleaned)
    audit.record(actor, "scoring.table.create", table, province_id=province_id_of(bloc_year),
                 after=table_snapshot(table))
    return table


def copy_table(actor: Actor, source: CriteriaTable, bloc_year: BlocYear) -> CriteriaTable:
    """Last year's table (or another bloc's) as this bloc year's first version."""
    if not rules.can_view_table(actor, source):
        raise NotFound("Không tìm thấy bảng tiêu chí.")
    with transaction.atomic():
        table = create_table(actor, bloc_year, name=source.name, total=source.total,
                             criteria=criteria_inputs(source))
        CriteriaTable.objects.filter(pk=table.pk).update(copied_from=source)
        table.copied_from = source
    return table


@transaction.atomic
def replace_criteria(actor: Actor, table: CriteriaTable, *, criteria, total=None,
                     name=None) -> CriteriaTable:
    """Edit an unlocked table: its criteria replaced as a whole, checked whole."""
    table = CriteriaTable.objects.select_for_update(of=("self",)).select_related(
        "bloc_year__bloc").get(pk=table.pk)
    if table.is_locked:
        raise Conflict("Bảng tiêu chí đã khóa vì đã bắt đầu chấm điểm; muốn thay đổi phải lập "
                       "phiên bản mới và ghi rõ lý do.")
    require_runner(actor, table.bloc_year, "sửa bảng tiêu chí")
    require_latest(table)
    before = table_snapshot(table)
    total = table.total if total is None else Decimal(total)
    cleaned = _checked(total, criteria)
    table.criteria.all().delete()
    table.total = total
    table.name = tidy(name) if name else table.name
    table.save(update_fields=["total", "name"])
    _write_criteria(table, cleaned)
    audit.record(actor, "scoring.table.edit", table, province_id=province_id_of(table.bloc_year),
                 before=before, after=table_snapshot(table))
    return table


def validate_table(table: CriteriaTable) -> list[str]:
    """The table's problems (RULES.md 9), each naming its criterion; [] when valid."""
    return table_errors(Fraction(table.total), [c.spec() for c in criteria_inputs(table)])


def _lock(actor, table: CriteriaTable):
    errors = validate_table(table)
    if errors:
        raise DomainError("Bảng tiêu chí chưa hợp lệ, chưa thể bắt đầu chấm điểm:", *errors)
    table.is_locked = True
    table.locked_at = timezone.now()
    table.save(update_fields=["is_locked", "locked_at"])
    audit.record(actor, "scoring.table.lock", table,
                 province_id=province_id_of(table.bloc_year), after=table_snapshot(table))
    previous = (CriteriaTable.objects.filter(bloc_year=table.bloc_year,
                                             version__lt=table.version, is_locked=True)
                .order_by("-version").first())
    if previous is not None:
        _carry_over(actor, previous, table)


@transaction.atomic
def lock_table(actor: Actor, table: CriteriaTable) -> CriteriaTable:
    """Freeze the table: from now on a change needs a new version with a reason. Scoring
    locks it by itself when the first sheet is opened."""
    table = CriteriaTable.objects.select_for_update(of=("self",)).select_related(
        "bloc_year__bloc").get(pk=table.pk)
    require_runner(actor, table.bloc_year, "khóa bảng tiêu chí")
    require_latest(table)
    if table.is_locked:
        raise Conflict("Bảng tiêu chí đã khóa.")
    _lock(actor, table)
    return table


@transaction.atomic
def new_version(actor: Actor, table: CriteriaTable, *, reason: str, criteria=None,
                total=None) -> CriteriaTable:
    """A locked table that must change: a new, unlocked version, with the reason. When it
    is locked, sheets carry over to it (scores of unchanged criteria kept, sheets back to
    draft so each author checks and submits again)."""
    table = CriteriaTable.objects.select_for_update(of=("self",)).select_related(
        "bloc_year__bloc").get(pk=table.pk)
    require_runner(actor, table.bloc_year, "lập phiên bản mới của bảng tiêu chí")
    require_latest(table)
    if not table.is_locked:
        raise Conflict("Bảng tiêu chí chưa khóa: sửa trực tiếp, không cần phiên bản mới.")
    if not reason.strip():
        raise DomainError("Lập phiên bản mới của bảng tiêu chí đã khóa phải ghi rõ lý do.")
    total = table.total if total is None else Decimal(total)
    cleaned = _checked(total, criteria if criteria is not None else criteria_inputs(table))
    try:
        with transaction.atomic():
            fresh = CriteriaTable.objects.create(
                bloc_year=table.bloc_year, version=table.version + 1, name=table.name,
                total=total, reason=tidy(reason), copied_from=table,
                created_by=user_of(actor))
    except IntegrityError as exc:
        raise Conflict("Vừa có người lập phiên bản mới của bảng; hãy tải lại.") from exc
    _write_criteria(fresh, cleaned)
    audit.record(actor, "scoring.table.new_version", fresh,
                 province_id=province_id_of(table.bloc_year), before=table_snapshot(table),
                 after=table_snapshot(fresh), reason=fresh.reason)
    return fresh


def require_latest(table: CriteriaTable):
    if CriteriaTable.objects.filter(bloc_year_id=table.bloc_year_id,
                                    version__gt=table.version).exists():
        raise Conflict(f"Bảng tiêu chí phiên bản {table.version} đã được thay bằng phiên bản "
                       "mới hơn.")


def locked_current_table(actor, bloc_year: BlocYear) -> CriteriaTable:
    """The table scoring uses; opening the first sheet locks it (scoring has started)."""
    table = current_table(bloc_year)
    if table is None:
        raise Conflict("Khối chưa có bảng tiêu chí chấm điểm năm này.")
    if not table.is_locked:
        table = CriteriaTable.objects.select_for_update(of=("self",)).select_related(
            "bloc_year__bloc__province").get(pk=table.pk)
        if not table.is_locked:
            _lock(actor, table)
    return table


def _carry_over(actor, old: CriteriaTable, new: CriteriaTable):
    """Sheets of the previous version move to the new one as drafts: a score is kept where
    the criterion has the same code and method and the points are still valid; the rest
    is to be scored again. Assignments follow, recusal rechecked."""
    old_loaded, new_loaded = load_table(old), load_table(new)
    members = members_of(new.bloc_year)
    wanted = peer_pairs(members, conflict_pairs(new.bloc_year))
    PeerAssignment.objects.bulk_create(
        PeerAssignment(table=new, scorer_unit_id=a.scorer_unit_id, scored_unit_id=a.scored_unit_id)
        for a in old.assignments.all() if (a.scorer_unit_id, a.scored_unit_id) in wanted)
    for sheet in old.sheets.prefetch_related("scores"):
        fresh = ScoreSheet.objects.create(table=new, scored_unit_id=sheet.scored_unit_id,
                                          kind=sheet.kind, scorer_unit_id=sheet.scorer_unit_id)
        entries = {}
        for score in sheet.scores.all():
            code = old_loaded.by_id[score.criterion_id].code
            target = new_loaded.by_code.get(code)
            if target is None or target.is_section or (
                    target.scoring_method != old_loaded.by_code[code].scoring_method):
                continue
            spec, points = new_loaded.spec(code), Fraction(score.points)
            if points > spec.max_points or (spec.method == GRADED and points not in grades(spec)):
                continue
            entries[code] = Entry(points, score.raw, score.note)
        write_entries(actor, fresh, new_loaded, entries, action="scoring.score.carry_over")
