"""The Django admin leaves an audit event for every change, and cannot bypass the rules
that guard bloc years (RULES.md 1, 2, 5 live in org.services)."""

from thidua.core.audit import verify
from thidua.core.models import AuditEvent
from thidua.org.models import RoleAssignment, Unit


def test_adding_a_unit_in_the_admin_is_audited(world, client_for):
    client = client_for(world.users["admin"])
    world.users["admin"].is_staff = True
    world.users["admin"].is_superuser = True
    world.users["admin"].save()
    response = client.post("/admin/org/unit/add/", {
        "province": world.province.id, "code": "MOI", "name": "Sở Mới"})
    assert response.status_code == 302
    unit = Unit.objects.get(code="MOI")
    event = AuditEvent.objects.get(action="admin.org.unit.add")
    assert (event.object_id, event.province_id, event.after["name"]) == (
        str(unit.id), world.province.id, "Sở Mới")
    assert verify() is None


def test_roles_given_in_the_admin_are_audited_without_password_hashes(world, client_for):
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    user = world.users["nobody"]
    page = client.get(f"/admin/core/user/{user.id}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {
        "groups", "user_permissions", "last_login", "date_joined", "password"}}
    data.update({
        "date_joined_0": "01/01/2026", "date_joined_1": "08:00:00",
        "roles-TOTAL_FORMS": "1", "roles-INITIAL_FORMS": "0",
        "roles-0-role": "unit_officer", "roles-0-unit": world.units["VX2"].id,
    })
    response = client.post(f"/admin/core/user/{user.id}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", "unit__code")) == [
        ("unit_officer", "VX2")]
    logged = AuditEvent.objects.filter(action__startswith="admin.")
    assert set(logged.values_list("action", flat=True)) == {
        "admin.core.user.change", "admin.org.roleassignment.add"}
    for event in logged:
        assert "password" not in (event.before or {})
        assert "password" not in (event.after or {})


def test_bloc_years_cannot_be_edited_in_the_admin(world, client_for):
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    bloc_year = world.bloc_years["KT"]
    response = client.post(f"/admin/org/blocyear/{bloc_year.id}/change/", {"phase": "decided"})
    bloc_year.refresh_from_db()
    assert (response.status_code, bloc_year.phase) == (403, "registration")
