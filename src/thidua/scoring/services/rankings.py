"""Aggregation, ranking and publication (RULES.md 14, 16): one pass of SQL sums per table,
the functional core ranks."""

from dataclasses import dataclass
from fractions import Fraction

from django.db import connection, transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError
from thidua.org.models import BlocYear, Membership, Unit
from thidua.org.rules import Actor
from thidua.scoring import rules
from thidua.scoring.domain import aggregation, ranking
from thidua.scoring.models import (
    CriteriaTable,
    Criterion,
    PublishedRanking,
    RankingRow,
    ScoreSheet,
    SectionScore,
)
from thidua.scoring.services.common import Kind, Status, province_id_of, user_of
from thidua.scoring.services.rulebook import ScoringSettings, scoring_settings


@dataclass(frozen=True)
class RankingReport:
    table: CriteriaTable
    settings: ScoringSettings
    results: dict  # unit id → UnitResult
    ranking: ranking.Ranking
    stability: dict  # other method → [RankShift]
    section_codes: tuple


# The ranking reads only the sheets' maintained sums, as integer hundredths computed by the
# database (no Decimal per value, no model instances), and the table's section codes: it
# is the hot path of every ranking page and of the national benchmark (DESIGN.md "Speed
# by design"), so the few statements are plain SQL on one cursor.
_HUNDREDTHS_CACHE: dict[int, Fraction] = {}


def _exact(hundredths: int) -> Fraction:
    """hundredths / 100 as a Fraction, shared for the values seen before (sums of 2-decimal
    points repeat a lot: a national ranking builds hundreds of thousands of them)."""
    value = _HUNDREDTHS_CACHE.get(hundredths)
    if value is None:
        value = Fraction(hundredths, 100)
        if len(_HUNDREDTHS_CACHE) < 200_000:
            _HUNDREDTHS_CACHE[hundredths] = value
    return value


def _h(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


# Table names come from the models and every value is a parameter.
_SUMS_SQL = " ".join([  # noqa: S608
    "SELECT sh.table_id, sh.id, sh.scored_unit_id, sh.kind,",
    f"{_h('sh.final')}, {_h('sh.bonus')}, {_h('sh.penalty')}, ss.section_id, {_h('ss.points')}",
    f"FROM {ScoreSheet._meta.db_table} sh",
    f"LEFT JOIN {SectionScore._meta.db_table} ss ON ss.sheet_id = sh.id",
    "WHERE sh.status = %s AND sh.table_id IN ({tables})"])


_SECTIONS_SQL = " ".join([
    f"SELECT table_id, id, code FROM {Criterion._meta.db_table}",  # noqa: S608
    "WHERE is_section = %s AND table_id IN ({tables}) ORDER BY table_id, position, id"])


_MEMBERS_SQL = " ".join([
    f"SELECT bloc_year_id, unit_id FROM {Membership._meta.db_table}",  # noqa: S608
    "WHERE bloc_year_id IN ({ids})"])


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


class _Sums:
    """Many tables' submitted sheets and section sums, read in three statements: the
    core's inputs for each bloc (`units`) and each table's section codes (`codes`)."""

    def __init__(self, tables: dict):  # bloc year id → CriteriaTable
        self.codes: dict[int, dict] = {}  # table id → {section id: code}, in table order
        self.members: dict[int, set] = {}  # bloc year id → unit ids
        self.sheets: dict[int, list] = {}  # table id → [(id, unit, kind, final, bonus, pen)]
        self.sections: dict[int, dict] = {}  # sheet id → {section code: Fraction}
        table_ids = [t.id for t in tables.values()]
        if not table_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(_SECTIONS_SQL.format(tables=_in(table_ids)), [True, *table_ids])
            for table_id, criterion_id, code in cursor.fetchall():
                self.codes.setdefault(table_id, {})[criterion_id] = code
            cursor.execute(_MEMBERS_SQL.format(ids=_in(tables)), list(tables))
            for bloc_year_id, unit_id in cursor.fetchall():
                self.members.setdefault(bloc_year_id, set()).add(unit_id)
            cursor.execute(_SUMS_SQL.format(tables=_in(table_ids)),
                           [Status.SUBMITTED, *table_ids])
            rows = cursor.fetchall()
        codes = {i: code for table_codes in self.codes.values() for i, code in table_codes.items()}
        seen = set()
        for table_id, sheet_id, unit_id, kind, final, bonus, penalty, section, points in rows:
            if sheet_id not in seen:
                seen.add(sheet_id)
                self.sheets.setdefault(table_id, []).append(
                    (sheet_id, unit_id, kind, final, bonus, penalty))
            if section is not None:
                self.sections.setdefault(sheet_id, {})[codes[section]] = _exact(points)

    def section_codes(self, table) -> tuple:
        return tuple(self.codes.get(table.id, {}).values())

    def units(self, bloc_year_id: int, table) -> list:
        return _unit_values(frozenset(self.members.get(bloc_year_id, ())),
                            self.sheets.get(table.id, []), self.sections)


def unit_sheets(table: CriteriaTable) -> list:
    """Every member's submitted sheets as the core's values: three statements whatever
    the size of the bloc (the sheets' maintained totals and section sums, never the
    cells)."""
    return _Sums({table.bloc_year_id: table}).units(table.bloc_year_id, table)


def _unit_values(members, sheets, sections) -> list:
    """The core's values of a bloc's members from its submitted sheets' maintained
    figures: `sheets` rows (id, scored unit, kind, final, bonus, penalty) in hundredths,
    `sections` {sheet id: {section code: points}}."""
    peers: dict[int, list] = {u: [] for u in members}
    appraisal, own = {}, {}
    for sheet_id, unit_id, kind, final, bonus, penalty in sheets:
        if unit_id not in members:
            continue
        values = aggregation.SheetValues(_exact(final), _exact(bonus), _exact(penalty),
                                         sections.get(sheet_id, {}))
        if kind == Kind.PEER:
            peers[unit_id].append(values)
        elif kind == Kind.APPRAISAL:
            appraisal[unit_id] = values
        else:
            own[unit_id] = values
    return [aggregation.UnitSheets(u, tuple(peers[u]), appraisal.get(u), own.get(u))
            for u in sorted(members)]


def compute_ranking(bloc_year: BlocYear, settings: ScoringSettings | None = None
                    ) -> RankingReport:
    """The ranking as it stands, with the stability check (no writes)."""
    return _rankings([bloc_year], settings).get(bloc_year.id) or _no_table()


def _no_table():
    raise Conflict("Khối chưa có bảng tiêu chí chấm điểm năm này.")


def compute_rankings(bloc_years) -> dict[int, RankingReport]:
    """The rankings of many bloc years at once (a province's, the nation's): each exactly
    what `compute_ranking` gives, but every bloc's maintained totals are read in four
    statements whatever their number. Keyed by bloc year id; bloc years without a table
    are left out. The rulebook settings are read once per province."""
    return _rankings(bloc_years)


def _rankings(bloc_years, settings: ScoringSettings | None = None) -> dict:
    bloc_years = {b.id: b for b in bloc_years}
    tables: dict[int, CriteriaTable] = {}
    for table in CriteriaTable.objects.filter(bloc_year_id__in=list(bloc_years)).order_by(
            "bloc_year_id", "-version"):
        tables.setdefault(table.bloc_year_id, table)
    sums = _Sums(tables)
    settings_of: dict[int, ScoringSettings] = {}
    reports = {}
    for bloc_year_id, table in tables.items():
        bloc_year = bloc_years[bloc_year_id]
        table.bloc_year = bloc_year
        province = bloc_year.bloc.province_id
        if settings is not None:
            settings_of[province] = settings
        elif province not in settings_of:
            settings_of[province] = scoring_settings(bloc_year)
        reports[bloc_year_id] = _report(table, settings_of[province],
                                        sums.section_codes(table),
                                        sums.units(bloc_year_id, table))
    return reports


def _report(table, settings: ScoringSettings, codes: tuple, units) -> RankingReport:
    problems = ranking.check_chain(settings.tie_break_chain)
    if problems:
        raise DomainError(*problems)
    if settings.aggregation in aggregation.AGGREGATIONS:
        every = aggregation.unit_results_all(units, codes)  # one pass for all four methods
        results = every[settings.aggregation]
        ranked = ranking.rank(results, settings.tie_break_chain)
    else:  # the core refuses an unknown method with its own sentence
        every = None
        results, ranked = ranking.rank_by(settings.aggregation, units, codes,
                                          settings.tie_break_chain)
    shifts = ranking.stability(settings.aggregation, units, codes, settings.tie_break_chain,
                               base=ranked, results=every)
    return RankingReport(table, settings, {r.unit_id: r for r in results}, ranked, shifts,
                         codes)


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


@transaction.atomic
def publish_ranking(actor: Actor, bloc_year: BlocYear) -> PublishedRanking:
    """Store the ranking as published. Refused while a member has no final score (nothing
    decided silently, RULES.md 14): the units are named. Ties are published as ties."""
    if refusal := rules.publish_refusal(actor, bloc_year):
        raise refusal
    report = compute_ranking(bloc_year)
    if report.ranking.missing:
        names = dict(Unit.objects.filter(id__in=report.ranking.missing)
                     .values_list("id", "name"))
        raise Conflict("Chưa đủ điểm để xếp hạng (Quy tắc 14): " + ", ".join(
            names[u] for u in report.ranking.missing) + " chưa có điểm thẩm định hoặc phiếu "
            "chấm chéo nào đã gửi.")
    published = PublishedRanking.objects.create(
        table=report.table, published_at=timezone.now(), published_by=user_of(actor),
        aggregation=report.settings.aggregation,
        tie_break_chain=list(report.settings.tie_break_chain))
    rows = []
    for row in report.ranking.rows:
        result = report.results[row.unit_id]
        rows.append(RankingRow(
            ranking=published, unit_id=row.unit_id, rank=row.rank,
            final_numerator=row.final.numerator, final_denominator=row.final.denominator,
            tied=row.tied, tie_needs=row.tie_needs, decided_by=row.decided_by,
            method=result.method, trimmed=result.trimmed, peer_count=result.peer_count,
            figures={"sections": {c: _fraction_text(v) for c, v in result.sections.items()},
                     "bonus": _fraction_text(result.bonus),
                     "penalty": _fraction_text(result.penalty),
                     "spread": _fraction_text(result.spread),
                     "self_final": _fraction_text(result.self_final)}))
    RankingRow.objects.bulk_create(rows)
    audit.record(actor, "scoring.ranking.publish", published,
                 province_id=province_id_of(bloc_year),
                 after={"aggregation": published.aggregation,
                        "tie_break_chain": published.tie_break_chain,
                        "settings_source": report.settings.source,
                        "ranks": [[r.unit_id, r.rank, _fraction_text(r.final), r.tied]
                                  for r in report.ranking.rows]})
    return published
