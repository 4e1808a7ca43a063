"""Scoring services at their edges: phase gates, atomic imports, publication refusals,
ties published as ties, a new table version carrying sheets over, rulebook settings."""

from decimal import Decimal

import pytest

from thidua.core.errors import Conflict, DomainError
from thidua.core.models import AuditEvent
from thidua.org.domain.phases import Phase
from thidua.scoring import services
from thidua.scoring.models import ImportedValue, RankingRow, Score, ScoreSheet

from .flow import CODES, criteria_inputs, entries_for, import_par, move_to, prepare, self_assess


@pytest.mark.django_db
def test_phase_gates_self_assessment_then_appraisal(world):
    bloc_year, _, actors = prepare(world)
    units = world.units
    move_to(world, bloc_year, Phase.APPRAISAL)
    with pytest.raises(Conflict) as exc:  # self-assessment is over
        services.open_self_assessment(actors["KT1"], bloc_year, units["KT1"])
    assert exc.value.messages == ["Khối không ở giai đoạn tự chấm điểm."]
    with pytest.raises(Conflict) as exc:  # nothing submitted: nothing to appraise
        services.open_appraisal(world.actor("leader"), bloc_year, units["KT1"])
    assert exc.value.messages == ["Sở Công Thương chưa gửi phiếu tự chấm điểm; chưa thẩm định "
                                  "được."]


@pytest.mark.django_db
def test_peer_review_waits_for_the_appraisal_phase(world):
    bloc_year, _, actors = prepare(world)
    services.generate_assignments(world.actor("leader"), bloc_year)  # allowed early
    with pytest.raises(Conflict):
        services.open_peer_sheet(actors["KT1"], bloc_year, world.units["KT1"],
                                 world.units["KT2"])


@pytest.mark.django_db
def test_import_is_all_or_nothing_rule_10(world):
    bloc_year, table, _ = prepare(world)
    units = world.units
    with pytest.raises(DomainError) as exc:
        services.import_values(world.actor("leader"), table, "III.1",
                               {units["KT1"].id: "12", units["KT2"].id: "15.5",
                                units["VX1"].id: "3"}, "Sở Nội vụ")
    assert exc.value.messages == [
        "Sở Tài chính: Tiêu chí III.1 “Tiêu chí III.1”: điểm phải từ 0 đến 15,00 (Quy tắc "
        "10); đã nhập 15,50.",
        f"Đơn vị #{units['VX1'].id} không thuộc khối năm này.",
    ]
    assert not ImportedValue.objects.exists()
    with pytest.raises(DomainError):
        services.import_values(world.actor("leader"), table, "I.2", {}, "x")


@pytest.mark.django_db
def test_typed_scores_checked_whole_nothing_written_on_error_rule_10(world):
    bloc_year, _, actors = prepare(world)
    import_par(world, bloc_year)
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    before = Score.objects.filter(sheet=sheet).count()
    with pytest.raises(DomainError) as exc:
        services.set_scores(actors["KT1"], sheet, {"I.2": {"points": 10}, "I.3": {"points": 7},
                                                   "I.1": {"points": 30}, "Z.9": {"points": 1}})
    assert exc.value.messages == [
        "Tiêu chí I.3 “Tiêu chí I.3”: chỉ được chấm một trong các mức 0,00, 5,00, 10,00; "
        "đã nhập 7,00.",
        "Tiêu chí I.1 “Tiêu chí I.1”: được tính tự động, không nhập tay.",
        "Bảng tiêu chí không có tiêu chí Z.9 để chấm.",
    ]
    assert Score.objects.filter(sheet=sheet).count() == before


@pytest.mark.django_db
def test_publication_refused_while_a_unit_has_no_score_rule_14(world):
    bloc_year, _, actors = prepare(world)
    self_assess(world, bloc_year, actors)
    move_to(world, bloc_year, Phase.APPRAISAL)
    leader = world.actor("leader")
    services.generate_assignments(leader, bloc_year)
    units = world.units
    for scorer in CODES[1:]:  # nobody scores KT1 yet; KT1 scores nobody
        for scored in CODES[1:]:
            if scorer != scored:
                sheet = services.open_peer_sheet(actors[scorer], bloc_year, units[scorer],
                                                 units[scored])
                services.set_scores(actors[scorer], sheet, entries_for(scored, 0))
                services.submit_sheet(actors[scorer], sheet)
    with pytest.raises(Conflict) as exc:
        services.publish_ranking(leader, bloc_year)
    assert exc.value.messages == ["Chưa đủ điểm để xếp hạng (Quy tắc 14): Sở Công Thương chưa "
                                  "có điểm thẩm định hoặc phiếu chấm chéo nào đã gửi."]
    assert not RankingRow.objects.exists()
    # KT2..KT5 scored each other identically on typed criteria; those with equal I.1 and
    # PAR tie. Appraising KT1 completes the set and the ranking publishes, ties as ties.
    sheet = services.open_appraisal(leader, bloc_year, units["KT1"])
    services.submit_sheet(leader, sheet)
    published = services.publish_ranking(leader, bloc_year)
    rows = list(RankingRow.objects.filter(ranking=published))
    assert len(rows) == 5
    report = services.compute_ranking(bloc_year)
    assert {r.unit_id: (r.rank, r.tied) for r in rows} == {
        r.unit_id: (r.rank, r.tied) for r in report.ranking.rows}
    event = AuditEvent.objects.get(action="scoring.ranking.publish")
    assert event.after["aggregation"] == "appraised"


@pytest.mark.django_db
def test_new_version_carries_sheets_over_as_drafts(world):
    bloc_year, table, actors = prepare(world)
    import_par(world, bloc_year)
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    services.set_scores(actors["KT1"], sheet, {"I.2": {"points": 10}, "I.3": {"points": 5},
                                               "V.1": {"items": 1}})
    leader = world.actor("leader")
    changed = [c if c.code != "I.3" else services.CriterionInput(
        code="I.3", title=c.title, max_points=Decimal(10), method="graded", parent="I",
        params={"grades": [0, 2, 10]}) for c in criteria_inputs()]
    fresh = services.new_version(leader, table, reason="Sửa các mức của tiêu chí I.3",
                                 criteria=changed)
    services.lock_table(leader, fresh)
    carried = ScoreSheet.objects.get(table=fresh, kind="self")
    points = {s.criterion.code: s.points for s in carried.scores.select_related("criterion")}
    # I.3 = 5 is no longer a grade: to be scored again; the others are kept.
    assert points["I.2"] == Decimal("10.00") and points["V.1"] == Decimal("8.00")
    assert "I.3" not in points
    assert carried.status == "draft"
    assert carried.total == sum(points[c] for c in points if c[0] in "IV" and "." in c)
    with pytest.raises(Conflict):  # the old version's sheet is frozen history
        services.set_scores(actors["KT1"], sheet, {"I.2": {"points": 5}})


@pytest.mark.django_db
def test_settings_come_from_the_rulebook_or_the_rules_md_defaults(world):
    settings = services.scoring_settings(world.bloc_years["KT"])
    assert settings.aggregation in ("appraised", "mean", "trimmed_mean", "median")
    assert settings.tie_break_chain[-1] == "vote"
    assert settings.source
    assert services.DEFAULT_SETTINGS.tie_break_chain == ("section:I", "fewer_penalty", "vote")
