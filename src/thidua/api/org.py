"""Organisation: provinces, bloc years (with their members and phase), units, me."""

from ninja import Field, Query, Router, Schema

from thidua.api import schemas as s
from thidua.api.auth import actor, via_token
from thidua.api.common import READ, WRITE, bloc_year_in_scope, responses, unit_in_scope
from thidua.guidance import services as guidance_services
from thidua.org import queries as org_queries
from thidua.org.domain.phases import Phase, allowed_moves
from thidua.org.models import BlocYear, Role, RoleAssignment
from thidua.org.rules import bloc_year_roles, can_manage_bloc_year, visible_bloc_years
from thidua.org.rules import visible_provinces as provinces_for
from thidua.pledges import queries as pledge_queries

router = Router(tags=["Tổ chức"])


def province_out(province) -> dict:
    return {"id": province.id, "code": province.code, "name": province.name}


def unit_ref(unit) -> dict:
    return {"id": unit.id, "code": unit.code, "name": unit.name}


def bloc_out(bloc) -> dict:
    return {"id": bloc.id, "code": bloc.code, "name": bloc.name,
            "short_name": bloc.short_name, "kind": bloc.kind}


def bloc_year_out(bloc_year: BlocYear) -> dict:
    return {
        "id": bloc_year.id,
        "province": province_out(bloc_year.bloc.province),
        "bloc": bloc_out(bloc_year.bloc),
        "year": bloc_year.emulation_year.year,
        "phase": bloc_year.phase,
        "phase_label": Phase(bloc_year.phase).label,
        "leader_unit": unit_ref(bloc_year.leader_unit),
    }


def moves_out(actor_, bloc_year: BlocYear) -> list[dict]:
    return [
        {"target": t.target.value, "target_label": t.target.label,
         "direction": "back" if t.is_back else "forward", "needs_reason": t.needs_reason}
        for t in allowed_moves(bloc_year.phase, bloc_year_roles(actor_, bloc_year))
    ]


class Page(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


class BlocYearFilter(Page):
    province: s.Id | None = None
    year: s.Year | None = None


class UnitFilter(Page):
    search: s.text(200) = ""
    province: s.Id | None = None


@router.get("/me", response=responses({200: s.MeOut}), summary="Tôi: tài khoản và vai trò")
def me(request):
    user = request.auth
    roles = (RoleAssignment.objects.filter(user=user)
             .select_related("province", "bloc_year__bloc", "bloc_year__emulation_year",
                             "unit").order_by("role", "id"))
    return {
        "id": user.id, "username": user.username, "full_name": user.full_name,
        "is_admin": actor(request).is_admin,
        "auth": "token" if via_token(request) else "session",
        "roles": [
            {"role": r.role, "role_label": Role(r.role).label,
             "province": province_out(r.province) if r.province else None,
             "bloc_year_id": r.bloc_year_id,
             "bloc_year_name": str(r.bloc_year) if r.bloc_year else None,
             "unit": unit_ref(r.unit) if r.unit else None}
            for r in roles
        ],
    }


@router.get("/provinces", response=responses({200: list[s.ProvinceOut]}),
            summary="Các tỉnh tôi được theo dõi")
def provinces(request):
    return [province_out(p) for p in provinces_for(actor(request)).order_by("sort_key", "id")]


@router.get("/bloc-years", response=responses({200: s.BlocYearPage}, 422),
            summary="Các khối thi đua theo năm tôi được xem")
def bloc_years(request, filters: Query[BlocYearFilter]):
    rows = visible_bloc_years(actor(request)).select_related("bloc__province")
    if filters.province is not None:
        rows = rows.filter(bloc__province_id=filters.province)
    if filters.year is not None:
        rows = rows.filter(emulation_year__year=filters.year)
    rows = rows.order_by("-emulation_year__year", "bloc__province__sort_key", "bloc__sort_key",
                         "id")
    page = rows[filters.offset:filters.offset + filters.limit]
    return {"count": rows.count(), "items": [bloc_year_out(by) for by in page]}


def _bloc_year_detail(actor_, bloc_year: BlocYear) -> dict:
    view = pledge_queries.bloc_year_view(actor_, bloc_year)
    deputies = [m.unit for m in view.members if m.is_deputy]
    return {
        **bloc_year_out(bloc_year),
        "registration_deadline": view.deadline,
        "deputy_units": [unit_ref(u) for u in deputies],
        "members": [
            {"unit": unit_ref(m.unit), "is_leader": m.is_leader, "is_deputy": m.is_deputy,
             "registration_status": m.status, "registration_id": m.registration_id,
             "submitted_on": m.submitted_on, "on_time": m.on_time, "signature": m.signature}
            for m in view.members
        ],
        "registered_count": view.registered_count,
        "signing_complete": view.signing.complete,
        "can_manage": can_manage_bloc_year(actor_, bloc_year),
        "allowed_moves": moves_out(actor_, bloc_year),
    }


@router.get("/bloc-years/{bloc_year_id}", response=responses({200: s.BlocYearDetail}, *READ),
            summary="Một khối trong năm: thành viên, đăng ký, giai đoạn")
def bloc_year_detail(request, bloc_year_id: s.Id):
    actor_ = actor(request)
    return _bloc_year_detail(actor_, bloc_year_in_scope(actor_, bloc_year_id))


@router.get("/bloc-years/{bloc_year_id}/moves", response=responses({200: list[s.MoveOut]}, *READ),
            summary="Các bước chuyển giai đoạn tôi được làm")
def bloc_year_moves(request, bloc_year_id: s.Id):
    actor_ = actor(request)
    return moves_out(actor_, bloc_year_in_scope(actor_, bloc_year_id))


@router.post("/bloc-years/{bloc_year_id}/phase",
             response=responses({200: s.BlocYearDetail}, *WRITE, 409),
             summary="Chuyển giai đoạn của khối")
def move_phase(request, bloc_year_id: s.Id, payload: s.PhaseMoveIn):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    guidance_services.move_phase(actor_, bloc_year, payload.target.value, payload.reason,
                                 confirmed=payload.confirm)
    return _bloc_year_detail(actor_, bloc_year_in_scope(actor_, bloc_year_id))


@router.get("/units", response=responses({200: s.UnitPage}, 422),
            summary="Đơn vị tôi được xem; tìm theo tên không cần dấu")
def units(request, filters: Query[UnitFilter]):
    rows = org_queries.matching_units(actor(request), filters.search, filters.province)
    page = rows[filters.offset:filters.offset + filters.limit]
    return {"count": rows.count(),
            "items": [{**unit_ref(u), "province": province_out(u.province)} for u in page]}


@router.get("/units/{unit_id}", response=responses({200: s.UnitDetail}, *READ),
            summary="Một đơn vị và khối của nó qua các năm")
def unit_detail(request, unit_id: s.Id):
    unit = unit_in_scope(actor(request), unit_id)
    return {
        **unit_ref(unit), "province": province_out(unit.province),
        "memberships": [
            {"year": m.bloc_year.emulation_year.year, "bloc_year_id": m.bloc_year_id,
             "bloc": bloc_out(m.bloc_year.bloc), "is_leader": m.is_leader,
             "is_deputy": m.is_deputy}
            for m in org_queries.membership_history(unit)
        ],
    }
