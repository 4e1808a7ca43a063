"""Reorganised units (issue 14, RULES.md 44–46): merges, splits and renames with their
effective date and paper. Every change goes through org.lineage (the province's
secretariat only; audited)."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Router, Schema, Status

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, responses
from thidua.api.org import unit_ref
from thidua.core.errors import Forbidden, NotFound
from thidua.org import lineage
from thidua.org.models import LineageEvent, Province
from thidua.org.rules import can_read_province, can_set_up_province

router = Router(tags=["Sắp xếp đơn vị"])

Number = Annotated[str, Field(min_length=1, max_length=lineage.MAX_NUMBER)]
Reason = Annotated[str, Field(min_length=1, max_length=lineage.MAX_REASON)]
Units = Annotated[list[s.Id], Field(min_length=1, max_length=50)]


class LineageEventOut(Schema):
    id: int
    kind: str
    kind_label: str
    effective_date: datetime.date
    document_number: str
    document_date: datetime.date
    note: str
    predecessors: list[s.UnitRef]
    successors: list[s.UnitRef]


class LineageEventIn(Schema):
    kind: Literal[tuple(LineageEvent.Kind.values)]
    predecessor_ids: Units
    successor_ids: Units
    effective_date: s.Date
    document_number: Number
    document_date: s.Date
    note: s.text(lineage.MAX_NOTE) = ""


class LineageRemoveIn(Schema):
    reason: Reason


def event_out(event: LineageEvent) -> dict:
    return {"id": event.id, "kind": event.kind, "kind_label": event.get_kind_display(),
            "effective_date": event.effective_date, "document_number": event.document_number,
            "document_date": event.document_date, "note": event.note,
            "predecessors": [unit_ref(u) for u in event.predecessors.all()],
            "successors": [unit_ref(u) for u in event.successors.all()]}


def _province(actor_, code, *, write=True) -> Province:
    """The province if the actor reads it (a former province's successor included, issue
    14), else 404; for a change, if they set it up, else 403."""
    province = Province.objects.filter(code=code).first()
    if province is None or not can_read_province(actor_, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    if write and not can_set_up_province(actor_, province.id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được ghi việc sắp xếp đơn vị.")
    return province


@router.get("/provinces/{code}/lineage",
            response=responses({200: list[LineageEventOut]}, *READ, 403),
            summary="Các lần sắp xếp, sáp nhập, chia tách, đổi tên đơn vị")
def list_events(request, code: s.text(20)):
    actor_ = actor(request)
    return [event_out(e) for e in lineage.province_events(actor_, _province(actor_, code,
                                                                            write=False))]


@router.post("/provinces/{code}/lineage",
             response=responses({201: LineageEventOut}, *WRITE, 409),
             summary="Ghi một lần sắp xếp đơn vị (ngày có hiệu lực, số và ngày văn bản)")
def add_event(request, code: s.text(20), payload: LineageEventIn):
    """RULES.md 44: from the effective date the predecessors join no later bloc and get
    no award (TT 15/2025/TT-BNV); their achievements follow the successors (RULES.md 45)."""
    actor_ = actor(request)
    province = _province(actor_, code)
    event = lineage.record_event(
        actor_, province, kind=payload.kind, predecessors=payload.predecessor_ids,
        successors=payload.successor_ids, effective_date=payload.effective_date,
        document_number=payload.document_number, document_date=payload.document_date,
        note=payload.note)
    return Status(201, event_out(event))


@router.post("/provinces/{code}/lineage/{event_id}/remove",
             response=responses({204: None}, *WRITE), summary="Xoá lần sắp xếp nhập nhầm")
def remove_event(request, code: s.text(20), event_id: s.Id, payload: LineageRemoveIn):
    actor_ = actor(request)
    province = _province(actor_, code)
    lineage.remove_event(actor_, lineage.find_event(actor_, province, event_id),
                         payload.reason)
    return Status(204, None)
