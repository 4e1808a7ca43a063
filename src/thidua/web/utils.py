"""Small helpers every view shares: the actor, scope checks, errors shown, not raised."""

from functools import wraps

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.org.rules import actor_for


def get_actor(request):
    return actor_for(request.user)


def require(visible: bool, allowed: bool = True):
    """404 for what the actor may not see (existence is not told), 403 for what they may
    see but not do."""
    if not visible:
        raise Http404("Không tìm thấy.")
    if not allowed:
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_items(form=None, messages=()):
    """The error summary's lines: (message, anchor of the field or None), form fields first
    in the order they are shown, then the service's messages."""
    items = []
    if form is not None and form.is_bound:
        for message in form.non_field_errors():
            items.append((message, None))
        for bound in form:
            for message in bound.errors:
                items.append((message, _anchor(bound)))
    items.extend((message, None) for message in messages)
    return items


def _anchor(bound):
    # Choice lists have no element with the field's own id; their first option does.
    if isinstance(bound.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return f"{bound.auto_id}_0"
    return bound.auto_id


def shows_domain_errors(view):
    """The last net: a DomainError a view did not expect becomes a page with its
    Vietnamese messages and its status (never a 500)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.messages[0] if exc.messages else "") from exc
        except Forbidden as exc:
            raise PermissionDenied(exc.messages[0] if exc.messages else "") from exc
        except DomainError as exc:
            return render(request, "web/domain_error.html",
                          {"errors": error_items(messages=exc.messages)}, status=exc.status)

    return wrapper
