"""Voting cards (RULES.md 29): one per present unit, or per named delegate; issued
by an explicit step, shown again without reissuing."""

import base64
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError
from thidua.org.models import Unit
from thidua.org.rules import Actor
from thidua.voting.domain.delegates import delegate_key, delegate_names
from thidua.voting.models import (
    Attendance,
    Participation,
    Poll,
    VotingCard,
)
from thidua.voting.services.common import (
    ALREADY_VOTED,
    CARD_PREFIX,
    NOT_OPEN,
    REVOKED_CARD,
    USED_CARD,
    State,
    _hash,
    _lock,
    _province_id,
    _require_run,
    _voter_key,
)


def card_for(token: str, poll_id: int):
    """The card a token names for this poll, or None (nothing told about other polls)."""
    if not token.startswith(CARD_PREFIX) or len(token) > 100:
        return None
    return (VotingCard.objects.select_related("poll__conference", "unit")
            .filter(token_hash=_hash(token), poll_id=poll_id).first())


def card_holder_voted(card: VotingCard) -> bool:
    """Whether the card's voter has voted already in another way (per unit: the unit on
    paper or logged in; per delegate: the delegate logged in or on paper)."""
    return Participation.objects.filter(
        poll_id=card.poll_id,
        voter_key=_voter_key(card.poll, card.unit_id, card.delegate_name)).exists()


def card_refusal(card: VotingCard) -> str | None:
    """Why the card cannot vote now, as its ballot page says before any mark is made, in
    the words the vote itself refuses with (`cast_with_card`, which checks again when it
    writes); None when it can vote."""
    if card.used:
        return USED_CARD
    if card.revoked:
        return REVOKED_CARD
    if card_holder_voted(card):  # per delegate: voted logged in or on paper (RULES.md 29)
        return ALREADY_VOTED
    if card.poll.state != State.OPEN:
        return NOT_OPEN
    return None


@dataclass(frozen=True)
class IssuedCard:
    card: VotingCard
    token: str  # shown once: printed on the card and in its QR code
    unit_name: str


def _voting_rows(poll: Poll) -> list:
    return list(Attendance.objects.filter(conference_id=poll.conference_id, present=True)
                .select_related("unit").order_by("unit__sort_key"))


def _holders(poll: Poll) -> list:
    """(attendance row, delegate name) for every card to issue: per unit, each present unit
    that has not voted; per delegate (RULES.md 29 setting), each delegate named on a
    present unit's attendance row who has not voted in any way (card, logged in, or the
    paper ballot that replaced their card: one participation key per delegate)."""
    rows = _voting_rows(poll)
    if poll.vote_per != "delegate":
        voted = set(Participation.objects.filter(poll=poll).values_list("unit_id", flat=True))
        return [(row, row.delegate_name) for row in rows if row.unit_id not in voted]
    unnamed = [row.unit.name for row in rows if not delegate_names(row.delegate_name)]
    if unnamed:
        raise DomainError("Mỗi đại biểu một phiếu (Quy tắc 29): ghi tên đại biểu khi điểm "
                          "danh (nhiều người cách nhau bằng dấu ;) cho: "
                          + ", ".join(unnamed) + ".")
    voted = dict(Participation.objects.filter(poll=poll).values_list("voter_key", "unit_id"))
    # Polls from before per-delegate paper ballots recorded a whole unit as "paper:<id>".
    paper_units = {unit_id for key, unit_id in voted.items() if key.startswith("paper:")}
    return [(row, name) for row in rows if row.unit_id not in paper_units
            for name in delegate_names(row.delegate_name)
            if delegate_key(row.unit_id, name) not in voted]


def card_token(card_id: int) -> str:
    """The plain token of a card: an HMAC of its id under the server's secret key. The
    table keeps only the token's hash (a copy of the database opens no ballot), yet the
    cards page and the printed sheet show the cards already issued again, so printing or
    reloading never has to issue new ones (and revoke the printed ones)."""
    digest = salted_hmac("thidua.voting.card", str(card_id), algorithm="sha256").digest()
    return CARD_PREFIX + base64.urlsafe_b64encode(digest[:24]).decode()


@transaction.atomic
def issue_cards(actor: Actor, poll: Poll, *, expires_at=None) -> list[IssuedCard]:
    """A card for every present member unit (RULES.md 29) that has not voted yet — or, when
    the rulebook gives one vote per delegate, for every delegate named in the attendance
    who has not voted; earlier unused cards are revoked. An explicit step (a POST with the
    user's confirmation): `issued_cards` shows them again afterwards."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
    if locked.state not in (State.CREATED, State.OPEN):
        raise Conflict("Cuộc bỏ phiếu đã kết thúc: không phát thẻ.")
    holders = _holders(locked)
    revoked = VotingCard.objects.filter(poll=locked, used=False, revoked=False).update(
        revoked=True)
    issued = []
    for row, name in holders:
        # The token derives from the id, known once the row exists: a random placeholder
        # hash first (the column is unique), the real one right after.
        card = VotingCard.objects.create(
            poll=locked, unit=row.unit, delegate_name=name, expires_at=expires_at,
            token_hash=_hash(CARD_PREFIX + secrets.token_urlsafe(24)))
        plain = card_token(card.pk)
        card.token_hash = _hash(plain)
        card.save(update_fields=["token_hash"])
        issued.append(IssuedCard(card, plain, row.unit.name))
    audit.record(actor, "voting.cards.issue", locked, province_id=_province_id(poll.conference),
                 after={"cards": len(issued), "per": locked.vote_per, "revoked": revoked})
    return issued


@dataclass(frozen=True)
class CardSheet:
    cards: list  # IssuedCard of every live card, in the order of the attendance
    unshown: int  # live cards issued before tokens were derived: cannot be printed again


def issued_cards(actor: Actor, poll: Poll) -> CardSheet:
    """The cards issued and still live (unused, not revoked, not expired, their holder not
    voted another way), with their tokens, for the cards page and the printed sheet.
    Reads only: showing or printing the cards never issues or revokes any."""
    _require_run(actor, poll.conference)
    voted = set(Participation.objects.filter(poll=poll).values_list("voter_key", flat=True))
    now = timezone.now()
    cards, unshown = [], 0
    for card in (VotingCard.objects.filter(poll=poll, used=False, revoked=False)
                 .select_related("unit").order_by("unit__sort_key", "unit_id", "pk")):
        if card.expires_at is not None and card.expires_at <= now:
            continue
        if _voter_key(poll, card.unit_id, card.delegate_name) in voted:
            continue
        plain = card_token(card.pk)
        if _hash(plain) != card.token_hash:
            unshown += 1
            continue
        cards.append(IssuedCard(card, plain, card.unit.name))
    return CardSheet(cards, unshown)


@dataclass(frozen=True)
class DelegateRow:
    unit: Unit
    name: str
    voted: bool  # voted, with a card, logged in or on paper (never what)
    holds_card: bool  # an unused, unrevoked card


def delegate_roll(poll: Poll) -> list[DelegateRow]:
    """Per delegate: every delegate named on a present unit's attendance row, with whether
    they voted (any way) or hold an unused card (three queries)."""
    voted = set(Participation.objects.filter(poll=poll).values_list("voter_key", flat=True))
    holding = {delegate_key(unit_id, name) for unit_id, name in VotingCard.objects.filter(
        poll=poll, used=False, revoked=False).values_list("unit_id", "delegate_name")}
    rows = []
    for row in _voting_rows(poll):
        for name in delegate_names(row.delegate_name):
            key = delegate_key(row.unit_id, name)
            rows.append(DelegateRow(row.unit, name, key in voted,
                                    key not in voted and key in holding))
    return rows
