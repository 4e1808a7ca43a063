"""Public results (issue 6 item 7), read-only and without sign-in: the same published data
as the public page (publication.queries), as JSON. Rate-limited per address like the page;
it does not count page views."""

import datetime

from django.urls import reverse
from ninja import Field, Router, Schema

from thidua.api import schemas as s
from thidua.api.common import responses
from thidua.core import ratelimit
from thidua.core.numbers import half_up
from thidua.law.award_forms import label_for
from thidua.publication import queries

router = Router(tags=["Công bố kết quả"])


class PublicRankingRowOut(Schema):
    rank: int
    unit: str
    tied: bool
    final_score: str = Field(description='Tổng điểm làm tròn 2 chữ số: "90.50".')
    final_exact: str = Field(description='Tổng điểm chính xác (phân số): "181/2".')


class PublicCandidateOut(Schema):
    unit: str
    votes: int
    passed: bool
    sentence: str = Field(description='"4 phiếu / 5 thành viên = 80,00 % > 1/2: đạt"')


class PublicBallotOut(Schema):
    receipt_code: str
    valid: bool
    choices: list[str]


class PublicPollOut(Schema):
    id: int
    title: str
    kind: str
    award_form: str
    ballots_cast: int
    valid: int
    invalid: int
    digest: str = Field(description="Mã kiểm tra hòm phiếu (SHA-256).")
    candidates: list[PublicCandidateOut]
    ballots: list[PublicBallotOut] = Field(description="Theo mã biên nhận.")


class ProposalLineOut(Schema):
    award_form: str
    award_form_label: str
    unit: str
    votes: int | None
    outcome: str
    decision_number: str | None
    decision_date: datetime.date | None


class PressOut(Schema):
    number: int = Field(description="Lần công bố (1, 2, …).")
    title: str
    lead: str
    body: str
    published_at: datetime.datetime


class ResultsOut(Schema):
    bloc_year_id: int
    bloc: str
    province: str
    year: int
    ranking_published_at: datetime.datetime | None
    ranking: list[PublicRankingRowOut]
    polls: list[PublicPollOut]
    proposal_state: str | None = Field(description="Chỉ khi hồ sơ đã gửi tỉnh.")
    proposals: list[ProposalLineOut]
    next_leader: str | None
    next_deputies: list[str]
    press_release: PressOut | None
    views: int = Field(description="Lượt xem trang công khai, mỗi người một lần mỗi ngày.")


class PublishedBlocYearOut(Schema):
    bloc_year_id: int
    bloc: str
    year: int
    results_url: str


def _poll(item) -> dict:
    poll = item.poll
    return {"id": poll.id, "title": poll.title, "kind": poll.kind,
            "award_form": poll.award_form, "ballots_cast": item.cast, "valid": item.valid,
            "invalid": item.invalid, "digest": poll.digest,
            "candidates": [{"unit": r["label"], "votes": r["votes"], "passed": r["passed"],
                            "sentence": r["sentence"]} for r in item.rows],
            "ballots": [{"receipt_code": b["code"], "valid": b["valid"],
                         "choices": b["choices"]} for b in item.ballots]}


def _line(line, province) -> dict:
    decision = line.decision
    return {"award_form": line.award_form,
            "award_form_label": label_for(line.award_form, province),
            "unit": line.unit.name, "votes": line.votes, "outcome": line.outcome,
            "decision_number": decision.number if decision else None,
            "decision_date": decision.decision_date if decision else None}


@router.get("/public/bloc-years/{bloc_year_id}/results", auth=None, url_name="public_results",
            response=responses({200: ResultsOut}, 404, 422, 429),
            summary="Kết quả đã công bố của một khối trong năm (công khai, chỉ đọc)")
def results(request, bloc_year_id: s.Id):
    ratelimit.check_public(request)
    found = queries.public_results(queries.public_bloc_year(bloc_year_id))
    bloc_year, ranking, press = found.bloc_year, found.ranking, found.press
    return {
        "bloc_year_id": bloc_year.id, "bloc": bloc_year.bloc.name,
        "province": bloc_year.bloc.province.name, "year": bloc_year.year,
        "ranking_published_at": ranking.ranking.published_at if ranking else None,
        "ranking": [{"rank": line.row.rank, "unit": line.unit.name, "tied": line.row.tied,
                     "final_score": str(half_up(line.final)),
                     "final_exact": f"{line.final.numerator}/{line.final.denominator}"}
                    for line in (ranking.lines if ranking else [])],
        "polls": [_poll(item) for item in found.polls],
        "proposal_state": found.proposal.state if found.proposal else None,
        "proposals": [_line(line, bloc_year.bloc.province) for line in found.lines],
        "next_leader": found.election.leader if found.election else None,
        "next_deputies": found.election.deputies if found.election else [],
        "press_release": {"number": press.number, "title": press.title, "lead": press.lead,
                          "body": press.body, "published_at": press.published_at}
        if press else None,
        "views": found.views,
    }


@router.get("/public/provinces/{code}/bloc-years", auth=None,
            response=responses({200: list[PublishedBlocYearOut]}, 404, 422, 429),
            summary="Các khối của tỉnh đã công bố kết quả (công khai)")
def published(request, code: s.text(20, 1)):
    ratelimit.check_public(request)
    province = queries.public_province(code)
    return [{"bloc_year_id": b.id, "bloc": b.bloc.name, "year": b.year,
             "results_url": reverse("api:public_results", kwargs={"bloc_year_id": b.id})}
            for b in queries.published_bloc_years(province)]
