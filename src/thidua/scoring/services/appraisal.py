"""Appraisal: the bloc's appraisal sheet of a unit (RULES.md 14)."""

from django.db import transaction

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError
from thidua.org.models import BlocYear, Unit
from thidua.org.rules import Actor
from thidua.scoring import rules
from thidua.scoring.models import (
    Score,
    ScoreSheet,
    SectionScore,
)
from thidua.scoring.services.common import Kind, Status, province_id_of
from thidua.scoring.services.sheets import set_scores
from thidua.scoring.services.tables import locked_current_table


@transaction.atomic
def open_appraisal(actor: Actor, bloc_year: BlocYear, unit: Unit) -> ScoreSheet:
    """The appraisal sheet of a unit, starting from its submitted self-assessment: the
    appraiser changes what needs changing, each change with a reason (RULES.md 12)."""
    if refusal := rules.appraisal_refusal(actor, bloc_year):
        raise refusal
    table = locked_current_table(actor, bloc_year)
    existing = ScoreSheet.objects.filter(table=table, scored_unit=unit,
                                         kind=Kind.APPRAISAL).first()
    if existing:
        return existing
    own = ScoreSheet.objects.filter(table=table, scored_unit=unit, kind=Kind.SELF,
                                    status=Status.SUBMITTED).first()
    if own is None:
        raise Conflict(f"{unit.name} chưa gửi phiếu tự chấm điểm; chưa thẩm định được.")
    sheet = ScoreSheet.objects.create(table=table, scored_unit=unit, kind=Kind.APPRAISAL,
                                      total=own.total, bonus=own.bonus, penalty=own.penalty,
                                      final=own.final)
    Score.objects.bulk_create(Score(sheet=sheet, criterion_id=s.criterion_id, points=s.points,
                                    raw=s.raw, note=s.note, updated_by=s.updated_by)
                              for s in own.scores.all())
    SectionScore.objects.bulk_create(SectionScore(sheet=sheet, section_id=s.section_id,
                                                  points=s.points)
                                     for s in own.section_scores.all())
    audit.record(actor, "scoring.appraisal.open", sheet, province_id=province_id_of(bloc_year),
                 after={"scored_unit": unit.id, "from_self_sheet": own.id, "final": own.final})
    return sheet


def appraise(actor: Actor, sheet: ScoreSheet, code: str, raw: dict, reason: str) -> ScoreSheet:
    """One appraisal change: old, new, reason, author stored (ScoreChange) and audited."""
    if sheet.kind != Kind.APPRAISAL:
        raise DomainError("Chỉ sửa điểm thẩm định trên phiếu thẩm định.")
    return set_scores(actor, sheet, {code: raw}, reason=reason)
