"""Polls of the year-end conference (issue 4 items 2, 3): create a poll, its candidates,
open / close / publish, voting cards with their QR codes, and the ballot a delegate opens
from a card (no account) or casts logged in.

Secrecy: the views never log or keep who chose what; the receipt code is shown once, in
the answer to the vote, and stored nowhere but on the ballot.
"""

import base64
import io
from fractions import Fraction

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.core import ratelimit
from thidua.core.errors import DomainError
from thidua.core.numbers import vi_number
from thidua.law.award_forms import AwardForm, label_for
from thidua.voting import links, queries, rules, services
from thidua.voting.models import Poll
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors

POLL = "web/voting/poll.html"
# Asked before a ballot with no mark is cast (by ballot.js, and by the page itself when
# the script did not run): a blank ballot counts and cannot be taken back.
BLANK_QUESTION = "Bạn chưa chọn ai. Gửi phiếu trắng? Không sửa lại được."
# Each returns the poll to show next: the same one, or the run-off / next round that
# "Bỏ phiếu lại" opened (RULES.md 32).
STEPS = {"mo": services.open_poll, "ket-thuc": services.close_poll,
         "cong-bo": services.publish_poll, "bo-phieu-lai": services.vote_again}


class PollForm(forms.Form):
    kind = forms.ChoiceField(label="Loại cuộc bỏ phiếu", choices=Poll.Kind.choices,
                             error_messages={"required": "Chọn loại cuộc bỏ phiếu.",
                                             "invalid_choice": "Loại cuộc bỏ phiếu không hợp lệ."})
    award_form = forms.ChoiceField(
        label="Hình thức khen thưởng (khi bình xét)", required=False,
        choices=[("", "—"), *AwardForm.choices],
        error_messages={"invalid_choice": "Hình thức khen thưởng không hợp lệ."})
    title = forms.CharField(label="Tiêu đề", required=False, max_length=300,
                            help_text="Để trống: tiêu đề theo loại và hình thức.")

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_form"].choices = [("", "—"), *[
            (form, label_for(form, province)) for form in AwardForm.values]]


def score_text(candidate) -> str:
    if candidate.score_numerator is None or not candidate.score_denominator:
        return "—"
    return vi_number(Fraction(candidate.score_numerator, candidate.score_denominator))


def qr_data_uri(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2,
                                    title="Mã QR phiếu bầu")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _poll_for_run(actor, pk):
    poll = queries.poll_in_scope(actor, pk)
    require(True, rules.can_run_conference(actor, poll.conference.bloc_year))
    return poll


def _poll_page(request, actor, poll, *, errors=(), status=200, receipt=None,
               confirm_blank=False, typed=None):
    """`typed`: (unit ids ticked, {unit id: reason}) of a refused candidate list, shown
    again as the user left them."""
    bloc_year = poll.conference.bloc_year
    candidates = queries.candidates(poll)
    units = services.voting_units_of(actor, poll)
    members = []
    can_run = rules.can_run_conference(actor, bloc_year)
    if can_run and poll.state == Poll.State.CREATED and not poll.run_off_of_id:
        chosen = {c.unit_id for c in candidates}
        unfit = {entry["unit"]: entry for entry in poll.ineligible or []}
        if typed is not None:
            chosen = set(typed[0])
            unfit = {unit: {**entry, "override": typed[1].get(unit, "")}
                     for unit, entry in unfit.items()}
        members = [(row.unit, row.unit_id in chosen, unfit.get(row.unit_id))
                   for row in queries.roll(poll.conference)]
    return render(request, POLL, {
        "poll": poll, "conference": poll.conference, "bloc_year": bloc_year,
        "candidates": [(c, score_text(c)) for c in candidates], "can_run": can_run,
        "ballot_candidates": candidates, "chosen": (),
        "members": members, "can_vote": bool(units) and poll.state == Poll.State.OPEN,
        "errors": error_items(messages=errors), "receipt": receipt,
        # Counted afresh for who runs the poll (its close step names the count); the
        # delegates' pages, reloaded across a hall, share the cached count.
        "turnout": services.turnout(poll, fresh=can_run),
        "can_see_result": rules.can_see_result(actor, poll),
        "can_enter_paper": rules.can_enter_paper_ballots(actor, poll.conference),
        "again": services.vote_again_plan(poll) if rules.can_see_result(actor, poll) else None,
        "confirm_blank": confirm_blank, "blank_question": BLANK_QUESTION,
    }, status=status)


@login_required
@require_POST
@shows_domain_errors
def poll_create(request, pk):
    actor = get_actor(request)
    conference = queries.conference_in_scope(actor, pk)
    require(True, rules.can_run_conference(actor, conference.bloc_year))
    form = PollForm(request.POST, province=conference.bloc_year.bloc.province)
    if not form.is_valid():
        problems = [m for field in form for m in field.errors]
        raise DomainError(*problems)
    poll = services.create_poll(actor, conference, form.cleaned_data["kind"],
                                award_form=form.cleaned_data["award_form"],
                                title=form.cleaned_data["title"])
    return redirect("voting_poll", pk=poll.pk)


@login_required
@shows_domain_errors
def poll_page(request, pk):
    actor = get_actor(request)
    return _poll_page(request, actor, queries.poll_in_scope(actor, pk))


@login_required
@require_POST
@shows_domain_errors
def poll_candidates(request, pk):
    actor = get_actor(request)
    poll = _poll_for_run(actor, pk)
    try:
        unit_ids = [int(v) for v in request.POST.getlist("units")]
    except ValueError:
        unit_ids = None
    overrides = {}
    try:
        if unit_ids is None:
            raise DomainError("Danh sách ứng viên không hợp lệ.")
        # A unit not eligible stands only with the reason typed beside it (issue 11).
        overrides = {unit_id: request.POST.get(f"ly_do_{unit_id}", "") for unit_id in unit_ids}
        services.set_candidates(actor, poll, unit_ids, overrides)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        typed = (unit_ids or [], overrides if unit_ids is not None else {})
        return _poll_page(request, actor, poll, errors=exc.messages, status=exc.status,
                          typed=typed)
    return redirect("voting_poll", pk=poll.pk)


@login_required
@require_POST
@shows_domain_errors
def poll_step(request, pk, action):
    actor = get_actor(request)
    poll = _poll_for_run(actor, pk)
    step = STEPS.get(action)
    if step is None:
        raise Http404("Không có thao tác này.")
    try:
        shown = step(actor, poll)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _poll_page(request, actor, queries.poll_in_scope(actor, pk),
                          errors=exc.messages, status=exc.status)
    return redirect("voting_poll", pk=shown.pk)


def _delegates_page(request, poll, *, errors=(), status=200):
    return render(request, "web/voting/delegates.html", {
        "poll": poll, "bloc_year": poll.conference.bloc_year,
        "roll": services.delegate_roll(poll), "errors": error_items(messages=errors),
    }, status=status)


@login_required
@shows_domain_errors
def poll_delegates(request, pk):
    """One vote per delegate (RULES 29 setting): the delegates named in the attendance,
    who voted with a card and who holds one, and the button that issues their cards."""
    actor = get_actor(request)
    return _delegates_page(request, _poll_for_run(actor, pk))


@login_required
@shows_domain_errors
def poll_cards(request, pk):
    """The cards issued and still usable, to print (each with its QR code): reading this
    page, reloading it or printing it never issues or revokes a card."""
    actor = get_actor(request)
    poll = _poll_for_run(actor, pk)
    sheet = services.issued_cards(actor, poll)
    cards = []
    for item in sheet.cards:
        url = links.ballot_url(poll.pk, item.token, request)
        cards.append({"unit": item.unit_name, "delegate": item.card.delegate_name,
                      "url": url, "qr": qr_data_uri(url)})
    return render(request, "web/voting/cards.html", {
        "poll": poll, "cards": cards, "unshown": sheet.unshown,
        "can_issue": poll.state in (Poll.State.CREATED, Poll.State.OPEN)})


@login_required
@require_POST
@shows_domain_errors
def poll_cards_issue(request, pk):
    """Issue a card for every present member (or, per delegate, every delegate named in the
    attendance) that has not voted; earlier unused cards are revoked (the button asks
    first). Then the cards page shows them, as often as it is reloaded."""
    actor = get_actor(request)
    poll = _poll_for_run(actor, pk)
    try:
        issued = services.issue_cards(actor, poll)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        if poll.vote_per == "delegate":
            return _delegates_page(request, poll, errors=exc.messages, status=exc.status)
        return _poll_page(request, actor, poll, errors=exc.messages, status=exc.status)
    messages.success(request, f"Đã phát {len(issued)} thẻ biểu quyết; các thẻ phát trước "
                              "mà chưa dùng đã bị thu hồi.")
    return redirect("voting_poll_cards", pk=poll.pk)


def _ballot_page(request, poll, token, card, *, errors=(), status=200, receipt=None,
                 refused=None, chosen=(), confirm_blank=False):
    return render(request, "web/voting/ballot.html", {
        "poll": poll, "token": token, "card": card, "errors": error_items(messages=errors),
        "candidates": queries.candidates(poll) if refused is None and receipt is None else [],
        "receipt": receipt, "refused": refused, "chosen": {str(c) for c in chosen},
        "confirm_blank": confirm_blank, "blank_question": BLANK_QUESTION,
    }, status=status)


def _unconfirmed_blank(request, chosen) -> bool:
    """A ballot with no mark sent without the voter's yes to the blank-ballot question."""
    return chosen == [] and request.POST.get("phieu_trang") != "1"


def _chosen(request) -> list | None:
    try:
        return [int(v) for v in request.POST.getlist("candidates")]
    except ValueError:
        return None


@shows_domain_errors
def ballot(request, pk):
    """The ballot of a voting card (no account): the QR code opens it on a phone.

    The card's link carries its token in the fragment (`/bo-phieu/<id>/phieu/#phieu_…`),
    which the browser never sends: a GET answers a page whose script (ballot.js) posts
    the token in the body (field `the`) — or the delegate types the code printed on the
    card — and the ballot form posts it again with the marks (`buoc=gui`). So a token is
    never in a path or a query string that a proxy or the access log records."""
    if request.method != "POST":
        return render(request, "web/voting/ballot_open.html", {"pk": pk})
    token = request.POST.get("the", "").strip()
    card = services.card_for(token, pk)
    if card is None:
        raise Http404(services.BAD_CARD)
    poll = card.poll
    refused = services.card_refusal(card)
    if request.POST.get("buoc") == "gui":
        ratelimit.check(request, "voting_card", *ratelimit.LIMITS["voting_card"],
                        who=ratelimit.by_ip(request))
        chosen = _chosen(request)
        if _unconfirmed_blank(request, chosen) and not refused:
            return _ballot_page(request, poll, token, card, confirm_blank=True)
        try:
            if chosen is None:
                raise DomainError("Danh sách lựa chọn không hợp lệ.")
            code = services.cast_with_card(token, pk, chosen)
        except DomainError as exc:
            if exc.status == 404:
                raise
            if exc.status == 409:
                return _ballot_page(request, poll, token, card, refused=exc.messages[0],
                                    status=409)
            return _ballot_page(request, poll, token, card, errors=exc.messages,
                                status=exc.status, chosen=chosen or ())
        return _ballot_page(request, poll, token, card, receipt=code)
    if refused:
        return _ballot_page(request, poll, token, card, refused=refused, status=409)
    return _ballot_page(request, poll, token, card)


@login_required
@require_POST
@shows_domain_errors
def delegate_vote(request, pk):
    """A logged-in delegate votes from the poll page (for their unit)."""
    actor = get_actor(request)
    poll = queries.poll_in_scope(actor, pk)
    chosen = _chosen(request)
    if (_unconfirmed_blank(request, chosen) and poll.state == Poll.State.OPEN
            and services.voting_units_of(actor, poll)):
        return _poll_page(request, actor, poll, confirm_blank=True)
    try:
        if chosen is None:
            raise DomainError("Danh sách lựa chọn không hợp lệ.")
        code = services.cast_as_delegate(actor, poll.pk, chosen)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _poll_page(request, actor, poll, errors=exc.messages, status=exc.status)
    return _poll_page(request, actor, poll, receipt=code)
