"""RULES.md 11: the bonus for last year's flags is computed on the next year's sheets.

A bonus criterion with `award_forms` reads the unit's decided awards of the previous
emulation year (awards.models.Award): 1 × its points if the unit holds one of those forms,
else 0, with the reason in the score's raw details. Scorers cannot type it; the appraisal
may change it with a reason. Built through the services on the `world` fixture.
"""

import datetime
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from thidua.awards import services as awards
from thidua.core.errors import DomainError
from thidua.core.evidence import Upload
from thidua.core.models import AuditEvent
from thidua.org import services as org
from thidua.org.domain.phases import Phase
from thidua.scoring import exporters, importers, services
from thidua.scoring.domain.table import table_errors
from thidua.scoring.models import Score, ScoreSheet

from .flow import PDF, criteria_inputs, entries_for, import_par, move_to, prepare
from .specs import leaf, section

pytestmark = pytest.mark.django_db
FORMS = {"B.1": ["government_flag"], "B.2": ["provincial_flag"]}
DECISION = "38/QĐ-UBND"


def award_inputs():
    """flow's table with B.1 / B.2 read from last year's awards."""
    return [replace(c, params={**c.params, "award_forms": FORMS[c.code]})
            if c.code in FORMS else c for c in criteria_inputs()]


def record(world, code, form, year, number=DECISION):
    system = world.actor("admin")
    emulation_year = org.ensure_year(system, world.province, year)
    return awards.record_award(world.actor("secretariat"), world.units[code], emulation_year,
                               form, decision_number=number,
                               decision_date=datetime.date(year + 1, 1, 15),
                               signer="Chủ tịch UBND tỉnh")


@pytest.fixture
def scoring(world):
    bloc_year, table, actors = prepare(world)
    services.replace_criteria(world.actor("leader"), table, criteria=award_inputs())
    year = bloc_year.year
    record(world, "KT1", "government_flag", year - 1)
    record(world, "KT2", "provincial_flag", year - 1)
    record(world, "KT3", "government_flag", year - 2, "12/QĐ-UBND")  # the year before last
    return world, bloc_year, table, actors


def cell(sheet, code):
    return Score.objects.get(sheet=sheet, criterion__code=code)


def open_self(world, bloc_year, actors, code):
    return services.open_self_assessment(actors[code], bloc_year, world.units[code])


def test_self_sheets_carry_last_years_flags_rules_11(scoring):
    """RULES.md 11: Government flag last year → B.1 = 15; provincial → B.2 = 10; none (or
    only the year before last) → 0 with the reason; the decision is in the raw details."""
    world, bloc_year, _, actors = scoring
    year = bloc_year.year
    sheets = {code: open_self(world, bloc_year, actors, code)
              for code in ("KT1", "KT2", "KT3", "KT4")}
    kt1 = cell(sheets["KT1"], "B.1")
    assert kt1.points == Decimal(15)
    assert kt1.raw["count"] == 1
    assert kt1.raw["awards"] == [f"Cờ thi đua của Chính phủ năm {year - 1} — Quyết định số "
                                 f"{DECISION} ngày 15/01/{year}"]
    assert cell(sheets["KT1"], "B.2").points == Decimal(0)
    assert cell(sheets["KT2"], "B.2").points == Decimal(10)
    assert "Cờ thi đua của UBND tỉnh" in cell(sheets["KT2"], "B.2").raw["awards"][0]
    assert cell(sheets["KT2"], "B.1").points == Decimal(0)
    for code in ("KT3", "KT4"):  # KT3's flag is of the year before last: it does not count
        for criterion in ("B.1", "B.2"):
            score = cell(sheets[code], criterion)
            assert score.points == Decimal(0)
            assert score.raw["count"] == 0 and score.raw["awards"] == []
            assert "Quy tắc 11" in score.raw["why"] and str(year - 1) in score.raw["why"]
    for code, bonus in (("KT1", 15), ("KT2", 10), ("KT3", 0), ("KT4", 0)):
        sheets[code].refresh_from_db()
        assert sheets[code].bonus == Decimal(bonus)


def test_rule_6_last_year_means_the_emulation_year_not_the_decision_date(scoring):
    """RULES.md 6: an award counts for the emulation year it was given for, whatever the
    calendar year of its decision. KT4's provincial flag of the year before last, decided
    on 31/12 of last year, gives nothing; KT5's flag of last year, decided in March of
    this year, gives 10."""
    world, bloc_year, _, actors = scoring
    year = bloc_year.year
    secretariat, system = world.actor("secretariat"), world.actor("admin")
    for code, emulation_year, decided in (("KT4", year - 2, datetime.date(year - 1, 12, 31)),
                                          ("KT5", year - 1, datetime.date(year, 3, 2))):
        awards.record_award(secretariat, world.units[code],
                            org.ensure_year(system, world.province, emulation_year),
                            "provincial_flag", decision_number=f"9{code[-1]}/QĐ-UBND",
                            decision_date=decided, signer="Chủ tịch UBND tỉnh")
    kt4 = cell(open_self(world, bloc_year, actors, "KT4"), "B.2")
    kt5 = cell(open_self(world, bloc_year, actors, "KT5"), "B.2")
    assert (kt4.points, kt4.raw["count"], kt4.raw["awards"]) == (Decimal(0), 0, [])
    assert (kt5.points, kt5.raw["count"], kt5.raw["awards"]) == (Decimal(10), 1, [
        f"Cờ thi đua của UBND tỉnh năm {year - 1} — Quyết định số 95/QĐ-UBND "
        f"ngày 02/03/{year}"])


def test_officer_cannot_type_the_award_bonus_rules_11(scoring):
    world, bloc_year, _, actors = scoring
    sheet = open_self(world, bloc_year, actors, "KT1")
    before = (AuditEvent.objects.count(), list(Score.objects.filter(sheet=sheet).values_list(
        "criterion__code", "points", "raw")))
    with pytest.raises(DomainError) as refused:
        services.set_scores(actors["KT1"], sheet, {"B.1": {"count": 0}})
    assert refused.value.messages == ["Tiêu chí B.1 “Tiêu chí B.1”: được tính tự động, không "
                                      "nhập tay."]
    assert (AuditEvent.objects.count(), list(Score.objects.filter(sheet=sheet).values_list(
        "criterion__code", "points", "raw"))) == before


def submit_self(world, bloc_year, actors, code):
    sheet = open_self(world, bloc_year, actors, code)
    typed = {k: v for k, v in entries_for(code, 0).items() if k not in FORMS}
    services.set_scores(actors[code], sheet, typed)
    services.attach_evidence(actors[code], sheet, "I.1",
                             [Upload("bao-cao-chi-tieu.pdf", PDF)])
    services.set_scores(actors[code], sheet, {"II.3": {"count": 3, "note": "Ba điển hình"}})
    return services.submit_sheet(actors[code], sheet)


def test_submission_recomputes_and_peer_and_appraisal_sheets_carry_it_rules_11(scoring):
    """An award recorded after the sheet opened counts at submission; peer sheets (so
    the mean of peers) carry the bonus; the appraisal copies it and may change it with a
    reason."""
    world, bloc_year, _, actors = scoring
    import_par(world, bloc_year)
    sheet = open_self(world, bloc_year, actors, "KT4")
    assert cell(sheet, "B.2").points == Decimal(0)
    record(world, "KT4", "provincial_flag", bloc_year.year - 1, "40/QĐ-UBND")
    submitted = submit_self(world, bloc_year, actors, "KT4")
    assert cell(submitted, "B.2").points == Decimal(10)
    assert "40/QĐ-UBND" in cell(submitted, "B.2").raw["awards"][0]
    submit_self(world, bloc_year, actors, "KT1")

    move_to(world, bloc_year, Phase.APPRAISAL)
    leader = world.actor("leader")
    services.generate_assignments(leader, bloc_year)
    peer = services.open_peer_sheet(actors["KT2"], bloc_year, world.units["KT2"],
                                    world.units["KT1"])
    assert cell(peer, "B.1").points == Decimal(15)
    assert DECISION in cell(peer, "B.1").raw["awards"][0]
    with pytest.raises(DomainError):
        services.set_scores(actors["KT2"], peer, {"B.1": {"count": 0}})

    appraisal = services.open_appraisal(leader, bloc_year, world.units["KT1"])
    assert cell(appraisal, "B.1").points == Decimal(15)
    services.appraise(leader, appraisal, "B.1", {"count": 0},
                      reason="Quyết định khen thưởng bị thu hồi.")
    appraisal.refresh_from_db()
    assert cell(appraisal, "B.1").points == Decimal(0) and appraisal.bonus == Decimal(0)
    services.submit_sheet(leader, appraisal)  # the appraiser's correction is not overwritten
    assert cell(appraisal, "B.1").points == Decimal(0)
    assert ScoreSheet.objects.get(pk=appraisal.pk).status == "submitted"


def test_table_validation_of_award_forms_rules_11():
    base = [section("B", 15)]
    unknown = table_errors(Fraction(100), [section("I", 100), leaf("I.1", 100, "free", "I"), *base,
                                    leaf("B.1", 15, "bonus", "B", per_item=15,
                                         award_forms=["medal"])])
    assert unknown == ["Tiêu chí B.1 “Tiêu chí B.1”: hình thức khen thưởng “medal” không có "
                       "trong danh sách (Cờ thi đua của Chính phủ, Cờ thi đua của UBND tỉnh, "
                       "Bằng khen của Chủ tịch UBND tỉnh, Tập thể lao động xuất sắc)."]
    misplaced = table_errors(Fraction(100), [section("I", 100),
                                      leaf("I.1", 100, "count", "I", per_item=10,
                                           award_forms=["government_flag"])])
    assert misplaced == ["Tiêu chí I.1 “Tiêu chí I.1”: chỉ tiêu chí điểm thưởng mới được tính "
                         "theo khen thưởng năm trước (Quy tắc 11)."]
    empty = table_errors(Fraction(100), [section("I", 100), leaf("I.1", 100, "free", "I"), *base,
                                  leaf("B.1", 15, "bonus", "B", per_item=15, award_forms=[])])
    assert len(empty) == 1 and "ít nhất một hình thức" in empty[0]


def test_service_refuses_an_unknown_award_form(world):
    bloc_year, table, _ = prepare(world)
    broken = [replace(c, params={**c.params, "award_forms": ["silver_flag"]})
              if c.code == "B.1" else c for c in criteria_inputs()]
    with pytest.raises(DomainError) as refused:
        services.replace_criteria(world.actor("leader"), table, criteria=broken)
    assert "B.1" in refused.value.messages[0] and "silver_flag" in refused.value.messages[0]


def test_excel_round_trip_and_copy_keep_award_forms(scoring):
    world, bloc_year, table, _ = scoring
    content = exporters.export_table(table)
    result = importers.import_table(world.actor("leader"), bloc_year, "bang.xlsx", content)
    assert result.action == "unchanged"
    created = importers.import_table(world.actor("secretariat"), world.bloc_years["VX"],
                                     "bang.xlsx", content).table
    assert {c.code: c.params.get("award_forms") for c in created.criteria.all()
            if c.code in FORMS} == FORMS
    # A copy to another bloc year keeps the parameter too.
    system = world.actor("admin")
    following = org.ensure_year(system, world.province, bloc_year.year + 1)
    nxt = org.create_bloc_year(system, bloc_year.bloc, following,
                               members=[m.unit for m in bloc_year.memberships.all()],
                               leader=world.units["KT2"], deputies=[world.units["KT3"]])
    copied = services.copy_table(world.actor("secretariat"), table, nxt)
    assert {c.code: c.params.get("award_forms") for c in copied.criteria.all()
            if c.code in FORMS} == FORMS


def test_excel_unknown_award_form_refused_with_its_cell(scoring):
    from .excel import edit, row_of
    world, bloc_year, table, _ = scoring
    content = exporters.export_table(table)
    row = row_of(content, exporters.TABLE_SHEET, "B.1")
    changed = edit(content, {(row, "L"): "Huân chương"}, exporters.TABLE_SHEET)
    with pytest.raises(importers.DomainError) as refused:
        importers.import_table(world.actor("leader"), bloc_year, "b.xlsx", changed)
    assert refused.value.messages == [
        f"Trang 'Tiêu chí', dòng {row}, cột L: hình thức khen thưởng “Huân chương” không có "
        "trong danh sách (Cờ thi đua của Chính phủ, Cờ thi đua của UBND tỉnh, Bằng khen của "
        "Chủ tịch UBND tỉnh, Tập thể lao động xuất sắc)."]


def test_sheet_page_shows_the_bonus_and_its_decision_rules_11(scoring, client):
    """The sheet page shows B.1's points read-only with the award and decision, as it
    shows the other computed criteria's details; a unit without says why."""
    import html

    from django.urls import reverse
    world, bloc_year, _, actors = scoring
    year = bloc_year.year
    sheet = open_self(world, bloc_year, actors, "KT1")
    client.force_login(world.users["officer"])
    page = html.unescape(client.get(reverse("scoring_sheet", args=[sheet.pk])).content.decode())
    assert (f"Điểm thưởng vì năm trước được tặng (Quy tắc 11): Cờ thi đua của Chính phủ năm "
            f"{year - 1} — Quyết định số {DECISION} ngày 15/01/{year}.") in page
    assert (f"Năm {year - 1} đơn vị không được tặng Cờ thi đua của UBND tỉnh: không cộng "
            "điểm thưởng (Quy tắc 11).") in page
    b1 = sheet.table.criteria.get(code="B.1").id
    row = page.split(f'id="dong-{b1}"')[1].split('id="dong-')[0]
    assert 'class="form-dong"' not in row and 'name="count"' not in row  # nothing to type
