"""One reading of who the conference elected (RULES.md 2, 3, 32; issue 11): voting's
deputy ballot and awards' next year both read `voting.domain.election.elected`."""

from thidua.voting.domain.election import DEPUTY, LEADER, Election, elected


def test_rule_3_one_leader_elected_with_the_deputies():
    assert elected([(LEADER, [7]), (DEPUTY, [3])]) == Election(7, (3,))


def test_rule_32_a_round_held_again_fills_the_seats_the_first_left_open():
    # Leader: 6–6, nobody; the second round among the front-runners elects 4. Deputies:
    # two seats, one filled in the first round, the other in the next.
    rounds = [(LEADER, []), (LEADER, [4]), (DEPUTY, [2]), (DEPUTY, [5])]
    assert elected(rounds) == Election(4, (2, 5))


def test_rule_3_no_leader_or_two_leaders_elect_nobody():
    assert elected([(LEADER, []), (DEPUTY, [2])]) is None
    assert elected([]) is None
    assert elected([(LEADER, [1]), (LEADER, [4])]) is None


def test_rule_2_the_leader_is_never_also_a_deputy():
    assert elected([(LEADER, [1]), (DEPUTY, [1, 2])]) == Election(1, (2,))
