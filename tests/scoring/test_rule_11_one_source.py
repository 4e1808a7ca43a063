"""RULES.md 11 from one source (issue 11 item 3): the bonus for last year's awards on the
unit's page, in the API and on the next year's score sheet is the same figure —
`awards.services.next_year_bonus` (the rulebook's values, the best award once). Before, a
unit holding both flags got 15 on the page and 15 + 10 = 25 on the sheet."""

from decimal import Decimal

import pytest
from django.urls import reverse

from api.conftest import Api
from thidua.awards.services import next_year_bonus
from thidua.scoring.models import Score

from .test_award_bonus import open_self, record, scoring  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_rule_11_page_api_and_sheet_state_one_bonus(scoring, client):  # noqa: F811
    world, bloc_year, _, actors = scoring
    year = bloc_year.year
    # Two flags for one year (an import, a mistake): the bonus counts once, the higher.
    record(world, "KT4", "government_flag", year - 1, "40/QĐ-UBND")
    record(world, "KT4", "provincial_flag", year - 1, "41/QĐ-UBND")
    unit = world.units["KT4"]
    bonus = next_year_bonus(unit, year)
    assert bonus.points == Decimal(15)

    sheet = open_self(world, bloc_year, actors, "KT4")
    cells = {s.criterion.code: s for s in Score.objects.filter(
        sheet=sheet, criterion__code__in=["B.1", "B.2"]).select_related("criterion")}
    assert (cells["B.1"].points, cells["B.2"].points) == (Decimal(15), Decimal(0))
    assert cells["B.2"].raw["why"] == (
        f"Điểm thưởng năm {year} đã tính một lần theo Cờ thi đua của Chính phủ năm "
        f"{year - 1} (Quy tắc 11).")
    sheet.refresh_from_db()
    assert sheet.bonus == bonus.points

    answer = Api(world.users["secretariat"]).get(f"/units/{unit.id}/awards").json()
    assert (answer["bonus_year"], Decimal(answer["bonus_points"])) == (year, bonus.points)
    assert answer["bonus_explanation"] == str(bonus)

    client.force_login(world.users["secretariat"])
    page = client.get(reverse("award_history", args=[unit.id])).content.decode()
    assert f"Điểm thưởng năm {year} (Quy tắc 11): {bonus}" in page


def test_rule_11_rule_35_a_citys_sheet_names_the_citys_flag(scoring):  # noqa: F811
    """In a thành phố trực thuộc trung ương the sheet's bonus sentence names the city's
    flag (RULES.md 35), as the unit page's does."""
    from thidua.org.models import Province

    world, bloc_year, _, actors = scoring
    Province.objects.filter(pk=world.province.pk).update(kind=Province.Kind.THANH_PHO)
    sheet = open_self(world, bloc_year, actors, "KT4")
    why = Score.objects.get(sheet=sheet, criterion__code="B.2").raw["why"]
    assert why == (f"Năm {bloc_year.year - 1} đơn vị không được tặng Cờ thi đua của UBND "
                   "thành phố: không cộng điểm thưởng (Quy tắc 11).")
