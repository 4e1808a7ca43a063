"""A person's phase move (the bloc page's form, the API): before a forward move, what it
leaves undone (guidance.gaps) is shown, and the move goes on only when they confirm it."""

from django.db import transaction

from thidua.core.errors import Conflict
from thidua.guidance.gaps import phase_gaps
from thidua.org import services as org_services
from thidua.org.models import BlocYear
from thidua.org.rules import Actor

# Said after the gaps when a person moved forward without confirming them.
CONFIRM_GAPS = ("Còn thiếu như trên: xác nhận «Vẫn chuyển giai đoạn» nếu khối vẫn chuyển "
                "sang giai đoạn sau.")


class UnconfirmedGaps(Conflict):
    """A forward move that leaves something undone, not confirmed by the person (409):
    `messages` are the gaps (guidance.gaps.phase_gaps), then CONFIRM_GAPS."""


@transaction.atomic
def move_phase(actor: Actor, bloc_year: BlocYear, target: str, reason: str = "", *,
               confirmed: bool) -> BlocYear:
    """org.services.move_phase after the person's answer to what the move leaves undone:
    `confirmed` False refuses a forward move with gaps (UnconfirmedGaps, nothing
    written); True goes on and the audit event keeps the gaps confirmed. The role and the
    state machine are checked first (403/409 before any gap is read), on the locked row."""
    locked = org_services.lock_for_move(actor, bloc_year, target, reason)
    gaps = phase_gaps(locked, target)
    if gaps and not confirmed:
        raise UnconfirmedGaps(*gaps, CONFIRM_GAPS)
    moved = org_services.move_phase(actor, locked, target, reason, gaps_confirmed=gaps)
    bloc_year.phase = target
    return moved
