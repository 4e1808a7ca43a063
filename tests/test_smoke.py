from thidua.org.queries import search_units
from thidua.pledges.queries import bloc_year_view, province_overview, unit_year_view


def test_world_builds(world):
    assert set(world.bloc_years) == {"KT", "VX", "HN"}
    rows = province_overview(world.province, world.year)
    assert [(r.bloc_year.bloc.code, r.member_count, r.registered) for r in rows] == [
        ("KT", 5, 0), ("VX", 5, 0)]
    view = bloc_year_view(world.actor("leader"), world.bloc_years["KT"])
    assert [m.unit.name for m in view.members][0] == "Ban Quản lý dự án"
    assert [u.name for u in search_units(world.actor("secretariat"), "dai phat")] == [
        "Đài Phát thanh"]
    uv = unit_year_view(world.actor("officer"), world.units["KT1"], world.year)
    assert uv.tasks[0].done is False
