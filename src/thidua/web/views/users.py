"""User administration pages (issue 11 item 8), for the province secretariat and the admin:
the accounts of their province, a new account with its first role, roles granted and
revoked, a lost second factor reset, an account deactivated or reactivated. Every change
goes through org.users (the checks, the Vietnamese messages, the audit event)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thidua.core import twofactor
from thidua.core.errors import DomainError
from thidua.org import queries as org_queries
from thidua.org import users
from thidua.org.models import Role
from thidua.org.rules import can_administer_users
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors

LIST, DETAIL = "web/users/list.html", "web/users/detail.html"


def scope_choices(actor, province) -> list:
    """The scopes a role may be given in `province`, grouped as the select shows them
    (value "kind:id", parsed by org.users.parse_scope)."""
    groups = []
    if actor.is_admin:
        groups.append(("", "— Toàn hệ thống (chỉ vai trò Quản trị hệ thống) —"))
    if province is None:
        return groups
    groups.append(("Tỉnh (Thường trực thi đua)", [(f"province:{province.id}", province.name)]))
    groups.append(("Khối trong năm (cán bộ đơn vị Trưởng khối)",
                   [(f"bloc_year:{b.id}", str(b))
                    for b in org_queries.bloc_years_of(province)]))
    groups.append(("Đơn vị (cán bộ thi đua, đại biểu)",
                   [(f"unit:{u.id}", u.name) for u in org_queries.units_of(province)]))
    return groups


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Vai trò", choices=[("", "— Chọn vai trò —"), *Role.choices],
                             error_messages={"required": "Chọn vai trò.",
                                             "invalid_choice": "Vai trò không hợp lệ."})
    scope = forms.ChoiceField(
        label="Phạm vi", required=False,
        help_text="Thường trực thi đua: tỉnh; cán bộ đơn vị Trưởng khối: khối trong một năm; "
                  "cán bộ thi đua và đại biểu: đơn vị.",
        error_messages={"invalid_choice": "Phạm vi không hợp lệ: chọn trong danh sách."})

    def __init__(self, *args, scopes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [("", "— Chọn phạm vi —"), *scopes]

    def scope_kwargs(self) -> dict:
        return users.parse_scope(self.cleaned_data["scope"])


class UserForm(RoleForm):
    username = forms.CharField(label="Tên đăng nhập", max_length=users.USERNAME_MAX,
                               help_text="Chữ thường không dấu, ví dụ canbo.sct.",
                               error_messages={"required": "Nhập tên đăng nhập."})
    full_name = forms.CharField(label="Họ và tên", max_length=users.FULL_NAME_MAX,
                                error_messages={"required": "Nhập họ và tên."})
    email = forms.CharField(label="Thư điện tử", max_length=users.EMAIL_MAX, required=False)
    field_order = ["username", "full_name", "email", "role", "scope"]


def _province(actor, request):
    """The province whose accounts and scopes the page shows: the secretariat's own (the
    first, in the rare case of two), or for the admin the one chosen (?tinh=CODE)."""
    provinces = org_queries.overseen_provinces(actor)
    code = request.GET.get("tinh", "")
    chosen = next((p for p in provinces if p.code == code), None)
    if chosen is None and provinces and (len(provinces) == 1 or not actor.is_admin):
        chosen = provinces[0]
    return chosen, provinces


def _require_admin_pages(actor):
    require(True, can_administer_users(actor))


def _list_page(request, actor, *, form=None, errors=(), status=200):
    province, provinces = _province(actor, request)
    query = request.GET.get("q", "").strip()[:100]
    form = form or UserForm(scopes=scope_choices(actor, province), auto_id="moi-%s")
    return render(request, LIST, {
        "province": province, "provinces": provinces, "query": query,
        "rows": users.user_rows(actor, query),
        "form": form, "errors": [*error_items(form), *error_items(messages=errors)],
    }, status=status)


@login_required
@shows_domain_errors
def user_list(request):
    actor = get_actor(request)
    _require_admin_pages(actor)
    return _list_page(request, actor)


@login_required
@require_POST
@shows_domain_errors
def user_create(request):
    actor = get_actor(request)
    _require_admin_pages(actor)
    province, _ = _province(actor, request)
    form = UserForm(request.POST, scopes=scope_choices(actor, province), auto_id="moi-%s")
    if not form.is_valid():
        return _list_page(request, actor, form=form, status=400)
    data = form.cleaned_data
    try:
        created = users.create_user(actor, username=data["username"],
                                    full_name=data["full_name"], email=data["email"],
                                    role=data["role"], **form.scope_kwargs())
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _list_page(request, actor, form=form, errors=exc.messages, status=exc.status)
    # The first password is shown in this answer only (never stored in plain, never in a
    # message kept in the session).
    return _detail_page(request, actor, created.user, password=created.password, status=201)


def _detail_page(request, actor, user, *, form=None, errors=(), status=200, password=None):
    form = form or RoleForm(scopes=scope_choices(actor, users.first_province(user)),
                            auto_id="vai-tro-%s")
    return render(request, DETAIL, {
        "subject": user, "roles": users.roles_of(user),
        "two_factor": twofactor.is_enrolled(user),
        "can_manage": users.may_manage(actor, user), "is_self": user.pk == actor.user.pk,
        "form": form, "password": password,
        "errors": [*error_items(form), *error_items(messages=errors)],
    }, status=status)


@login_required
@shows_domain_errors
def user_detail(request, pk):
    actor = get_actor(request)
    return _detail_page(request, actor, users.user_in_scope(actor, pk))


def _act(request, pk, call, message):
    """One POST of the detail page: the service call, then back to the page; a refusal
    is shown on it with its Vietnamese sentence (403/404 as such)."""
    actor = get_actor(request)
    user = users.user_in_scope(actor, pk)
    try:
        call(actor, user)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _detail_page(request, actor, user, errors=exc.messages, status=exc.status)
    messages.success(request, message(user))
    return redirect(reverse("user_detail", args=[user.pk]))


@login_required
@require_POST
@shows_domain_errors
def role_grant(request, pk):
    actor = get_actor(request)
    user = users.user_in_scope(actor, pk)
    require(True, users.may_manage(actor, user))
    form = RoleForm(request.POST, scopes=scope_choices(actor, users.first_province(user)),
                    auto_id="vai-tro-%s")
    if not form.is_valid():
        return _detail_page(request, actor, user, form=form, status=400)
    try:
        assignment = users.grant_role(actor, user, form.cleaned_data["role"],
                                      **form.scope_kwargs())
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _detail_page(request, actor, user, form=form, errors=exc.messages,
                            status=exc.status)
    messages.success(request, f"Đã giao vai trò “{assignment}” cho {user}.")
    return redirect(reverse("user_detail", args=[user.pk]))


@login_required
@require_POST
@shows_domain_errors
def role_revoke(request, pk, role_pk):
    return _act(request, pk, lambda actor, user: users.revoke_role(actor, user, role_pk),
                lambda user: f"Đã thu hồi một vai trò của {user}.")


@login_required
@require_POST
@shows_domain_errors
def two_factor_reset(request, pk):
    return _act(request, pk, users.reset_two_factor,
                lambda user: f"Đã xóa xác thực hai bước của {user}: người này thiết lập lại "
                             "ở lần đăng nhập sau; mọi phiên đăng nhập của họ đã kết thúc.")


@login_required
@require_POST
@shows_domain_errors
def deactivate(request, pk):
    return _act(request, pk,
                lambda actor, user: users.set_active(actor, user, False,
                                                     request.POST.get("reason", "")),
                lambda user: f"Đã khóa tài khoản {user.username}: không đăng nhập được nữa.")


@login_required
@require_POST
@shows_domain_errors
def reactivate(request, pk):
    return _act(request, pk, lambda actor, user: users.set_active(actor, user, True),
                lambda user: f"Đã mở khóa tài khoản {user.username}.")
