"""Paper ballots (RULES.md 29, 33): handed to present voters without a phone, entered
(and corrected) by the counting committee while the poll is open, reconciled before the
close. No code is tied to the voter it was handed to."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.org.rules import Actor
from thidua.voting import rules, sealing
from thidua.voting.domain import receipts
from thidua.voting.domain.delegates import delegate_key
from thidua.voting.domain.tally import PublishedBallot, ballot_is_valid
from thidua.voting.models import (
    Attendance,
    Ballot,
    PaperBallotCode,
    PaperBallotIssue,
    Participation,
    Poll,
    SealedBallot,
    VotingCard,
)
from thidua.voting.services.ballots import _write_ballot
from thidua.voting.services.common import (
    ALREADY_VOTED,
    _lock_open,
    _present_units,
    _province_id,
    _require_run,
    _turnout_key,
    _voter_key,
)


def paper_cards(poll: Poll) -> list:
    """Per delegate: the cards a paper ballot may replace — unused, not revoked, of a
    present unit, held by a delegate who has not voted in another way (RULES.md 29)."""
    voted = set(Participation.objects.filter(poll=poll).values_list("voter_key", flat=True))
    cards = (VotingCard.objects.filter(
        poll=poll, used=False, revoked=False,
        unit_id__in=Attendance.objects.filter(conference_id=poll.conference_id, present=True)
        .values("unit_id")).select_related("unit").order_by("unit__sort_key", "unit_id", "pk"))
    return [c for c in cards if delegate_key(c.unit_id, c.delegate_name) not in voted]


def _paper_units(poll: Poll, unit_ids: list):
    """Per unit: each chosen present unit votes on paper as the unit, in place of its
    cards. Returns (voter key, unit id) per ballot, the cards to revoke, the audit note."""
    if not unit_ids:
        raise DomainError("Chọn ít nhất một đơn vị nhận phiếu giấy.")
    present = _present_units(poll)
    if any(u not in present for u in unit_ids):
        raise DomainError("Chỉ đơn vị thành viên có mặt được nhận phiếu (Quy tắc 28, 29).")
    return ([(f"unit:{u}", u) for u in unit_ids],
            VotingCard.objects.filter(poll=poll, unit_id__in=unit_ids), {"units": unit_ids})


def _paper_delegates(poll: Poll, card_ids: list):
    """Per delegate (RULES.md 29 setting): a paper ballot replaces one delegate's card. The
    card is revoked and the delegate's voter key taken, so neither the card, nor a second
    paper ballot, nor the delegate logged in can vote again; the unit's other delegates
    keep theirs. A delegate who voted already (card, logged in) gets none."""
    if not card_ids:
        raise DomainError("Chọn ít nhất một thẻ đại biểu nhận phiếu giấy.")
    # All the poll's cards (a few hundred at most): the chosen ids are looked up here, never
    # sent to the database, so an id from another poll is simply unknown.
    known = {c.pk: c for c in VotingCard.objects.filter(poll=poll).select_related("unit")}
    cards = [known.get(c) for c in card_ids]
    if None in cards:
        raise DomainError("Thẻ biểu quyết đã chọn không thuộc cuộc bỏ phiếu này.")
    present = _present_units(poll)
    keys = [_voter_key(poll, card.unit_id, card.delegate_name) for card in cards]
    voted = dict(Participation.objects.filter(poll=poll, voter_key__in=keys)
                 .values_list("voter_key", "source"))
    voters = []
    for card, key in zip(cards, keys, strict=True):
        who = f"{card.delegate_name} ({card.unit.name})"
        if card.unit_id not in present:
            raise DomainError(f"Đơn vị của đại biểu {who} không có mặt: không nhận phiếu "
                              "(Quy tắc 28, 29).")
        if card.used:
            raise Conflict(f"Đại biểu {who} đã bỏ phiếu bằng thẻ: không phát phiếu giấy "
                           "(Quy tắc 29).")
        if voted.get(key) == Ballot.Source.PAPER:
            raise Conflict(f"Đại biểu {who} đã nhận phiếu giấy: mỗi đại biểu một phiếu "
                           "(Quy tắc 29).")
        if key in voted:
            raise Conflict(f"Đại biểu {who} đã bỏ phiếu điện tử: không phát phiếu giấy, "
                           "mỗi đại biểu một phiếu (Quy tắc 29).")
        if card.revoked:
            raise Conflict(f"Thẻ của đại biểu {who} đã bị thu hồi (đã phát thẻ mới): chọn "
                           "thẻ đang dùng.")
        voters.append((key, card.unit_id))
    chosen = [c.pk for c in cards]
    return voters, VotingCard.objects.filter(pk__in=chosen), {"cards": chosen}


@transaction.atomic
def issue_paper_ballots(actor: Actor, poll: Poll, unit_ids=(), card_ids=()) -> list[str]:
    """Hand paper ballots to present voters without a phone: per unit, to the chosen units
    (`unit_ids`); per delegate (RULES.md 29 setting), to the delegates holding the chosen
    cards (`card_ids`). Each is recorded as having voted (so their card is refused), and
    as many receipt codes are printed on the ballots and handed out in any order. The codes
    are not stored: they are the poll's next paper codes (`sealing.paper_code`, derived
    from the poll's secret), so no table order, transaction id or audit event ties a code
    to a unit or a card; the audit event says how many ballots were handed, not to whom
    (who voted on paper is the participations' business)."""
    _require_run(actor, poll.conference)
    poll = _lock_open(poll.pk)
    unit_ids, card_ids = list(dict.fromkeys(unit_ids)), list(dict.fromkeys(card_ids))
    if poll.vote_per == "delegate":
        if unit_ids:
            raise DomainError("Cuộc bỏ phiếu này mỗi đại biểu một phiếu (Quy tắc 29): chọn "
                              "thẻ của đại biểu nhận phiếu giấy, không chọn đơn vị.")
        voters, cards, chosen = _paper_delegates(poll, card_ids)
    else:
        if card_ids:
            raise DomainError("Cuộc bỏ phiếu này mỗi đơn vị một phiếu (Quy tắc 29): chọn đơn "
                              "vị nhận phiếu giấy, không chọn thẻ đại biểu.")
        voters, cards, chosen = _paper_units(poll, unit_ids)
    for voter_key, unit_id in voters:
        try:
            with transaction.atomic():
                Participation.objects.create(poll=poll, voter_key=voter_key, unit_id=unit_id,
                                             source=Ballot.Source.PAPER)
        except IntegrityError:
            raise Conflict(ALREADY_VOTED) from None
    cards.filter(used=False).update(revoked=True)
    issue, _ = PaperBallotIssue.objects.select_for_update().get_or_create(poll=poll)
    codes = paper_codes(poll, issue.issued + len(voters))[issue.issued:]
    issue.issued += len(codes)
    issue.unreturned = None  # a new issue needs a new reconciliation
    issue.save()
    audit.record(actor, "voting.paper.issue", poll, province_id=_province_id(poll.conference),
                 after={"handed": len(codes)})
    cache.delete(_turnout_key(poll.pk))
    return sorted(codes)


def paper_codes(poll: Poll, count: int) -> list[str]:
    """The poll's first `count` paper-ballot codes, in the order they are handed out
    (the order of the derivation, which only the poll's secret reveals)."""
    if not poll.seal_salt:  # opened before the sealed box: stored codes, then derived
        stored = sorted(PaperBallotCode.objects.filter(poll=poll).values_list("code",
                                                                              flat=True))
    else:
        stored = []
    codes, seen, number = list(stored), set(stored), 0
    while len(codes) < count:
        code = sealing.paper_code(poll, number)
        number += 1
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes[:count]


def issued_paper_codes(poll: Poll) -> list[str]:
    issue = PaperBallotIssue.objects.filter(poll=poll).first()
    return paper_codes(poll, issue.issued if issue else 0)


def unentered_paper_codes(poll: Poll) -> list[str]:
    """The issued paper codes no ballot was entered under yet, sorted."""
    issued = issued_paper_codes(poll)
    tags = set(SealedBallot.objects.filter(poll=poll, source=Ballot.Source.PAPER)
               .values_list("code_tag", flat=True))
    counted = set(Ballot.objects.filter(poll=poll, source=Ballot.Source.PAPER)
                  .values_list("receipt_code", flat=True))
    return sorted(c for c in issued if c not in counted and sealing.code_tag(poll, c) not in tags)


def _paper_choices(poll: Poll, candidate_ids, outside_list) -> tuple[list, bool]:
    """A returned paper ballot's marks as the committee reads them: (the marked candidates
    of the list, valid). Invalid, and counted so (RULES.md 33): more marks than the quota,
    or a mark for a name not on the list — a name written in (`outside_list`) or an id
    that is not one of the poll's candidates. Only a mark keyed twice is refused."""
    if not isinstance(outside_list, bool):
        raise DomainError("Chọn có hoặc không cho ô «ghi tên ngoài danh sách».")
    if not isinstance(candidate_ids, (list, tuple)) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in candidate_ids):
        raise DomainError("Danh sách lựa chọn không hợp lệ.")
    if len(set(candidate_ids)) != len(candidate_ids):
        raise DomainError("Một ứng viên được đánh dấu hai lần trên cùng một phiếu.")
    known = set(poll.candidates.values_list("id", flat=True))
    marked = [c for c in candidate_ids if c in known]
    outside = outside_list or len(marked) != len(candidate_ids)
    return marked, not outside and ballot_is_valid(marked, known, poll.quota)


def _paper_entry(actor: Actor, poll: Poll, receipt_code: str, what: str) -> tuple[Poll, str]:
    """The open poll, held, and the ballot's code, checked as one of those handed out."""
    if not rules.can_enter_paper_ballots(actor, poll.conference):
        raise Forbidden(f"Chỉ ban kiểm phiếu, đơn vị Trưởng khối hoặc Thường trực thi đua "
                        f"tỉnh {what} phiếu giấy.")
    poll = _lock_open(poll.pk)
    code = receipts.normalise(receipt_code)
    if code not in issued_paper_codes(poll):
        raise DomainError(f"Mã phiếu {code!r} không phải phiếu giấy đã phát của cuộc bỏ phiếu "
                          "này.")
    return poll, code


@transaction.atomic
def enter_paper_ballot(actor: Actor, poll: Poll, receipt_code: str, candidate_ids, *,
                       outside_list: bool = False) -> PublishedBallot:
    """The counting committee enters one returned paper ballot, by its printed code. An
    over-marked ballot, or one marking a name not on the list, is stored as invalid
    (RULES.md 33: `_paper_choices`). Sealed like every ballot until the count."""
    poll, code = _paper_entry(actor, poll, receipt_code, "nhập")
    choices, valid = _paper_choices(poll, candidate_ids, outside_list)
    if (Ballot.objects.filter(poll=poll, receipt_code=code).exists()
            or not _legacy_paper_claim(poll, code)):
        raise Conflict(f"Phiếu giấy mã {code} đã được nhập.")
    _write_ballot(poll, "", None, choices, source=Ballot.Source.PAPER, receipt_code=code,
                  participation=False, valid=valid)
    PaperBallotIssue.objects.filter(poll=poll).update(unreturned=None)
    audit.record(actor, "voting.paper.enter", poll, province_id=_province_id(poll.conference),
                 after={"entered": 1})
    return PublishedBallot(code, valid, tuple(sorted(choices)))


@transaction.atomic
def correct_paper_ballot(actor: Actor, poll: Poll, receipt_code: str, candidate_ids, *,
                         outside_list: bool = False) -> PublishedBallot:
    """The committee corrects a paper ballot it entered wrongly, while the poll is open:
    the sealed ballot under that code is sealed again with the marks as read now (RULES.md
    33 for its validity). The paper stack must be reconciled again. Audited as a count
    ("one ballot corrected"): no code, no marks — a paper code is handed to no one in
    particular, and the event says nothing a voter could be traced by."""
    poll, code = _paper_entry(actor, poll, receipt_code, "sửa")
    choices, valid = _paper_choices(poll, candidate_ids, outside_list)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the cell rewritten leaves no old bytes
            cursor.execute("PRAGMA secure_delete = ON")
    corrected = SealedBallot.objects.filter(
        poll=poll, source=Ballot.Source.PAPER, code_tag=sealing.code_tag(poll, code)).update(
        sealed=sealing.seal(poll, code, choices, valid), paper_valid=valid)
    if not corrected:
        raise Conflict(f"Phiếu giấy mã {code} chưa được nhập: nhập phiếu trước, rồi mới sửa.")
    PaperBallotIssue.objects.filter(poll=poll).update(unreturned=None)
    audit.record(actor, "voting.paper.correct", poll,
                 province_id=_province_id(poll.conference), after={"corrected": 1})
    return PublishedBallot(code, valid, tuple(sorted(choices)))


def _legacy_paper_claim(poll: Poll, code: str) -> bool:
    """A stored code (polls opened before the sealed box) is marked entered once."""
    if poll.seal_salt:
        return True
    return bool(PaperBallotCode.objects.filter(poll=poll, code=code, entered=False)
                .update(entered=True))


@dataclass(frozen=True)
class Reconciliation:
    issued: int
    returned: int
    valid: int
    invalid: int
    unreturned: int | None

    @property
    def adds_up(self) -> bool:
        return (self.unreturned is not None
                and self.issued == self.returned + self.unreturned
                and self.returned == self.valid + self.invalid)

    @property
    def sentence(self) -> str:
        unreturned = "chưa ghi" if self.unreturned is None else self.unreturned
        verdict = "khớp" if self.adds_up else "chưa khớp"
        return (f"Phiếu giấy: phát ra {self.issued} = thu về {self.returned} + không thu về "
                f"{unreturned}; thu về {self.returned} = hợp lệ {self.valid} + không hợp lệ "
                f"{self.invalid}: {verdict}")


def reconciliation(poll: Poll) -> Reconciliation | None:
    issue = PaperBallotIssue.objects.filter(poll=poll).first()
    if issue is None:
        return None
    counts = {valid: n for valid, n in _count_by_validity(poll, Ballot.Source.PAPER)}
    valid, invalid = counts.get(True, 0), counts.get(False, 0)
    return Reconciliation(issue.issued, valid + invalid, valid, invalid, issue.unreturned)


def _count_by_validity(poll, source):
    """(valid, count) pairs over the counted ballots and, while the poll is open, the
    sealed ones (a paper ballot's validity is clear: the committee reconciles before the
    close)."""
    counted = (Ballot.objects.filter(poll=poll, source=source).values("valid")
               .annotate(n=Count("pk")).values_list("valid", "n"))
    sealed = (SealedBallot.objects.filter(poll=poll, source=source).values("paper_valid")
              .annotate(n=Count("pk")).values_list("paper_valid", "n"))
    totals = {}
    for valid, n in [*counted, *sealed]:
        totals[bool(valid)] = totals.get(bool(valid), 0) + n
    return totals.items()


@transaction.atomic
def reconcile_paper(actor: Actor, poll: Poll, *, unreturned: int) -> Reconciliation:
    """Record the paper ballots not returned; issued = returned + unreturned must hold."""
    if not rules.can_enter_paper_ballots(actor, poll.conference):
        raise Forbidden("Chỉ ban kiểm phiếu, đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh "
                        "đối chiếu phiếu giấy.")
    _lock_open(poll.pk)
    issue = PaperBallotIssue.objects.select_for_update().filter(poll=poll).first()
    if issue is None:
        raise Conflict("Cuộc bỏ phiếu này chưa phát phiếu giấy.")
    if isinstance(unreturned, bool) or not isinstance(unreturned, int) or unreturned < 0:
        raise DomainError("Số phiếu không thu về phải là số nguyên không âm.")
    check = reconciliation(poll)
    check = Reconciliation(check.issued, check.returned, check.valid, check.invalid, unreturned)
    if not check.adds_up:
        raise DomainError(check.sentence + ".")
    issue.unreturned = unreturned
    issue.save(update_fields=["unreturned"])
    audit.record(actor, "voting.paper.reconcile", poll,
                 province_id=_province_id(poll.conference),
                 after={"issued": check.issued, "returned": check.returned,
                        "valid": check.valid, "invalid": check.invalid,
                        "unreturned": unreturned})
    return check
