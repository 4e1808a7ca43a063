"""Personal API tokens: create (shown once), list, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.core import tokens
from thidua.core.errors import DomainError
from thidua.web.forms import TokenForm
from thidua.web.utils import error_items, shows_domain_errors


def _page(request, *, form=None, plain=None, errors=(), status=200):
    form = form or TokenForm()
    response = render(request, "web/api_tokens.html", {
        "form": form, "plain": plain, "tokens": tokens.active_tokens(request.user),
        "errors": [*error_items(form), *error_items(messages=errors)],
    }, status=status)
    if plain:
        # The one page that holds a secret: never cached anywhere, not even in history.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@shows_domain_errors
def token_list(request):
    if request.method != "POST":
        return _page(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        _, plain = tokens.create_token(request.user, form.cleaned_data["name"])
    except DomainError as exc:
        return _page(request, form=form, errors=exc.messages, status=exc.status)
    return _page(request, plain=plain)


@login_required
@require_POST
@shows_domain_errors
def revoke(request, pk):
    token = tokens.revoke_token(request.user, pk)
    messages.success(request, f"Đã thu hồi mã truy cập “{token.name}”.")
    return redirect("api_tokens")
