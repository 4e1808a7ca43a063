"""Scoring services: the imperative shell around scoring.domain.

Each function checks the actor against scoring.rules, validates with the functional core,
writes in one transaction and records the audit event. A sheet's totals (in the table,
bonus, penalty, final, per section) are updated in the same transaction as its scores,
under a row lock on the sheet, so they are always exactly the sum of its cells.

One module per entity; this package is the one door callers use
(`from thidua.scoring import services`)."""

from thidua.scoring.services.appraisal import (
    appraise,
    open_appraisal,
)
from thidua.scoring.services.assignments import (
    declare_conflict,
    generate_assignments,
)
from thidua.scoring.services.common import (
    Kind,
    Status,
)
from thidua.scoring.services.computed import (
    computed_entries,
    import_values,
    missing_data,
)
from thidua.scoring.services.entries import (
    Entry,
    Loaded,
    load_table,
)
from thidua.scoring.services.rankings import (
    RankingReport,
    compute_ranking,
    compute_rankings,
    publish_ranking,
    unit_sheets,
)
from thidua.scoring.services.reminders import (
    ReminderOutcome,
    missing_by_unit,
    reminder_mail,
    send_reminders,
)
from thidua.scoring.services.rulebook import (
    DEFAULT_SETTINGS,
    ScoringSettings,
    scoring_settings,
)
from thidua.scoring.services.sheets import (
    BY_HAND,
    INSUFFICIENT,
    INSUFFICIENT_TEXT,
    NOTE,
    SOURCE,
    SheetProblems,
    attach_evidence,
    find_sheet,
    is_published,
    may_enter_by_hand,
    open_peer_sheet,
    open_self_assessment,
    save_sheet,
    set_scores,
    submit_sheet,
)
from thidua.scoring.services.tables import (
    CriterionInput,
    copy_table,
    create_table,
    criteria_inputs,
    current_table,
    lock_table,
    new_version,
    replace_criteria,
    table_snapshot,
    validate_table,
)

__all__ = [
    "BY_HAND",
    "CriterionInput",
    "DEFAULT_SETTINGS",
    "Entry",
    "INSUFFICIENT",
    "INSUFFICIENT_TEXT",
    "Kind",
    "Loaded",
    "NOTE",
    "RankingReport",
    "ReminderOutcome",
    "SOURCE",
    "ScoringSettings",
    "SheetProblems",
    "Status",
    "appraise",
    "attach_evidence",
    "compute_ranking",
    "compute_rankings",
    "computed_entries",
    "copy_table",
    "create_table",
    "criteria_inputs",
    "current_table",
    "declare_conflict",
    "find_sheet",
    "generate_assignments",
    "import_values",
    "is_published",
    "load_table",
    "lock_table",
    "may_enter_by_hand",
    "missing_by_unit",
    "missing_data",
    "new_version",
    "open_appraisal",
    "open_peer_sheet",
    "open_self_assessment",
    "publish_ranking",
    "reminder_mail",
    "replace_criteria",
    "save_sheet",
    "scoring_settings",
    "send_reminders",
    "set_scores",
    "submit_sheet",
    "table_snapshot",
    "unit_sheets",
    "validate_table",
]
