"""What voting needs from the awards app above it, supplied by awards.apps (core.ports)."""

from thidua.core.ports import Port

# RULES.md 17–22 at the conference: (bloc_year, *, on_date, ranks, forms, chosen) →
# {(unit id, award form): Eligibility} — awards.services.bloc_eligibility, which reads the
# year facts and the decided awards.
bloc_eligibility = Port("voting.ports.bloc_eligibility", supplier="awards")
