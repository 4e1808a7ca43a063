"""The province's council (Hội đồng Thi đua – Khen thưởng tỉnh) choosing the
Government-flag candidates among the collectives the blocs voted as leading (RULES.md 20,
23; issue 14). Every change goes through awards.council (audit)."""

import datetime
from typing import Annotated

from ninja import Field, Router, Schema

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, responses
from thidua.api.org import unit_ref
from thidua.awards import council, rules
from thidua.core.errors import NotFound
from thidua.org.models import EmulationYear, Province

router = Router(tags=["Khen thưởng"])


class CouncilCandidateOut(Schema):
    line_id: int
    unit: s.UnitRef
    bloc: str
    award_form: str
    chosen: bool


class SelectionOut(Schema):
    minutes_number: str
    meeting_date: datetime.date


class CouncilOut(Schema):
    year: int
    cap: int | None
    cap_explanation: str
    candidates: list[CouncilCandidateOut]
    selection: SelectionOut | None


class CouncilIn(Schema):
    minutes_number: Annotated[str, Field(min_length=1, max_length=council.MAX_NUMBER)]
    meeting_date: datetime.date
    chosen: Annotated[list[s.Id], Field(min_length=1, max_length=1000)]


def _year(actor_, code, year) -> EmulationYear:
    """Read by who reads the province's proposals (a former province's successor
    included), else 404; recording is the service's to refuse (403, issue 14)."""
    province = Province.objects.filter(code=code).first()
    if province is None or not rules.can_view_province_proposals(actor_, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    emulation_year = EmulationYear.objects.filter(province=province, year=year).first()
    if emulation_year is None:
        raise NotFound(f"{province.name} chưa mở năm thi đua {year}.")
    return emulation_year


def council_out(view: council.CouncilView, year: int) -> dict:
    selection = view.selection
    return {"year": year, "cap": view.cap.cap.count if view.cap else None,
            "cap_explanation": view.cap.cap.explanation if view.cap else view.cap_error,
            "candidates": [{"line_id": line.id, "unit": unit_ref(line.unit),
                            "bloc": line.proposal.bloc_year.bloc.display_name,
                            "award_form": line.award_form,
                            "chosen": line.id in view.chosen_ids}
                           for line in view.candidates],
            "selection": {"minutes_number": selection.minutes_number,
                          "meeting_date": selection.meeting_date} if selection else None}


@router.get("/provinces/{code}/years/{year}/council", response=responses({200: CouncilOut},
                                                                          *READ),
            summary="Tập thể được khối bình xét dẫn đầu và lựa chọn của Hội đồng (Quy tắc 20)")
def council_choice(request, code: s.text(20), year: s.Year):
    actor_ = actor(request)
    return council_out(council.council_view(actor_, _year(actor_, code, year)), year)


@router.post("/provinces/{code}/years/{year}/council",
             response=responses({200: CouncilOut}, *WRITE, 409),
             summary="Ghi kết quả họp Hội đồng chọn đề nghị Cờ thi đua của Chính phủ")
def choose(request, code: s.text(20), year: s.Year, payload: CouncilIn):
    """`chosen`: line ids among the candidates; within the province-wide cap (RULES.md 23,
    409 beyond it)."""
    actor_ = actor(request)
    emulation_year = _year(actor_, code, year)
    council.choose(actor_, emulation_year, minutes_number=payload.minutes_number,
                   meeting_date=payload.meeting_date, chosen=payload.chosen)
    return council_out(council.council_view(actor_, emulation_year), year)
