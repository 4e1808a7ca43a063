"""Polls: an award poll's candidate list (eligible members, issue 11 item 2) or an
election's (rotation, RULES.md 2–4), the rulebook's voting settings copied on, and the
opening (quorum, RULES.md 28; the conference phase, issue 11 item 9)."""

from fractions import Fraction

from django.db import transaction

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError
from thidua.core.text import clean_text
from thidua.law.award_forms import label_for
from thidua.law.quotas import bloc_quotas
from thidua.law.rulebook import FractionRule
from thidua.org.models import BlocYear, Unit
from thidua.org.queries import leaders_by_year
from thidua.org.rules import Actor
from thidua.scoring.models import PublishedRanking, RankingRow
from thidua.voting import candidacy, rules, sealing
from thidua.voting.domain import election
from thidua.voting.domain.tally import quorum
from thidua.voting.models import Candidate, Conference, Poll
from thidua.voting.services.common import (
    Kind,
    State,
    _lock,
    _province_id,
    _require_run,
    member_ids,
    rulebook_of,
)
from thidua.voting.services.outcome import election_result


def _ranking(bloc_year: BlocYear) -> dict:
    """unit id → (score Fraction, rank) from the latest published ranking."""
    ranking = (PublishedRanking.objects.filter(table__bloc_year=bloc_year)
               .order_by("-published_at", "-id").first())
    if ranking is None:
        return {}
    return {row.unit_id: (row.final, row.rank) for row in RankingRow.objects.filter(
        ranking=ranking)}


def _recent_leaders(bloc_year: BlocYear, lookback: int) -> dict:
    return leaders_by_year(bloc_year.bloc_id,
                           election.recent_leader_years(bloc_year.year, lookback))


def _members_only(bloc_year: BlocYear, unit_ids) -> list | None:
    if unit_ids is None:
        return None
    members = set(member_ids(bloc_year))
    unit_ids = list(dict.fromkeys(unit_ids))
    if any(u not in members for u in unit_ids):
        raise DomainError("Chỉ đơn vị thành viên của khối được đưa vào danh sách (Quy tắc 1).")
    return unit_ids


def _candidate_units(conference: Conference, kind: str, unit_ids, rulebook) -> list:
    """An election's list (RULES.md 2–4: rotation); award polls: `candidacy`."""
    bloc_year = conference.bloc_year
    explicit = unit_ids is not None
    unit_ids = _members_only(bloc_year, unit_ids) if explicit else member_ids(bloc_year)
    labels = dict(Unit.objects.filter(id__in=unit_ids).values_list("id", "name"))
    lookback = rulebook.value("organisation.rotation_lookback_years")
    elected = None
    if kind == Kind.DEPUTY_ELECTION:
        chosen = election_result(conference, published_only=False)
        elected = chosen.leader_id if chosen else None
        if elected is None:
            raise Conflict("Bầu Trưởng khối năm sau trước, rồi mới bầu Phó khối (Quy tắc 2).")
    standing = election.election_standing(
        kind, unit_ids, year=bloc_year.year, recent_leaders=_recent_leaders(bloc_year, lookback),
        lookback_years=lookback, elected_leader=elected, labels=labels)
    if standing.excluded and explicit:
        raise DomainError(*(e.sentence for e in standing.excluded))
    # Left out of the default list, and said so on the poll (never silently).
    return list(standing.eligible), tuple(e.sentence for e in standing.excluded)


def _write_candidates(poll: Poll, unit_ids, ranking: dict, overrides=None):
    poll.candidates.all().delete()
    overrides = overrides or {}
    Candidate.objects.bulk_create(
        Candidate(poll=poll, unit_id=unit_id, position=i,
                  override_reason=overrides.get(unit_id, ""),
                  score_numerator=ranking[unit_id][0].numerator if unit_id in ranking else None,
                  score_denominator=(ranking[unit_id][0].denominator if unit_id in ranking
                                     else None),
                  rank=ranking[unit_id][1] if unit_id in ranking else None)
        for i, unit_id in enumerate(unit_ids, 1))


def poll_snapshot(poll: Poll) -> dict:
    rows = list(poll.candidates.values_list("unit_id", "override_reason"))
    return {"kind": poll.kind, "award_form": poll.award_form, "title": poll.title,
            "quota": poll.quota, "state": poll.state,
            "candidates": [unit for unit, _ in rows],
            # Issue 11 item 2: who stands although not eligible, and why (audited).
            "overrides": [[unit, reason] for unit, reason in rows if reason],
            "ineligible": [entry["unit"] for entry in poll.ineligible or []]}


def award_standing(conference: Conference, award_form: str) -> candidacy.AwardStanding:
    """Each member's eligibility for an award poll of `award_form` at this conference, as
    the poll's default list reads it (issue 11 item 2)."""
    return candidacy.standing(conference, award_form, _ranking(conference.bloc_year),
                              rulebook_of(conference))


def _award_list(conference: Conference, award_form: str, unit_ids, overrides, book,
                ranking: dict):
    """(unit ids, overrides, ineligible listing) of an award poll (issue 11 item 2)."""
    return candidacy.award_candidates(conference, award_form,
                                      _members_only(conference.bloc_year, unit_ids),
                                      overrides, ranking, book)


@transaction.atomic
def create_poll(actor: Actor, conference: Conference, kind: str, *, award_form: str = "",
                unit_ids=None, title: str = "", overrides=None) -> Poll:
    """An award-proposal poll (one award form, quota from the rulebook, RULES.md 24–26) or
    the leader / deputy election (RULES.md 2–4). The rulebook's voting settings in force on
    the conference date are copied onto the poll with their citations. An award poll's
    list is the eligible members unless `unit_ids` says otherwise; `overrides`: {unit id:
    reason} for the units put on it although not eligible (`voting.candidacy`)."""
    _require_run(actor, conference)
    if kind not in Kind.values:
        raise DomainError("Loại cuộc bỏ phiếu không hợp lệ.")
    book = rulebook_of(conference)
    members = member_ids(conference.bloc_year)
    if kind == Kind.AWARD_PROPOSAL:
        if award_form not in book.value("voting.secret_ballot_forms"):
            raise DomainError("Hình thức này không bình xét bằng phiếu kín theo bộ quy tắc "
                              "(Quy tắc 30).")
        quota = bloc_quotas(len(members), book)[award_form]
        quota_count, quota_text = quota.count, str(quota)
        default_title = (f"Bình xét đề nghị "
                         f"{label_for(award_form, conference.bloc_year.bloc.province)}")
    else:
        award_form = ""
        if kind == Kind.LEADER_ELECTION:
            quota_count = book.value("organisation.leadership")["leaders"]
            default_title = f"Bầu Trưởng khối năm {conference.bloc_year.year + 1}"
        else:
            quota_count = book.value("organisation.leadership")["min_deputies"]
            default_title = f"Bầu Phó khối năm {conference.bloc_year.year + 1}"
        quota_text = f"Chọn {quota_count} — {book.citation('organisation.leadership')}"
    ranking = _ranking(conference.bloc_year)
    kept, listed = {}, []
    if kind == Kind.AWARD_PROPOSAL:
        units, kept, listed = _award_list(conference, award_form, unit_ids, overrides, book,
                                          ranking)
        exclusions = ()
    else:
        units, exclusions = _candidate_units(conference, kind, unit_ids, book)
    threshold, quorum_rule = book.value("voting.threshold"), book.value("voting.quorum")
    citation = "; ".join([
        f"Ngưỡng: {threshold} ({book.citation('voting.threshold')})",
        f"Cơ sở: {book.value('voting.base')} ({book.citation('voting.base')})",
        f"Điều kiện biểu quyết: {quorum_rule} ({book.citation('voting.quorum')})",
        f"Chỉ tiêu: {quota_text}", *(f"Không ứng cử: {e}" for e in exclusions)])
    poll = Poll.objects.create(
        conference=conference, kind=kind, award_form=award_form,
        title=clean_text(title, "Tiêu đề", 300, required=False) or default_title, quota=quota_count,
        rulebook=book.describe()[:200],
        quorum_comparison=quorum_rule.comparison,
        quorum_numerator=quorum_rule.fraction.numerator,
        quorum_denominator=quorum_rule.fraction.denominator,
        threshold_comparison=threshold.comparison,
        threshold_numerator=threshold.fraction.numerator,
        threshold_denominator=threshold.fraction.denominator,
        base=book.value("voting.base"), vote_per=book.value("voting.vote_per"),
        excess_order=list(book.value("voting.excess_order")),
        percentage_decimals=book.value("voting.count_record")["percentage_decimals"],
        citation=citation, ineligible=listed)
    _write_candidates(poll, units, ranking, kept)
    audit.record(actor, "voting.poll.create", poll, province_id=_province_id(conference),
                 after=poll_snapshot(poll))
    return poll


@transaction.atomic
def set_candidates(actor: Actor, poll: Poll, unit_ids, overrides=None) -> Poll:
    """Change the list before the poll opens; it is frozen from then on. `overrides`: as
    for `create_poll`."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
    if locked.state != State.CREATED:
        raise Conflict("Danh sách ứng viên đã cố định khi mở bỏ phiếu.")
    if locked.run_off_of_id:
        raise Conflict("Danh sách bỏ phiếu lại là các ứng viên bằng phiếu: không sửa.")
    before = poll_snapshot(locked)
    book, ranking = rulebook_of(poll.conference), _ranking(poll.conference.bloc_year)
    kept = {}
    if locked.kind == Kind.AWARD_PROPOSAL:
        units, kept, locked.ineligible = _award_list(poll.conference, locked.award_form,
                                                     unit_ids, overrides, book, ranking)
        locked.save(update_fields=["ineligible"])
    else:
        units, _ = _candidate_units(poll.conference, locked.kind, unit_ids, book)
    _write_candidates(locked, units, ranking, kept)
    audit.record(actor, "voting.poll.candidates", locked,
                 province_id=_province_id(poll.conference), before=before,
                 after=poll_snapshot(locked))
    return locked


@transaction.atomic
def open_poll(actor: Actor, poll: Poll) -> Poll:
    """created → open (idempotent), only with the quorum (RULES.md 28)."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
    if locked.state == State.OPEN:
        return locked
    if locked.state != State.CREATED:
        raise Conflict(f"Cuộc bỏ phiếu đã {locked.get_state_display().lower()}: không mở lại.")
    if not locked.candidates.exists():
        raise DomainError("Cuộc bỏ phiếu chưa có ứng viên.")
    conference = poll.conference
    # Issue 11 item 9: the votes happen where their proposal may follow, never before.
    phase = BlocYear.objects.filter(pk=conference.bloc_year_id).values_list("phase",
                                                                           flat=True).get()
    problem = rules.opening_problem(phase)
    if problem:
        raise Conflict(problem)
    if locked.kind == Kind.AWARD_PROPOSAL and not locked.run_off_of_id:
        # The facts may have changed since the list was set: check it again as it opens.
        standing = dict(locked.candidates.values_list("unit_id", "override_reason"))
        try:
            _, _, locked.ineligible = _award_list(
                conference, locked.award_form, list(standing), standing,
                rulebook_of(conference),
                _ranking(conference.bloc_year))
        except DomainError as exc:
            raise Conflict("Không mở được: danh sách ứng viên có đơn vị nay chưa đủ điều "
                           "kiện.", *exc.messages) from exc
    rows = list(conference.attendance.values_list("present", flat=True))
    rule = FractionRule(locked.quorum_comparison,
                        Fraction(locked.quorum_numerator, locked.quorum_denominator))
    result = quorum(sum(rows), len(rows), rule)
    if not result.met:
        raise Conflict(result.sentence + ".")
    locked.state = State.OPEN
    locked.members, locked.present = len(rows), sum(rows)
    # The ballot box's key pair: only the public half is stored (voting.sealing).
    locked.seal_salt = sealing.new_salt()
    locked.seal_key = sealing.public_key_hex(locked)
    locked.save(update_fields=["state", "members", "present", "seal_salt", "seal_key",
                               "ineligible"])
    audit.record(actor, "voting.poll.open", locked, province_id=_province_id(conference),
                 before={"state": State.CREATED},
                 after={"state": State.OPEN, "quorum": result.sentence})
    return locked
