"""Who may see and do what in scoring: the one place these checks live.

- The criteria table is set up by the bloc's leader or the province (secretariat, admin).
- A unit's officers enter its self-assessment (in SELF_ASSESSMENT) and its peer sheets for
  the units it is assigned (in APPRAISAL); never a sheet about itself as a peer (RULES.md
  13).
- Appraisal and publication belong to the leader or the province (in APPRAISAL).
- A sheet is sealed: until its author submits it, only the author sees it. A submitted
  sheet is seen by the bloc's runners and the scored unit; once a ranking is published,
  by every member of the bloc year (the breakdown is open, criterion by criterion).

Each `*_refusal` says why the actor may not act now (Forbidden: who; Conflict: when), or
None; the services raise it, and the `can_*` / `is_*_open` the pages and API ask are built
on the same functions.
"""

from thidua.core.errors import Conflict, DomainError, Forbidden
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


def runner_refusal(actor: Actor, bloc_year, what: str) -> Forbidden | None:
    """`what` (e.g. "khóa bảng tiêu chí") belongs to the bloc's leader or the province."""
    if not can_run_scoring(actor, bloc_year):
        return Forbidden(f"Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh được {what}.")
    return None


def is_self_assessment_open(bloc_year) -> bool:
    return bloc_year.phase in SELF_OPEN


def is_appraisal_open(bloc_year) -> bool:
    """Peer sheets and the leader's appraisal: the APPRAISAL phase."""
    return bloc_year.phase in APPRAISAL_OPEN


def table_creation_refusal(actor: Actor, bloc_year) -> DomainError | None:
    if refusal := runner_refusal(actor, bloc_year, "lập bảng tiêu chí"):
        return refusal
    if bloc_year.phase not in TABLE_EDITABLE:
        return Conflict("Đã qua giai đoạn chấm điểm; không lập bảng tiêu chí mới.")
    return None


def assignment_refusal(actor: Actor, bloc_year) -> DomainError | None:
    if refusal := runner_refusal(actor, bloc_year, "phân công chấm chéo"):
        return refusal
    if bloc_year.phase not in SELF_OPEN | APPRAISAL_OPEN:
        return Conflict("Chỉ phân công chấm chéo trong giai đoạn tự chấm hoặc chấm chéo.")
    return None


def appraisal_refusal(actor: Actor, bloc_year) -> DomainError | None:
    if refusal := runner_refusal(actor, bloc_year, "thẩm định"):
        return refusal
    if not is_appraisal_open(bloc_year):
        return Conflict("Khối không ở giai đoạn chấm chéo, thẩm định.")
    return None


def publish_refusal(actor: Actor, bloc_year) -> DomainError | None:
    if refusal := runner_refusal(actor, bloc_year, "công bố kết quả xếp hạng"):
        return refusal
    if bloc_year.phase not in PUBLISH_OPEN:
        return Conflict("Chỉ công bố xếp hạng trong giai đoạn chấm chéo, thẩm định hoặc hội "
                        "nghị tổng kết.")
    return None


def self_assessment_refusal(actor: Actor, bloc_year, unit, members) -> DomainError | None:
    """The unit's officers, for a member of the bloc year (`members`: its unit ids), in
    the SELF_ASSESSMENT phase."""
    if not can_act_for_unit(actor, unit.id):
        return Forbidden("Chỉ cán bộ thi đua của đơn vị được tự chấm điểm cho đơn vị.")
    if unit.id not in members:
        return DomainError(f"{unit.name} không phải thành viên của khối năm {bloc_year.year}.")
    if not is_self_assessment_open(bloc_year):
        return Conflict("Khối không ở giai đoạn tự chấm điểm.")
    return None


def peer_sheet_refusal(actor: Actor, bloc_year, scorer, scored) -> DomainError | None:
    """The scoring unit's officers, never about itself (RULES.md 13), in APPRAISAL. That
    the pair is assigned is checked against the table's assignments by the service."""
    if not can_act_for_unit(actor, scorer.id):
        return Forbidden("Chỉ cán bộ thi đua của đơn vị được chấm chéo thay cho đơn vị.")
    if scorer.id == scored.id:
        return Forbidden("Đơn vị không được tự chấm chéo cho chính mình (Quy tắc 13).")
    if not is_appraisal_open(bloc_year):
        return Conflict("Khối không ở giai đoạn chấm chéo, thẩm định.")
    return None


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
    return publish_refusal(actor, bloc_year) is None


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


def sheet_edit_refusal(actor: Actor, sheet: ScoreSheet) -> DomainError | None:
    """Only its author, before it is submitted, in its phase (self-assessment in
    SELF_ASSESSMENT, peer and appraisal sheets in APPRAISAL)."""
    if not is_author(actor, sheet):
        return Forbidden("Bạn không được chấm phiếu này.")
    if sheet.is_submitted:
        return Conflict("Phiếu chấm đã gửi, không sửa được nữa.")
    bloc_year = sheet.table.bloc_year
    in_phase = (is_self_assessment_open(bloc_year) if sheet.kind == ScoreSheet.Kind.SELF
                else is_appraisal_open(bloc_year))
    if not in_phase:
        return Conflict("Khối không ở giai đoạn cho phép chấm phiếu này.")
    return None


def can_edit_sheet(actor: Actor, sheet: ScoreSheet) -> bool:
    """May change the sheet's scores now (phase and status included)."""
    return sheet_edit_refusal(actor, sheet) is None


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


def conflict_refusal(actor: Actor, bloc_year, unit_id: int) -> Forbidden | None:
    if not can_declare_conflict(actor, bloc_year, unit_id):
        return Forbidden("Chỉ đơn vị liên quan hoặc Trưởng khối được khai báo xung đột lợi ích.")
    return None
