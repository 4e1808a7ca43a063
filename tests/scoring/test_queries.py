"""Read side of scoring (scoring.queries): what each actor sees, in a fixed number of
queries whatever the number of units or criteria."""

from decimal import Decimal
from fractions import Fraction

import pytest

from thidua.core.errors import NotFound
from thidua.org.domain.phases import Phase
from thidua.scoring import queries, services
from thidua.scoring.domain.aggregation import MEDIAN, TRIMMED_MEAN
from thidua.scoring.models import ScoreSheet
from thidua.scoring.services import ScoringSettings

from .flow import CODES, entries_for, move_to, prepare, self_assess


def peer_review(world, bloc_year, actors, harsh=("KT5",)):
    units = world.units
    move_to(world, bloc_year, Phase.APPRAISAL)
    services.generate_assignments(world.actor("leader"), bloc_year)
    for scorer in CODES:
        for scored in CODES:
            if scorer != scored:
                sheet = services.open_peer_sheet(actors[scorer], bloc_year, units[scorer],
                                                 units[scored])
                services.set_scores(actors[scorer], sheet,
                                    entries_for(scored, 1 if scorer in harsh else 0))
                services.submit_sheet(actors[scorer], sheet)


@pytest.fixture
def scored_year(world):
    bloc_year, table, actors = prepare(world)
    self_assess(world, bloc_year, actors)
    peer_review(world, bloc_year, actors)
    leader = world.actor("leader")
    sheet = services.open_appraisal(leader, bloc_year, world.units["KT1"])
    services.appraise(leader, sheet, "I.2", {"points": 5}, reason="Chậm hai văn bản")
    services.submit_sheet(leader, sheet)
    return bloc_year, actors


@pytest.mark.django_db
def test_unit_breakdown_criterion_by_criterion_with_evidence_and_changes(
        world, scored_year, django_assert_max_num_queries):
    bloc_year, actors = scored_year
    with django_assert_max_num_queries(9):
        view = queries.unit_breakdown(actors["KT1"], bloc_year, world.units["KT1"])
        lines = {line.criterion.code: line for line in view.lines}
        [(line.evidence, line.changes) for line in view.lines]
    assert [(c, lines[c].depth) for c in ("I", "I.1", "B", "B.2")] == [
        ("I", 0), ("I.1", 1), ("B", 0), ("B.2", 1)]
    i2 = lines["I.2"]
    assert (i2.self_points, i2.appraised_points) == (Decimal("10.00"), Decimal("5.00"))
    assert [(c.old_points, c.new_points, c.reason) for c in i2.changes] == [
        (Decimal("10.00"), Decimal("5.00"), "Chậm hai văn bản")]
    # Peers: KT5 is one level harsher on I.2 (5 instead of 10): (10·3 + 5) / 4
    assert (i2.peer_mean, i2.peer_count) == (Fraction(35, 4), 4)
    assert [e.original_name for e in lines["I.1"].evidence] == ["bao-cao-chi-tieu.pdf"]
    assert lines["II.3"].self_note == "Ba điển hình được UBND tỉnh biểu dương"
    assert view.running_total == "89,50 / 100,00"
    assert len(view.peer_finals) == 4


@pytest.mark.django_db
def test_breakdown_is_private_until_published(world, scored_year):
    bloc_year, actors = scored_year
    for name in ("peer", "delegate", "outsider", "other_secretariat", "nobody"):
        with pytest.raises(NotFound):
            queries.unit_breakdown(world.actor(name), bloc_year, world.units["KT1"])
    services.publish_ranking(world.actor("leader"), bloc_year)
    for name in ("peer", "delegate"):  # members of the bloc year now read it
        view = queries.unit_breakdown(world.actor(name), bloc_year, world.units["KT1"])
        assert {line.criterion.code: line.appraised_points for line in view.lines}["I.2"] == \
            Decimal("5.00")
    for name in ("outsider", "other_secretariat", "nobody"):
        with pytest.raises(NotFound):
            queries.unit_breakdown(world.actor(name), bloc_year, world.units["KT1"])


@pytest.mark.django_db
def test_published_ranking_and_progress_in_fixed_queries(world, scored_year,
                                                         django_assert_max_num_queries):
    bloc_year, _ = scored_year
    leader = world.actor("leader")
    with django_assert_max_num_queries(5):
        progress = queries.scoring_progress(leader, bloc_year)
    assert [(p.unit.code, p.self_status, p.peers_assigned, p.peers_missing,
             p.appraisal_status) for p in sorted(progress, key=lambda p: p.unit.code)] == [
        ("KT1", "submitted", 4, 0, "submitted"),
        *[(c, "submitted", 4, 0, None) for c in CODES[1:]]]
    assert queries.published_ranking(leader, bloc_year) is None
    services.publish_ranking(leader, bloc_year)
    officer = world.actor("officer")
    with django_assert_max_num_queries(6):
        view = queries.published_ranking(officer, bloc_year)
        lines = [(line.unit.code, line.row.rank, line.final, line.section("I"), line.spread)
                 for line in view.lines]
    assert [code for code, *_ in view.sections] == ["I", "II", "III", "IV", "V"]
    report = services.compute_ranking(bloc_year)
    code_of = {unit.id: code for code, unit in world.units.items()}
    assert sorted((code, rank, final) for code, rank, final, _, _ in lines) == sorted(
        (code_of[r.unit_id], r.rank, r.final) for r in report.ranking.rows)
    assert [final for _, _, final, _, _ in lines] == sorted(
        (final for _, _, final, _, _ in lines), reverse=True)
    with pytest.raises(NotFound):
        queries.published_ranking(world.actor("outsider"), bloc_year)
    with pytest.raises(NotFound):
        queries.scoring_progress(officer, bloc_year)


@pytest.mark.django_db
def test_rule_14_rulebook_method_changes_the_final_and_stability_shows_it(world, scored_year):
    bloc_year, _ = scored_year
    kt2 = world.units["KT2"].id
    peers = sorted(Fraction(s.final) for s in ScoreSheet.objects.filter(
        scored_unit_id=kt2, kind="peer"))
    trimmed = services.compute_ranking(
        bloc_year, ScoringSettings(TRIMMED_MEAN, ("section:I", "fewer_penalty", "vote"), "test"))
    assert trimmed.results[kt2].final == sum(peers[1:-1]) / 2
    median = services.compute_ranking(bloc_year, ScoringSettings(MEDIAN, (), "test"))
    assert median.results[kt2].final == (peers[1] + peers[2]) / 2
    default = services.compute_ranking(bloc_year)
    assert default.settings.aggregation == "appraised"
    assert set(default.stability) == {"mean", "trimmed_mean", "median"}
    assert default.results[world.units["KT1"].id].method == "appraised"
    assert default.results[kt2].method == "mean"  # not appraised yet: the mean of peers
    assert default.results[kt2].spread == peers[-1] - peers[0]
