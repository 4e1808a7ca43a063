"""The table as the functional core sees it, and the one write path of a sheet's scores:
its totals are kept current in the same transaction (RULES.md 9, 10)."""

from dataclasses import dataclass
from fractions import Fraction

from thidua.core import audit
from thidua.core.numbers import half_up
from thidua.scoring.domain.methods import (
    CriterionSpec,
)
from thidua.scoring.domain.table import SheetFigures, TableShape
from thidua.scoring.models import (
    CriteriaTable,
    Criterion,
    Score,
    ScoreChange,
    ScoreSheet,
    SectionScore,
)
from thidua.scoring.services.common import Kind, province_id_of, user_of


@dataclass
class Loaded:
    """A table's criteria, loaded once per call: the shape for sums and the rows."""

    table: CriteriaTable
    shape: TableShape
    by_code: dict  # code → Criterion
    by_id: dict  # id → Criterion

    def spec(self, code) -> CriterionSpec:
        return self.shape.specs[code]

    @property
    def leaves(self):
        return [c for c in self.by_code.values() if not c.is_section]

    @property
    def section_codes(self):
        return [c.code for c in self.by_code.values() if c.is_section]


def load_table(table: CriteriaTable, rows=None) -> Loaded:
    """`rows`: the table's criteria in position order, if the caller loaded them."""
    if rows is None:
        rows = list(Criterion.objects.filter(table=table).order_by("position", "id"))
    by_id = {c.id: c for c in rows}
    specs = [c.spec(by_id[c.parent_id].code if c.parent_id else None) for c in rows]
    return Loaded(table, TableShape(Fraction(table.total), specs),
                  {c.code: c for c in rows}, by_id)


def _figures_of(sheet: ScoreSheet, loaded: Loaded) -> SheetFigures:
    sections = {loaded.by_id[s.section_id].code: Fraction(s.points)
                for s in SectionScore.objects.filter(sheet=sheet)}
    return SheetFigures(Fraction(sheet.total), Fraction(sheet.bonus), Fraction(sheet.penalty),
                        sections)


def _store_figures(sheet: ScoreSheet, loaded: Loaded, figures: SheetFigures):
    """Write a sheet's figures; all are sums of hundredths, so exact in 2 decimals."""
    sheet.total = half_up(figures.total)
    sheet.bonus = half_up(figures.bonus)
    sheet.penalty = half_up(figures.penalty)
    sheet.final = half_up(figures.final)
    sheet.save(update_fields=["total", "bonus", "penalty", "final"])
    existing = {s.section_id: s for s in SectionScore.objects.filter(sheet=sheet)}
    create, update = [], []
    for code, value in figures.sections.items():
        section_id = loaded.by_code[code].id
        row = existing.get(section_id)
        if row is None:
            create.append(SectionScore(sheet=sheet, section_id=section_id,
                                       points=half_up(value)))
        elif Fraction(row.points) != value:
            row.points = half_up(value)
            update.append(row)
    SectionScore.objects.bulk_create(create)
    SectionScore.objects.bulk_update(update, ["points"])


@dataclass(frozen=True)
class Entry:
    """One cell to write: exact points, what they came from, a note."""

    points: Fraction
    raw: dict
    note: str | None = None  # None: keep the current note


def write_entries(actor, sheet: ScoreSheet, loaded: Loaded, entries: dict[str, Entry], *,
           reason: str = "", action: str = "scoring.score.set") -> dict:
    """Write cells and keep the sheet's figures current, in the caller's transaction and
    under the sheet's row lock. Records ScoreChange rows for an appraisal sheet, and one
    audit event. Returns {code: (old, new)} of the cells whose points changed."""
    current = {s.criterion.code: s for s in Score.objects.filter(
        sheet=sheet, criterion__code__in=list(entries)).select_related("criterion")}
    changes, creates, updates, history = {}, [], [], []
    user = user_of(actor)
    for code, entry in entries.items():
        criterion = loaded.by_code[code]
        points = half_up(entry.points)
        score = current.get(code)
        old = Fraction(score.points) if score else Fraction(0)
        if score is None:
            score = Score(sheet=sheet, criterion=criterion, points=points, raw=entry.raw,
                          note=entry.note or "", updated_by=user)
            creates.append(score)
        else:
            if score.points == points and score.raw == entry.raw and (
                    entry.note is None or entry.note == score.note):
                continue
            history.append((score, score.points, score.raw))
            score.points, score.raw, score.updated_by = points, entry.raw, user
            if entry.note is not None:
                score.note = entry.note
            updates.append(score)
        if old != Fraction(points) or code not in current:
            changes[code] = (old, Fraction(points))
    Score.objects.bulk_create(creates)
    Score.objects.bulk_update(updates, ["points", "raw", "note", "updated_by", "updated_at"])
    if sheet.kind == Kind.APPRAISAL and reason:
        ScoreChange.objects.bulk_create(
            [ScoreChange(score=s, old_points=None, new_points=s.points, new_raw=s.raw,
                         reason=reason, author=user) for s in creates]
            + [ScoreChange(score=s, old_points=old_points, new_points=s.points, old_raw=old_raw,
                           new_raw=s.raw, reason=reason, author=user)
               for s, old_points, old_raw in history])
    if changes:
        figures = loaded.shape.apply(_figures_of(sheet, loaded), changes)
        _store_figures(sheet, loaded, figures)
    if creates or updates:
        audit.record(actor, action, sheet, province_id=province_id_of(loaded.table.bloc_year),
                     before={code: str(old) for code, (old, _) in changes.items()
                             if code in current},
                     after={"scores": {code: {"points": half_up(e.points), "raw": e.raw}
                                       for code, e in entries.items()},
                            "final": sheet.final},
                     reason=reason)
    return changes
