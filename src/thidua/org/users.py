"""User administration in the product (issue 11 item 8): the province secretariat and the
system administrator create accounts, grant and revoke roles per unit, bloc year or
province, reset a lost second factor, deactivate and reactivate an account. Pages and API
call these functions; Django's /admin/ is left to developers.

Who may touch whom (`org.rules.can_manage_user`): the admin anyone; a secretariat officer
the accounts whose every role lies in their province(s) — never an administrator, never an
account that also holds a role elsewhere — and only roles scoped inside their province.

A role and its scope are checked here, in Vietnamese, before anything reaches the
database (whose `role_scope_matches` constraint stays the last line of defence). Every
change leaves one audit event, filed under the province it concerns.
"""

import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from thidua.core import audit, twofactor
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.models import TwoFactor, User
from thidua.core.signin import end_all_sessions
from thidua.core.text import clean_text
from thidua.org.models import BlocYear, Province, Role, RoleAssignment, Unit
from thidua.org.rules import Actor, can_administer_users, can_manage_user

USERNAME_MAX, FULL_NAME_MAX, EMAIL_MAX = 150, 200, 254
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@+-]*")
# What each role is scoped to, in the words the forms use.
SCOPE_NOUN = {"province": "tỉnh", "bloc_year": "khối trong một năm", "unit": "đơn vị"}
ROLE_SCOPE = {Role(role): scope for role, scope in RoleAssignment.SCOPE.items()}


@dataclass(frozen=True)
class RoleScope:
    """A role and the one object it is scoped to (ids), checked and in the actor's reach."""

    role: str
    province_id: int | None = None
    bloc_year_id: int | None = None
    unit_id: int | None = None
    scope_province_id: int | None = None  # the province the scope lies in (None: system)

    def fields(self) -> dict:
        return {"role": self.role, "province_id": self.province_id,
                "bloc_year_id": self.bloc_year_id, "unit_id": self.unit_id}


# --- reading -----------------------------------------------------------------------------

def role_provinces(user) -> tuple[frozenset, bool]:
    """The provinces a user's roles lie in, and whether one of them is system-wide."""
    provinces, system = set(), user.is_superuser or user.is_staff
    for role, province, bloc_province, unit_province in user.roles.values_list(
            "role", "province_id", "bloc_year__bloc__province_id", "unit__province_id"):
        if role == Role.SYSTEM_ADMIN:
            system = True
        provinces.add(province or bloc_province or unit_province)
    return frozenset(provinces - {None}), system


def may_manage(actor: Actor, user) -> bool:
    provinces, system = role_provinces(user)
    return can_manage_user(actor, provinces, system=system)


def visible_users(actor: Actor):
    """The accounts this actor's user pages list: all for the admin; for a secretariat,
    those holding a role in their province(s)."""
    users = User.objects.order_by("username")
    if actor.is_admin:
        return users
    provinces = actor.secretariat_provinces
    return users.filter(Q(roles__province_id__in=provinces)
                        | Q(roles__bloc_year__bloc__province_id__in=provinces)
                        | Q(roles__unit__province_id__in=provinces)).distinct()


def user_in_scope(actor: Actor, user_id) -> User:
    """The account if this actor's pages list it, else NotFound (another province's user
    is not found, as for every object out of scope)."""
    if not can_administer_users(actor) or not isinstance(user_id, int):
        raise NotFound("Không tìm thấy người dùng.")
    user = visible_users(actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound("Không tìm thấy người dùng.")
    return user


def _matching(actor: Actor, query: str):
    rows = visible_users(actor)
    query = query.strip()
    if query:
        rows = rows.filter(Q(username__icontains=query) | Q(full_name__icontains=query)
                           | Q(email__icontains=query))
    return rows


def search_users(actor: Actor, query: str = "", *, offset: int = 0,
                 limit: int = 500) -> list[User]:
    """The accounts the actor's pages list whose user name, full name or e-mail contains
    `query`, by user name."""
    return list(_matching(actor, query)[offset:offset + limit])


@dataclass(frozen=True)
class UserRow:
    user: User
    roles: list  # each role with its scope, in words
    two_factor: bool


def user_rows(actor: Actor, query: str = "", limit: int = 500) -> list[UserRow]:
    """`search_users` with each account's roles and second factor, for the list page.
    Six queries whatever the number of accounts."""
    rows = list(_matching(actor, query).prefetch_related(
        "roles__province", "roles__unit", "roles__bloc_year__bloc",
        "roles__bloc_year__emulation_year")[:limit])
    enrolled = enrolled_ids(rows)
    return [UserRow(u, [str(r) for r in u.roles.all()], u.id in enrolled) for u in rows]


def enrolled_ids(users) -> set[int]:
    """Which of these accounts have a second factor. One query."""
    return set(TwoFactor.objects.filter(user__in=[user.id for user in users])
               .values_list("user_id", flat=True))


def first_province(user) -> Province | None:
    """The province of the user's roles the role form offers scopes in (the lowest id
    when they hold roles in several)."""
    provinces, _ = role_provinces(user)
    return Province.objects.filter(id=min(provinces)).first() if provinces else None


def roles_of(user) -> list[RoleAssignment]:
    return list(user.roles.select_related(
        "province", "bloc_year__bloc", "bloc_year__emulation_year", "unit")
        .order_by("role", "id"))


def describe(assignment: RoleAssignment) -> str:
    """“Cán bộ thi đua đơn vị — Sở Công Thương”, as pages and audit reasons say it."""
    return str(assignment)


# --- checking a role and its scope ---------------------------------------------------------

def _int_or_none(value, noun):
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"Mã {noun} không hợp lệ.")
    return value


def check_role_scope(actor: Actor, role, *, province=None, bloc_year=None,
                     unit=None) -> RoleScope:
    """The role paired with exactly the scope it needs, the scope found and inside the
    actor's provinces; else a Vietnamese sentence saying what is wrong (nothing written)."""
    if role not in Role.values:
        raise DomainError("Vai trò không hợp lệ: chọn một trong "
                          + ", ".join(f"“{label}”" for label in Role.labels) + ".")
    role = Role(role)
    given = {"province": _int_or_none(province, "tỉnh"),
             "bloc_year": _int_or_none(bloc_year, "khối"),
             "unit": _int_or_none(unit, "đơn vị")}
    needed = ROLE_SCOPE[role]
    extra = [SCOPE_NOUN[k] for k, v in given.items() if v is not None and k != needed]
    if needed is None:
        if extra:
            raise DomainError(f"Vai trò “{role.label}” dùng cho toàn hệ thống: không gắn với "
                              + ", ".join(extra) + ".")
        if not actor.is_admin:
            raise Forbidden("Chỉ Quản trị hệ thống được giao vai trò Quản trị hệ thống.")
        return RoleScope(role.value)
    if given[needed] is None or extra:
        chosen = f" (đã chọn: {', '.join(extra)})" if extra else ""
        raise DomainError(f"Vai trò “{role.label}” phải gắn với một {SCOPE_NOUN[needed]}"
                          f"{chosen}.")
    scope_id = given[needed]
    if needed == "province":
        province_id = Province.objects.filter(pk=scope_id).values_list("id", flat=True).first()
        label = "tỉnh"
    elif needed == "bloc_year":
        province_id = (BlocYear.objects.filter(pk=scope_id)
                       .values_list("bloc__province_id", flat=True).first())
        label = "khối"
    else:
        province_id = Unit.objects.filter(pk=scope_id).values_list("province_id", flat=True) \
            .first()
        label = "đơn vị"
    if province_id is None or not can_administer_users(actor, province_id):
        raise DomainError(f"Không tìm thấy {label} này trong tỉnh bạn quản lý.")
    return RoleScope(role.value, scope_province_id=province_id, **{f"{needed}_id": scope_id})


def parse_scope(value: str) -> dict:
    """A form's scope choice, "unit:12" / "bloc_year:3" / "province:1" / "", as the
    keyword arguments of `check_role_scope`; anything else is refused in Vietnamese."""
    value = (value or "").strip()
    if not value:
        return {}
    kind, _, number = value.partition(":")
    if kind not in SCOPE_NOUN or not number.isdigit() or len(number) > 18:
        raise DomainError("Phạm vi không hợp lệ: chọn tỉnh, khối hoặc đơn vị trong danh sách.")
    return {kind: int(number)}


# --- writing -------------------------------------------------------------------------------

def _require_manage(actor: Actor, user):
    if not can_administer_users(actor):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh hoặc Quản trị hệ thống được quản lý "
                        "người dùng.")
    if not may_manage(actor, user):
        raise Forbidden("Tài khoản này có vai trò ngoài tỉnh bạn quản lý (hoặc là tài khoản "
                        "quản trị): chỉ Quản trị hệ thống được thay đổi.")


def _province_of(user) -> int | None:
    provinces, _ = role_provinces(user)
    return min(provinces) if provinces else None


def _snapshot(assignment: RoleAssignment) -> dict:
    return {"user": assignment.user_id, "role": assignment.role,
            "province": assignment.province_id, "bloc_year": assignment.bloc_year_id,
            "unit": assignment.unit_id}


def clean_username(value) -> str:
    username = str(value or "").strip().lower()
    if not username:
        raise DomainError("Tên đăng nhập không được để trống.")
    if len(username) > USERNAME_MAX or not _USERNAME.fullmatch(username):
        raise DomainError("Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số và các dấu "
                          f". _ @ + - (tối đa {USERNAME_MAX} ký tự), ví dụ “canbo.sct”.")
    return username


def clean_email(value) -> str:
    email = str(value or "").strip()
    if not email:
        return ""
    if len(email) > EMAIL_MAX:
        raise DomainError(f"Thư điện tử dài quá {EMAIL_MAX} ký tự.")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(f"Thư điện tử “{email}” không hợp lệ.") from exc
    return email


def new_password() -> str:
    """A first (or reset) password to hand over once: 16 random URL-safe characters."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class Created:
    user: User
    password: str  # shown once, to hand to the person; they change it after signing in


@transaction.atomic
def create_user(actor: Actor, *, username, full_name, email="", role, province=None,
                bloc_year=None, unit=None) -> Created:
    """A new account with its first role (an account without a role could do nothing and
    no secretariat could find it again) and a random first password shown once."""
    if not can_administer_users(actor):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh hoặc Quản trị hệ thống được tạo "
                        "người dùng.")
    errors = []
    cleaned = {}
    for key, clean in (("username", lambda: clean_username(username)),
                       ("full_name", lambda: clean_text(full_name, "Họ và tên",
                                                        FULL_NAME_MAX)),
                       ("email", lambda: clean_email(email)),
                       ("scope", lambda: check_role_scope(actor, role, province=province,
                                                          bloc_year=bloc_year, unit=unit))):
        try:
            cleaned[key] = clean()
        except Forbidden:
            raise
        except DomainError as exc:
            errors.extend(exc.messages)
    if errors:
        raise DomainError(*errors)
    if User.objects.filter(username__iexact=cleaned["username"]).exists():
        raise Conflict(f"Tên đăng nhập “{cleaned['username']}” đã có người dùng.")
    password = new_password()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=cleaned["username"], password=password,
                                            full_name=cleaned["full_name"],
                                            email=cleaned["email"])
    except IntegrityError as exc:
        raise Conflict(f"Tên đăng nhập “{cleaned['username']}” vừa được dùng.") from exc
    scope = cleaned["scope"]
    assignment = RoleAssignment.objects.create(user=user, **scope.fields())
    audit.record(actor, "org.user.create", ("core.user", user.pk),
                 province_id=scope.scope_province_id,
                 after={"username": user.username, "full_name": user.full_name,
                        "email": user.email, "role": _snapshot(assignment)})
    return Created(user, password)


@transaction.atomic
def grant_role(actor: Actor, user, role, *, province=None, bloc_year=None,
               unit=None) -> RoleAssignment:
    _require_manage(actor, user)
    scope = check_role_scope(actor, role, province=province, bloc_year=bloc_year, unit=unit)
    existing = RoleAssignment.objects.filter(user=user, **scope.fields()).first()
    if existing is not None:
        raise Conflict(f"{user} đã có vai trò “{describe(existing)}”.")
    assignment = RoleAssignment.objects.create(user=user, **scope.fields())
    audit.record(actor, "org.role.grant", assignment, province_id=scope.scope_province_id,
                 after=_snapshot(assignment))
    return assignment


def _assignment_province(assignment: RoleAssignment) -> int | None:
    if assignment.province_id:
        return assignment.province_id
    if assignment.bloc_year_id:
        return assignment.bloc_year.bloc.province_id
    if assignment.unit_id:
        return assignment.unit.province_id
    return None


@transaction.atomic
def revoke_role(actor: Actor, user, assignment_id) -> RoleAssignment:
    """Take one role away. The last one stays: deactivate the account instead, so it is
    not left where no secretariat finds it."""
    _require_manage(actor, user)
    assignment = (RoleAssignment.objects.select_for_update(of=("self",))
                  .select_related("bloc_year__bloc", "unit", "province")
                  .filter(pk=assignment_id, user=user).first()
                  if isinstance(assignment_id, int) else None)
    if assignment is None:
        raise NotFound("Không tìm thấy vai trò này của người dùng.")
    if user.roles.count() == 1:
        raise Conflict(f"Không thu hồi được vai trò cuối cùng của {user}: tài khoản không "
                       "còn vai trò nào sẽ không ai quản lý được. Muốn thôi cho dùng, hãy "
                       "khóa tài khoản.")
    before = _snapshot(assignment)
    label = describe(assignment)
    province_id = _assignment_province(assignment)
    assignment.delete()
    audit.record(actor, "org.role.revoke", ("org.roleassignment", assignment_id),
                 province_id=province_id, before=before, reason=label)
    return assignment


@transaction.atomic
def reset_two_factor(actor: Actor, user) -> None:
    """The person lost their phone and backup codes: their second factor is removed, they
    set it up again at the next sign-in; all their sessions end."""
    _require_manage(actor, user)
    if not twofactor.reset(actor, user, province_id=_province_of(user)):
        raise Conflict(f"{user} chưa thiết lập xác thực hai bước: không có gì để đặt lại.")


@transaction.atomic
def set_active(actor: Actor, user, active: bool, reason: str = "") -> User:
    """Deactivate (the person left: they cannot sign in, their sessions end, their API
    tokens stop working; their roles and records stay) or reactivate an account."""
    _require_manage(actor, user)
    if not active and user.pk == getattr(actor.user, "pk", None):
        raise Conflict("Không tự khóa tài khoản của chính mình.")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        raise Conflict(f"Tài khoản {locked.username} "
                       f"{'đang hoạt động' if active else 'đã bị khóa'} rồi.")
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    audit.record(actor, "org.user.activate" if active else "org.user.deactivate",
                 ("core.user", locked.pk), province_id=_province_of(locked),
                 before={"is_active": not active}, after={"is_active": active},
                 reason=" ".join(str(reason or "").split())[:500])
    if not active:
        end_all_sessions(locked)
    user.is_active = active
    return locked
