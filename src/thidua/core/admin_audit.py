"""Django admin that leaves an audit event for every change it saves or deletes."""

from django.contrib import admin
from django.forms.models import model_to_dict

from thidua.core import audit

# Never copied into the log: a password hash is a secret even hashed.
_SECRET_FIELDS = {"password"}


def _snapshot(obj):
    data = {}
    for key, value in model_to_dict(obj).items():
        if key in _SECRET_FIELDS or isinstance(value, bytes):
            continue
        if isinstance(value, list):
            value = sorted(getattr(item, "pk", item) for item in value)
        elif not isinstance(value, str | int | float | bool | type(None)):
            value = str(value)
        data[key] = value
    return data


class AuditedModelAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        verb = "change" if change else "add"
        audit.record(request.user, f"admin.{obj._meta.label_lower}.{verb}", obj,
                     before=before, after=_snapshot(obj),
                     province_id=_province_id(obj))

    def delete_model(self, request, obj):
        audit.record(request.user, f"admin.{obj._meta.label_lower}.delete", obj,
                     before=_snapshot(obj), province_id=_province_id(obj))
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        # Inline rows (a user's roles) are changes of their own and are logged as such.
        super().save_formset(request, form, formset, change)
        changes = [("add", obj) for obj in formset.new_objects]
        changes += [("change", obj) for obj, _fields in formset.changed_objects]
        changes += [("delete", obj) for obj in formset.deleted_objects]
        for verb, obj in changes:
            audit.record(request.user, f"admin.{obj._meta.label_lower}.{verb}",
                         (obj._meta.label_lower, obj.pk or "-"), after=_snapshot(obj),
                         province_id=_province_id(obj))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


def _province_id(obj):
    for path in ("province_id", "bloc.province_id", "unit.province_id"):
        value = obj
        for part in path.split("."):
            value = getattr(value, part, None)
        if value is not None:
            return value
    return None
