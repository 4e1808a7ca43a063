"""Year facts, leader and award decisions, proposals and their lines, the council's
choice, awards."""

from thidua.awards import models as awards
from thidua.exchange.envelope import BLOC_YEAR, ExportFormatError, Section, by, lookup


def _explanation_out(value, keys):
    return [{**item, "unit": keys["units"].get(item.get("unit"), item.get("unit"))}
            for item in value or []]


def _explanation_in(value, pks):
    if not isinstance(value, list):
        raise ExportFormatError("Giải trình phân bổ phải là một danh sách.")
    return [{**item, "unit": lookup(pks, "units", item.get("unit"))} for item in value]


SECTIONS = (
    Section("unit_year_facts", awards.UnitYearFacts, by("unit__province"),
            (*awards.UnitYearFacts.FACT_FIELDS, "note", "entered_at", "confirmed_at",
             "confirmed_as", "returned_at", "return_reason"),
            {"unit": "units", "emulation_year": "years", "entered_by": "users",
             "confirmed_by": "users", "returned_by": "users"}),
    Section("facts_evidence", awards.FactsEvidence, by("unit__province"),
            ("original_name", "kind", "size", "sha256", "uploaded_at"),
            {"facts": "unit_year_facts", "unit": "units", "uploaded_by": "users"},
            files=("file",)),
    Section("leader_decisions", awards.LeaderDecision, by(BLOC_YEAR),
            ("number", "decision_date", "reason", "recorded_at"),
            {"bloc_year": "bloc_years", "next_bloc_year": "bloc_years",
             "leader_unit": "units", "elected_unit": "units", "recorded_by": "users"},
            key=lambda o, k: k["bloc_years"][o.bloc_year_id]),
    Section("award_decisions", awards.AwardDecision, by("emulation_year__province"),
            ("number", "decision_date", "signer", "recorded_at"),
            {"emulation_year": "years", "recorded_by": "users"},
            key=lambda o, k: f"{k['years'][o.emulation_year_id]}/{o.number}"),
    Section("proposals", awards.Proposal, by(BLOC_YEAR),
            ("state", "conference_date", "rulebook", "explanation", "return_reason",
             "created_at", "submitted_at", "accepted_at"),
            {"bloc_year": "bloc_years", "created_by": "users"},
            key=lambda o, k: k["bloc_years"][o.bloc_year_id],
            json={"explanation": (_explanation_out, _explanation_in)}),
    Section("proposal_lines", awards.ProposalLine, by("proposal__" + BLOC_YEAR),
            ("award_form", "position", "votes", "explanation", "outcome"),
            {"proposal": "proposals", "unit": "units", "decision": "award_decisions"}),
    # The province council's choice of Government-flag candidates (RULES.md 20): one per
    # year, keyed by it; absent in older files = none recorded.
    Section("council_selections", awards.CouncilSelection, by("emulation_year__province"),
            ("minutes_number", "meeting_date", "recorded_at"),
            {"emulation_year": "years", "recorded_by": "users"},
            key=lambda o, k: k["years"][o.emulation_year_id],
            many={"chosen": "proposal_lines"}),
    Section("awards", awards.Award, by("unit__province"),
            ("award_form", "decision_number", "decision_date", "signer", "recorded_at"),
            {"unit": "units", "emulation_year": "years", "recorded_by": "users",
             "decision": "award_decisions", "proposal_line": "proposal_lines"}),
)
