"""The press release text (functional core): exact Vietnamese from plain facts, nothing
invented when a part is missing, and regeneration that keeps the user's edits."""

import datetime
from fractions import Fraction

from thidua.publication.domain.press import (
    AwardVote,
    PressFacts,
    PressRankLine,
    PressText,
    ProposedAward,
    VoteLine,
    join_names,
    merge,
    press_release,
)

FULL = PressFacts(
    province="Bắc Ninh", bloc="Khối Kinh tế", year=2026, members=5,
    conference_on=datetime.date(2026, 12, 5), conference_place="Hội trường tỉnh",
    chair="Nguyễn Văn A",
    ranking=(PressRankLine(1, "Sở Công Thương", Fraction(9525, 100)),
             PressRankLine(2, "Sở Tài chính", Fraction(181, 2), tied=True),
             PressRankLine(2, "Sở Xây dựng", Fraction(181, 2), tied=True),
             PressRankLine(4, "Đài Phát thanh", Fraction(80))),
    votes=(AwardVote("Cờ thi đua của UBND tỉnh", 5, (VoteLine("Sở Tài chính", 4, True),
                                                      VoteLine("Sở Xây dựng", 1, False))),),
    proposals=(ProposedAward("Cờ thi đua của UBND tỉnh", ("Sở Tài chính",)),
               ProposedAward("Bằng khen của Chủ tịch UBND tỉnh",
                             ("Sở Xây dựng", "Đài Phát thanh"))),
    next_leader="Sở Tài chính", next_deputies=("Sở Xây dựng",))


def test_the_full_article():
    text = press_release(FULL)
    assert text.title == "Khối Kinh tế tổng kết phong trào thi đua năm 2026"
    assert text.lead == (
        "Ngày 05/12/2026, tại Hội trường tỉnh, Khối Kinh tế (Bắc Ninh) tổ chức hội nghị tổng "
        "kết phong trào thi đua năm 2026. Sở Công Thương dẫn đầu khối với 95,25 điểm; khối "
        "đề nghị khen thưởng cho 3 đơn vị; Sở Tài chính được bầu làm Trưởng khối năm 2027.")
    assert text.body.split("\n\n") == [
        "Hội nghị do Nguyễn Văn A chủ trì, với sự tham dự của đại diện 5 đơn vị thành viên "
        "của khối.",
        "Theo kết quả chấm điểm, xếp hạng thi đua năm 2026 đã công bố, 4/5 đơn vị thành viên "
        "được xếp hạng. Các đơn vị dẫn đầu: Sở Công Thương (hạng 1, 95,25 điểm), Sở Tài chính "
        "(hạng 2, đồng hạng, 90,50 điểm) và Sở Xây dựng (hạng 2, đồng hạng, 90,50 điểm).",
        "Bỏ phiếu kín đề nghị Cờ thi đua của UBND tỉnh (5 phiếu hợp lệ): Sở Tài chính 4 phiếu "
        "(đạt); Sở Xây dựng 1 phiếu (không đạt).",
        "Khối thống nhất đề nghị Thường trực thi đua tỉnh xem xét, trình Chủ tịch UBND tỉnh "
        "khen thưởng: Cờ thi đua của UBND tỉnh: Sở Tài chính; Bằng khen của Chủ tịch UBND "
        "tỉnh: Sở Xây dựng và Đài Phát thanh.",
        "Hội nghị bầu Sở Tài chính làm Trưởng khối năm 2027; Sở Xây dựng làm Phó khối.",
        "Kết quả chi tiết được công khai trên trang kết quả của Khối Kinh tế năm 2026.",
    ]


def test_only_a_ranking_says_nothing_of_a_conference():
    facts = PressFacts(province="Bắc Ninh", bloc="Khối Kinh tế", year=2026, members=5,
                       ranking=(PressRankLine(1, "Sở A", Fraction(90)),
                                PressRankLine(1, "Sở B", Fraction(90))))
    text = press_release(facts)
    assert text.lead == ("Khối Kinh tế (Bắc Ninh) công bố kết quả phong trào thi đua năm "
                         "2026. Sở A và Sở B cùng dẫn đầu khối với 90,00 điểm.")
    assert "Hội nghị" not in text.body and "đề nghị" not in text.body
    empty = press_release(PressFacts(province="Bắc Ninh", bloc="Khối X", year=2026,
                                     members=3))
    assert empty.lead == "Khối X (Bắc Ninh) công bố kết quả phong trào thi đua năm 2026."
    assert empty.body == "Kết quả chi tiết được công khai trên trang kết quả của Khối X năm 2026."


def test_join_names():
    assert [join_names([]), join_names(["A"]), join_names(["A", "B"]),
            join_names(["A", "B", "C"])] == ["", "A", "A và B", "A, B và C"]


def test_regenerate_keeps_the_fields_the_user_edited_unless_overwrite():
    old = PressText("T cũ", "S cũ", "N cũ")
    fresh = PressText("T mới", "S mới", "N mới")
    mine = PressText("T cũ", "Sapo của tôi", "N cũ")
    kept = merge(mine, old, fresh, overwrite=False)
    assert kept.text == PressText("T mới", "Sapo của tôi", "N mới")
    assert kept.kept == ("lead",)
    forced = merge(mine, old, fresh, overwrite=True)
    assert forced.text == fresh and forced.kept == ()


def test_the_press_core_loads_no_django():
    """A functional core: its dates come from core.daytext, not the Django-bound core.dates."""
    import subprocess
    import sys

    check = ("import sys, thidua.publication.domain.press; "
             "assert not [m for m in sys.modules if m.split('.')[0] == 'django']")
    assert subprocess.run([sys.executable, "-c", check], check=False).returncode == 0
