"""The demo's scoring year (scoring.demo): complete, published, deterministic."""

from decimal import Decimal
from fractions import Fraction

import pytest
import yaml
from django.db import transaction

from thidua.awards import services as awards
from thidua.core import audit
from thidua.demo import loader
from thidua.org.models import BlocYear
from thidua.scoring import demo, services
from thidua.scoring.domain.table import table_errors
from thidua.scoring.models import (
    PublishedRanking,
    RankingRow,
    Score,
    ScoreChange,
    ScoreSheet,
)

from .flow import prepare


def spec():
    return yaml.safe_load(loader.FIXTURE.read_text(encoding="utf-8"))


def test_demo_table_is_valid_rule_9():
    inputs = demo.table_inputs(spec()["criteria_table"])
    assert table_errors(Fraction(100), [i.spec() for i in inputs]) == []
    assert [i.code for i in inputs if not i.is_section] == [
        "I.1", "I.2", "I.3", "II.1", "II.2", "II.3", "III.1", "IV.1", "V.1",
        "B.1", "B.2", "B.3", "P.1"]
    bonus = {i.code: (i.max_points, i.params) for i in inputs if i.parent == "B"}
    # RULES.md 11: B.1 and B.2 are read from last year's awards, not typed.
    assert bonus == {"B.1": (Decimal(15), {"per_item": "15", "award_forms": ["government_flag"]}),
                     "B.2": (Decimal(10), {"per_item": "10", "award_forms": ["provincial_flag"]}),
                     "B.3": (Decimal(15), {"per_item": "2"})}


def build():
    """The demo loader plays KTKT's scoring year itself (with last year's awards as
    demo.yaml's 2022 outcome); what it published is what the demo shows (the tests ask for
    the loaded demo, tests/conftest.py `demo_province`)."""
    bloc_year = BlocYear.objects.filter(bloc__code="KTKT").order_by(
        "-emulation_year__year").first()
    return bloc_year, PublishedRanking.objects.get(table__bloc_year=bloc_year)


def test_demo_scoring_year_is_complete_and_published(demo_province):
    bloc_year, published = build()
    table = published.table
    members = bloc_year.memberships.count()
    sheets = ScoreSheet.objects.filter(table=table)
    assert sheets.filter(kind="self", status="submitted").count() == members
    # everyone scores everyone else, minus the declared conflict in both directions
    assert sheets.filter(kind="peer", status="submitted").count() == members * (members - 1) - 2
    assert sheets.filter(kind="appraisal", status="submitted").count() == members
    assert not sheets.filter(status="draft").exists()
    rows = list(RankingRow.objects.filter(ranking=published))
    assert len(rows) == members
    assert sorted(r.rank for r in rows if not r.tied) == sorted(
        {r.rank for r in rows if not r.tied})
    assert ScoreChange.objects.filter(score__sheet__table=table).exists()
    assert all(c.reason for c in ScoreChange.objects.filter(score__sheet__table=table))
    # every member's computed ranking agrees with the published one
    report = services.compute_ranking(bloc_year)
    assert [(r.unit_id, r.rank, r.final) for r in report.ranking.rows] == [
        (r.unit_id, r.rank, r.final) for r in sorted(rows, key=lambda r: (r.rank, r.unit_id))]
    assert audit.verify() is None


def test_demo_flags_of_last_year_are_the_bonus_on_the_sheets_rules_11(demo_province):
    """RULES.md 11: the units holding last year's flags (recorded as Awards before the
    sheets open) have B.1 / B.2 computed on every sheet, equal to the award history's
    bonus; the others have none, with the reason."""
    bloc_year, published = build()
    year = bloc_year.year
    # Keyed by the 2022 member each unit plays (from 2025: the agencies after NĐ 45/2025).
    units = {loader.role_of(m.unit.code): m.unit
             for m in bloc_year.memberships.select_related("unit")}
    expected = {code: awards.next_year_bonus(unit, year).points for code, unit in units.items()}
    assert {c: p for c, p in expected.items() if p} == {
        "STTTT": Decimal(15), "SCT": Decimal(10), "QDTPT": Decimal(10)}
    scores = Score.objects.filter(sheet__table=published.table, criterion__code__in=[
        "B.1", "B.2"]).select_related("sheet__scored_unit", "criterion")
    seen = set()
    for score in scores:
        code = loader.role_of(score.sheet.scored_unit.code)
        seen.add((code, score.sheet.kind))
        held = {"STTTT": "B.1", "SCT": "B.2", "QDTPT": "B.2"}.get(code)
        if score.criterion.code == held:
            assert score.points == expected[code], (code, score.sheet.kind)
            assert loader.LAST_YEAR_DECISION in score.raw["awards"][0]
        else:
            assert score.points == 0 and "Quy tắc 11" in score.raw["why"]
    assert {kind for _, kind in seen} == {"self", "peer", "appraisal"}
    assert {code for code, _ in seen} == set(units)


@pytest.mark.django_db
def test_demo_scoring_year_is_deterministic(world):
    """The same seed gives the same year: built twice (the first rolled back), the same
    ranking to the exact fraction. Built on `world` (every query ordered) rather than the
    demo loader, whose own draws must be deterministic on their own."""
    bloc_year, _, _ = prepare(world)
    data = spec()["criteria_table"]
    system = world.actor("admin")

    def ranks():
        published = demo.build_scoring_year(system, bloc_year, data, seed=7)
        return [(r.unit.code, r.rank, r.final, r.tied) for r in
                RankingRow.objects.filter(ranking=published).select_related("unit")]
    with transaction.atomic():
        first = ranks()
        transaction.set_rollback(True)
    bloc_year.refresh_from_db()
    assert not RankingRow.objects.exists()
    assert ranks() == first
    assert len(first) == 5
