"""Conference day on the database (issue 11 items 10–12): the roll call in one save with
"all present" (RULES.md 28, 40), voting again after a tie at the quota or an election
without a majority (RULES.md 31, 32), the receipt code read however it is typed, and the
steps of the day with what comes next."""

import pytest
from tests.factories import award_poll, candidate_ids, cards_by_unit, mark_present

from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.models import AuditEvent
from thidua.law.award_forms import AwardForm
from thidua.voting import queries, services
from thidua.voting.models import Attendance, Poll
from thidua.voting.services import RollCallRow

CODES = ("KT1", "KT2", "KT3", "KT4", "KT5")


def attendance(conference):
    return sorted(Attendance.objects.filter(conference=conference).values_list(
        "unit__code", "present", "absence_reason", "delegate_name"))


def roll_calls():
    return list(AuditEvent.objects.filter(action="voting.attendance.roll_call")
                .order_by("id").values_list("before", "after"))


# --- the roll call (RULES.md 28, 40) ------------------------------------------------------

def test_roll_call_all_present_then_one_absent_rule_28(world, conference,
                                                      django_assert_max_num_queries):
    leader, unit = world.actor("leader"), world.units
    with django_assert_max_num_queries(10):  # whatever the number of members
        rows = services.record_roll_call(
            leader, conference, [RollCallRow(unit["KT1"].id, True, "", "Nguyễn An; Lê Bình")],
            all_present=True)
    assert [(a.unit.code, a.present) for a in rows] == [
        ("KT5", True), ("KT4", True), ("KT1", True), ("KT2", True), ("KT3", True)]
    assert attendance(conference) == [("KT1", True, "", "Nguyễn An; Lê Bình"),
                                      *((c, True, "", "") for c in CODES[1:])]
    quorum = services.conference_quorum(conference)
    assert (quorum.present, quorum.members, quorum.met) == (5, 5, True)

    services.record_roll_call(leader, conference, [
        RollCallRow(unit["KT2"].id, False, "  Đi công tác  ", "bỏ qua khi vắng")])
    assert attendance(conference) == [
        ("KT1", True, "", "Nguyễn An; Lê Bình"), ("KT2", False, "Đi công tác",
                                                 "bỏ qua khi vắng"),
        ("KT3", True, "", ""), ("KT4", True, "", ""), ("KT5", True, "", "")]
    assert services.conference_quorum(conference).sentence == (
        "4/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để biểu quyết (Quy tắc 28)")
    # One event per save, naming only the rows that changed.
    events = roll_calls()
    kt2 = str(unit["KT2"].id)
    assert [sorted(after) for _, after in events] == [
        sorted(str(unit[c].id) for c in CODES), [kt2]]
    assert events[1] == ({kt2: {"present": True, "absence_reason": "", "delegate_name": ""}},
                         {kt2: {"present": False, "absence_reason": "Đi công tác",
                                "delegate_name": "bỏ qua khi vắng"}})
    # Saving the same again changes nothing and records nothing.
    services.record_roll_call(leader, conference, [
        RollCallRow(unit["KT2"].id, False, "Đi công tác", "bỏ qua khi vắng")])
    assert len(roll_calls()) == 2


def test_roll_call_one_wrong_row_saves_nothing(world, conference):
    leader, unit = world.actor("leader"), world.units
    with pytest.raises(DomainError) as refused:
        services.record_roll_call(leader, conference, [
            RollCallRow(unit["KT1"].id, True, "", "Lê C"),
            RollCallRow(unit["KT2"].id, False, "", ""),
            RollCallRow(unit["KT3"].id, "có", "", ""),
            RollCallRow(unit["KT4"].id, True, "", "x" * 201)])
    assert refused.value.messages == [
        "Sở Tài chính: Đơn vị vắng mặt phải ghi lý do vắng.",
        "Sở Xây dựng: Chọn có mặt hoặc vắng mặt.",
        "Đài Phát thanh: Tên đại biểu dài quá 200 ký tự (đang có 201)."]
    with pytest.raises(DomainError) as twice:
        services.record_roll_call(leader, conference, [
            RollCallRow(unit["KT1"].id, True), RollCallRow(unit["KT1"].id, False, "Ốm")])
    assert twice.value.messages == [
        "Sở Công Thương được điểm danh hai lần trong cùng một lần lưu."]
    with pytest.raises(NotFound):  # another bloc's unit, with data that could leak
        services.record_roll_call(leader, conference, [RollCallRow(unit["VX1"].id, True)],
                                  all_present=True)
    with pytest.raises(Forbidden):
        services.record_roll_call(world.actor("officer"), conference, [], all_present=True)
    assert attendance(conference) == [(c, False, "", "") for c in CODES]
    assert roll_calls() == []


def test_single_row_attendance_keeps_its_rules(world, conference):
    """The API's one-unit save and the roll call check a row the same way."""
    leader = world.actor("leader")
    with pytest.raises(DomainError) as refused:
        services.record_attendance(leader, conference, world.units["KT2"].id, present=False)
    assert refused.value.messages == ["Đơn vị vắng mặt phải ghi lý do vắng."]
    row = services.record_attendance(leader, conference, world.units["KT2"].id, present=True,
                                     absence_reason="bỏ qua khi có mặt", delegate_name="Lê C")
    assert (row.present, row.absence_reason, row.delegate_name) == (True, "", "Lê C")


# --- voting again (RULES.md 31, 32) -------------------------------------------------------

def vote(world, poll, marks):
    """marks: unit code → the codes it marks (every present unit votes with its card)."""
    cards = cards_by_unit(world, poll)
    for code, chosen in marks.items():
        services.cast_with_card(cards[code], poll.pk, candidate_ids(poll, world, *chosen))


def test_an_election_without_a_majority_is_voted_again_among_the_front_runners(world,
                                                                             present):
    leader = world.actor("leader")
    poll = services.open_poll(leader, services.create_poll(leader, present,
                                                           Poll.Kind.LEADER_ELECTION))
    # More than 1/2 of 5 members is 3: 2–2–1 elects nobody.
    vote(world, poll, {"KT1": ["KT2"], "KT2": ["KT3"], "KT3": ["KT2"], "KT4": ["KT3"],
                       "KT5": ["KT4"]})
    poll = services.close_poll(leader, poll)
    assert poll.result["selected"] == [] and poll.result["run_off"] == []
    plan = services.vote_again_plan(poll)
    assert (plan.names, plan.seats, plan.run_off, plan.poll) == (
        ("Sở Tài chính", "Sở Xây dựng"), 1, False, None)
    assert plan.unit_ids == (world.units["KT2"].id, world.units["KT3"].id)
    assert plan.sentence == (
        "Chưa bầu đủ: 0/1 người đạt ngưỡng (cần hơn 1/2 của 5 thành viên, tức ít nhất 3 "
        "phiếu). Bầu lại giữa những người nhiều phiếu nhất: Sở Tài chính (2 phiếu), Sở Xây "
        "dựng (2 phiếu); vẫn phải đạt ngưỡng (Quy tắc 31, 32).")

    again = services.vote_again(leader, poll)
    year = world.year.year + 1
    assert (again.kind, again.state, again.quota, again.run_off_of_id, again.title) == (
        "leader_election", "open", 1, None, f"Bầu Trưởng khối năm {year} (vòng 2)")
    assert [c.unit.code for c in again.candidates.all()] == ["KT2", "KT3"]
    assert (again.threshold_comparison, again.threshold_numerator,
            again.threshold_denominator) == ("more_than", 1, 2)
    assert again.citation.endswith(f"; Bầu lại sau «{poll.title}»: {plan.sentence}")
    assert services.vote_again(leader, poll).pk == again.pk  # idempotent
    assert AuditEvent.objects.filter(action="voting.poll.vote_again").count() == 1
    assert services.vote_again_plan(poll).poll == again

    # Round 2: 3 of 5 for Sở Tài chính passes the same threshold.
    vote(world, again, {"KT1": ["KT2"], "KT2": ["KT2"], "KT3": ["KT3"], "KT4": ["KT2"],
                        "KT5": []})
    again = services.close_poll(leader, again)
    assert again.result["selected"] == candidate_ids(again, world, "KT2")
    assert services.vote_again_plan(again) is None
    with pytest.raises(Conflict) as decided:
        services.vote_again(leader, again)
    assert decided.value.messages == ["Cuộc bỏ phiếu này đã có kết quả: không bỏ phiếu lại."]
    # The deputy election now reads the elected leader of the last round (RULES.md 2).
    deputy = services.create_poll(leader, present, Poll.Kind.DEPUTY_ELECTION)
    assert "KT2" not in [c.unit.code for c in deputy.candidates.all()]


def test_a_tie_at_the_quota_opens_the_run_off_the_count_made(world, present):
    leader = world.actor("leader")
    poll = services.open_poll(leader, award_poll(world, present,
                                                 AwardForm.CERTIFICATE_OF_MERIT,
                                                 ["KT2", "KT3", "KT4"]))
    vote(world, poll, {"KT1": ["KT2", "KT3"], "KT2": ["KT2", "KT3"], "KT3": ["KT2", "KT4"],
                       "KT4": ["KT2", "KT4"], "KT5": ["KT3", "KT4"]})
    poll = services.close_poll(leader, poll)
    run_off = Poll.objects.get(run_off_of=poll)
    plan = services.vote_again_plan(poll)
    assert (plan.names, plan.seats, plan.run_off, plan.poll) == (
        ("Sở Xây dựng", "Đài Phát thanh"), 1, True, run_off)
    assert plan.sentence == ("Sở Xây dựng, Đài Phát thanh bằng nhau ở ranh giới chỉ tiêu, còn "
                             "1 suất: bỏ phiếu lại giữa các ứng viên này, không tự loại (Quy "
                             "tắc 32).")
    opened = services.vote_again(leader, poll)
    assert (opened.pk, opened.state, opened.quota) == (run_off.pk, "open", 1)
    assert Poll.objects.filter(conference=present).count() == 2
    vote(world, opened, {"KT1": ["KT3"], "KT2": ["KT4"], "KT3": ["KT3"], "KT4": [],
                         "KT5": ["KT3"]})
    decided = services.close_poll(leader, opened)
    assert decided.result["selected"] == candidate_ids(decided, world, "KT3")
    assert services.vote_again_plan(decided) is None


def test_vote_again_is_refused_before_the_count_and_to_others(world, open_poll):
    with pytest.raises(Conflict) as early:
        services.vote_again(world.actor("leader"), open_poll)
    assert early.value.messages == ["Chỉ bỏ phiếu lại sau khi kết thúc bỏ phiếu và kiểm phiếu."]
    for who in ("officer", "delegate", "outsider"):
        with pytest.raises(Forbidden):
            services.vote_again(world.actor(who), open_poll)
    assert Poll.objects.count() == 1
    assert not AuditEvent.objects.filter(action="voting.poll.vote_again").exists()


# --- receipt codes -------------------------------------------------------------------------

def test_the_receipt_check_reads_a_code_however_it_is_typed(world, open_poll):
    leader, poll = world.actor("leader"), open_poll
    cards = cards_by_unit(world, poll)
    code = services.cast_with_card(cards["KT1"], poll.pk, candidate_ids(poll, world, "KT1"))
    services.close_poll(leader, poll)
    services.publish_poll(leader, poll)
    bare = code.replace("-", "")
    for typed in (code.lower(), bare.lower(), f"  {bare[:3]} {bare[3:7]} {bare[7:]} ",
                  code.replace("-", "–"), "".join(chr(ord(c) + 0xFEE0) for c in bare)):
        assert services.check_receipt(poll.pk, typed).receipt_code == code, typed
    with pytest.raises(NotFound) as look_alike:
        services.check_receipt(poll.pk, bare[:9] + "O")
    assert look_alike.value.messages == [
        "Mã biên nhận không có chữ số 0, 1 và chữ cái I, L, O (để khỏi nhầm): kiểm tra lại "
        "các ký tự O."]
    with pytest.raises(NotFound) as short:
        services.check_receipt(poll.pk, bare[:9])
    assert short.value.messages == [
        "Mã biên nhận có 10 ký tự (hai nhóm 5 ký tự, ví dụ 7KQ2M-XH4PD); mã vừa nhập có 9 "
        "ký tự."]
    other = "22222-22222" if code != "22222-22222" else "33333-33333"
    with pytest.raises(NotFound) as missing:
        services.check_receipt(poll.pk, other.lower().replace("-", ""))
    assert missing.value.messages == [
        f"Không có phiếu mã {other} trong danh sách đã công bố."]


def test_a_paper_ballot_code_is_entered_however_it_is_typed(world, open_poll):
    leader, poll = world.actor("leader"), open_poll
    [code] = services.issue_paper_ballots(leader, poll, [world.units["KT5"].id])
    ballot = services.enter_paper_ballot(leader, poll, code.replace("-", " ").lower(),
                                         candidate_ids(poll, world, "KT2"))
    assert ballot.receipt_code == code


# --- where the conference stands ------------------------------------------------------------

def steps_of(world, conference, minutes=False):
    view = queries.conference_view(world.actor("leader"), conference)
    return [(s.key, s.status, s.detail, s.action, s.poll_id, s.anchor)
            for s in queries.conference_progress(view, minutes_issued=minutes)]


def test_the_conference_steps_follow_the_day(world, conference,
                                             django_assert_max_num_queries):
    leader, year = world.actor("leader"), world.year.year + 1
    steps = steps_of(world, conference)
    assert steps[0] == ("attendance", "current", "0/5 đơn vị đã điểm danh: 0 có mặt, 0 vắng.",
                        "Điểm danh: bấm «Tất cả có mặt» rồi sửa đơn vị vắng (ghi lý do), lưu "
                        "một lần.", None, "diem-danh")
    assert [s[:2] for s in steps[1:]] == [("quorum", "todo"), ("awards", "todo"),
                                          ("leader", "todo"), ("deputy", "todo"),
                                          ("minutes", "todo")]
    mark_present(world, conference, ["KT1", "KT2"])
    services.record_roll_call(leader, conference, [
        RollCallRow(world.units[c].id, False, "Ốm") for c in ("KT3", "KT4", "KT5")])
    assert steps_of(world, conference)[:2] == [
        ("attendance", "done", "5/5 đơn vị đã điểm danh: 2 có mặt, 3 vắng.", "", None, ""),
        ("quorum", "current", "2/5 đơn vị có mặt < 2/3 (cần ít nhất 4): chưa đủ số đơn vị để "
         "biểu quyết (Quy tắc 28).", "Chờ đủ ít nhất 4 đơn vị có mặt rồi điểm danh lại.",
         None, "diem-danh")]
    mark_present(world, conference)
    assert steps_of(world, conference)[2] == (
        "awards", "current", "Chưa lập cuộc bỏ phiếu.",
        "Lập cuộc bỏ phiếu bình xét cho từng hình thức khen thưởng", None, "lap-bo-phieu")
    poll = award_poll(world, conference)
    assert steps_of(world, conference)[2][1:] == (
        "current", "1 cuộc bỏ phiếu: 1 mới lập", f"Mở bỏ phiếu «{poll.title}»", poll.pk, "")
    services.open_poll(leader, poll)
    services.close_poll(leader, poll)
    assert steps_of(world, conference)[2][3] == f"Công bố kết quả «{poll.title}»"
    services.publish_poll(leader, poll)
    steps = steps_of(world, conference)
    assert steps[2][:3] == ("awards", "done", "1 cuộc bỏ phiếu: 1 đã công bố.")
    assert steps[3][:4] == ("leader", "current", "Chưa lập cuộc bỏ phiếu.",
                            f"Lập cuộc bầu Trưởng khối năm {year}")

    election = services.open_poll(leader, services.create_poll(
        leader, conference, Poll.Kind.LEADER_ELECTION))
    vote(world, election, {"KT1": ["KT2"], "KT2": ["KT3"], "KT3": [], "KT4": [], "KT5": []})
    services.close_poll(leader, election)
    assert steps_of(world, conference)[3][3:5] == (
        f"Bỏ phiếu lại sau «{election.title}»", election.pk)
    again = services.vote_again(leader, election)
    vote(world, again, {"KT1": ["KT2"], "KT2": ["KT2"], "KT3": ["KT2"], "KT4": [], "KT5": []})
    services.close_poll(leader, again)
    assert steps_of(world, conference)[3][3:5] == (
        f"Công bố kết quả «{election.title}»", election.pk)
    for counted in (election, again):
        services.publish_poll(leader, counted)
    with django_assert_max_num_queries(4):  # the polls' stored counts, no query per poll
        steps = steps_of(world, conference)
    assert steps[3][:3] == ("leader", "done", "Đã bầu Trưởng khối: Sở Tài chính.")
    assert steps[4][:2] == ("deputy", "current")
    deputy = services.open_poll(leader, services.create_poll(
        leader, conference, Poll.Kind.DEPUTY_ELECTION))
    vote(world, deputy, {"KT1": ["KT3"], "KT2": ["KT3"], "KT3": ["KT3"], "KT4": [], "KT5": []})
    services.publish_poll(leader, services.close_poll(leader, deputy))
    steps = steps_of(world, conference)
    assert steps[4][:3] == ("deputy", "done", "Đã bầu Phó khối: Sở Xây dựng.")
    assert steps[5] == ("minutes", "current", "Chưa ban hành biên bản.",
                        "Lập biên bản họp bình xét (DOCX, PDF) và ban hành", None,
                        "van-ban-bien-ban-hop")
    assert [s[1] for s in steps_of(world, conference, minutes=True)] == ["done"] * 6
