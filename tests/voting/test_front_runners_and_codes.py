"""Functional cores of conference day (no database): who stands again when an election
elects too few (RULES.md 31, 32) and how a typed receipt code is read."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.voting.domain import receipts
from thidua.voting.domain.election import front_runners


@pytest.mark.parametrize(("votes", "seats", "expected"), [
    ({1: 6, 2: 6}, 1, (1, 2)),  # the 6–6 election of issue 11
    ({1: 3, 2: 5, 3: 4}, 1, (2, 3)),  # 5–4–3: the first two
    ({1: 4, 2: 4, 3: 4}, 1, (1, 2, 3)),  # a tie is never cut
    ({1: 5, 2: 4, 3: 4, 4: 1}, 1, (1, 2, 3)),
    ({1: 2}, 1, (1,)),
    ({1: 0, 2: 0, 3: 0, 4: 0}, 1, (1, 2, 3, 4)),
    ({1: 7, 2: 5, 3: 5, 4: 3, 5: 2}, 2, (1, 2, 3)),  # two seats: at least three stand
    ({1: 7, 2: 5, 3: 4, 4: 4, 5: 2}, 2, (1, 2, 3, 4)),
])
def test_front_runners_rule_32(votes, seats, expected):
    assert front_runners(votes, seats) == expected


@given(st.dictionaries(st.integers(1, 30), st.integers(0, 12), min_size=1, max_size=12),
       st.integers(1, 3))
def test_front_runners_keep_every_tie_and_enough_names(votes, seats):
    chosen = front_runners(votes, seats)
    assert len(chosen) >= min(len(votes), seats + 1)
    lowest = min(votes[c] for c in chosen)
    # Nobody left out has as many votes as someone kept (no tie is cut), and no one is kept
    # beyond what the seats need plus the tie at the last place.
    assert all(votes[c] < lowest for c in votes if c not in chosen)
    assert sum(votes[c] > lowest for c in chosen) <= seats


@pytest.mark.parametrize("typed", [
    "7KQ2M-XH4PD", "7kq2m-xh4pd", "7kq2mxh4pd", " 7KQ 2MX H4PD ", "7KQ2M–XH4PD",
    "7KQ2M—XH4PD", "7KQ2M_XH4PD", "7KQ2M.XH4PD", "７ＫＱ２ＭＸＨ４ＰＤ", "7kq2m\u00a0xh4pd"])
def test_a_code_is_read_however_it_is_typed(typed):
    assert receipts.normalise(typed) == "7KQ2M-XH4PD"
    assert receipts.problem(typed) == ""


@pytest.mark.parametrize(("typed", "problem"), [
    ("", "Chưa nhập mã biên nhận."),
    ("7KQ2M-XH4P0", "Mã biên nhận không có chữ số 0, 1 và chữ cái I, L, O (để khỏi nhầm): "
                    "kiểm tra lại các ký tự 0."),
    ("lkq2m-xh4pi", "Mã biên nhận không có chữ số 0, 1 và chữ cái I, L, O (để khỏi nhầm): "
                    "kiểm tra lại các ký tự I, L."),
    ("7KQ2M-XH4P#", "Mã biên nhận chỉ gồm chữ số 2–9 và chữ cái A–Z (trừ I, L, O)."),
    ("7KQ2M-XH4", "Mã biên nhận có 10 ký tự (hai nhóm 5 ký tự, ví dụ 7KQ2M-XH4PD); mã vừa "
                  "nhập có 8 ký tự."),
])
def test_a_code_that_cannot_be_one_says_why(typed, problem):
    assert receipts.problem(typed) == problem
    assert "-" not in receipts.normalise(typed)  # matches no stored code
