"""Conferences, attendance, polls, candidates, cards, participations and ballots (a
ballot has no voter: nothing here links one to a participation)."""

from thidua.exchange.envelope import BLOC_YEAR, ExportFormatError, Section, by, lookup
from thidua.voting import models as voting


def result_out(value, keys):
    """A poll's stored count names candidates by id: by candidate key in the file."""
    if not value:
        return value
    out = dict(value)
    out["candidates"] = [{**row, "candidate": keys["candidates"][row["candidate"]]}
                         for row in value.get("candidates", [])]
    out["run_off"] = [keys["candidates"][pk] for pk in value.get("run_off", [])]
    return out


def result_in(value, pks):
    if not value:
        return value
    if not isinstance(value, dict):
        raise ExportFormatError("Kết quả kiểm phiếu phải là một đối tượng JSON.")
    out = dict(value)
    out["candidates"] = [{**row, "candidate": lookup(pks, "candidates", row.get("candidate"))}
                         for row in value.get("candidates", [])]
    out["run_off"] = [lookup(pks, "candidates", key) for key in value.get("run_off", [])]
    return out


# A participation's voter key names a row by id ("paper:<unit id>": a unit handed a
# paper ballot before per-delegate paper ballots); "del:<hash>" (one delegate, RULES.md 29)
# names no row and travels as it is.
VOTERS = {"unit": "units", "paper": "units", "card": "voting_cards", "user": "users"}
VERBATIM_VOTERS = {"del"}

SECTIONS = (
    Section("conferences", voting.Conference, by(BLOC_YEAR),
            ("held_at", "place", "chair", "secretary", "guests", "agenda", "ended_at"),
            {"bloc_year": "bloc_years"}, key=lambda o, k: k["bloc_years"][o.bloc_year_id]),
    Section("attendance", voting.Attendance, by("conference__" + BLOC_YEAR),
            ("present", "absence_reason", "delegate_name"),
            {"conference": "conferences", "unit": "units"}),
    Section("counting_committee", voting.CountingCommitteeMember,
            by("conference__" + BLOC_YEAR), ("name", "role"),
            {"conference": "conferences", "user": "users"}),
    Section("polls", voting.Poll, by("conference__" + BLOC_YEAR),
            ("kind", "award_form", "title", "quota", "state", "rulebook",
             "quorum_comparison", "quorum_numerator", "quorum_denominator",
             "threshold_comparison", "threshold_numerator", "threshold_denominator", "base",
             "vote_per", "excess_order", "percentage_decimals", "citation", "members",
             "present", "result", "digest"),
            {"conference": "conferences", "run_off_of": "polls"}),
    Section("candidates", voting.Candidate, by("poll__conference__" + BLOC_YEAR),
            ("position", "score_numerator", "score_denominator", "rank"),
            {"poll": "polls", "unit": "units"},
            key=lambda o, k: f"{k['polls'][o.poll_id]}/{k['units'][o.unit_id]}"),
    Section("voting_cards", voting.VotingCard, by("poll__conference__" + BLOC_YEAR),
            ("delegate_name", "token_hash", "expires_at", "used", "revoked"),
            {"poll": "polls", "unit": "units"}, key=lambda o, k: o.token_hash),
    Section("participations", voting.Participation, by("poll__conference__" + BLOC_YEAR),
            ("voter_key", "source"), {"poll": "polls", "unit": "units"}, unordered=True),
    Section("ballots", voting.Ballot, by("poll__conference__" + BLOC_YEAR),
            ("receipt_code", "valid", "source"), {"poll": "polls"}, unordered=True,
            key=lambda o, k: f"{k['polls'][o.poll_id]}/{o.receipt_code}"),
    Section("ballot_choices", voting.BallotChoice,
            by("ballot__poll__conference__" + BLOC_YEAR), (),
            {"ballot": "ballots", "candidate": "candidates"}, unordered=True),
    Section("paper_ballot_issues", voting.PaperBallotIssue,
            by("poll__conference__" + BLOC_YEAR), ("issued", "unreturned"), {"poll": "polls"}),
    Section("paper_ballot_codes", voting.PaperBallotCode,
            by("poll__conference__" + BLOC_YEAR), ("code", "entered"), {"poll": "polls"},
            unordered=True),
)
