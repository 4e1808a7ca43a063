"""Who may see and do what in scoring: the one place these checks live.

- The criteria table is set up by the bloc's leader or the province (secretariat, admin).
- A unit's officers enter its self-assessment (in SELF_ASSESSMENT) and its peer sheets for
  the units it is assigned (in APPRAISAL); never a sheet about itself as a peer (RULES.md
  13).
- Appraisal and publication belong to the leader or the province (in APPRAISAL).
- A sheet is sealed: until its author submits it, only the author sees it. A submitted
  sheet is seen by the bloc's runners and the scored unit; once a ranking is published,
  by every member of the bloc year (the breakdown is open, criterion by criterion).
"""

from thidua.org.domain.phases import ADMIN, LEADER, SECRETARIAT, Phase
from thidua.org.rules import Actor, bloc_year_roles, can_act_for_unit, can_view_bloc_year
from thidua.scoring.models import CriteriaTable, ScoreSheet

RUNNERS = frozenset({ADMIN, SECRETARIAT, LEADER})
# The table may be drafted any time before scoring starts; the lock is what freezes it.
TABLE_EDITABLE = frozenset(Phase) - {Phase.CONFERENCE, Phase.PROPOSALS_SUBMITTED,
                                     Phase.DECIDED}
SELF_OPEN = frozenset({Phase.SELF_ASSESSMENT})
APPRAISAL_OPEN = frozenset({Phase.APPRAISAL})
# Publishing is the last act of appraisal; the conference may need it re-published after a
# correction, so both phases allow it.
PUBLISH_OPEN = frozenset({Phase.APPRAISAL, Phase.CONFERENCE})


def can_run_scoring(actor: Actor, bloc_year) -> bool:
    """Set up and lock tables, generate assignments, appraise, publish."""
    return bool(bloc_year_roles(actor, bloc_year) & RUNNERS)


def can_create_table(actor: Actor, bloc_year, table: CriteriaTable | None) -> bool:
    """Draft the year's first table (nothing before it; before the conference)."""
    return (table is None and bloc_year.phase in TABLE_EDITABLE
            and can_run_scoring(actor, bloc_year))


def can_lock_table(actor: Actor, bloc_year, table: CriteriaTable | None) -> bool:
    """Lock the bloc year's current table (`table`), which freezes it for scoring."""
    return table is not None and not table.is_locked and can_run_scoring(actor, bloc_year)


def can_version_table(actor: Actor, bloc_year, table: CriteriaTable | None) -> bool:
    """Start a new version of the bloc year's locked table (with a reason), before the
    conference."""
    return (table is not None and table.is_locked and bloc_year.phase in TABLE_EDITABLE
            and can_run_scoring(actor, bloc_year))


def can_publish_ranking(actor: Actor, bloc_year) -> bool:
    return bloc_year.phase in PUBLISH_OPEN and can_run_scoring(actor, bloc_year)


def can_edit_table(actor: Actor, table: CriteriaTable) -> bool:
    return can_run_scoring(actor, table.bloc_year) and not table.is_locked


def can_view_table(actor: Actor, table: CriteriaTable) -> bool:
    return can_view_bloc_year(actor, table.bloc_year)


def is_author(actor: Actor, sheet: ScoreSheet) -> bool:
    """The author of a sheet: the scoring unit's officers (self, peer), or the bloc's
    runners (appraisal)."""
    if sheet.kind == ScoreSheet.Kind.APPRAISAL:
        return can_run_scoring(actor, sheet.table.bloc_year)
    return can_act_for_unit(actor, sheet.scorer_unit_id)


def can_edit_sheet(actor: Actor, sheet: ScoreSheet) -> bool:
    """May change the sheet's scores now (phase and status included)."""
    if sheet.is_submitted or not is_author(actor, sheet):
        return False
    phase = sheet.table.bloc_year.phase
    if sheet.kind == ScoreSheet.Kind.SELF:
        return phase in SELF_OPEN
    return phase in APPRAISAL_OPEN


def can_view_sheet(actor: Actor, sheet: ScoreSheet, published: bool = False) -> bool:
    """Sealed until submitted: before that only its author sees it, not even the leader.
    `published`: whether a ranking of the table has been published."""
    if is_author(actor, sheet):
        return True
    if not sheet.is_submitted:
        return False
    bloc_year = sheet.table.bloc_year
    if can_run_scoring(actor, bloc_year) or sheet.scored_unit_id in actor.own_units:
        return True
    return published and can_view_bloc_year(actor, bloc_year)


def can_declare_conflict(actor: Actor, bloc_year, unit_id: int) -> bool:
    """A unit declares its own conflicts; the bloc's runners may record one for it."""
    return can_act_for_unit(actor, unit_id) or can_run_scoring(actor, bloc_year)
