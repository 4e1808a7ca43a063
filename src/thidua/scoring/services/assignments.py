"""Cross-scoring (RULES.md 13): declared conflicts and the peer assignments that avoid
them."""

from django.db import IntegrityError, transaction

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError
from thidua.core.text import tidy
from thidua.org.models import BlocYear, Unit
from thidua.org.rules import Actor
from thidua.scoring import rules
from thidua.scoring.domain.assignments import peer_pairs
from thidua.scoring.models import (
    ConflictDeclaration,
    PeerAssignment,
    ScoreSheet,
)
from thidua.scoring.services.common import (
    Kind,
    Status,
    conflict_pairs,
    members_of,
    province_id_of,
    user_of,
)
from thidua.scoring.services.tables import locked_current_table


@transaction.atomic
def declare_conflict(actor: Actor, bloc_year: BlocYear, unit: Unit, other: Unit,
                     reason: str) -> ConflictDeclaration:
    """A conflict of interest: neither unit scores the other. Draft peer sheets between
    them are withdrawn; a submitted one cannot be, so the declaration is refused."""
    if refusal := rules.conflict_refusal(actor, bloc_year, unit.id):
        raise refusal
    members = members_of(bloc_year)
    if unit.id == other.id or not {unit.id, other.id} <= members:
        raise DomainError("Xung đột lợi ích khai báo giữa hai đơn vị khác nhau của khối.")
    if not reason.strip():
        raise DomainError("Ghi rõ lý do xung đột lợi ích.")
    pair = [(unit.id, other.id), (other.id, unit.id)]
    sheets = ScoreSheet.objects.filter(table__bloc_year=bloc_year, kind=Kind.PEER)
    between = [s for s in sheets if (s.scorer_unit_id, s.scored_unit_id) in pair]
    if any(s.is_submitted for s in between):
        raise Conflict(f"{unit.name} và {other.name} đã gửi phiếu chấm chéo cho nhau; đề nghị "
                       "Trưởng khối xem xét.")
    try:
        with transaction.atomic():
            declaration = ConflictDeclaration.objects.create(
                bloc_year=bloc_year, unit=unit, other_unit=other, reason=tidy(reason),
                declared_by=user_of(actor))
    except IntegrityError as exc:
        raise Conflict("Xung đột lợi ích này đã được khai báo.") from exc
    for sheet in between:
        sheet.delete()
    PeerAssignment.objects.filter(table__bloc_year=bloc_year, scorer_unit=unit,
                                  scored_unit=other).delete()
    PeerAssignment.objects.filter(table__bloc_year=bloc_year, scorer_unit=other,
                                  scored_unit=unit).delete()
    audit.record(actor, "scoring.conflict.declare", declaration,
                 province_id=province_id_of(bloc_year),
                 after={"unit": unit.id, "other_unit": other.id}, reason=declaration.reason)
    return declaration


@transaction.atomic
def generate_assignments(actor: Actor, bloc_year: BlocYear, allowed=None) -> int:
    """Everyone scores everyone else (or the configured subset `allowed` of (scorer,
    scored) pairs), never itself, declared conflicts excluded. Idempotent: rerunning after
    a conflict or a membership change adds and removes only what changed."""
    if refusal := rules.assignment_refusal(actor, bloc_year):
        raise refusal
    table = locked_current_table(actor, bloc_year)
    wanted = peer_pairs(members_of(bloc_year), conflict_pairs(bloc_year), allowed)
    have = {(a.scorer_unit_id, a.scored_unit_id): a for a in table.assignments.all()}
    stale = set(have) - wanted
    started = ScoreSheet.objects.filter(table=table, kind=Kind.PEER, status=Status.SUBMITTED)
    if any((s.scorer_unit_id, s.scored_unit_id) in stale for s in started):
        raise Conflict("Có phiếu chấm chéo đã gửi không còn trong phân công mới.")
    PeerAssignment.objects.filter(id__in=[have[p].id for p in stale]).delete()
    drafts = ScoreSheet.objects.filter(table=table, kind=Kind.PEER, status=Status.DRAFT)
    ScoreSheet.objects.filter(id__in=[s.id for s in drafts
                                      if (s.scorer_unit_id, s.scored_unit_id) in stale]).delete()
    PeerAssignment.objects.bulk_create(
        PeerAssignment(table=table, scorer_unit_id=a, scored_unit_id=b)
        for a, b in sorted(wanted - set(have)))
    audit.record(actor, "scoring.assignments.generate", table,
                 province_id=province_id_of(bloc_year),
                 after={"pairs": len(wanted), "added": len(wanted - set(have)),
                        "removed": len(stale)})
    return len(wanted)
