"""Where the conference stands and what comes next (functional core, no ORM): the steps of
the conference day in their order — roll call, quorum (RULES.md 28), the award polls
(30–34), the leader and deputy elections (2–4), the minutes (40) — each done, current or
still to come, and for the current one the single next action, with the poll it is done
in. The person running the conference reads it at the top of the conference page."""

from dataclasses import dataclass

AWARD, LEADER, DEPUTY = "award_proposal", "leader_election", "deputy_election"
DONE, CURRENT, TODO = "done", "current", "todo"
STATUS_LABELS = {DONE: "Xong", CURRENT: "Đang làm", TODO: "Chưa đến"}


@dataclass(frozen=True)
class PollFact:
    id: int
    kind: str
    title: str
    state: str  # created | open | closed | published
    again: bool = False  # counted, and must be voted again (tie at the quota, no majority)
    again_exists: bool = False  # that run-off / next round exists
    elected: tuple = ()  # the names selected by the count


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    status: str
    detail: str
    action: str = ""  # what to do now (the current step only)
    poll_id: int | None = None  # the poll it is done in
    anchor: str = ""  # or the part of the conference page

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _poll_action(poll: PollFact) -> str:
    if poll.state == "created":
        return f"Mở bỏ phiếu «{poll.title}»"
    if poll.state == "open":
        return f"Kết thúc bỏ phiếu «{poll.title}» khi đã nhận đủ phiếu"
    if poll.again and not poll.again_exists:
        return f"Bỏ phiếu lại sau «{poll.title}»"
    if poll.state == "closed":
        return f"Công bố kết quả «{poll.title}»"
    return ""


STATE_WORDS = {"created": "mới lập", "open": "đang bỏ phiếu", "closed": "đã kiểm phiếu",
               "published": "đã công bố"}


def _poll_counts(polls) -> str:
    counts = {}
    for poll in polls:
        counts[poll.state] = counts.get(poll.state, 0) + 1
    return f"{len(polls)} cuộc bỏ phiếu: " + ", ".join(
        f"{n} {STATE_WORDS[state]}" for state, n in sorted(
            counts.items(), key=lambda item: list(STATE_WORDS).index(item[0])))


def _poll_step(polls, none_action, decided_detail) -> tuple:
    """(done, detail, action, poll id) of a group of polls."""
    if not polls:
        return False, "Chưa lập cuộc bỏ phiếu.", none_action, None
    for poll in polls:
        action = _poll_action(poll)
        if action:
            return False, _poll_counts(polls), action, poll.id
    return True, decided_detail(polls), "", None


def _award_detail(polls) -> str:
    return _poll_counts(polls) + "."


def _election_detail(office):
    def detail(polls):
        last = polls[-1]
        if last.elected:
            return f"Đã bầu {office}: {', '.join(last.elected)}."
        return f"Chưa bầu được {office}."
    return detail


def conference_steps(*, members: int, marked: int, present: int, quorum_met: bool,
                     quorum_sentence: str, quorum_minimum: int, polls, next_year: int,
                     minutes_issued: bool) -> list[Step]:
    """The steps in order; the first not done is the current one, the rest to come."""
    polls = sorted(polls, key=lambda p: p.id)
    raw = [("attendance", "Điểm danh", marked == members,
            f"{marked}/{members} đơn vị đã điểm danh: {present} có mặt, "
            f"{marked - present} vắng.",
            "Điểm danh: bấm «Tất cả có mặt» rồi sửa đơn vị vắng (ghi lý do), lưu một lần.",
            None, "diem-danh"),
           ("quorum", "Đủ điều kiện biểu quyết", quorum_met, quorum_sentence + ".",
            f"Chờ đủ ít nhất {quorum_minimum} đơn vị có mặt rồi điểm danh lại.", None,
            "diem-danh")]
    for key, label, kind, none_action, detail in (
            ("awards", "Bình xét khen thưởng", AWARD,
             "Lập cuộc bỏ phiếu bình xét cho từng hình thức khen thưởng", _award_detail),
            ("leader", f"Bầu Trưởng khối năm {next_year}", LEADER,
             f"Lập cuộc bầu Trưởng khối năm {next_year}", _election_detail("Trưởng khối")),
            ("deputy", f"Bầu Phó khối năm {next_year}", DEPUTY,
             f"Lập cuộc bầu Phó khối năm {next_year}", _election_detail("Phó khối"))):
        group = [p for p in polls if p.kind == kind]
        done, text, action, poll_id = _poll_step(group, none_action, detail)
        if kind != AWARD and done and not group[-1].elected:
            done, action = False, none_action
        raw.append((key, label, done, text, action, poll_id,
                    "" if poll_id else "lap-bo-phieu"))
    raw.append(("minutes", "Biên bản họp", minutes_issued,
                "Đã ban hành biên bản họp." if minutes_issued else "Chưa ban hành biên bản.",
                "Lập biên bản họp bình xét (DOCX, PDF) và ban hành", None,
                "van-ban-bien-ban-hop"))
    steps, current_found = [], False
    for key, label, done, detail, action, poll_id, anchor in raw:
        if done:
            steps.append(Step(key, label, DONE, detail))
        elif not current_found:
            current_found = True
            steps.append(Step(key, label, CURRENT, detail, action, poll_id, anchor))
        else:
            steps.append(Step(key, label, TODO, detail))
    return steps
