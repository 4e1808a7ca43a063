"""Who makes up a bloc year (org.domain.composition): RULES.md 1, 2 and 5, exact lists."""

from hypothesis import given
from hypothesis import strategies as st

from thidua.org.domain.composition import Composition, composition_errors

NAMES = {
    1: "Sở Công Thương", 2: "Sở Tài chính", 3: "Sở Xây dựng", 4: "Đài Phát thanh",
    5: "Ban Quản lý dự án", 6: "Sở Y tế", 7: "Báo Bắc Ninh", 8: "Ủy ban Mặt trận Tổ quốc",
}


def errors(members, leader, deputies, *, taken=None, min_size=5, max_size=15):
    return composition_errors(
        Composition(frozenset(members), leader, frozenset(deputies)),
        min_size=min_size, max_size=max_size, names=NAMES, taken=taken or {},
    )


def test_a_good_bloc_has_no_errors():
    assert errors({1, 2, 3, 4, 5}, 1, {2}) == []
    assert errors({1, 2, 3, 4, 5}, 1, {2, 3}) == []


def test_rule_5_size_bounds_are_inclusive():
    """RULES.md 5: bloc size within the configured range (default 5–15)."""
    assert errors({1, 2, 3, 4, 5}, 1, {2}, min_size=5, max_size=5) == []
    assert errors({1, 2, 3, 4}, 1, {2}) == [
        "Khối phải có từ 5 đến 15 đơn vị thành viên; đang có 4 (Quy tắc 5)."]
    assert errors({1, 2, 3, 4, 5, 6}, 1, {2}, min_size=3, max_size=5) == [
        "Khối phải có từ 3 đến 5 đơn vị thành viên; đang có 6 (Quy tắc 5)."]


def test_rule_1_every_taken_member_named_in_vietnamese_order():
    """RULES.md 1: a unit belongs to exactly one bloc a year; each taken unit is named,
    sorted in Vietnamese order (Đ after D, before S)."""
    taken = {3: "Khối Văn hóa", 4: "Khối Nội chính", 5: "Khối Văn hóa"}
    assert errors({1, 2, 3, 4, 5}, 1, {2}, taken=taken) == [
        "Ban Quản lý dự án đã thuộc Khối Văn hóa trong năm này; mỗi đơn vị chỉ thuộc "
        "một khối trong một năm (Quy tắc 1).",
        "Đài Phát thanh đã thuộc Khối Nội chính trong năm này; mỗi đơn vị chỉ thuộc "
        "một khối trong một năm (Quy tắc 1).",
        "Sở Xây dựng đã thuộc Khối Văn hóa trong năm này; mỗi đơn vị chỉ thuộc "
        "một khối trong một năm (Quy tắc 1).",
    ]


def test_rule_1_ignores_taken_units_that_are_not_members():
    assert errors({1, 2, 3, 4, 5}, 1, {2}, taken={6: "Khối Văn hóa"}) == []


def test_rule_2_leader_missing_and_no_deputy():
    assert errors({1, 2, 3, 4, 5}, None, set()) == [
        "Khối phải có đúng một đơn vị Trưởng khối (Quy tắc 2).",
        "Khối phải có ít nhất một đơn vị Phó khối (Quy tắc 2).",
    ]


def test_rule_2_leader_and_deputies_must_be_members():
    assert errors({1, 2, 3, 4, 5}, 6, {7, 8, 2}) == [
        "Trưởng khối Sở Y tế không phải thành viên của khối (Quy tắc 2).",
        "Phó khối Báo Bắc Ninh không phải thành viên của khối (Quy tắc 2).",
        "Phó khối Ủy ban Mặt trận Tổ quốc không phải thành viên của khối (Quy tắc 2).",
    ]


def test_rule_2_leader_is_not_a_deputy():
    assert errors({1, 2, 3, 4, 5}, 1, {1}) == [
        "Sở Công Thương không thể vừa là Trưởng khối vừa là Phó khối (Quy tắc 2).",
    ]
    assert errors({1, 2, 3, 4, 5}, 1, {1, 2}) == [
        "Sở Công Thương không thể vừa là Trưởng khối vừa là Phó khối (Quy tắc 2).",
    ]


def test_every_rule_broken_at_once_in_a_fixed_order():
    assert errors({6, 7, 8}, 6, {6, 1}, taken={7: "Khối Kinh tế"}) == [
        "Khối phải có từ 5 đến 15 đơn vị thành viên; đang có 3 (Quy tắc 5).",
        "Báo Bắc Ninh đã thuộc Khối Kinh tế trong năm này; mỗi đơn vị chỉ thuộc "
        "một khối trong một năm (Quy tắc 1).",
        "Phó khối Sở Công Thương không phải thành viên của khối (Quy tắc 2).",
        "Sở Y tế không thể vừa là Trưởng khối vừa là Phó khối (Quy tắc 2).",
    ]


@given(
    members=st.sets(st.sampled_from(sorted(NAMES)), max_size=8),
    leader=st.none() | st.sampled_from(sorted(NAMES)),
    deputies=st.sets(st.sampled_from(sorted(NAMES)), max_size=4),
    taken=st.dictionaries(st.sampled_from(sorted(NAMES)), st.sampled_from(["Khối A", "Khối B"])),
    bounds=st.tuples(st.integers(0, 9), st.integers(0, 9)).map(sorted),
)
def test_no_errors_exactly_when_rules_1_2_5_hold(members, leader, deputies, taken, bounds):
    """Property: the list is empty iff every rule holds, as stated in RULES.md."""
    low, high = bounds
    found = errors(members, leader, deputies, taken=taken, min_size=low, max_size=high)
    holds = (
        low <= len(members) <= high
        and not (set(members) & set(taken))
        and leader is not None and leader in members
        and bool(deputies) and set(deputies) <= set(members)
        and leader not in deputies
    )
    assert (found == []) == holds
    assert len(found) == len(set(found))
