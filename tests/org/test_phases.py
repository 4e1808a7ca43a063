"""The bloc year's phase state machine (org.domain.phases), as a table written by hand.

DESIGN.md "Rules that protect the users" / the phases issue: forward moves one step at a
time by the bloc's leader or the province (the decision itself only by the province);
going back one step is a correction only the province makes, and it must give a reason.
"""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.org.domain.phases import (
    ORDER,
    Phase,
    PhaseError,
    PhaseForbidden,
    allowed_moves,
    check_transition,
)

ADMIN, SECRETARIAT, LEADER = "system_admin", "province_secretariat", "bloc_leader_officer"
OFFICER, DELEGATE = "unit_officer", "delegate"
ALL_ROLES = (ADMIN, SECRETARIAT, LEADER, OFFICER, DELEGATE)
BLOC_RUNS = {ADMIN, SECRETARIAT, LEADER}
PROVINCE = {ADMIN, SECRETARIAT}

P = Phase
EXPECTED_ORDER = [
    P.REGISTRATION, P.IN_PROGRESS, P.MID_YEAR_REVIEW, P.SELF_ASSESSMENT, P.APPRAISAL,
    P.CONFERENCE, P.PROPOSALS_SUBMITTED, P.DECIDED,
]
# (source, target) → (roles that may, needs a reason). Every other pair is refused.
ALLOWED = {
    (P.REGISTRATION, P.IN_PROGRESS): (BLOC_RUNS, False),
    (P.IN_PROGRESS, P.MID_YEAR_REVIEW): (BLOC_RUNS, False),
    (P.MID_YEAR_REVIEW, P.SELF_ASSESSMENT): (BLOC_RUNS, False),
    (P.SELF_ASSESSMENT, P.APPRAISAL): (BLOC_RUNS, False),
    (P.APPRAISAL, P.CONFERENCE): (BLOC_RUNS, False),
    (P.CONFERENCE, P.PROPOSALS_SUBMITTED): (BLOC_RUNS, False),
    (P.PROPOSALS_SUBMITTED, P.DECIDED): (PROVINCE, False),
    (P.IN_PROGRESS, P.REGISTRATION): (PROVINCE, True),
    (P.MID_YEAR_REVIEW, P.IN_PROGRESS): (PROVINCE, True),
    (P.SELF_ASSESSMENT, P.MID_YEAR_REVIEW): (PROVINCE, True),
    (P.APPRAISAL, P.SELF_ASSESSMENT): (PROVINCE, True),
    (P.CONFERENCE, P.APPRAISAL): (PROVINCE, True),
    (P.PROPOSALS_SUBMITTED, P.CONFERENCE): (PROVINCE, True),
    (P.DECIDED, P.PROPOSALS_SUBMITTED): (PROVINCE, True),
}
LABELS = {
    P.REGISTRATION: "Đăng ký thi đua", P.IN_PROGRESS: "Đang thực hiện",
    P.MID_YEAR_REVIEW: "Sơ kết 6 tháng", P.SELF_ASSESSMENT: "Tự chấm điểm",
    P.APPRAISAL: "Chấm chéo, thẩm định", P.CONFERENCE: "Hội nghị tổng kết",
    P.PROPOSALS_SUBMITTED: "Đã gửi đề nghị khen thưởng", P.DECIDED: "Đã có quyết định",
}
ROLE_SETS = [frozenset(c) for n in range(len(ALL_ROLES) + 1)
             for c in itertools.combinations(ALL_ROLES, n)]


def refusal(source, target, roles, reason):
    """The message expected for a move, or None when it is allowed."""
    if source == target:
        return f"Khối đang ở giai đoạn “{LABELS[source]}”."
    if (source, target) not in ALLOWED:
        return (f"Không thể chuyển từ “{LABELS[source]}” sang “{LABELS[target]}”: chỉ được "
                "chuyển sang giai đoạn kế tiếp hoặc quay lại giai đoạn liền trước.")
    may, needs_reason = ALLOWED[(source, target)]
    if not may & roles:
        who = ("Thường trực thi đua tỉnh" if may == PROVINCE
               else "đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh")
        return f"Chỉ {who} được chuyển từ “{LABELS[source]}” sang “{LABELS[target]}”."
    if needs_reason and not reason.strip():
        return "Quay lại giai đoạn trước phải ghi rõ lý do."
    return None


def test_phase_order_and_labels():
    assert ORDER == EXPECTED_ORDER
    assert {phase: phase.label for phase in Phase} == LABELS


@pytest.mark.parametrize("source,target", list(itertools.product(EXPECTED_ORDER, repeat=2)))
def test_every_pair_by_every_role_set(source, target):
    """Issue "phases": each allowed move exactly by the listed roles; every other pair
    refused with its Vietnamese sentence; back moves need a reason."""
    for roles in ROLE_SETS:
        for reason in ("", "   ", "Nhập nhầm, trả lại để sửa"):
            expected = refusal(source, target, roles, reason)
            if expected is None:
                transition = check_transition(source.value, target.value, roles, reason)
                assert (transition.source, transition.target) == (source, target)
                assert transition.roles == frozenset(ALLOWED[(source, target)][0])
                assert transition.needs_reason == ALLOWED[(source, target)][1]
                assert transition.is_back == ALLOWED[(source, target)][1]
            else:
                with pytest.raises(PhaseError) as caught:
                    check_transition(source.value, target.value, roles, reason)
                assert str(caught.value) == expected
                # A role refusal is a permission error (403), the rest state conflicts (409).
                assert type(caught.value) is (
                    PhaseForbidden if expected.startswith("Chỉ ") else PhaseError)


def test_exactly_the_listed_roles_may_move_forward():
    may = {
        pair: {role for role in ALL_ROLES if _allowed(*pair, frozenset({role}), "lý do")}
        for pair in itertools.product(EXPECTED_ORDER, repeat=2)
    }
    assert {pair: roles for pair, roles in may.items() if roles} == {
        pair: roles for pair, (roles, _) in ALLOWED.items()
    }
    # Unit officers and delegates never move a phase, whatever they hold together.
    assert not any(_allowed(a, b, frozenset({OFFICER, DELEGATE}), "lý do")
                   for a, b in itertools.product(EXPECTED_ORDER, repeat=2))


def _allowed(source, target, roles, reason):
    try:
        check_transition(source, target, roles, reason)
    except PhaseError:
        return False
    return True


def test_back_move_needs_a_reason_even_for_the_province():
    with pytest.raises(PhaseError) as caught:
        check_transition("in_progress", "registration", frozenset({SECRETARIAT}), " \n\t")
    assert str(caught.value) == "Quay lại giai đoạn trước phải ghi rõ lý do."
    assert check_transition("in_progress", "registration", frozenset({SECRETARIAT}),
                            "Đơn vị xin bổ sung chỉ tiêu").is_back


def test_leader_cannot_record_the_decision_nor_go_back():
    with pytest.raises(PhaseError) as caught:
        check_transition("proposals_submitted", "decided", frozenset({LEADER}))
    assert str(caught.value) == ("Chỉ Thường trực thi đua tỉnh được chuyển từ "
                                 "“Đã gửi đề nghị khen thưởng” sang “Đã có quyết định”.")
    with pytest.raises(PhaseError) as caught:
        check_transition("conference", "appraisal", frozenset({LEADER}), "Chấm lại")
    assert str(caught.value) == ("Chỉ Thường trực thi đua tỉnh được chuyển từ "
                                 "“Hội nghị tổng kết” sang “Chấm chéo, thẩm định”.")


@pytest.mark.parametrize("target", ["", "finished", "REGISTRATION", "Đăng ký thi đua"])
def test_unknown_target_phase(target):
    with pytest.raises(PhaseError) as caught:
        check_transition("registration", target, frozenset({ADMIN}), "lý do")
    assert str(caught.value) == f"Giai đoạn không hợp lệ: {target!r}."


def test_allowed_moves_forward_first():
    moves = allowed_moves("in_progress", frozenset({SECRETARIAT}))
    assert [(m.source, m.target) for m in moves] == [
        (P.IN_PROGRESS, P.MID_YEAR_REVIEW), (P.IN_PROGRESS, P.REGISTRATION)]
    assert [(m.source, m.target) for m in allowed_moves("in_progress", frozenset({LEADER}))] \
        == [(P.IN_PROGRESS, P.MID_YEAR_REVIEW)]
    assert allowed_moves("registration", frozenset({OFFICER, DELEGATE})) == []
    assert allowed_moves("decided", frozenset({LEADER})) == []
    assert [(m.source, m.target) for m in allowed_moves("decided", frozenset({ADMIN}))] == [
        (P.DECIDED, P.PROPOSALS_SUBMITTED)]


@given(st.sampled_from(EXPECTED_ORDER), st.sets(st.sampled_from(ALL_ROLES)))
def test_allowed_moves_agrees_with_check_transition(current, roles):
    roles = frozenset(roles)
    listed = {m.target for m in allowed_moves(current.value, roles)}
    assert listed == {t for t in EXPECTED_ORDER if _allowed(current, t, roles, "lý do")}


@given(st.lists(st.sampled_from(EXPECTED_ORDER), min_size=1, max_size=30))
def test_any_walk_moves_by_at_most_one_step(targets):
    """Property: whatever sequence the province asks for, each accepted move changes the
    phase's position by exactly one."""
    current = P.REGISTRATION
    for target in targets:
        if _allowed(current, target, frozenset(PROVINCE), "sửa"):
            assert abs(ORDER.index(target) - ORDER.index(current)) == 1
            current = target


def test_the_conference_and_its_proposal_share_one_phase_rule():
    """Issue 11 item 9: one function says where the conference's votes and the proposal
    assembled from them may happen, so neither is allowed where the other is refused."""
    from thidua.org.domain.phases import CONFERENCE_PHASES, conference_phase_problem

    assert [p for p in Phase if conference_phase_problem(p, "X") is None] == list(
        CONFERENCE_PHASES) == [Phase.CONFERENCE, Phase.PROPOSALS_SUBMITTED]
    assert conference_phase_problem(Phase.APPRAISAL, "Lập đề nghị khen thưởng") == (
        "Lập đề nghị khen thưởng chỉ thực hiện ở giai đoạn «Hội nghị tổng kết» (khối đang ở "
        "giai đoạn «Chấm chéo, thẩm định»): chuyển khối sang giai đoạn «Hội nghị tổng kết» "
        "trước.")
