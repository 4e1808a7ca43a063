"""Quotas (law.quotas): RULES.md 23–27 passing and failing, with the arithmetic
explained; the worked blocs of 12 (Bắc Ninh 2022) and of 10."""

import datetime

import pytest

from thidua.law.quotas import (
    bloc_quotas,
    check_province_cap,
    province_government_flag_cap,
)
from thidua.law.rulebooks import rulebook_for

GOV, PROV, CERT = "government_flag", "provincial_flag", "certificate_of_merit"
BN = rulebook_for("BN", datetime.date(2026, 1, 15))
NATIONAL = rulebook_for("HN", datetime.date(2026, 1, 15))


def counts(quotas):
    return (quotas[GOV].count, quotas[PROV].count, quotas[CERT].count)


def test_bac_ninh_2022_bloc_of_12_gets_1_2_3():
    """The public report of the 2022 conference: 12 members → 1 Government flag, 2
    provincial flags, 3 certificates — the Bắc Ninh rulebook reproduces it."""
    quotas = bloc_quotas(12, BN)
    assert counts(quotas) == (1, 2, 3)
    assert str(quotas[PROV]) == (
        "Khối có 12 thành viên (mức từ 11 thành viên trở lên): tối đa 2 Cờ thi đua của UBND "
        "tỉnh — Hội nghị tổng kết năm 2022, Khối Kinh tế – Kỹ thuật tỉnh Bắc Ninh "
        "(29/11/2022) (thực tiễn)")
    assert counts(bloc_quotas(12, NATIONAL)) == (1, 2, 3)  # the defaults agree


def test_a_bloc_of_10_gets_1_1_3_by_default():
    """The default brackets give a bloc of 10: 1 Government flag (per bloc), 1 provincial
    flag (up to 10 members), 3 certificates (10–12). The 0/1/3 case of the issue is a
    bloc whose Government flag the province-wide cap leaves at 0 (test_allocation)."""
    assert counts(bloc_quotas(10, BN)) == (1, 1, 3)


def test_rule_24_one_government_flag_per_bloc_whatever_its_size():
    for size in (5, 10, 15):
        quota = bloc_quotas(size, BN)[GOV]
        assert (quota.count, quota.rule) == (1, 24)
        assert quota.explanation == "Mỗi khối đề nghị tối đa 1 Cờ thi đua của Chính phủ"


@pytest.mark.parametrize("size,expected", [(1, 1), (5, 1), (10, 1), (11, 2), (15, 2), (40, 2)])
def test_rule_25_provincial_flags_1_up_to_10_members_2_above(size, expected):
    assert bloc_quotas(size, BN)[PROV].count == expected


@pytest.mark.parametrize("size,expected", [(9, 2), (10, 3), (12, 3), (13, 4)])
def test_rule_26_certificates_3_for_10_to_12_members(size, expected):
    assert bloc_quotas(size, BN)[CERT].count == expected


def test_quotas_need_a_member():
    with pytest.raises(ValueError):
        bloc_quotas(0, BN)


@pytest.mark.parametrize("standard,cap", [(0, 0), (4, 0), (5, 1), (9, 1), (10, 2), (23, 4),
                                          (25, 5)])
def test_rule_23_province_cap_is_20_percent_rounded_down(standard, cap):
    assert province_government_flag_cap(standard, BN).count == cap


def test_rule_23_cap_explains_its_arithmetic():
    before = rulebook_for("BN", datetime.date(2025, 1, 15))
    assert province_government_flag_cap(23, before).explanation == (
        "20 % của 23 tập thể đạt tiêu chuẩn Cờ thi đua của UBND tỉnh là 4,6; lấy phần nguyên "
        "(không làm tròn lên, vì “không quá”): toàn tỉnh đề nghị tối đa 4 Cờ thi đua của "
        "Chính phủ")
    assert str(province_government_flag_cap(23, before).citation) == (
        "Điều 11 khoản 1, Nghị định 91/2017/NĐ-CP (văn bản cũ, giả định còn áp dụng)")
    # Under Decree 152/2025 the same sentence names the open point.
    assert "vấn đề còn mở: Chưa rõ Nghị định 152/2025" in province_government_flag_cap(
        23, BN).explanation


def test_rule_23_and_27_within_the_cap_nothing_is_cut():
    result = check_province_cap(4, 23, BN)
    assert result.ok and result.excess == 0
    assert ": trong giới hạn — " in result.explain()


def test_rule_23_and_27_over_the_cap_the_province_cuts_the_proposals():
    """RULES 27: a bloc's outcome is a proposal; over the cap the province must cut."""
    assert BN.value("proposals.province_may_cut") is True
    result = check_province_cap(5, 23, BN)
    assert not result.ok
    assert result.excess == 1
    assert "các khối đề nghị 5: vượt 1, tỉnh phải giảm 1 đề nghị trước khi trình" in (
        result.explain())
