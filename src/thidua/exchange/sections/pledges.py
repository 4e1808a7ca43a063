"""Registrations, titles, targets, check-ins, evidence and the pledge signing."""

from thidua.exchange.envelope import BLOC_YEAR, Section, by
from thidua.pledges import models as pledges

SECTIONS = (
    Section("registrations", pledges.Registration, by("unit__province"),
            ("status", "submitted_at", "created_at"),
            {"unit": "units", "emulation_year": "years", "bloc_year": "bloc_years",
             "submitted_by": "users"},
            key=lambda o, k: f"{k['units'][o.unit_id]}/{k['years'][o.emulation_year_id]}"),
    Section("registered_titles", pledges.RegisteredTitle, by("registration__unit__province"),
            ("award_form",), {"registration": "registrations"}),
    Section("targets", pledges.Target, by("registration__unit__province"),
            ("indicator", "baseline", "target_value", "unit_of_measure", "deadline",
             "latest_actual", "latest_reported_on"), {"registration": "registrations"}),
    Section("check_ins", pledges.CheckIn, by("target__registration__unit__province"),
            ("reported_on", "actual_value", "note", "created_at"),
            {"target": "targets", "author": "users"}),
    Section("evidence", pledges.Evidence, by("unit__province"),
            ("original_name", "kind", "size", "sha256", "uploaded_at"),
            {"check_in": "check_ins", "unit": "units", "uploaded_by": "users"},
            files=("file",)),
    Section("pledge_signings", pledges.PledgeSigning, by(BLOC_YEAR), ("signed_on", "place"),
            {"bloc_year": "bloc_years"}, key=lambda o, k: k["bloc_years"][o.bloc_year_id]),
    Section("pledge_signatures", pledges.PledgeSignature, by("signing__" + BLOC_YEAR),
            ("status", "signer_name", "absence_reason"),
            {"signing": "pledge_signings", "unit": "units"}),
)
