"""Every section of a province export, in the order rows are exported and imported (a
row refers only to rows of earlier sections, or earlier rows of its own), one module per
app whose rows they are."""

from thidua.exchange.sections import awards, documents, org, pledges, scoring, voting

SECTIONS = (*org.SECTIONS, *pledges.SECTIONS, *scoring.SECTIONS, *voting.SECTIONS,
            *awards.SECTIONS, *documents.SECTIONS)
# Sections added to this version after its first files: absent means no rows.
ADDED_LATER = ("past_leaders", "lineage_events", "council_selections")
USER_FIELDS = ("full_name", "first_name", "last_name", "email", "is_active", "date_joined")
BY_NAME = {s.name: s for s in SECTIONS}
