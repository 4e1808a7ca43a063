from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from thidua.core.admin_audit import AuditedModelAdmin
from thidua.core.models import User
from thidua.org.models import Bloc, BlocYear, EmulationYear, Province, RoleAssignment, Unit


@admin.register(Province)
class ProvinceAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "min_bloc_size", "max_bloc_size")
    search_fields = ("name", "code", "search_key")


@admin.register(Bloc)
class BlocAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "province")
    list_filter = ("province", "kind")
    search_fields = ("name", "code", "search_key")


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "province")
    list_filter = ("province",)
    search_fields = ("name", "code", "search_key")


@admin.register(EmulationYear)
class EmulationYearAdmin(AuditedModelAdmin):
    list_display = ("year", "province", "registration_deadline")
    list_filter = ("province",)


@admin.register(BlocYear)
class BlocYearAdmin(admin.ModelAdmin):
    """Shown, not edited here: members, leader and deputies are set through
    org.services.create_bloc_year (RULES.md 1, 2, 5) and the phase only moves through the
    state machine, so the admin cannot bypass either."""

    list_display = ("bloc", "emulation_year", "phase", "leader_unit")
    list_filter = ("emulation_year__year", "phase")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["province", "unit"]
    raw_id_fields = ["bloc_year"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("thidua", {"fields": ("full_name",)}))
    list_display = ("username", "full_name", "email", "is_active", "last_login")
    search_fields = ("username", "full_name", "email")
    inlines = [RoleInline]
