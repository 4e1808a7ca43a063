"""What scoring needs from the awards app above it, supplied by awards.apps (core.ports)."""

from thidua.core.ports import Port

# RULES.md 11: (unit id, year) → (held, bonus): the unit's decided awards of the year
# before as [(award form, "Cờ … năm N — Quyết định số … ngày …")] in form order, and the
# bonus they earn in `year` (awards.services.next_year_bonus, the one source).
last_year_awards = Port("scoring.ports.last_year_awards", supplier="awards")
