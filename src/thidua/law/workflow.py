"""The proposal dossier's states as an explicit state machine (functional core, no ORM).

draft → submitted → (returned with a reason → resubmitted)* → accepted → decided.
The bloc (its leader officer) prepares, submits and resubmits; the province (its
secretariat) returns, accepts and — by recording the chairman's decision — decides
(RULES.md 27: proposed and awarded are separate states).
"""

from dataclasses import dataclass

from thidua.law.choices import Vocabulary


class State(Vocabulary):
    DRAFT = "draft", "Bản nháp"
    SUBMITTED = "submitted", "Đã gửi tỉnh"
    RETURNED = "returned", "Tỉnh trả lại"
    RESUBMITTED = "resubmitted", "Đã gửi lại"
    ACCEPTED = "accepted", "Tỉnh đã tiếp nhận"
    DECIDED = "decided", "Đã có quyết định"


BLOC, PROVINCE = "bloc", "province"
SIDE_WORDS = {BLOC: "Trưởng khối", PROVINCE: "Thường trực thi đua tỉnh"}


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    sources: tuple
    target: str
    side: str
    needs_reason: bool = False
    # Asked before the step is taken: what it does that cannot be undone.
    confirm: str = ""


STEPS = {s.action: s for s in (
    Step("submit", "Gửi tỉnh", (State.DRAFT,), State.SUBMITTED, BLOC,
         confirm="Gửi hồ sơ đề nghị cho Thường trực thi đua tỉnh? Sau khi gửi, khối không sửa "
                 "hồ sơ được nữa, trừ khi tỉnh trả lại."),
    Step("return", "Trả lại", (State.SUBMITTED, State.RESUBMITTED), State.RETURNED, PROVINCE,
         needs_reason=True,
         confirm="Trả lại hồ sơ cho khối với lý do đã ghi? Khối sửa rồi gửi lại; tỉnh không "
                 "tiếp nhận hồ sơ này cho đến khi khối gửi lại."),
    Step("resubmit", "Gửi lại", (State.RETURNED,), State.RESUBMITTED, BLOC,
         confirm="Gửi lại hồ sơ đề nghị cho tỉnh? Sau khi gửi, khối không sửa hồ sơ được nữa, "
                 "trừ khi tỉnh trả lại."),
    Step("accept", "Tiếp nhận", (State.SUBMITTED, State.RESUBMITTED), State.ACCEPTED, PROVINCE,
         confirm="Tiếp nhận hồ sơ đề nghị? Sau khi tiếp nhận không trả lại cho khối được nữa; "
                 "bước tiếp theo là ghi quyết định khen thưởng."),
    Step("decide", "Ghi quyết định", (State.ACCEPTED,), State.DECIDED, PROVINCE),
)}
# The bloc may rebuild its lines (from the allocation) while the dossier is with it.
EDITABLE = (State.DRAFT, State.RETURNED)
# The actions a person presses a button for (decide follows from a recorded decision).
BUTTONS = ("submit", "return", "resubmit", "accept")


class StepError(Exception):
    """A step the state machine refuses in this state (Vietnamese, for the user)."""


class StepForbidden(StepError):
    """A step this actor's side may not take."""


def check_step(state: str, action: str, sides: frozenset, reason: str = "") -> str:
    """The target state of `action` from `state` for an actor on `sides`, or an error."""
    step = STEPS.get(action)
    if step is None:
        raise StepError(f"Không có thao tác «{action}» với hồ sơ đề nghị.")
    if step.side not in sides:
        raise StepForbidden(f"Chỉ {SIDE_WORDS[step.side]} được «{step.label}» hồ sơ đề nghị "
                            "khen thưởng.")
    if state not in step.sources:
        raise StepError(f"Hồ sơ đang ở trạng thái «{State(state).label}»: không thể "
                        f"«{step.label}».")
    if step.needs_reason and not reason.strip():
        raise StepError("Trả lại hồ sơ phải nêu lý do.")
    return step.target


def allowed_steps(state: str, sides: frozenset, actions=BUTTONS) -> list[Step]:
    return [STEPS[a] for a in actions
            if STEPS[a].side in sides and state in STEPS[a].sources]
