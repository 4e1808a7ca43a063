"""User administration (issue 11 item 8): the province secretariat and the admin list the
accounts of their province, create one with its first role (the first password answered
once), grant and revoke roles, reset a lost second factor, deactivate or reactivate —
through org.users, as the pages do (same checks, same Vietnamese sentences, audited)."""

from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, responses
from thidua.api.org import Page
from thidua.core import twofactor
from thidua.core.errors import Forbidden
from thidua.org import users
from thidua.org.models import Role
from thidua.org.rules import can_administer_users

router = Router(tags=["Người dùng"])

RoleName = Literal[tuple(Role.values)]


class UserRoleIn(Schema):
    role: RoleName = Field(description="Quản trị hệ thống (không phạm vi), Thường trực thi "
                                       "đua tỉnh (province_id), cán bộ đơn vị Trưởng khối "
                                       "(bloc_year_id), cán bộ thi đua hoặc đại biểu "
                                       "(unit_id).")
    province_id: s.Id | None = None
    bloc_year_id: s.Id | None = None
    unit_id: s.Id | None = None


class UserIn(UserRoleIn):
    username: s.text(users.USERNAME_MAX, min_length=1)
    full_name: s.text(users.FULL_NAME_MAX, min_length=1)
    email: s.text(users.EMAIL_MAX) = ""


class ActiveIn(Schema):
    active: bool
    reason: s.text(500) = ""


class UserFilter(Page):
    search: s.text(100) = Field("", description="Tên đăng nhập, họ tên hoặc thư điện tử.")


class UserRoleOut(Schema):
    id: int
    role: str
    label: str
    province_id: int | None
    bloc_year_id: int | None
    unit_id: int | None


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    is_active: bool
    two_factor: bool
    roles: list[UserRoleOut]


class UserCreated(UserOut):
    password: str = Field(description="Mật khẩu đầu tiên, chỉ trả về lần này.")


def role_out(assignment) -> dict:
    return {"id": assignment.id, "role": assignment.role, "label": str(assignment),
            "province_id": assignment.province_id, "bloc_year_id": assignment.bloc_year_id,
            "unit_id": assignment.unit_id}


def user_out(user, two_factor: bool | None = None) -> dict:
    if two_factor is None:
        two_factor = twofactor.is_enrolled(user)
    return {"id": user.id, "username": user.username, "full_name": user.full_name,
            "email": user.email, "is_active": user.is_active, "two_factor": two_factor,
            "roles": [role_out(r) for r in users.roles_of(user)]}


def _scope(payload: UserRoleIn) -> dict:
    return {"province": payload.province_id, "bloc_year": payload.bloc_year_id,
            "unit": payload.unit_id}


@router.get("/users", response=responses({200: list[UserOut]}, 403, 422),
            summary="Người dùng của tỉnh (Thường trực thi đua tỉnh, Quản trị hệ thống)")
def list_users(request, filters: Query[UserFilter]):
    actor_ = actor(request)
    if not can_administer_users(actor_):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh hoặc Quản trị hệ thống xem danh sách "
                        "người dùng.")
    rows = users.search_users(actor_, filters.search, offset=filters.offset,
                              limit=filters.limit)
    enrolled = users.enrolled_ids(rows)
    return [user_out(u, u.id in enrolled) for u in rows]


@router.post("/users", response=responses({201: UserCreated}, *WRITE, 409),
             summary="Tạo người dùng với vai trò đầu tiên (mật khẩu trả về một lần)")
def create_user(request, payload: UserIn):
    created = users.create_user(actor(request), username=payload.username,
                                full_name=payload.full_name, email=payload.email,
                                role=payload.role, **_scope(payload))
    return Status(201, {**user_out(created.user, False), "password": created.password})


@router.get("/users/{user_id}", response=responses({200: UserOut}, *READ),
            summary="Một người dùng và các vai trò")
def get_user(request, user_id: s.Id):
    return user_out(users.user_in_scope(actor(request), user_id))


@router.post("/users/{user_id}/roles", response=responses({201: UserRoleOut}, *WRITE, 409),
             summary="Giao thêm một vai trò")
def grant_role(request, user_id: s.Id, payload: UserRoleIn):
    actor_ = actor(request)
    user = users.user_in_scope(actor_, user_id)
    return Status(201, role_out(users.grant_role(actor_, user, payload.role,
                                                 **_scope(payload))))


@router.delete("/users/{user_id}/roles/{role_id}",
               response=responses({200: UserOut}, *WRITE, 409),
               summary="Thu hồi một vai trò (vai trò cuối cùng không thu hồi được)")
def revoke_role(request, user_id: s.Id, role_id: s.Id):
    actor_ = actor(request)
    user = users.user_in_scope(actor_, user_id)
    users.revoke_role(actor_, user, role_id)
    return user_out(user)


@router.delete("/users/{user_id}/two-factor", response=responses({200: UserOut}, *WRITE, 409),
               summary="Đặt lại xác thực hai bước (mất điện thoại)")
def reset_two_factor(request, user_id: s.Id):
    actor_ = actor(request)
    user = users.user_in_scope(actor_, user_id)
    users.reset_two_factor(actor_, user)
    return user_out(user, False)


@router.put("/users/{user_id}/active", response=responses({200: UserOut}, *WRITE, 409),
            summary="Khóa hoặc mở khóa tài khoản")
def set_active(request, user_id: s.Id, payload: ActiveIn):
    actor_ = actor(request)
    user = users.user_in_scope(actor_, user_id)
    return user_out(users.set_active(actor_, user, payload.active, payload.reason))
