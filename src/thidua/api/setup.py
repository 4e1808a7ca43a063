"""Setting up a province: units, blocs, emulation years (registration deadline), the bloc
size range, and a bloc's year with its members, leader and deputies.

The same org.services as the web pages, so the same checks, messages and audit events.
A province the caller does not oversee is not found (404); one they oversee but may not
set up is forbidden (403), as is a unit or bloc they see through their own bloc year.
"""

import datetime
from typing import Annotated, Literal

from ninja import Field, Router, Schema, Status

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, bloc_year_in_scope, responses, unit_in_scope
from thidua.api.org import bloc_out, bloc_year_out, province_out, unit_ref
from thidua.core.errors import NotFound
from thidua.org import queries as org_queries
from thidua.org import services as org_services
from thidua.org.models import Bloc, BlocYear, EmulationYear, Province
from thidua.org.rules import Actor, can_oversee_province, can_view_bloc

router = Router(tags=["Thiết lập tổ chức"])

# Only this router reads and writes these shapes, so they live beside it. Lengths are the
# columns'; formats (codes, a deadline inside its year, the size range) are judged by the
# services, which answer 400 with the sentence the web page shows too.
Size = Annotated[int, Field(ge=0, le=32767)]
MAX_UNITS = 1000  # far above any bloc; keeps a request from carrying millions of ids


class UnitIn(Schema):
    code: s.text(org_services.CODE_MAX, min_length=1) = Field(
        description="Chữ cái không dấu, chữ số và các dấu . _ -; lưu dạng chữ hoa.")
    name: s.text(org_services.NAME_MAX, min_length=1)


class UnitRenameIn(Schema):
    name: s.text(org_services.NAME_MAX, min_length=1)


class BlocIn(Schema):
    code: s.text(org_services.CODE_MAX, min_length=1)
    kind: Literal["khoi", "cum"] = Field(description="`khoi`: khối thi đua; `cum`: cụm thi đua.")
    name: s.text(org_services.NAME_MAX, min_length=1)
    short_name: s.text(org_services.SHORT_NAME_MAX) = ""


class BlocRenameIn(Schema):
    name: s.text(org_services.NAME_MAX, min_length=1)
    short_name: s.text(org_services.SHORT_NAME_MAX) | None = Field(
        None, description="Bỏ qua (null) để giữ tên ngắn hiện tại; \"\" để xóa.")


class YearIn(Schema):
    year: s.Year
    registration_deadline: s.Date | None = Field(
        None, description="Một ngày trong năm thi đua; bỏ qua để lấy theo bộ quy tắc "
                          "(thường là 31/3).")


class DeadlineIn(Schema):
    registration_deadline: s.Date


class BlocSizeIn(Schema):
    min_bloc_size: Size
    max_bloc_size: Size


class BlocSizeOut(Schema):
    min_bloc_size: int
    max_bloc_size: int


class BlocYearIn(Schema):
    year: s.Year
    members: list[s.Id] = Field(max_length=MAX_UNITS)
    leader: s.Id | None = None
    deputies: list[s.Id] = Field(max_length=MAX_UNITS)


class EmulationYearOut(Schema):
    id: int
    year: int
    registration_deadline: datetime.date


class ProvinceSetupOut(s.ProvinceOut):
    min_bloc_size: int
    max_bloc_size: int
    units: list[s.UnitRef]
    blocs: list[s.BlocOut]
    years: list[EmulationYearOut]


class BlocYearCreated(s.BlocYearOut):
    registration_deadline: datetime.date
    members: list[s.UnitRef]
    deputy_units: list[s.UnitRef]


# --- loading in scope -----------------------------------------------------------------

def province_in_scope(actor_: Actor, province_id: int) -> Province:
    province = Province.objects.filter(pk=province_id).first()
    if province is None or not can_oversee_province(actor_, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    return province


def bloc_in_scope(actor_: Actor, bloc_id: int) -> Bloc:
    bloc = Bloc.objects.select_related("province").filter(pk=bloc_id).first()
    if bloc is None or not can_view_bloc(actor_, bloc):
        raise NotFound("Không tìm thấy khối, cụm.")
    return bloc


def year_out(emulation_year: EmulationYear) -> dict:
    return {"id": emulation_year.id, "year": emulation_year.year,
            "registration_deadline": emulation_year.registration_deadline}


def unit_out(unit) -> dict:
    return {**unit_ref(unit), "province": province_out(unit.province)}


# --- operations -----------------------------------------------------------------------

@router.get("/provinces/{province_id}/setup", response=responses({200: ProvinceSetupOut}, *READ),
            summary="Tổ chức của tỉnh: đơn vị, khối, cụm, năm thi đua, số thành viên khối")
def province_setup(request, province_id: s.Id):
    province = province_in_scope(actor(request), province_id)
    return {
        **province_out(province),
        "min_bloc_size": province.min_bloc_size, "max_bloc_size": province.max_bloc_size,
        "units": [unit_ref(u) for u in province.units.order_by("sort_key", "id")],
        "blocs": [bloc_out(b) for b in province.blocs.order_by("sort_key", "id")],
        "years": [year_out(y) for y in province.years.all()],
    }


@router.post("/provinces/{province_id}/units",
             response=responses({201: s.UnitOut}, *WRITE, 409),
             summary="Thêm đơn vị của tỉnh")
def create_unit(request, province_id: s.Id, payload: UnitIn):
    actor_ = actor(request)
    province = province_in_scope(actor_, province_id)
    unit = org_services.create_unit(actor_, province, code=payload.code, name=payload.name)
    return Status(201, unit_out(unit))


# A sub-path, not PATCH /units/{unit_id}: ninja resolves a path to one router, and org's
# router owns that path's GET (so would answer 405); a bloc year is made under its bloc
# (POST /blocs/{bloc_id}/years) for the same reason, /bloc-years being org's.
@router.put("/units/{unit_id}/name", response=responses({200: s.UnitOut}, *WRITE, 409),
            summary="Đổi tên đơn vị (mã giữ nguyên)")
def rename_unit(request, unit_id: s.Id, payload: UnitRenameIn):
    actor_ = actor(request)
    unit = org_services.rename_unit(actor_, unit_in_scope(actor_, unit_id), name=payload.name)
    return unit_out(unit)


@router.post("/provinces/{province_id}/blocs",
             response=responses({201: s.BlocOut}, *WRITE, 409),
             summary="Thêm khối hoặc cụm thi đua")
def create_bloc(request, province_id: s.Id, payload: BlocIn):
    actor_ = actor(request)
    province = province_in_scope(actor_, province_id)
    bloc = org_services.create_bloc(actor_, province, code=payload.code, name=payload.name,
                                    kind=payload.kind, short_name=payload.short_name)
    return Status(201, bloc_out(bloc))


@router.put("/blocs/{bloc_id}/name", response=responses({200: s.BlocOut}, *WRITE, 409),
            summary="Đổi tên khối, cụm (mã và loại giữ nguyên)")
def rename_bloc(request, bloc_id: s.Id, payload: BlocRenameIn):
    actor_ = actor(request)
    bloc = bloc_in_scope(actor_, bloc_id)
    short_name = bloc.short_name if payload.short_name is None else payload.short_name
    return bloc_out(org_services.rename_bloc(actor_, bloc, name=payload.name,
                                             short_name=short_name))


@router.post("/provinces/{province_id}/years",
             response=responses({201: EmulationYearOut}, *WRITE, 409),
             summary="Mở năm thi đua")
def create_year(request, province_id: s.Id, payload: YearIn):
    actor_ = actor(request)
    province = province_in_scope(actor_, province_id)
    emulation_year = org_services.create_year(actor_, province, payload.year,
                                              payload.registration_deadline)
    return Status(201, year_out(emulation_year))


@router.put("/provinces/{province_id}/years/{year}/registration-deadline",
            response=responses({200: EmulationYearOut}, *WRITE),
              summary="Đổi hạn đăng ký thi đua của năm (Quy tắc 7)")
def set_deadline(request, province_id: s.Id, year: s.Year, payload: DeadlineIn):
    actor_ = actor(request)
    emulation_year = org_queries.year_in(province_in_scope(actor_, province_id), year)
    return year_out(org_services.set_registration_deadline(actor_, emulation_year,
                                                           payload.registration_deadline))


@router.put("/provinces/{province_id}/bloc-size", response=responses({200: BlocSizeOut}, *WRITE),
            summary="Số thành viên tối thiểu, tối đa của một khối (Quy tắc 5)")
def set_bloc_size(request, province_id: s.Id, payload: BlocSizeIn):
    actor_ = actor(request)
    province = org_services.set_bloc_size_range(
        actor_, province_in_scope(actor_, province_id), min_size=payload.min_bloc_size,
        max_size=payload.max_bloc_size)
    return {"min_bloc_size": province.min_bloc_size, "max_bloc_size": province.max_bloc_size}


@router.post("/blocs/{bloc_id}/years", response=responses({201: BlocYearCreated}, *WRITE, 409),
             summary="Lập khối trong một năm: thành viên, Trưởng khối, Phó khối "
                     "(Quy tắc 1, 2, 5)")
def create_bloc_year(request, bloc_id: s.Id, payload: BlocYearIn):
    actor_ = actor(request)
    bloc = bloc_in_scope(actor_, bloc_id)
    emulation_year = org_queries.year_in(bloc.province, payload.year)
    bloc_year = org_services.create_bloc_year(
        actor_, bloc, emulation_year, members=payload.members, leader=payload.leader,
        deputies=payload.deputies)
    bloc_year = (BlocYear.objects.select_related("bloc__province", "emulation_year",
                                                 "leader_unit").get(pk=bloc_year.pk))
    return Status(201, {
        **bloc_year_out(bloc_year),
        "registration_deadline": emulation_year.registration_deadline,
        "members": [unit_ref(u) for u in org_queries.members(bloc_year)],
        "deputy_units": [unit_ref(u) for u in
                         bloc_year.deputy_units.order_by("sort_key", "id")],
    })


class BlocDeadlineIn(Schema):
    registration_deadline: s.Date | None = Field(
        ..., description="Hạn riêng của khối, trong năm thi đua; null để dùng hạn chung của năm.")
    reason: s.text(2000) = Field("", description="Bắt buộc khi đặt hạn riêng (quyết định "
                                                 "thành lập khối …).")


class BlocDeadlineOut(Schema):
    bloc_year_id: int
    own_deadline: datetime.date | None
    registration_deadline: datetime.date


@router.put("/bloc-years/{bloc_year_id}/registration-deadline",
            response=responses({200: BlocDeadlineOut}, *WRITE),
            summary="Hạn đăng ký riêng của một khối thành lập trong năm (Quy tắc 7)")
def set_bloc_deadline(request, bloc_year_id: s.Id, payload: BlocDeadlineIn):
    actor_ = actor(request)
    bloc_year = org_services.set_bloc_registration_deadline(
        actor_, bloc_year_in_scope(actor_, bloc_year_id), payload.registration_deadline,
        payload.reason)
    return {"bloc_year_id": bloc_year.id, "own_deadline": bloc_year.registration_deadline,
            "registration_deadline": bloc_year.effective_registration_deadline}


class ProvinceKindIn(Schema):
    kind: Literal["tinh", "thanh_pho"] = Field(
        description="`tinh`: tỉnh; `thanh_pho`: thành phố trực thuộc trung ương.")


class ProvinceKindOut(Schema):
    id: int
    code: str
    kind: str
    kind_label: str
    full_name: str


@router.put("/provinces/{province_id}/kind", response=responses({200: ProvinceKindOut}, *WRITE),
            summary="Tỉnh hay thành phố trực thuộc trung ương (tên trên trang, văn bản)")
def set_kind(request, province_id: s.Id, payload: ProvinceKindIn):
    actor_ = actor(request)
    province = org_services.set_province_kind(actor_, province_in_scope(actor_, province_id),
                                              payload.kind)
    return {"id": province.id, "code": province.code, "kind": province.kind,
            "kind_label": province.get_kind_display(), "full_name": province.full_name}
