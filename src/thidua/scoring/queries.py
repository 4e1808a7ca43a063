"""Read side of scoring: a unit's breakdown, the published ranking, what is missing.

Each function runs a fixed number of queries whatever the number of units or criteria
(tests assert it), reads the maintained totals rather than the cells where it can, and
shows a sheet only where scoring.rules lets the actor see it (sealed until submitted).
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Max, Min, Sum

from thidua.core.errors import DomainError, NotFound
from thidua.core.numbers import vi_number
from thidua.org.models import BlocYear, Unit
from thidua.org.rules import Actor, can_view_bloc_year
from thidua.pledges.models import Registration
from thidua.scoring import rules, services
from thidua.scoring.domain.methods import IMPORTED
from thidua.scoring.models import (
    CriteriaTable,
    Criterion,
    ImportedValue,
    PeerAssignment,
    PublishedRanking,
    RankingRow,
    Reminder,
    Score,
    ScoreChange,
    ScoreEvidence,
    ScoreSheet,
    SectionScore,
)

Kind, Status = ScoreSheet.Kind, ScoreSheet.Status


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def criteria_of(table: CriteriaTable) -> list[Criterion]:
    """The table's criteria in their order (sections before their leaves). One query."""
    return list(Criterion.objects.filter(table=table).order_by("position", "id"))


def imported_figures(table: CriteriaTable) -> list[tuple[Criterion, dict]]:
    """The table's criteria whose figures come from another agency's system, each with
    the values entered so far ({unit id: ImportedValue}). Two queries."""
    criteria = [c for c in criteria_of(table) if c.scoring_method == IMPORTED]
    values: dict[int, dict] = {}
    for value in ImportedValue.objects.filter(criterion__in=criteria):
        values.setdefault(value.criterion_id, {})[value.unit_id] = value
    return [(criterion, values.get(criterion.id, {})) for criterion in criteria]


def table_versions(bloc_year: BlocYear) -> list[dict]:
    """Every version of the bloc year's table, newest first: number, reason, lock, date."""
    return list(CriteriaTable.objects.filter(bloc_year=bloc_year).order_by("-version")
                .values("version", "reason", "is_locked", "created_at"))


def earlier_tables(bloc_year: BlocYear) -> list[CriteriaTable]:
    """The latest table version of each earlier year of the same bloc, newest year first:
    what a new year's table may be copied from. One query."""
    tables = (CriteriaTable.objects.select_related("bloc_year__emulation_year")
              .filter(bloc_year__bloc_id=bloc_year.bloc_id,
                      bloc_year__emulation_year__year__lt=bloc_year.emulation_year.year)
              .order_by("-bloc_year__emulation_year__year", "-version"))
    seen, result = set(), []
    for table in tables:
        if table.bloc_year_id not in seen:
            seen.add(table.bloc_year_id)
            result.append(table)
    return result


def _table(bloc_year: BlocYear) -> CriteriaTable | None:
    return CriteriaTable.objects.filter(bloc_year=bloc_year).order_by("-version").first()


# --- a unit's breakdown ------------------------------------------------------------------

@dataclass
class CriterionLine:
    criterion: Criterion
    depth: int
    self_points: object = None  # Decimal, or None where not scored / not visible
    self_note: str = ""
    self_raw: dict = field(default_factory=dict)
    appraised_points: object = None
    peer_mean: Fraction | None = None
    peer_count: int = 0
    peer_spread: object = None  # highest − lowest peer score (Decimal), None below 2 peers
    evidence: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # ScoreChange, oldest first

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass
class UnitBreakdown:
    bloc_year: BlocYear
    unit: Unit
    table: CriteriaTable
    lines: list
    self_sheet: ScoreSheet | None
    appraisal_sheet: ScoreSheet | None
    peer_finals: list  # finals of the submitted peer sheets, sorted

    @property
    def peer_mean(self) -> Fraction | None:
        if not self.peer_finals:
            return None
        return sum((Fraction(f) for f in self.peer_finals), Fraction(0)) / len(self.peer_finals)

    @property
    def running_total(self) -> str:
        """"89,50 / 100,00": what a unit sees while it self-scores."""
        total = self.self_sheet.total if self.self_sheet else None
        return f"{vi_number(total)} / {vi_number(self.table.total)}"


def can_view_breakdown(actor: Actor, bloc_year: BlocYear, unit_id: int, published: bool) -> bool:
    return (unit_id in actor.own_units or rules.can_run_scoring(actor, bloc_year)
            or (published and can_view_bloc_year(actor, bloc_year)))


def unit_breakdown(actor: Actor, bloc_year: BlocYear, unit: Unit) -> UnitBreakdown:
    """Criterion by criterion for one unit: its self-score with evidence, the peers' mean,
    the appraised score and every appraisal change with its reason. Nine queries."""
    table = _table(bloc_year)
    if table is None:
        raise NotFound("Khối chưa có bảng tiêu chí chấm điểm.")
    table.bloc_year = bloc_year
    published = PublishedRanking.objects.filter(table=table).exists()
    if not can_view_breakdown(actor, bloc_year, unit.id, published):
        raise NotFound("Không tìm thấy kết quả chấm điểm của đơn vị.")
    criteria = criteria_of(table)
    sheets = list(ScoreSheet.objects.filter(table=table, scored_unit=unit).order_by("id"))
    for sheet in sheets:
        sheet.table = table
    visible = [s for s in sheets if rules.can_view_sheet(actor, s, published)]
    own = next((s for s in visible if s.kind == Kind.SELF), None)
    appraisal = next((s for s in visible if s.kind == Kind.APPRAISAL), None)
    peers = [s for s in sheets if s.kind == Kind.PEER and s.is_submitted]
    scores = {(s.sheet_id, s.criterion_id): s for s in Score.objects.filter(
        sheet_id__in=[s.id for s in (own, appraisal) if s])}
    peer_sums = {row["criterion_id"]: row for row in Score.objects.filter(
        sheet__in=[s.id for s in peers]).values("criterion_id").annotate(
        total=Sum("points"), n=Count("id"), low=Min("points"), high=Max("points"))}
    evidence, changes = {}, {}
    if own:
        for item in ScoreEvidence.objects.filter(score__sheet=own).select_related("score"):
            evidence.setdefault(item.score.criterion_id, []).append(item)
    if appraisal:
        for change in ScoreChange.objects.filter(score__sheet=appraisal).select_related(
                "score", "author").order_by("at", "id"):
            changes.setdefault(change.score.criterion_id, []).append(change)
    depth = {}
    lines = []
    for criterion in criteria:
        depth[criterion.id] = depth.get(criterion.parent_id, -1) + 1
        line = CriterionLine(criterion, depth[criterion.id])
        if own and (score := scores.get((own.id, criterion.id))):
            line.self_points, line.self_note, line.self_raw = score.points, score.note, score.raw
        if appraisal and (score := scores.get((appraisal.id, criterion.id))):
            line.appraised_points = score.points
        if (row := peer_sums.get(criterion.id)) and row["n"]:
            line.peer_mean, line.peer_count = Fraction(row["total"]) / row["n"], row["n"]
            if row["n"] > 1:
                line.peer_spread = row["high"] - row["low"]
        line.evidence = evidence.get(criterion.id, [])
        line.changes = changes.get(criterion.id, [])
        lines.append(line)
    return UnitBreakdown(bloc_year, unit, table, lines, own, appraisal,
                         sorted(s.final for s in peers))


# --- the published ranking ---------------------------------------------------------------

@dataclass(frozen=True)
class RankingLine:
    row: RankingRow
    unit: Unit

    @property
    def final(self) -> Fraction:
        return self.row.final

    def section(self, code) -> Fraction | None:
        return _fraction(self.row.figures.get("sections", {}).get(code))

    @property
    def bonus(self):
        return _fraction(self.row.figures.get("bonus"))

    @property
    def penalty(self):
        return _fraction(self.row.figures.get("penalty"))

    @property
    def spread(self):
        return _fraction(self.row.figures.get("spread"))


@dataclass(frozen=True)
class RankingView:
    ranking: PublishedRanking
    table: CriteriaTable
    sections: list  # top-level regular sections: (code, title, max)
    lines: list

    @property
    def ties(self) -> list[list[RankingLine]]:
        groups: dict[int, list] = {}
        for line in self.lines:
            if line.row.tied:
                groups.setdefault(line.row.rank, []).append(line)
        return [groups[rank] for rank in sorted(groups)]


def published_ranking(actor: Actor, bloc_year: BlocYear) -> RankingView | None:
    """The latest published ranking of the bloc year (None before any), for everyone who
    sees the bloc year. Five queries."""
    if not can_view_bloc_year(actor, bloc_year):
        raise NotFound("Không tìm thấy khối thi đua.")
    return ranking_view(bloc_year)


def ranking_view(bloc_year: BlocYear) -> RankingView | None:
    """The latest published ranking, without a visibility check: for callers that made
    their own (published_ranking) or show it to everyone (publication's public page)."""
    ranking = (PublishedRanking.objects.filter(table__bloc_year=bloc_year)
               .select_related("table").order_by("-published_at", "-id").first())
    if ranking is None:
        return None
    outside = _outside(ranking)
    sections = [(c.code, c.title, c.max_points) for c in Criterion.objects.filter(
        table=ranking.table, is_section=True, parent__isnull=True).order_by("position", "id")
        if c.code not in outside]
    rows = RankingRow.objects.filter(ranking=ranking).select_related("unit").order_by(
        "rank", "unit__sort_key", "unit_id")
    return RankingView(ranking, ranking.table, sections, [RankingLine(r, r.unit) for r in rows])


def _outside(ranking: PublishedRanking) -> set:
    """Top-level sections holding bonus or penalty items (not bars of the total)."""
    return set(Criterion.objects.filter(
        table=ranking.table, scoring_method__in=["bonus", "penalty"]).values_list(
        "parent__code", flat=True))


# --- what is missing (reminders, homes) ------------------------------------------------------

@dataclass(frozen=True)
class SheetTally:
    """Sheets submitted out of those expected."""

    submitted: int = 0
    expected: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def complete(self) -> bool:
        return self.submitted >= self.expected

    def __add__(self, other: "SheetTally") -> "SheetTally":
        return SheetTally(self.submitted + other.submitted, self.expected + other.expected)

    def __str__(self) -> str:
        return f"{self.submitted}/{self.expected}"


@dataclass(frozen=True)
class UnitSheets:
    """One member's sheets: its self-assessment (0 or 1 of 1), the peer sheets it must
    fill as a scorer, and those filled about it by its peers."""

    unit_id: int
    self_sheet: SheetTally
    peer_given: SheetTally
    peer_received: SheetTally
    self_status: str | None  # Status value, or None: not opened
    appraisal_status: str | None = None


@dataclass(frozen=True)
class SheetCounts:
    """A bloc year's sheets submitted / expected, per unit and in all (self and peer).
    `has_table`: False before the bloc has a criteria table (nothing is expected yet)."""

    has_table: bool
    units: dict  # unit id → UnitSheets, every member
    self_sheets: SheetTally
    peer_sheets: SheetTally


def sheet_counts(bloc_year: BlocYear, member_ids=None) -> SheetCounts:
    """How many self and peer sheets are submitted out of those expected, per member and
    for the bloc year: each member owes its self-assessment, and each cross-scoring
    assignment one peer sheet. Statuses only, never scores (sheets stay sealed), so it
    needs no visibility check: callers show a unit its own line, the runners all.
    `member_ids`: the members, if the caller has them. Four queries whatever the size of
    the bloc (three given the members)."""
    table = _table(bloc_year)
    members = list(member_ids if member_ids is not None else
                   bloc_year.memberships.values_list("unit_id", flat=True))
    self_status, peer_status, appraisal_status = {}, {}, {}
    pairs = []
    if table is not None:
        for kind, scored, scorer, state in ScoreSheet.objects.filter(table=table).values_list(
                "kind", "scored_unit_id", "scorer_unit_id", "status"):
            if kind == Kind.SELF:
                self_status[scored] = state
            elif kind == Kind.PEER:
                peer_status[(scorer, scored)] = state
            else:
                appraisal_status[scored] = state
        pairs = list(PeerAssignment.objects.filter(table=table).values_list(
            "scorer_unit_id", "scored_unit_id"))
    member_set = set(members)
    given: dict[int, SheetTally] = {}
    received: dict[int, SheetTally] = {}
    for scorer, scored in pairs:
        if scorer not in member_set or scored not in member_set:
            continue
        one = SheetTally(int(peer_status.get((scorer, scored)) == Status.SUBMITTED), 1)
        given[scorer] = given.get(scorer, SheetTally()) + one
        received[scored] = received.get(scored, SheetTally()) + one
    units = {}
    for unit_id in members:
        state = self_status.get(unit_id)
        units[unit_id] = UnitSheets(
            unit_id, SheetTally(int(state == Status.SUBMITTED), 1 if table else 0),
            given.get(unit_id, SheetTally()), received.get(unit_id, SheetTally()), state,
            appraisal_status.get(unit_id))
    return SheetCounts(
        table is not None, units,
        sum((u.self_sheet for u in units.values()), SheetTally()),
        sum((u.peer_given for u in units.values()), SheetTally()))


@dataclass(frozen=True)
class UnitProgress:
    unit: Unit
    self_status: str | None  # Status value, or None: not opened
    peers_assigned: int  # sheets this unit must fill as a scorer
    peers_submitted: int
    appraisal_status: str | None

    @property
    def peers_missing(self) -> int:
        return self.peers_assigned - self.peers_submitted


def scoring_progress(actor: Actor, bloc_year: BlocYear) -> list[UnitProgress]:
    """Per member: self-assessment, peer sheets to do, appraisal — for the leader's
    reminders. Statuses only (no scores: sheets stay sealed)."""
    if not rules.can_run_scoring(actor, bloc_year):
        raise NotFound("Không tìm thấy khối thi đua.")
    units = list(Unit.objects.filter(memberships__bloc_year=bloc_year).order_by("sort_key"))
    counts = sheet_counts(bloc_year, [u.id for u in units]).units
    return [UnitProgress(u, counts[u.id].self_status, counts[u.id].peer_given.expected,
                         counts[u.id].peer_given.submitted, counts[u.id].appraisal_status)
            for u in units]


# --- one score sheet's page and the lists of sheets -----------------------------------------

@dataclass(frozen=True)
class SheetCells:
    """What a sheet page shows beside its criteria, each by criterion id."""

    scores: dict  # Score
    evidence: dict  # [ScoreEvidence] (a self-assessment's)
    changes: dict  # [ScoreChange] with .author, in time order (an appraisal's)
    own: dict  # the unit's submitted self-score points (beside an appraisal)
    sums: dict  # section id → its points on this sheet


def sheet_cells(sheet: ScoreSheet) -> SheetCells:
    """At most five queries whatever the number of criteria."""
    evidence, changes, own = {}, {}, {}
    if sheet.kind == Kind.SELF:
        for item in ScoreEvidence.objects.filter(score__sheet=sheet).select_related("score"):
            evidence.setdefault(item.score.criterion_id, []).append(item)
    if sheet.kind == Kind.APPRAISAL:
        for change in ScoreChange.objects.filter(score__sheet=sheet).select_related(
                "score", "author").order_by("at", "id"):
            changes.setdefault(change.score.criterion_id, []).append(change)
        own = dict(Score.objects.filter(
            sheet__table=sheet.table_id, sheet__scored_unit=sheet.scored_unit_id,
            sheet__kind=Kind.SELF, sheet__status=Status.SUBMITTED).values_list(
            "criterion_id", "points"))
    return SheetCells(
        scores={s.criterion_id: s for s in Score.objects.filter(sheet=sheet)},
        evidence=evidence, changes=changes, own=own,
        sums=dict(SectionScore.objects.filter(sheet=sheet).values_list("section_id", "points")))


def score_notes(sheet: ScoreSheet) -> dict:
    """criterion id → the note saved on the sheet."""
    return dict(Score.objects.filter(sheet=sheet).values_list("criterion_id", "note"))


def leaves_of(table: CriteriaTable, criterion_ids) -> dict:
    """criterion id → the table's leaf criterion, for those of `criterion_ids` that are
    (a section's id, or another table's, is left out)."""
    return {c.id: c for c in table.criteria.filter(id__in=list(criterion_ids),
                                                   is_section=False)}


def criterion_ids_by_code(table: CriteriaTable) -> dict:
    return dict(table.criteria.values_list("code", "id"))


def scored_registration(sheet: ScoreSheet):
    """The scored unit's submitted registration (its targets, progress reports and their
    evidence: peers read it before scoring). None on an appraisal sheet, or before any."""
    if sheet.kind == Kind.APPRAISAL:
        return None
    return Registration.objects.filter(
        bloc_year=sheet.table.bloc_year, unit_id=sheet.scored_unit_id,
        status=Registration.Status.SUBMITTED).only("id").first()


def score_evidence_in_scope(actor: Actor, evidence_id) -> ScoreEvidence:
    """An evidence file of a sheet the actor may read (sealed sheets: RULES.md 13)."""
    evidence = ScoreEvidence.objects.select_related("score").filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound("Không tìm thấy tệp.")
    try:
        services.find_sheet(actor, evidence.score.sheet_id)
    except DomainError:
        raise NotFound("Không tìm thấy tệp.") from None
    return evidence


def self_sheets(table: CriteriaTable | None, units) -> dict:
    """scored unit id → its self-assessment sheet, for these units."""
    if table is None:
        return {}
    return {s.scored_unit_id: s for s in ScoreSheet.objects.filter(
        table=table, kind=Kind.SELF, scored_unit__in=list(units))}


def peer_duties(table: CriteriaTable | None, units) -> list[tuple]:
    """(PeerAssignment, its sheet or None) of the units as scorers, by scorer then scored
    unit. Two queries."""
    if table is None:
        return []
    units = list(units)
    sheets = {(s.scorer_unit_id, s.scored_unit_id): s for s in ScoreSheet.objects.filter(
        table=table, kind=Kind.PEER, scorer_unit__in=units)}
    return [(a, sheets.get((a.scorer_unit_id, a.scored_unit_id)))
            for a in PeerAssignment.objects.filter(table=table, scorer_unit__in=units)
            .select_related("scorer_unit", "scored_unit")
            .order_by("scorer_unit__sort_key", "scored_unit__sort_key")]


def recent_reminders(bloc_year: BlocYear, limit: int = 50) -> list[Reminder]:
    return list(Reminder.objects.filter(bloc_year=bloc_year)
                .select_related("unit", "sent_by")[:limit])


@dataclass(frozen=True)
class AppraisalCells:
    sheets: dict  # (unit id, kind) → the appraisal sheet, or the submitted self sheet
    points: dict  # ((unit id, kind), criterion id) → points
    changed: set  # (unit id, criterion id) the appraisal changed


def appraisal_cells(table: CriteriaTable | None) -> AppraisalCells:
    """The appraisal grid's cells: three queries whatever the bloc's size."""
    sheets, points, changed = {}, {}, set()
    if table is None:
        return AppraisalCells(sheets, points, changed)
    for sheet in ScoreSheet.objects.filter(table=table, kind__in=[Kind.SELF, Kind.APPRAISAL]):
        if sheet.kind == Kind.APPRAISAL or sheet.is_submitted:
            sheets[(sheet.scored_unit_id, sheet.kind)] = sheet
    wanted = {s.id: key for key, s in sheets.items()}
    for sheet_id, criterion_id, value in Score.objects.filter(
            sheet_id__in=list(wanted)).values_list("sheet_id", "criterion_id", "points"):
        points[(wanted[sheet_id], criterion_id)] = value
    changed = set(ScoreChange.objects.filter(score__sheet_id__in=list(wanted)).values_list(
        "score__sheet__scored_unit_id", "score__criterion_id"))
    return AppraisalCells(sheets, points, changed)
