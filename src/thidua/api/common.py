"""Helpers the routers share: declared error responses, loading objects in scope."""

from thidua.api.schemas import ErrorOut
from thidua.core.errors import NotFound
from thidua.org.models import EmulationYear, Unit
from thidua.org.queries import bloc_year_in_scope, unit_in_scope

__all__ = ["READ", "WRITE", "bloc_year_in_scope", "responses", "unit_in_scope", "year_of"]

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


def year_of(unit: Unit, year: int) -> EmulationYear:
    emulation_year = EmulationYear.objects.filter(province_id=unit.province_id,
                                                  year=year).first()
    if emulation_year is None:
        raise NotFound(f"{unit.province.name} chưa mở năm thi đua {year}.")
    return emulation_year
