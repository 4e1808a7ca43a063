"""Allocation (law.allocation): worked cases (Bắc Ninh's bloc of 12, a bloc of
10 with quotas 0/1/3), RULES.md 22 and 24–26 enforced after the vote, 32's tie at the
cut-off returned for a run-off, and the properties that must hold for any input."""

import datetime
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.law.allocation import (
    NOT_PROPOSED,
    PENDING,
    PROPOSED,
    RUN_OFF,
    PollResult,
    RankedUnit,
    allocate,
)
from thidua.law.quotas import bloc_quotas, province_government_flag_cap
from thidua.law.rulebooks import rulebook_for

GOV, PROV, CERT = "government_flag", "provincial_flag", "certificate_of_merit"
FORMS = (GOV, PROV, CERT)
BOOK = rulebook_for("BN", datetime.date(2026, 1, 15))
THRESHOLD = BOOK.value("voting.threshold")


def polls(form, votes, members=12):
    """PollResults from {unit: yes-votes}, passed by the rulebook's threshold (> 1/2)."""
    return [PollResult(form, unit, v, THRESHOLD.is_met(v, members)) for unit, v in votes.items()]


def ranking(*groups):
    """Ranked units from groups: ranking([1], [2, 3]) → 1 first, 2 and 3 tied second (and
    equal final scores: 99, 98, 98)."""
    rows, rank = [], 1
    for group in groups:
        rows += [RankedUnit(unit, rank, Fraction(100 - rank)) for unit in group]
        rank += len(group)
    return rows


def everyone_eligible(units, forms=FORMS):
    return {(u, f): True for u in units for f in forms}


def outcomes(allocation, form):
    return {d.unit_id: d.outcome for d in allocation.decisions if d.award_form == form}


def test_bac_ninh_bloc_of_12_proposes_1_2_3():
    """Worked case: 12 members, quotas 1/2/3; the provincial-flag runner-up falls to the
    certificate poll and two certificate candidates tied on votes are separated by the
    ranking (RULES 32: votes first, then the score)."""
    units = range(1, 13)
    result = allocate(
        rulebook=BOOK, eligibility=everyone_eligible(units),
        ranking=ranking(*[[u] for u in units]),
        polls=(polls(GOV, {1: 11, 2: 4})
               + polls(PROV, {1: 10, 2: 12, 3: 9, 4: 5})
               + polls(CERT, {4: 11, 5: 10, 6: 9, 7: 9, 8: 4})),
        quotas=bloc_quotas(12, BOOK))
    assert result.complete
    assert result.proposals == {GOV: (1,), PROV: (2, 3), CERT: (4, 5, 6)}
    assert outcomes(result, PROV) == {1: NOT_PROPOSED, 2: PROPOSED, 3: PROPOSED,
                                      4: NOT_PROPOSED}
    assert outcomes(result, CERT) == {4: PROPOSED, 5: PROPOSED, 6: PROPOSED, 7: NOT_PROPOSED,
                                      8: NOT_PROPOSED}
    assert [(d.rule, d.sentence) for d in result.decisions if d.unit_id == 1
            and d.award_form == PROV] == [
        (22, "đã được đề nghị Cờ thi đua của Chính phủ; một thành tích chỉ một hình thức "
             "khen thưởng")]
    assert str(result.decision(7, CERT)) == (
        "đạt ngưỡng (9 phiếu) nhưng ngoài chỉ tiêu 3 Bằng khen của Chủ tịch UBND tỉnh: đứng "
        "sau theo thứ tự số phiếu, rồi điểm tổng kết — Thực tiễn tổ chức cụm, khối thi đua cấp "
        "tỉnh (thực tiễn)")
    assert result.decision(4, PROV).sentence == (
        "5 phiếu đồng ý, không đạt ngưỡng hơn 1/2 để đề nghị Cờ thi đua của UBND tỉnh")
    assert result.decision(2, PROV).rule == 25


def test_bloc_of_10_with_quotas_0_1_3_and_a_tie_for_a_run_off():
    """Worked case: the province-wide cap leaves no Government flag (20 % of 4 collectives
    meeting the standard is 0,8 → 0), so the bloc of 10 has quotas 0/1/3. Two certificate
    candidates tied on votes and tied in the ranking at the last seat: a run-off."""
    quotas = bloc_quotas(10, BOOK)
    quotas[GOV] = province_government_flag_cap(4, BOOK)
    assert {f: q.count for f, q in quotas.items()} == {GOV: 0, PROV: 1, CERT: 3}
    units = range(1, 11)
    args = dict(
        rulebook=BOOK, eligibility=everyone_eligible(units),
        ranking=ranking([1], [2], [3], [4], [5, 6], [7], [8], [9], [10]),
        polls=(polls(GOV, {1: 9}, 10) + polls(PROV, {1: 9, 2: 8}, 10)
               + polls(CERT, {2: 9, 3: 8, 5: 7, 6: 7, 7: 7}, 10)),
        quotas=quotas)
    result = allocate(**args)
    assert result.proposals[GOV] == ()
    assert outcomes(result, GOV) == {1: NOT_PROPOSED}
    assert result.proposals[PROV] == (1,)
    # 2 lost the provincial flag to 1 and is proposed for the certificate with 3; 5 and 6
    # (7 votes, tied 5th) share the last seat; 7 (7 votes, 7th) is out.
    assert result.proposals[CERT] == (2, 3)
    assert not result.complete
    [tie] = result.ties
    assert (tie.award_form, tie.seats, tie.unit_ids) == (CERT, 1, (5, 6))
    assert tie.explanation == (
        "2 đơn vị bằng nhau (số phiếu, rồi điểm tổng kết) ở ranh giới chỉ tiêu Bằng khen của "
        "Chủ "
        "tịch UBND tỉnh: còn 1 suất — bỏ phiếu lại giữa các đơn vị này")
    assert outcomes(result, CERT) == {2: PROPOSED, 3: PROPOSED, 5: RUN_OFF, 6: RUN_OFF,
                                      7: NOT_PROPOSED}

    decided = allocate(**args, run_offs={CERT: {5: 4, 6: 6}})
    assert decided.complete
    assert decided.proposals[CERT] == (2, 3, 6)
    assert outcomes(decided, CERT)[5] == NOT_PROPOSED

    again = allocate(**args, run_offs={CERT: {5: 5, 6: 5}})
    assert [t.unit_ids for t in again.ties] == [(5, 6)]


def test_rule_22_never_two_forms_for_one_unit():
    result = allocate(
        rulebook=BOOK, eligibility=everyone_eligible([1, 2]), ranking=ranking([1], [2]),
        polls=polls(PROV, {1: 12}) + polls(CERT, {1: 12, 2: 10}),
        quotas={GOV: 1, PROV: 2, CERT: 3})
    assert result.proposals == {GOV: (), PROV: (1,), CERT: (2,)}
    assert result.decision(1, CERT).rule == 22


def test_rule_24_a_second_government_flag_is_not_proposed():
    result = allocate(
        rulebook=BOOK, eligibility=everyone_eligible([1, 2]), ranking=ranking([1, 2]),
        polls=polls(GOV, {1: 10, 2: 8}), quotas=bloc_quotas(12, BOOK))
    assert result.proposals[GOV] == (1,)
    assert result.decision(1, GOV).rule == 24
    assert result.decision(2, GOV).outcome == NOT_PROPOSED


def test_an_ineligible_unit_is_never_proposed_and_says_why():
    from thidua.law.eligibility import check_eligibility
    from thidua.law.facts import UnitYearFacts

    eligibility = check_eligibility(
        unit_id=1, year=2025, award_form=PROV, rulebook=BOOK,
        facts=UnitYearFacts(1, 2025, targets_exceeded=False, party_rating="good",
                            discipline_level="none", negative_inspection=False,
                            confirmed=True),
        registration_submitted_on=datetime.date(2025, 3, 1),
        registration_deadline=datetime.date(2025, 3, 31))
    result = allocate(rulebook=BOOK, eligibility={(1, PROV): eligibility, (2, PROV): True},
                      ranking=ranking([1], [2]), polls=polls(PROV, {1: 12, 2: 7}),
                      quotas={PROV: 2})
    assert result.proposals[PROV] == (2,)
    decision = result.decision(1, PROV)
    assert (decision.rule, str(decision)) == (
        17, "không đề nghị Cờ thi đua của UBND tỉnh: chưa đủ điều kiện: chưa hoàn thành vượt "
            "mức chỉ tiêu — Điều 26, Luật Thi đua, khen thưởng 2022")


def test_a_tie_for_the_government_flag_holds_the_lower_forms():
    """Who of the tied loses the run-off may still take a provincial flag: the lower form
    waits instead of being decided on a guess."""
    result = allocate(
        rulebook=BOOK, eligibility=everyone_eligible([1, 2, 3]), ranking=ranking([1, 2], [3]),
        polls=polls(GOV, {1: 9, 2: 9}) + polls(PROV, {2: 10, 3: 9}),
        quotas={GOV: 1, PROV: 1, CERT: 3})
    assert [t.unit_ids for t in result.ties] == [(1, 2)]
    assert result.pending_forms == (PROV,)
    assert outcomes(result, PROV) == {2: PENDING, 3: PENDING}
    assert result.proposals[PROV] == ()
    decided = allocate(
        rulebook=BOOK, eligibility=everyone_eligible([1, 2, 3]), ranking=ranking([1, 2], [3]),
        polls=polls(GOV, {1: 9, 2: 9}) + polls(PROV, {2: 10, 3: 9}),
        quotas={GOV: 1, PROV: 1, CERT: 3}, run_offs={GOV: {1: 7, 2: 5}})
    assert decided.complete
    assert decided.proposals == {GOV: (1,), PROV: (2,), CERT: ()}


def test_rule_32_a_missing_score_orders_no_one_the_tie_goes_to_a_run_off():
    """As the count does (one function, law.excess): without unit 2's score the
    score cannot separate 1 and 2, equal on votes at the last seat — a run-off, said why."""
    result = allocate(
        rulebook=BOOK, eligibility=everyone_eligible([1, 2]), ranking=ranking([1]),
        polls=polls(PROV, {1: 9, 2: 9}), quotas={PROV: 1})
    assert result.proposals[PROV] == ()
    [tie] = result.ties
    assert (tie.unit_ids, tie.seats) == ((1, 2), 1)
    assert "thiếu điểm của đơn vị 2 nên điểm không phân định" in tie.explanation
    enough = allocate(
        rulebook=BOOK, eligibility=everyone_eligible([1, 2]), ranking=[],
        polls=polls(PROV, {1: 9, 2: 9}), quotas={PROV: 2})
    assert enough.proposals[PROV] == (1, 2)


def test_rule_32_lines_follow_the_votes_where_no_cut_is_needed():
    """Issue 11 item 4: 8 votes are not listed before 9 because of a smaller unit id."""
    result = allocate(
        rulebook=BOOK, eligibility=everyone_eligible([1, 2, 3]),
        ranking=ranking([1], [2], [3]), polls=polls(CERT, {1: 8, 2: 9, 3: 12}),
        quotas={CERT: 3})
    assert result.proposals[CERT] == (3, 2, 1)
    assert [result.decision(u, CERT).sentence.split("; ")[1] for u in (3, 2, 1)] == [
        "thứ 1 trong chỉ tiêu 3", "thứ 2 trong chỉ tiêu 3", "thứ 3 trong chỉ tiêu 3"]


def test_rule_32_equal_votes_and_equal_score_is_a_run_off_even_when_ranks_differ():
    """Issue 11 item 3: the ranking's tie-break chain (RULES 16) may give equal final scores
    different ranks; RULES 32 orders by the score, so — as the minutes say — it is a
    run-off, not a proposal of the better-ranked unit."""
    equal = [RankedUnit(1, 1, Fraction(90)), RankedUnit(2, 2, Fraction(90))]
    result = allocate(rulebook=BOOK, eligibility=everyone_eligible([1, 2]), ranking=equal,
                      polls=polls(PROV, {1: 9, 2: 9}), quotas={PROV: 1})
    assert result.proposals[PROV] == ()
    assert [(t.unit_ids, t.seats) for t in result.ties] == [((1, 2), 1)]


# --- properties --------------------------------------------------------------------------

@st.composite
def bloc(draw):
    n = draw(st.integers(3, 12))
    units = list(range(1, n + 1))
    scores = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))  # few values: ties
    ordered = sorted(units, key=lambda u: -scores[u - 1])
    ranks = [RankedUnit(u, 1 + sum(s > scores[u - 1] for s in scores), Fraction(scores[u - 1]))
             for u in ordered]
    eligibility = {(u, f): draw(st.sampled_from([True, True, True, False]))
                   for u in units for f in FORMS}
    poll_results = []
    for form in FORMS:
        for unit in draw(st.lists(st.sampled_from(units), unique=True, min_size=n // 2,
                                  max_size=n)):
            # Few distinct counts (one failing, two passing) so ties at the cut are common.
            votes = draw(st.sampled_from([n // 2, n // 2 + 1, n]))
            poll_results.append(PollResult(form, unit, votes, THRESHOLD.is_met(votes, n)))
    quotas = {f: draw(st.integers(0, 3)) for f in FORMS}
    return units, ranks, eligibility, poll_results, quotas


@settings(max_examples=300, deadline=None)
@given(bloc())
def test_allocation_properties(case):
    units, ranks, eligibility, poll_results, quotas = case
    result = allocate(rulebook=BOOK, eligibility=eligibility, ranking=ranks,
                      polls=poll_results, quotas=quotas)
    # Never more than the quota.
    for form in FORMS:
        assert len(result.proposals[form]) <= quotas[form]
    # Never two forms for one unit (RULES 22).
    proposed = [u for form in FORMS for u in result.proposals[form]]
    assert len(proposed) == len(set(proposed))
    # Never an ineligible unit, never one that did not pass.
    passed = {(p.unit_id, p.award_form) for p in poll_results if p.passed}
    for form in FORMS:
        for unit in result.proposals[form]:
            assert eligibility[(unit, form)] and (unit, form) in passed
    # Every candidate of every poll is decided exactly once.
    assert sorted((d.unit_id, d.award_form) for d in result.decisions) == sorted(
        (p.unit_id, p.award_form) for p in poll_results)
    # A tie at the cut-off is returned, not cut: replay each form's cut independently.
    rank_of = {r.unit_id: r.rank for r in ranks}
    taken = set()
    for form in FORMS:
        if form in result.pending_forms:
            break
        candidates = [p for p in poll_results if p.award_form == form and p.passed
                      and eligibility[(p.unit_id, form)] and p.unit_id not in taken]
        quota = quotas[form]
        tie = [t for t in result.ties if t.award_form == form]
        if len(candidates) > quota > 0:
            keyed = sorted((-p.votes, rank_of[p.unit_id]) for p in candidates)
            if keyed[quota - 1] == keyed[quota]:
                assert len(tie) == 1
                tied = {p.unit_id for p in candidates
                        if (-p.votes, rank_of[p.unit_id]) == keyed[quota - 1]}
                assert set(tie[0].unit_ids) == tied
                assert len(result.proposals[form]) + tie[0].seats == quota
                assert not tied & set(result.proposals[form])
            else:
                assert tie == []
                assert len(result.proposals[form]) == quota
        else:
            assert tie == []
            assert len(result.proposals[form]) == min(quota, len(candidates))
        taken |= set(result.proposals[form])
        if tie:
            break  # lower forms may wait for the run-off


def test_a_form_of_the_group_without_a_quota_is_refused():
    import pytest

    with pytest.raises(ValueError, match="Thiếu chỉ tiêu số lượng cho Cờ thi đua của UBND"):
        allocate(rulebook=BOOK, eligibility=everyone_eligible([1]), ranking=ranking([1]),
                 polls=polls(PROV, {1: 12}), quotas={})


@settings(max_examples=200, deadline=None)
@given(bloc())
def test_a_decisive_run_off_fills_the_quota_exactly(case):
    units, ranks, eligibility, poll_results, quotas = case
    args = dict(rulebook=BOOK, eligibility=eligibility, ranking=ranks, polls=poll_results,
                quotas=quotas)
    first = allocate(**args)
    if not first.ties:
        return
    tie = first.ties[0]
    # Distinct run-off votes: the run-off decides, nobody is left tied in that form.
    run_off = {unit: 100 - unit for unit in tie.unit_ids}
    second = allocate(**args, run_offs={tie.award_form: run_off})
    assert all(t.award_form != tie.award_form for t in second.ties)
    assert len(second.proposals[tie.award_form]) == quotas[tie.award_form]
    winners = sorted(tie.unit_ids)[:tie.seats]
    assert set(winners) <= set(second.proposals[tie.award_form])
