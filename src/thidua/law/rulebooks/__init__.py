"""Rulebooks as data: read, validate and select the YAML files in `law/rulebooks/`.

A file is either a national book (complete: every setting, for a legal period) or a
province's override (some settings, for the period of the province's own regulation).
`rulebook_for(province_code, on_date)` lays the province's override in force on that date
over the national book in force on that date.

Which date? The texts in force on the day the decision is taken: a January 2026
conference for the 2025 year applies the rulebook in force in January 2026 (Decree
152/2025), because a proposal is assessed under the texts in force when it is made — and
its legal bases (căn cứ) must be the texts in force on the minutes' date. The registration
deadline, by contrast, belongs to the emulation year itself: `registration_deadline`
reads the rulebook in force on 1 January of that year (when registration opens) and puts
its month/day in that year.

Validation happens on load and refuses the whole file on any problem (bad YAML, unknown
key, wrong type, missing setting, overlapping periods), each problem in Vietnamese with
the file and line, so a secretariat can fix the file it edited. The schema of the values
is pydantic's (`specs`: models, lists and dicts with checked leaves); `specs` keeps the
node of each value to put the line on pydantic's errors.
"""


from thidua.law.rulebooks.errors import Problem, RulebookError, RulebookNotFound
from thidua.law.rulebooks.library import (
    RULEBOOK_DIR,
    Library,
    load_library,
    overlap_problems,
    registration_deadline,
    rulebook_for,
    shipped_library,
)
from thidua.law.rulebooks.reading import load_rulebook_file, parse_rulebook
from thidua.law.rulebooks.settings import SETTINGS, SettingSpec

__all__ = [
    "RULEBOOK_DIR", "SETTINGS", "Library", "Problem", "RulebookError", "RulebookNotFound",
    "SettingSpec", "load_library", "load_rulebook_file", "overlap_problems", "parse_rulebook",
    "registration_deadline", "rulebook_for", "shipped_library",
]
