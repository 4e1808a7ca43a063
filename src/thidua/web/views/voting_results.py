"""After the vote (issue 4 items 4, 6, 7): paper ballots entered by the counting committee
and their reconciliation, the projector count, the result with its arithmetic, and, in
public, the receipt check and the ballot list whose SHA-256 is the digest in the minutes."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from thidua.core import ratelimit
from thidua.core.errors import DomainError, NotFound
from thidua.voting import queries, rules, services
from thidua.voting.domain.tally import OUTCOME_LABELS
from thidua.voting.models import Poll
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors

PAPER = "web/voting/paper.html"


def _poll_for_paper(actor, pk):
    poll = queries.poll_in_scope(actor, pk)
    require(True, rules.can_enter_paper_ballots(actor, poll.conference))
    return poll


def _paper_page(request, actor, poll, *, errors=(), status=200, codes=(), entered=None,
                corrected=False):
    if poll.vote_per == "delegate":
        # Per delegate (RULES.md 29): a paper ballot replaces the usable card of a
        # delegate who has not voted in another way.
        waiting, waiting_cards = [], services.paper_cards(poll)
    else:
        waiting, waiting_cards = queries.waiting_units(poll), []
    return render(request, PAPER, {
        "poll": poll, "candidates": queries.candidates(poll), "waiting": waiting,
        "waiting_cards": waiting_cards,
        "can_issue": rules.can_run_conference(actor, poll.conference.bloc_year),
        "check": services.reconciliation(poll), "codes": codes, "entered": entered,
        "corrected": corrected,
        "errors": error_items(messages=errors),
    }, status=status)


def _service_errors(request, actor, poll, call):
    try:
        return call(), None
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return None, _paper_page(request, actor, poll, errors=exc.messages, status=exc.status)


def _ints(values):
    try:
        return [int(v) for v in values]
    except ValueError:
        return None


@login_required
@shows_domain_errors
def paper(request, pk):
    actor = get_actor(request)
    return _paper_page(request, actor, _poll_for_paper(actor, pk))


@login_required
@require_POST
@shows_domain_errors
def paper_issue(request, pk):
    actor = get_actor(request)
    poll = queries.poll_in_scope(actor, pk)
    require(True, rules.can_run_conference(actor, poll.conference.bloc_year))
    # Units per unit, delegates' cards per delegate (RULES.md 29); the service refuses the
    # wrong kind for the poll.
    unit_ids, card_ids = _ints(request.POST.getlist("units")), _ints(request.POST.getlist("cards"))
    if unit_ids is None or card_ids is None:
        return _paper_page(request, actor, poll, status=400, errors=[
            "Danh sách đơn vị hoặc thẻ đại biểu không hợp lệ."])
    codes, failed = _service_errors(request, actor, poll, lambda: services.issue_paper_ballots(
        actor, poll, unit_ids, card_ids))
    return failed or _paper_page(request, actor, poll, codes=codes)


def _paper_ballot(request, pk, call, *, corrected=False):
    """Enter or correct one returned paper ballot (`call`: the service) from the form: the
    code, the candidates marked, and whether a name outside the list was written in."""
    actor = get_actor(request)
    poll = _poll_for_paper(actor, pk)
    chosen = _ints(request.POST.getlist("candidates"))
    if chosen is None:
        return _paper_page(request, actor, poll, errors=["Danh sách lựa chọn không hợp lệ."],
                           status=400)
    ballot, failed = _service_errors(request, actor, poll, lambda: call(
        actor, poll, request.POST.get("code", ""), chosen,
        outside_list=request.POST.get("outside_list") == "1"))
    return failed or _paper_page(request, actor, poll, entered=ballot, corrected=corrected)


@login_required
@require_POST
@shows_domain_errors
def paper_enter(request, pk):
    return _paper_ballot(request, pk, services.enter_paper_ballot)


@login_required
@require_POST
@shows_domain_errors
def paper_correct(request, pk):
    """A paper ballot entered wrongly, entered again over itself before the close."""
    return _paper_ballot(request, pk, services.correct_paper_ballot, corrected=True)


@login_required
@require_POST
@shows_domain_errors
def paper_reconcile(request, pk):
    actor = get_actor(request)
    poll = _poll_for_paper(actor, pk)
    raw = request.POST.get("unreturned", "").strip()
    if not raw.isdigit():
        return _paper_page(request, actor, poll, status=400, errors=[
            "Số phiếu không thu về phải là số nguyên không âm."])
    _, failed = _service_errors(request, actor, poll, lambda: services.reconcile_paper(
        actor, poll, unreturned=int(raw)))
    return failed or _paper_page(request, actor, poll)


@login_required
@shows_domain_errors
def projector(request, pk):
    actor = get_actor(request)
    poll = queries.poll_in_scope(actor, pk)
    return render(request, "web/voting/projector.html",
                  {"poll": poll, "turnout": services.turnout(poll)})


@login_required
@shows_domain_errors
def projector_count(request, pk):
    """The cached count only (htmx polls it every 2 s): never a choice."""
    actor = get_actor(request)
    poll = queries.poll_in_scope(actor, pk)
    return render(request, "web/voting/projector.html#count",
                  {"poll": poll, "turnout": services.turnout(poll)})


@login_required
@shows_domain_errors
def result(request, pk):
    actor = get_actor(request)
    poll = queries.poll_in_scope(actor, pk)
    outcome = services.result(actor, poll)
    rows = [{"label": r.candidate.label, "votes": r.votes, "passed": r.passed,
             "outcome": OUTCOME_LABELS.get(r.outcome, r.outcome), "sentence": r.sentence,
             "position": r.position} for r in outcome.tally.results]
    ballots = queries.shown_ballots(poll, outcome.ballots)
    return render(request, "web/voting/result.html", {
        "poll": poll, "tally": outcome.tally, "rows": rows, "ballots": ballots,
        "digest": outcome.digest, "check": outcome.reconciliation,
        "bloc_year": poll.conference.bloc_year, "again": services.vote_again_plan(poll),
        "can_run": rules.can_run_conference(actor, poll.conference.bloc_year),
    })


@shows_domain_errors
def receipt_check(request, pk):
    """Public: a delegate types the receipt code and sees their ballot in the count. The
    code is posted, never put in the address: a proxy's log line of the check then holds
    no code to set beside the same phone's vote."""
    poll = _published(pk)
    code = request.POST.get("ma", "").strip() if request.method == "POST" else ""
    found, errors, status = None, [], 200
    if code:
        ratelimit.check(request, "receipt", *ratelimit.LIMITS["receipt"],
                        who=ratelimit.by_ip(request))
        try:
            ballot = services.check_receipt(poll.pk, code[:40])
        except NotFound as exc:
            errors, status = list(exc.messages), 404
        else:
            [found] = queries.shown_ballots(poll, [ballot])
    return render(request, "web/voting/receipt.html", {
        "poll": poll, "code": code, "found": found, "errors": error_items(messages=errors),
    }, status=status)


def _published(pk) -> Poll:
    try:
        return queries.published_poll(pk)
    except NotFound as exc:
        raise Http404(exc.messages[0]) from None


@require_GET
@shows_domain_errors
def ballot_list(request, pk):
    """Public: the published ballot list as a text file — `sha256sum` of it gives the
    ballot-box digest printed in the minutes, so anyone can check the two agree."""
    ratelimit.check_public(request)
    poll = _published(pk)
    response = HttpResponse(services.box_listing(poll), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hom-phieu-{poll.pk}.txt"'
    return response
