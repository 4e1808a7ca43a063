"""Helpers the routers share: declared error responses, loading objects in scope."""

from thidua.api.schemas import ErrorOut
from thidua.core.errors import NotFound
from thidua.org.models import BlocYear, EmulationYear, Unit
from thidua.org.rules import Actor, can_view_bloc_year, can_view_unit

# 401 everywhere (every operation needs a user); 422 wherever there is a parameter.
READ = (401, 404, 422)
# Unsafe methods add 400 (malformed JSON, or a rule refusing the data) and 403 (CSRF
# with a session, or an action the user may not take).
WRITE = (400, 401, 403, 404, 422)


def responses(ok: dict, *codes: int) -> dict:
    """`ok` plus ErrorOut for each error code, so the OpenAPI document lists every
    status an operation can answer."""
    result = dict(ok)
    for code in {401, *codes}:
        result[code] = ErrorOut
    return result


def bloc_year_in_scope(actor: Actor, bloc_year_id: int) -> BlocYear:
    bloc_year = (
        BlocYear.objects.select_related("bloc__province", "emulation_year", "leader_unit")
        .filter(pk=bloc_year_id).first()
    )
    if bloc_year is None or not can_view_bloc_year(actor, bloc_year):
        raise NotFound("Không tìm thấy khối thi đua.")
    return bloc_year


def unit_in_scope(actor: Actor, unit_id: int) -> Unit:
    unit = Unit.objects.select_related("province").filter(pk=unit_id).first()
    if unit is None or not can_view_unit(actor, unit):
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def year_of(unit: Unit, year: int) -> EmulationYear:
    emulation_year = EmulationYear.objects.filter(province_id=unit.province_id,
                                                  year=year).first()
    if emulation_year is None:
        raise NotFound(f"{unit.province.name} chưa mở năm thi đua {year}.")
    return emulation_year
