"""The bloc year's phases as an explicit state machine (functional core, no ORM).

Forward moves go one step at a time, each by the roles listed. Going back a step is a
correction only the province may make, and it must say why.
"""

from dataclasses import dataclass

from thidua.law.choices import Vocabulary


class Phase(Vocabulary):
    REGISTRATION = "registration", "Đăng ký thi đua"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    MID_YEAR_REVIEW = "mid_year_review", "Sơ kết 6 tháng"
    SELF_ASSESSMENT = "self_assessment", "Tự chấm điểm"
    APPRAISAL = "appraisal", "Chấm chéo, thẩm định"
    CONFERENCE = "conference", "Hội nghị tổng kết"
    PROPOSALS_SUBMITTED = "proposals_submitted", "Đã gửi đề nghị khen thưởng"
    DECIDED = "decided", "Đã có quyết định"


ORDER = list(Phase)

# Relationship of an actor to a bloc year (computed in org.rules).
ADMIN, SECRETARIAT, LEADER = "system_admin", "province_secretariat", "bloc_leader_officer"
# The secretariat of the province a former province merged into: reads its bloc years,
# runs nothing (no transition, no conference, no scoring lists it).
HISTORY = "merged_history_reader"
_BLOC_RUNS = frozenset({ADMIN, SECRETARIAT, LEADER})
_PROVINCE = frozenset({ADMIN, SECRETARIAT})


@dataclass(frozen=True)
class Transition:
    source: Phase
    target: Phase
    roles: frozenset
    needs_reason: bool = False

    @property
    def is_back(self):
        return ORDER.index(self.target) < ORDER.index(self.source)


def _transitions():
    result = []
    for source, target in zip(ORDER, ORDER[1:], strict=False):
        # The decision belongs to the province; everything before it to the bloc's leader.
        roles = _PROVINCE if target == Phase.DECIDED else _BLOC_RUNS
        result.append(Transition(source, target, roles))
        result.append(Transition(target, source, _PROVINCE, needs_reason=True))
    return {(t.source, t.target): t for t in result}


TRANSITIONS = _transitions()


class PhaseError(Exception):
    """A move the state machine refuses; the message is for the user, in Vietnamese."""


class PhaseForbidden(PhaseError):
    """The move exists but not for these roles: a permission refusal (HTTP 403), not a
    state conflict (409), so the UI and the API can tell the user which it is."""


def allowed_moves(current: str, roles: frozenset) -> list[Transition]:
    """The moves these roles may make from `current`, forward first."""
    moves = [t for (source, _), t in TRANSITIONS.items() if source == current and t.roles & roles]
    return sorted(moves, key=lambda t: t.is_back)


def check_transition(current: str, target: str, roles: frozenset, reason: str = "") -> Transition:
    """The transition if allowed, else PhaseError saying why."""
    try:
        source, destination = Phase(current), Phase(target)
    except ValueError as exc:
        raise PhaseError(f"Giai đoạn không hợp lệ: {target!r}.") from exc
    transition = TRANSITIONS.get((source, destination))
    if transition is None:
        if source == destination:
            raise PhaseError(f"Khối đang ở giai đoạn “{source.label}”.")
        raise PhaseError(
            f"Không thể chuyển từ “{source.label}” sang “{destination.label}”: "
            "chỉ được chuyển sang giai đoạn kế tiếp hoặc quay lại giai đoạn liền trước."
        )
    if not transition.roles & roles:
        who = "Thường trực thi đua tỉnh" if transition.roles == _PROVINCE else (
            "đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh")
        raise PhaseForbidden(
            f"Chỉ {who} được chuyển từ “{source.label}” sang “{destination.label}”."
        )
    if transition.needs_reason and not reason.strip():
        raise PhaseError("Quay lại giai đoạn trước phải ghi rõ lý do.")
    return transition


# The conference's votes feed the proposal; both belong to these phases, so the
# conference is held (and its page prepared) only where its proposal will be accepted.
CONFERENCE_PHASES = (Phase.CONFERENCE, Phase.PROPOSALS_SUBMITTED)


def conference_phase_problem(phase: str, what: str) -> str | None:
    """Why `what` (the conference's votes, the proposal) cannot happen in `phase`, or None.
    One rule for both: the proposal assembled from the conference, and the conference
    itself, so a conference is never held where its proposal would then be refused."""
    if phase in CONFERENCE_PHASES:
        return None
    return (f"{what} chỉ thực hiện ở giai đoạn «{Phase.CONFERENCE.label}» (khối đang ở giai "
            f"đoạn «{Phase(phase).label}»): chuyển khối sang giai đoạn «"
            f"{Phase.CONFERENCE.label}» trước.")
