"""Voting again (RULES.md 32): the run-off the count opened after a tie at the quota,
or an election's next round among the front-runners when too few reached the
threshold."""

from dataclasses import dataclass
from fractions import Fraction

from django.db import transaction

from thidua.core import audit
from thidua.core.errors import Conflict
from thidua.law.rulebook import FractionRule
from thidua.org.rules import Actor
from thidua.voting.domain import election
from thidua.voting.domain.tally import BASES
from thidua.voting.models import Candidate, Poll
from thidua.voting.services.common import ELECTIONS, State, _lock, _province_id, _require_run
from thidua.voting.services.polls import create_poll, open_poll


@dataclass(frozen=True)
class VoteAgain:
    """Why a counted poll is voted again, and among whom: a tie at the quota's cut-off
    (the run-off poll the count opened, RULES.md 32), or an election that filled fewer
    seats than it has because too few reached the threshold (a new round among the
    front-runners, the threshold still applying — `election.front_runners`)."""

    sentence: str
    names: tuple  # the candidates standing again, in ballot order
    unit_ids: tuple
    seats: int
    run_off: bool  # True: the tie at the quota; False: a new round of the election
    poll: Poll | None  # the run-off or the next round, once it exists


def again_of(poll: Poll) -> tuple | None:
    """(candidate ids, seats, run_off) when a counted poll must be voted again, read from
    its stored count alone (no query): the tied at the quota's cut-off and their seats
    (run_off True), or an election's front-runners for its open seats; else None."""
    record = poll.result or {}
    if poll.state not in (State.CLOSED, State.PUBLISHED) or not record:
        return None
    if record.get("run_off"):
        return tuple(record["run_off"]), record["run_off_seats"], True
    selected = record.get("selected", [])
    seats = poll.quota - len(selected)
    if poll.kind not in ELECTIONS or seats <= 0:
        return None
    votes = {c["candidate"]: c["yes_votes"] for c in record.get("candidates", [])
             if c["candidate"] not in selected}
    if not votes:
        return None
    return election.front_runners(votes, seats), seats, False


def vote_again_plan(poll: Poll) -> VoteAgain | None:
    """The vote-again a counted poll calls for, with its sentence, or None (it decided,
    or is not counted yet). Two queries."""
    again = again_of(poll)
    if again is None:
        return None
    ids, seats, run_off = again
    record = poll.result
    labels = {c["candidate"]: c["label"] for c in record["candidates"]}
    units = dict(Candidate.objects.filter(poll=poll).values_list("id", "unit_id"))
    names, unit_ids = tuple(labels[i] for i in ids), tuple(units[i] for i in ids)
    if run_off:
        return VoteAgain(
            f"{', '.join(names)} bằng nhau ở ranh giới chỉ tiêu, còn {seats} suất: bỏ phiếu "
            "lại giữa các ứng viên này, không tự loại (Quy tắc 32).", names, unit_ids, seats,
            True, Poll.objects.filter(pk=record.get("run_off_poll")).first())
    votes = {c["candidate"]: c["yes_votes"] for c in record["candidates"]}
    rule = FractionRule(poll.threshold_comparison,
                        Fraction(poll.threshold_numerator, poll.threshold_denominator))
    base = record.get("base", 0)
    later = (Poll.objects.filter(conference_id=poll.conference_id, kind=poll.kind,
                                 id__gt=poll.pk).order_by("id").first())
    return VoteAgain(
        f"Chưa bầu đủ: {poll.quota - seats}/{poll.quota} người đạt ngưỡng (cần {rule} của "
        f"{base} {BASES.get(record.get('base_kind'), '')}, tức ít nhất {rule.minimum(base)} "
        "phiếu). Bầu lại giữa những người nhiều phiếu nhất: "
        + ", ".join(f"{labels[i]} ({votes[i]} phiếu)" for i in ids)
        + "; vẫn phải đạt ngưỡng (Quy tắc 31, 32).", names, unit_ids, seats, False, later)


@transaction.atomic
def vote_again(actor: Actor, poll: Poll) -> Poll:
    """Vote again after a tie at the quota or an election without enough votes (the
    "Bỏ phiếu lại" button, RULES.md 32): opens the run-off the count created, or creates
    the election's next round among the front-runners and opens it (quorum checked,
    RULES.md 28). Idempotent: once the vote-again exists it is returned as it is. Returns
    the poll to vote in."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
    plan = vote_again_plan(locked)
    if plan is None:
        if locked.state not in (State.CLOSED, State.PUBLISHED):
            raise Conflict("Chỉ bỏ phiếu lại sau khi kết thúc bỏ phiếu và kiểm phiếu.")
        raise Conflict("Cuộc bỏ phiếu này đã có kết quả: không bỏ phiếu lại.")
    again, created = plan.poll, False
    if again is None:
        rounds = Poll.objects.filter(conference_id=locked.conference_id,
                                     kind=locked.kind).order_by("id")
        first = rounds.first()
        again = create_poll(actor, locked.conference, locked.kind, unit_ids=list(plan.unit_ids),
                            title=f"{first.title} (vòng {rounds.count() + 1})"[:300])
        again.citation = f"{again.citation}; Bầu lại sau «{locked.title}»: {plan.sentence}"
        again.quota = plan.seats
        again.save(update_fields=["citation", "quota"])
        created = True
    if again.state == State.CREATED:
        again = open_poll(actor, again)
        created = True
    if created:
        audit.record(actor, "voting.poll.vote_again", locked,
                     province_id=_province_id(locked.conference),
                     after={"poll": again.pk, "candidates": list(plan.unit_ids),
                            "seats": plan.seats, "run_off": plan.run_off})
    return again
