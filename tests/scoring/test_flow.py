"""The whole scoring year through the services, on the real database (SQLite and
PostgreSQL): RULES.md 9–16, permissions, audit events and maintained totals."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.db.models import F

from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.models import AuditEvent
from thidua.org.domain.phases import Phase
from thidua.scoring import services
from thidua.scoring.models import (
    PeerAssignment,
    RankingRow,
    Score,
    ScoreChange,
    ScoreSheet,
    SectionScore,
)

from .flow import CODES, entries_for, import_par, move_to, prepare, self_assess


def assert_totals_are_sums(sheet):
    """The maintained figures equal a rescan of the cells (DESIGN.md "Speed by design")."""
    sheet.refresh_from_db()
    loaded = services.load_table(sheet.table)
    points = {s.criterion.code: Fraction(s.points)
              for s in Score.objects.filter(sheet=sheet).select_related("criterion")}
    figures = loaded.shape.figures(points)
    assert (Fraction(sheet.total), Fraction(sheet.bonus), Fraction(sheet.penalty),
            Fraction(sheet.final)) == (figures.total, figures.bonus, figures.penalty,
                                       figures.final)
    stored = {s.section.code: Fraction(s.points)
              for s in SectionScore.objects.filter(sheet=sheet).select_related("section")}
    assert {k: v for k, v in stored.items() if v} == {
        k: v for k, v in figures.sections.items() if v}


@pytest.mark.django_db
def test_full_scoring_year_rules_9_to_16(world):
    bloc_year, table, actors = prepare(world)
    units = world.units
    sheets = self_assess(world, bloc_year, actors)
    table.refresh_from_db()
    assert table.is_locked and table.locked_at is not None  # scoring started: locked

    # RULES.md 15 on I.1, exactly (best in the bloc is KT3's 99):
    i1 = {code: Score.objects.get(sheet=sheets[code], criterion__code="I.1") for code in CODES}
    assert {c: s.points for c, s in i1.items()} == {
        "KT1": Decimal("22.50"),  # exceeded, not highest: 15 + 15·2/4
        "KT2": Decimal("15.00"),  # met
        "KT3": Decimal("30.00"),  # exceeded and highest
        "KT4": Decimal("14.21"),  # below: 15·90/95 = 270/19, stored in hundredths
        "KT5": Decimal("0.00"),  # registered nothing
    }
    assert i1["KT4"].raw["exact"] == "270/19"
    assert i1["KT5"].raw["why"] == "Đơn vị không có chỉ tiêu đã đăng ký: 0 điểm (Quy tắc 7, 15)."
    # KT1: 22.5 + 10 + 10 + 5 + 5 + 5 + 12 + 10 + 10 = 89.5, bonus B.2 10 → 99.5
    kt1 = sheets["KT1"]
    assert (kt1.total, kt1.bonus, kt1.penalty, kt1.final) == (
        Decimal("89.50"), Decimal("10.00"), Decimal("0.00"), Decimal("99.50"))
    for sheet in sheets.values():
        assert_totals_are_sums(sheet)

    move_to(world, bloc_year, Phase.APPRAISAL)
    leader = world.actor("leader")
    assert services.generate_assignments(leader, bloc_year) == 20  # 5 × 4, never self
    assert not PeerAssignment.objects.filter(scorer_unit_id=F_self()).exists()
    for scorer in CODES:
        for scored in CODES:
            if scorer == scored:
                continue
            sheet = services.open_peer_sheet(actors[scorer], bloc_year, units[scorer],
                                             units[scored])
            level = 1 if scorer == "KT5" else 0  # KT5 is a harsher scorer
            entries = {k: v for k, v in entries_for(scored, level).items()}
            services.set_scores(actors[scorer], sheet, entries)
            services.submit_sheet(actors[scorer], sheet)
            assert_totals_are_sums(sheet)

    # Appraisal: KT1's self-scored I.2 = 10 is lowered to 5, with a reason (RULES.md 12).
    appraisal = services.open_appraisal(leader, bloc_year, units["KT1"])
    assert appraisal.final == kt1.final  # starts from the self-assessment
    with pytest.raises(DomainError) as exc:
        services.appraise(leader, appraisal, "I.2", {"points": 5}, reason="  ")
    assert exc.value.messages == ["Thay đổi điểm khi thẩm định phải ghi rõ lý do (Quy tắc 12)."]
    services.appraise(leader, appraisal, "I.2", {"points": 5},
                      reason="Hai văn bản tham mưu ban hành chậm so với kế hoạch")
    appraisal.refresh_from_db()
    assert appraisal.final == Decimal("94.50")
    assert_totals_are_sums(appraisal)
    change = ScoreChange.objects.get(score__sheet=appraisal)
    assert (change.old_points, change.new_points, change.reason, change.author) == (
        Decimal("10.00"), Decimal("5.00"), "Hai văn bản tham mưu ban hành chậm so với kế hoạch",
        world.users["leader"])
    event = AuditEvent.objects.filter(action="scoring.appraisal.change").get()
    assert (event.before, event.reason, event.actor) == (
        {"I.2": "10"}, change.reason, world.users["leader"])
    services.submit_sheet(leader, appraisal)

    published = services.publish_ranking(leader, bloc_year)
    rows = list(RankingRow.objects.filter(ranking=published).order_by("rank", "unit_id"))
    report = services.compute_ranking(bloc_year)
    assert [(r.unit_id, r.rank, r.final, r.tied) for r in rows] == [
        (row.unit_id, row.rank, row.final, row.tied) for row in report.ranking.rows]
    finals = {r.unit_id: r.final for r in rows}
    assert finals[units["KT1"].id] == Fraction("94.5")  # appraised
    # KT2: mean of its four peers (KT5 scores one level lower)
    peers_of_kt2 = [Fraction(s.final) for s in ScoreSheet.objects.filter(
        scored_unit=units["KT2"], kind="peer")]
    assert finals[units["KT2"].id] == sum(peers_of_kt2) / 4
    assert {e.action for e in AuditEvent.objects.filter(action__startswith="scoring.")} == {
        "scoring.table.create", "scoring.table.lock", "scoring.imported.set",
        "scoring.score.computed", "scoring.sheet.open",
        "scoring.score.set", "scoring.evidence.add", "scoring.sheet.submit",
        "scoring.assignments.generate", "scoring.appraisal.open", "scoring.appraisal.change",
        "scoring.ranking.publish"}


def F_self():  # noqa: N802 - a query expression: scorer == scored
    return F("scored_unit_id")


@pytest.mark.django_db
def test_rule_12_required_evidence_or_note_gates_self_submission(world):
    bloc_year, table, actors = prepare(world)
    services.import_values(world.actor("leader"), table, "III.1",
                           {world.units["KT1"].id: "12"}, "Sở Nội vụ")
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    services.set_scores(actors["KT1"], sheet, {"I.2": {"points": 10}})
    with pytest.raises(DomainError) as exc:
        services.submit_sheet(actors["KT1"], sheet)
    assert exc.value.messages == [
        "Tiêu chí I.1 “Tiêu chí I.1”: cần tệp minh chứng hoặc ghi chú giải trình (Quy tắc 12).",
        *[f"Tiêu chí {c} “Tiêu chí {c}”: chưa chấm điểm." for c in
          ["I.3", "II.1", "II.2", "II.3", "IV.1", "V.1", "B.1", "B.2", "B.3", "P.1"]],
    ]
    sheet.refresh_from_db()
    assert sheet.status == "draft"


@pytest.mark.django_db
def test_permission_matrix_sealed_sheets_self_scoring_and_appraisal_rule_13(world):
    bloc_year, table, actors = prepare(world)
    units = world.units
    import_par(world, bloc_year)
    own = services.open_self_assessment(actors["KT1"], bloc_year, units["KT1"])
    services.set_scores(actors["KT1"], own, {"I.2": {"points": 10}})
    # Sealed: nobody but its author reads a draft, not even the leader or the province.
    for name in ("peer", "leader", "secretariat", "admin", "outsider", "delegate", "nobody",
                 "other_secretariat"):
        with pytest.raises(NotFound):
            services.find_sheet(world.actor(name), own.id)
    assert services.find_sheet(actors["KT1"], own.id) == own
    # Another unit cannot write it or open a self-assessment for KT1.
    with pytest.raises(Forbidden):
        services.set_scores(actors["KT2"], own, {"I.2": {"points": 0}})
    with pytest.raises(Forbidden):
        services.open_self_assessment(actors["KT2"], bloc_year, units["KT1"])
    with pytest.raises(Forbidden):
        services.open_self_assessment(world.actor("leader"), bloc_year, units["KT1"])
    assert Score.objects.get(sheet=own, criterion__code="I.2").points == Decimal("10.00")

    move_to(world, bloc_year, Phase.APPRAISAL)
    services.generate_assignments(world.actor("leader"), bloc_year)
    # RULES.md 13: never scores itself.
    with pytest.raises(Forbidden) as exc:
        services.open_peer_sheet(actors["KT1"], bloc_year, units["KT1"], units["KT1"])
    assert exc.value.messages == ["Đơn vị không được tự chấm chéo cho chính mình (Quy tắc 13)."]
    with pytest.raises(Forbidden):  # not acting for the scorer
        services.open_peer_sheet(actors["KT1"], bloc_year, units["KT2"], units["KT3"])
    # A unit cannot appraise; an outsider cannot either.
    for name in ("officer", "peer", "delegate", "outsider", "other_secretariat", "nobody"):
        with pytest.raises(Forbidden):
            services.open_appraisal(world.actor(name), bloc_year, units["KT2"])
    with pytest.raises(Forbidden):
        services.publish_ranking(world.actor("officer"), bloc_year)
    with pytest.raises(Forbidden):
        services.generate_assignments(world.actor("peer"), bloc_year)
    # A submitted peer sheet: seen by the runners and the scored unit, not by other members.
    peer_sheet = services.open_peer_sheet(actors["KT2"], bloc_year, units["KT2"], units["KT3"])
    with pytest.raises(NotFound):
        services.find_sheet(actors["KT3"], peer_sheet.id)
    services.set_scores(actors["KT2"], peer_sheet, entries_for("KT3", 0))
    services.submit_sheet(actors["KT2"], peer_sheet)
    assert services.find_sheet(actors["KT3"], peer_sheet.id) == peer_sheet
    assert services.find_sheet(world.actor("leader"), peer_sheet.id) == peer_sheet
    for name in ("officer", "outsider", "other_secretariat"):
        with pytest.raises(NotFound):
            services.find_sheet(world.actor(name), peer_sheet.id)
    with pytest.raises(Conflict):  # submitted: frozen
        services.set_scores(actors["KT2"], peer_sheet, {"I.2": {"points": 0}})


@pytest.mark.django_db
def test_rule_13_declared_conflict_excludes_both_directions(world):
    bloc_year, _, actors = prepare(world)
    units = world.units
    move_to(world, bloc_year, Phase.APPRAISAL)
    leader = world.actor("leader")
    services.generate_assignments(leader, bloc_year)
    sheet = services.open_peer_sheet(actors["KT2"], bloc_year, units["KT2"], units["KT3"])
    services.declare_conflict(actors["KT2"], bloc_year, units["KT2"], units["KT3"],
                              "Giám đốc Sở kiêm Chủ tịch Hội đồng quản lý của đơn vị kia")
    assert not ScoreSheet.objects.filter(pk=sheet.pk).exists()  # the draft is withdrawn
    assert services.generate_assignments(leader, bloc_year) == 18
    pairs = set(PeerAssignment.objects.values_list("scorer_unit_id", "scored_unit_id"))
    assert (units["KT2"].id, units["KT3"].id) not in pairs
    assert (units["KT3"].id, units["KT2"].id) not in pairs
    with pytest.raises(Forbidden):
        services.open_peer_sheet(actors["KT3"], bloc_year, units["KT3"], units["KT2"])
    with pytest.raises(Forbidden):  # a unit declares its own conflicts only
        services.declare_conflict(actors["KT4"], bloc_year, units["KT1"], units["KT5"], "x")


@pytest.mark.django_db
def test_rule_9_table_checked_whole_locked_then_versioned_with_reason(world):
    bloc_year = world.bloc_years["VX"]
    secretariat = world.actor("secretariat")
    from .flow import criteria_inputs
    bad = criteria_inputs()
    bad[1] = services.CriterionInput(code="I.1", title="Chỉ tiêu", max_points=Decimal(35),
                                     method="free", parent="I")
    with pytest.raises(DomainError) as exc:
        services.create_table(secretariat, bloc_year, name="Bảng", total=Decimal(100),
                              criteria=bad)
    assert exc.value.messages == [
        "Nhóm I “Nhóm I”: điểm chuẩn 50,00 khác tổng điểm các tiêu chí con 55,00.",
        "Tổng điểm chuẩn các tiêu chí (105,00) khác tổng điểm của bảng (100,00); điểm thưởng, "
        "điểm trừ không tính vào tổng (Quy tắc 9).",
    ]
    with pytest.raises(Forbidden):  # a unit officer does not set up the table
        services.create_table(world.actor("outsider"), bloc_year, name="Bảng",
                              total=Decimal(100), criteria=criteria_inputs())
    with pytest.raises(Forbidden):  # another bloc's leader neither
        services.create_table(world.actor("leader"), bloc_year, name="Bảng",
                              total=Decimal(100), criteria=criteria_inputs())
    table = services.create_table(secretariat, bloc_year, name="Bảng", total=Decimal(100),
                                  criteria=criteria_inputs())
    services.lock_table(secretariat, table)
    with pytest.raises(Conflict):
        services.replace_criteria(secretariat, table, criteria=criteria_inputs())
    with pytest.raises(DomainError):
        services.new_version(secretariat, table, reason=" ")
    fresh = services.new_version(secretariat, table, reason="Bổ sung tiêu chí chuyển đổi số")
    assert (fresh.version, fresh.is_locked, fresh.copied_from) == (2, False, table)
    assert services.current_table(bloc_year) == fresh
    with pytest.raises(Conflict):  # the old version is superseded
        services.new_version(secretariat, table, reason="lần nữa")
    # Copy to next year keeps the criteria exactly.
    assert services.criteria_inputs(fresh) == services.criteria_inputs(table)
