"""The year-end conference: conference and attendance, polls, voting cards, casting
(a logged-in delegate, or a card's one-time token without an account), paper ballots and
their reconciliation, the result with its arithmetic, the public receipt check and the
projector count. Every change goes through voting.services; who may do what is in
voting.rules."""

import datetime
from fractions import Fraction
from typing import Literal

from ninja import Field, Router, Schema, Status

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, bloc_year_in_scope, responses
from thidua.api.org import unit_ref
from thidua.core import ratelimit
from thidua.law.award_forms import AwardForm
from thidua.law.rulebook import FractionRule
from thidua.voting import queries, services
from thidua.voting.models import Poll

router = Router(tags=["Hội nghị tổng kết, bỏ phiếu"])
MAX_CHOICES = 100


# --- shapes ---------------------------------------------------------------------------

class ConferenceIn(Schema):
    held_at: datetime.datetime = Field(description="Thời gian hội nghị (ISO 8601).")
    place: s.text(300, 1)
    chair: s.text(200, 1)
    secretary: s.text(200, 1)
    guests: s.text(5000) = Field("", description="Khách mời, đại biểu dự (không bỏ phiếu).")
    agenda: s.text(10000) = ""
    # "HH:MM", not a JSON Schema `time` (that format requires a UTC offset; this is the
    # wall-clock time of the conference's own day).
    ended_at: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                                 description="Giờ kết thúc «HH:MM», cùng ngày (ghi vào biên "
                                             "bản); trống: để chỗ ghi tay.")


class AttendanceIn(Schema):
    present: bool
    absence_reason: s.text(300) = ""
    delegate_name: s.text(200) = ""


class RollCallRowIn(AttendanceIn):
    unit_id: s.Id


class RollCallIn(Schema):
    rows: list[RollCallRowIn] = Field([], max_length=500, description=(
        "Các đơn vị điểm danh lần này: có mặt, hoặc vắng có lý do; tên đại biểu."))
    all_present: bool = Field(False, description=(
        "Mọi đơn vị thành viên không có trong `rows` được ghi có mặt (giữ tên đại biểu đã "
        "ghi)."))


class AttendanceOut(Schema):
    unit: s.UnitRef
    present: bool
    absence_reason: str
    delegate_name: str


class QuorumOut(Schema):
    present: int
    members: int
    minimum: int
    met: bool
    sentence: str


class CandidateOut(Schema):
    id: int
    unit: s.UnitRef
    score: str | None = Field(description="Điểm trong bảng xếp hạng đã công bố (phân số "
                                          "chính xác dạng chuỗi), nếu có.")
    rank: int | None
    override_reason: str = Field(description="Lý do đưa vào danh sách dù chưa đủ điều kiện "
                                             "(rỗng: đơn vị đủ điều kiện).")


class IneligibleOut(Schema):
    unit: int
    name: str
    reasons: list[str] = Field(description="Từng điều kiện chưa đạt hoặc chưa đủ căn cứ, "
                                           "kèm số quy tắc và căn cứ pháp lý.")
    rules: list[int]
    override: str = Field(description="Lý do vẫn đưa vào phiếu; rỗng: không có tên trên "
                                      "phiếu.")


class OverrideIn(Schema):
    unit_id: s.Id
    reason: s.text(500, 1)


class PollOut(Schema):
    id: int
    conference: int
    kind: Literal["award_proposal", "leader_election", "deputy_election"]
    award_form: str
    title: str
    quota: int
    state: Literal["created", "open", "closed", "published"]
    threshold: str
    base: str
    vote_per: str
    citation: str
    run_off_of: int | None
    candidates: list[CandidateOut]
    ineligible: list[IneligibleOut] = Field(description=(
        "Bình xét: đơn vị thành viên chưa đủ điều kiện hình thức này (Quy tắc 7, 17–22), "
        "kèm lý do; chỉ có tên trên phiếu khi được đưa vào với lý do (`override`)."))


class ConferenceOut(Schema):
    id: int
    bloc_year: int
    held_at: datetime.datetime
    place: str
    chair: str
    secretary: str
    guests: str
    agenda: str
    ended_at: str | None = Field(description="Giờ kết thúc «HH:MM», hoặc null.")
    attendance: list[AttendanceOut]
    quorum: QuorumOut
    polls: list[int]


class PollIn(Schema):
    kind: Literal["award_proposal", "leader_election", "deputy_election"]
    award_form: AwardForm | None = None
    unit_ids: list[s.Id] | None = Field(None, max_length=500, description=(
        "Ứng viên; bỏ trống: các đơn vị đủ điều kiện (bình xét) hoặc mọi đơn vị có thể "
        "(bầu)."))
    title: s.text(300) = ""
    overrides: list[OverrideIn] = Field([], max_length=500, description=(
        "Đơn vị chưa đủ điều kiện mà vẫn đưa vào danh sách, mỗi đơn vị một lý do (ghi "
        "nhật ký, in trong biên bản)."))


class CandidatesIn(Schema):
    unit_ids: list[s.Id] = Field(max_length=500)
    overrides: list[OverrideIn] = Field([], max_length=500, description=(
        "Đơn vị chưa đủ điều kiện mà vẫn đưa vào danh sách, mỗi đơn vị một lý do."))


class ChoicesIn(Schema):
    choices: list[s.Id] = Field(max_length=MAX_CHOICES,
                                description="Mã ứng viên (candidate id) được chọn; danh sách "
                                            "rỗng là phiếu trắng (không hỏi lại).")
    unit_id: s.Id | None = Field(None, description="Đơn vị bỏ phiếu (nếu bạn là đại biểu "
                                                   "của nhiều đơn vị).")


class CardBallotIn(Schema):
    token: s.text(100, 1) = Field(description="Mã trên thẻ biểu quyết (mã QR).")
    choices: list[s.Id] = Field(max_length=MAX_CHOICES,
                                description="Mã ứng viên được chọn; rỗng: phiếu trắng.")


class ReceiptOut(Schema):
    receipt_code: str = Field(description="Mã biên nhận: giữ lại để tự kiểm tra sau khi "
                                          "công bố. Không hiện lại lần nữa.")


class CardOut(Schema):
    card: int
    unit: s.UnitRef
    delegate_name: str
    token: str = Field(description="Mã một lần in trên thẻ (chỉ trả về lúc phát thẻ).")


class PaperIssueIn(Schema):
    # Exactly one list, the one the poll's `vote_per` asks for (RULES.md 29); the service
    # answers 400 otherwise.
    unit_ids: list[s.Id] = Field([], max_length=500, description=(
        "Mỗi đơn vị một phiếu: các đơn vị có mặt nhận phiếu giấy."))
    card_ids: list[s.Id] = Field([], max_length=500, description=(
        "Mỗi đại biểu một phiếu: thẻ biểu quyết của các đại biểu nhận phiếu giấy thay thẻ."))


class PaperCodesOut(Schema):
    codes: list[str]


class PaperBallotIn(Schema):
    receipt_code: s.text(20, 1)
    choices: list[s.Id] = Field(max_length=MAX_CHOICES, description=(
        "Ứng viên được đánh dấu, đúng như trên phiếu; một mã không thuộc danh sách làm "
        "phiếu không hợp lệ (Quy tắc 33)."))
    outside_list: bool = Field(False, description=(
        "Phiếu ghi thêm tên ngoài danh sách: phiếu không hợp lệ (Quy tắc 33)."))


class PaperBallotOut(Schema):
    receipt_code: str
    valid: bool


class ReconcileIn(Schema):
    unreturned: s.whole(0, 10_000)


class ReconciliationOut(Schema):
    issued: int
    returned: int
    valid: int
    invalid: int
    unreturned: int | None
    adds_up: bool
    sentence: str


class CandidateResultOut(Schema):
    candidate: int
    number: int = Field(description="Số thứ tự trên phiếu: danh sách phiếu và mã kiểm tra "
                                    "hòm phiếu dùng số này.")
    unit: str
    yes_votes: int
    base: int
    percentage: str
    passed: bool
    outcome: str
    outcome_label: str
    sentence: str = Field(description='Vd. "7 phiếu / 12 thành viên = 58,33 % > 1/2: đạt".')


class ReceiptCheckIn(Schema):
    receipt_code: s.text(20, 1) = Field(description="Mã biên nhận; viết thường, thiếu dấu "
                                        "gạch hay có dấu cách vẫn được đọc đúng.")


class BallotOut(Schema):
    receipt_code: str
    valid: bool
    choices: list[int]


class VoteAgainOut(Schema):
    sentence: str
    unit_ids: list[int] = Field(description="Các đơn vị được bỏ phiếu lại.")
    seats: int
    run_off: bool = Field(description="true: bằng phiếu ở ranh giới chỉ tiêu; false: bầu "
                                      "lại vì chưa đủ người đạt ngưỡng.")
    poll: int | None = Field(description="Cuộc bỏ phiếu lại, khi đã lập.")


class ResultOut(Schema):
    poll: int
    state: str
    members: int
    present: int
    ballots_cast: int
    valid: int
    invalid: int
    base_kind: str
    base: int
    quota: int
    candidates: list[CandidateResultOut]
    selected: list[int]
    run_off: list[int]
    run_off_seats: int
    run_off_poll: int | None
    explanations: list[str]
    vote_again: VoteAgainOut | None = Field(description="Phải bỏ phiếu lại (Quy tắc 32): "
                                                        "giữa ai, mấy suất, vì sao.")
    reconciliation: ReconciliationOut | None
    ballots: list[BallotOut] = Field(description="Sau khi công bố: mọi phiếu theo mã biên "
                                                 "nhận (sắp theo mã).")
    digest: str = Field(description="SHA-256 của danh sách phiếu đã công bố (ghi vào biên "
                                    "bản).")


class TurnoutOut(Schema):
    poll: int
    title: str
    state: str
    voted: int
    expected: int


# --- output ---------------------------------------------------------------------------

def _score(candidate) -> str | None:
    if candidate.score_numerator is None:
        return None
    if candidate.score_denominator == 1:
        return str(candidate.score_numerator)
    return f"{candidate.score_numerator}/{candidate.score_denominator}"


def poll_out(poll: Poll) -> dict:
    rule = FractionRule(poll.threshold_comparison,
                        Fraction(poll.threshold_numerator, poll.threshold_denominator))
    return {
        "id": poll.id, "conference": poll.conference_id, "kind": poll.kind,
        "award_form": poll.award_form, "title": poll.title, "quota": poll.quota,
        "state": poll.state, "threshold": str(rule), "base": poll.base,
        "vote_per": poll.vote_per, "citation": poll.citation, "run_off_of": poll.run_off_of_id,
        "candidates": [{"id": c.id, "unit": unit_ref(c.unit), "score": _score(c),
                        "rank": c.rank, "override_reason": c.override_reason}
                       for c in queries.candidates(poll)],
        "ineligible": [{"override": "", **entry} for entry in poll.ineligible or []],
    }


def conference_out(actor_, conference) -> dict:
    view = queries.conference_view(actor_, conference)
    q = view.quorum
    return {
        "id": conference.id, "bloc_year": conference.bloc_year_id,
        "held_at": conference.held_at, "place": conference.place, "chair": conference.chair,
        "secretary": conference.secretary, "guests": conference.guests,
        "agenda": conference.agenda,
        "ended_at": f"{conference.ended_at:%H:%M}" if conference.ended_at else None,
        "attendance": [{"unit": unit_ref(a.unit), "present": a.present,
                        "absence_reason": a.absence_reason, "delegate_name": a.delegate_name}
                       for a in view.attendance],
        "quorum": {"present": q.present, "members": q.members, "minimum": q.minimum,
                   "met": q.met, "sentence": q.sentence},
        "polls": [p.id for p in view.polls],
    }


def _reconciliation_out(check) -> dict | None:
    if check is None:
        return None
    return {"issued": check.issued, "returned": check.returned, "valid": check.valid,
            "invalid": check.invalid, "unreturned": check.unreturned,
            "adds_up": check.adds_up, "sentence": check.sentence}


def _vote_again_out(plan) -> dict | None:
    if plan is None:
        return None
    return {"sentence": plan.sentence, "unit_ids": list(plan.unit_ids), "seats": plan.seats,
            "run_off": plan.run_off, "poll": plan.poll.pk if plan.poll else None}


def result_out(result) -> dict:
    t, poll = result.tally, result.poll
    stored = poll.result or {}
    return {
        "poll": poll.id, "state": poll.state, "members": t.members, "present": t.present,
        "ballots_cast": t.cast, "valid": t.valid, "invalid": t.invalid,
        "base_kind": t.base_kind, "base": t.base, "quota": t.quota,
        "candidates": [{"candidate": r.candidate.id, "number": result.numbers[r.candidate.id],
                        "unit": r.candidate.label,
                        "yes_votes": r.votes, "base": r.base, "percentage": r.percentage,
                        "passed": r.passed, "outcome": r.outcome,
                        "outcome_label": r.outcome_label, "sentence": r.sentence}
                       for r in t.results],
        "selected": list(t.selected), "run_off": list(t.run_off_ids),
        "run_off_seats": t.run_off_seats, "run_off_poll": stored.get("run_off_poll"),
        "explanations": list(t.explanations),
        "vote_again": _vote_again_out(services.vote_again_plan(poll)),
        "reconciliation": _reconciliation_out(result.reconciliation),
        "ballots": [{"receipt_code": b.receipt_code, "valid": b.valid,
                     "choices": list(b.choices)} for b in result.ballots],
        "digest": result.digest,
    }


# --- conference and attendance -----------------------------------------------------------

@router.get("/bloc-years/{bloc_year_id}/conference",
            response=responses({200: ConferenceOut}, *READ),
            summary="Hội nghị tổng kết của khối: điểm danh, điều kiện biểu quyết, các cuộc "
                    "bỏ phiếu")
def get_conference(request, bloc_year_id: s.Id):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    return conference_out(actor_, queries.conference_of(actor_, bloc_year))


@router.post("/bloc-years/{bloc_year_id}/conference",
             response=responses({201: ConferenceOut}, *WRITE, 409),
             summary="Lập hội nghị tổng kết (Trưởng khối, Thường trực thi đua tỉnh)")
def create_conference(request, bloc_year_id: s.Id, payload: ConferenceIn):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    conference = services.create_conference(actor_, bloc_year, **_conference_fields(payload))
    return Status(201, conference_out(actor_, conference))


@router.put("/conferences/{conference_id}", response=responses({200: ConferenceOut}, *WRITE, 409),
            summary="Sửa thông tin hội nghị: thời gian, địa điểm, chủ trì, thư ký, khách mời, "
                    "chương trình, giờ kết thúc (Quy tắc 40)")
def update_conference(request, conference_id: s.Id, payload: ConferenceIn):
    actor_ = actor(request)
    conference = queries.conference_in_scope(actor_, conference_id)
    services.update_conference(actor_, conference, **_conference_fields(payload))
    return conference_out(actor_, conference)


def _conference_fields(payload: ConferenceIn) -> dict:
    fields = payload.dict()
    if fields["ended_at"] is not None:
        fields["ended_at"] = datetime.time.fromisoformat(fields["ended_at"])
    return fields


@router.put("/conferences/{conference_id}/attendance/{unit_id}",
            response=responses({200: ConferenceOut}, *WRITE),
            summary="Điểm danh một đơn vị (có mặt, hoặc vắng có lý do)")
def record_attendance(request, conference_id: s.Id, unit_id: s.Id, payload: AttendanceIn):
    actor_ = actor(request)
    conference = queries.conference_in_scope(actor_, conference_id)
    services.record_attendance(actor_, conference, unit_id, **payload.dict())
    return conference_out(actor_, conference)


@router.put("/conferences/{conference_id}/attendance",
            response=responses({200: ConferenceOut}, *WRITE),
            summary="Điểm danh cả hội nghị trong một lần lưu (hoặc tất cả có mặt)")
def record_roll_call(request, conference_id: s.Id, payload: RollCallIn):
    actor_ = actor(request)
    conference = queries.conference_in_scope(actor_, conference_id)
    services.record_roll_call(
        actor_, conference,
        [services.RollCallRow(r.unit_id, r.present, r.absence_reason, r.delegate_name)
         for r in payload.rows], all_present=payload.all_present)
    return conference_out(actor_, conference)


# --- polls ------------------------------------------------------------------------------

@router.post("/conferences/{conference_id}/polls",
             response=responses({201: PollOut}, *WRITE, 409),
             summary="Tạo cuộc bỏ phiếu (bình xét một hình thức, bầu Trưởng khối, Phó khối)")
def create_poll(request, conference_id: s.Id, payload: PollIn):
    actor_ = actor(request)
    conference = queries.conference_in_scope(actor_, conference_id)
    poll = services.create_poll(
        actor_, conference, payload.kind,
        award_form=payload.award_form.value if payload.award_form else "",
        unit_ids=payload.unit_ids, title=payload.title,
        overrides={o.unit_id: o.reason for o in payload.overrides})
    return Status(201, poll_out(poll))


@router.get("/polls/{poll_id}", response=responses({200: PollOut}, *READ),
            summary="Một cuộc bỏ phiếu và danh sách ứng viên")
def get_poll(request, poll_id: s.Id):
    return poll_out(queries.poll_in_scope(actor(request), poll_id))


@router.put("/polls/{poll_id}/candidates", response=responses({200: PollOut}, *WRITE, 409),
            summary="Đặt danh sách ứng viên (trước khi mở bỏ phiếu)")
def set_candidates(request, poll_id: s.Id, payload: CandidatesIn):
    actor_ = actor(request)
    poll = services.set_candidates(actor_, queries.poll_in_scope(actor_, poll_id),
                                   payload.unit_ids,
                                   {o.unit_id: o.reason for o in payload.overrides})
    return poll_out(poll)


def _transition(name):
    def view(request, poll_id: s.Id):
        actor_ = actor(request)
        poll = getattr(services, f"{name}_poll")(actor_, queries.poll_in_scope(actor_, poll_id))
        return poll_out(queries.poll_in_scope(actor_, poll.pk))
    view.__name__ = f"{name}_poll"
    return view


router.post("/polls/{poll_id}/open", response=responses({200: PollOut}, *WRITE, 409),
            summary="Mở bỏ phiếu (cần đủ số đơn vị có mặt, Quy tắc 28)")(_transition("open"))
router.post("/polls/{poll_id}/close", response=responses({200: PollOut}, *WRITE, 409),
            summary="Kết thúc bỏ phiếu và kiểm phiếu")(_transition("close"))
router.post("/polls/{poll_id}/publish", response=responses({200: PollOut}, *WRITE, 409),
            summary="Công bố kết quả và danh sách phiếu theo mã biên nhận")(
    _transition("publish"))


@router.post("/polls/{poll_id}/vote-again", response=responses({200: PollOut}, *WRITE, 409),
             summary="Bỏ phiếu lại: mở cuộc bỏ phiếu lại giữa các ứng viên bằng phiếu, hoặc "
                     "vòng bầu mới khi chưa ai đạt ngưỡng (Quy tắc 32)")
def vote_again(request, poll_id: s.Id):
    actor_ = actor(request)
    again = services.vote_again(actor_, queries.poll_in_scope(actor_, poll_id))
    return poll_out(queries.poll_in_scope(actor_, again.pk))


@router.post("/polls/{poll_id}/cards", response=responses({201: list[CardOut]}, *WRITE, 409),
             summary="Phát thẻ biểu quyết (mã một lần) cho các đơn vị có mặt")
def issue_cards(request, poll_id: s.Id):
    actor_ = actor(request)
    issued = services.issue_cards(actor_, queries.poll_in_scope(actor_, poll_id))
    return Status(201, [{"card": c.card.id, "unit": unit_ref(c.card.unit),
                         "delegate_name": c.card.delegate_name, "token": c.token}
                        for c in issued])


# --- casting ----------------------------------------------------------------------------

@router.post("/polls/{poll_id}/ballots", response=responses({201: ReceiptOut}, *WRITE, 409),
             summary="Bỏ phiếu (đại biểu đã đăng nhập)")
def cast_as_delegate(request, poll_id: s.Id, payload: ChoicesIn):
    actor_ = actor(request)
    queries.poll_in_scope(actor_, poll_id)
    code = services.cast_as_delegate(actor_, poll_id, list(payload.choices),
                                     unit_id=payload.unit_id)
    return Status(201, {"receipt_code": code})


@router.post("/polls/{poll_id}/card-ballots", auth=None,
             response=responses({201: ReceiptOut}, 400, 404, 409, 422),
             summary="Bỏ phiếu bằng thẻ biểu quyết (không cần tài khoản)")
def cast_with_card(request, poll_id: s.Id, payload: CardBallotIn):
    ratelimit.check(request, "voting_card", *ratelimit.LIMITS["voting_card"],
                    who=ratelimit.by_ip(request))  # 429: guessing cards is throttled
    code = services.cast_with_card(payload.token, poll_id, list(payload.choices))
    return Status(201, {"receipt_code": code})


# --- paper ballots ----------------------------------------------------------------------

@router.post("/polls/{poll_id}/paper-ballots/issue",
             response=responses({201: PaperCodesOut}, *WRITE, 409),
             summary="Phát phiếu giấy cho các đơn vị, hoặc cho đại biểu theo thẻ (trả về mã in "
                     "trên phiếu)")
def issue_paper(request, poll_id: s.Id, payload: PaperIssueIn):
    actor_ = actor(request)
    codes = services.issue_paper_ballots(actor_, queries.poll_in_scope(actor_, poll_id),
                                         list(payload.unit_ids), list(payload.card_ids))
    return Status(201, {"codes": codes})


@router.post("/polls/{poll_id}/paper-ballots",
             response=responses({201: PaperBallotOut}, *WRITE, 409),
             summary="Ban kiểm phiếu nhập một phiếu giấy (phiếu chọn quá số lượng hoặc ghi tên "
                     "ngoài danh sách: không hợp lệ)")
def enter_paper(request, poll_id: s.Id, payload: PaperBallotIn):
    actor_ = actor(request)
    ballot = services.enter_paper_ballot(actor_, queries.poll_in_scope(actor_, poll_id),
                                         payload.receipt_code, list(payload.choices),
                                         outside_list=payload.outside_list)
    return Status(201, {"receipt_code": ballot.receipt_code, "valid": ballot.valid})


@router.post("/polls/{poll_id}/paper-ballots/correct",
             response=responses({200: PaperBallotOut}, *WRITE, 409),
             summary="Ban kiểm phiếu sửa một phiếu giấy đã nhập sai (trước khi kết thúc bỏ "
                     "phiếu; phải đối chiếu lại)")
def correct_paper(request, poll_id: s.Id, payload: PaperBallotIn):
    actor_ = actor(request)
    ballot = services.correct_paper_ballot(actor_, queries.poll_in_scope(actor_, poll_id),
                                           payload.receipt_code, list(payload.choices),
                                           outside_list=payload.outside_list)
    return {"receipt_code": ballot.receipt_code, "valid": ballot.valid}


@router.post("/polls/{poll_id}/paper-ballots/reconcile",
             response=responses({200: ReconciliationOut}, *WRITE, 409),
             summary="Đối chiếu phiếu giấy: phát ra = thu về + không thu về")
def reconcile(request, poll_id: s.Id, payload: ReconcileIn):
    actor_ = actor(request)
    check = services.reconcile_paper(actor_, queries.poll_in_scope(actor_, poll_id),
                                     unreturned=payload.unreturned)
    return _reconciliation_out(check)


# --- results ----------------------------------------------------------------------------

@router.get("/polls/{poll_id}/result", response=responses({200: ResultOut}, *READ, 409),
            summary="Kết quả kiểm phiếu với cách tính từng ứng viên")
def get_result(request, poll_id: s.Id):
    actor_ = actor(request)
    return result_out(services.result(actor_, queries.poll_in_scope(actor_, poll_id)))


@router.get("/polls/{poll_id}/turnout", response=responses({200: TurnoutOut}, *READ),
            summary="Màn hình chiếu: số đã bỏ phiếu / số được bỏ phiếu (không có lựa chọn)")
def get_turnout(request, poll_id: s.Id):
    poll = queries.poll_in_scope(actor(request), poll_id)
    t = services.turnout(poll)
    return {"poll": poll.id, "title": t.title, "state": t.state, "voted": t.voted,
            "expected": t.expected}


@router.post("/polls/{poll_id}/receipts", auth=None,
             response=responses({200: BallotOut}, 400, 404, 422),
             summary="Tra mã biên nhận: phiếu có trong danh sách đã công bố (công khai). Mã "
                     "gửi trong thân yêu cầu, không nằm trong địa chỉ (nhật ký máy chủ "
                     "trung gian không ghi được)")
def check_receipt_posted(request, poll_id: s.Id, payload: ReceiptCheckIn):
    return _receipt(request, poll_id, payload.receipt_code)


@router.get("/polls/{poll_id}/receipts/{receipt_code}", auth=None, deprecated=True,
            response=responses({200: BallotOut}, 404, 422),
            summary="Tra mã biên nhận (cũ: mã nằm trong địa chỉ, máy chủ trung gian có thể "
                    "ghi lại; dùng POST /polls/{poll_id}/receipts)")
def check_receipt(request, poll_id: s.Id, receipt_code: s.text(20, 1)):
    return _receipt(request, poll_id, receipt_code)


def _receipt(request, poll_id, receipt_code):
    ratelimit.check(request, "receipt", *ratelimit.LIMITS["receipt"],
                    who=ratelimit.by_ip(request))
    ballot = services.check_receipt(poll_id, receipt_code)
    return {"receipt_code": ballot.receipt_code, "valid": ballot.valid,
            "choices": list(ballot.choices)}
