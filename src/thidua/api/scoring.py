"""Scoring: the bloc year's criteria table, score sheets (self, peer, appraisal), the
published ranking and a unit's breakdown. Every change goes through scoring.services, every
check through scoring.rules — the same as the pages. Points travel as decimal strings;
exact finals as "p/q" beside their 2-decimal display value."""

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Literal

from django.db.models import Q
from ninja import Field, Router, Schema, Status

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, bloc_year_in_scope, responses
from thidua.api.org import unit_ref
from thidua.core.errors import NotFound
from thidua.core.numbers import half_up
from thidua.org import queries as org_queries
from thidua.org.models import Unit
from thidua.org.rules import Actor
from thidua.scoring import queries, rules, services
from thidua.scoring.domain.methods import METHOD_LABELS, METHODS
from thidua.scoring.models import CriteriaTable, Score, ScoreSheet

router = Router(tags=["Chấm điểm"])

Method = Literal[METHODS]  # type: ignore[valid-type]
Kind = Literal["self", "peer", "appraisal"]
Count = Annotated[int, Field(ge=0, le=100_000)]


# --- schemas ----------------------------------------------------------------------------

class CriterionParams(Schema):
    grades: list[s.DecimalString] | None = Field(None, max_length=50,
                                                 description="Các mức điểm (chấm theo mức).")
    per_item: s.DecimalString | None = Field(None, description="Điểm mỗi lần / mỗi lỗi.")
    cap: s.DecimalString | None = Field(None, description="Mức trần (tính theo số lượng).")
    indicator: s.text(300) | None = Field(None, description="Chỉ tiêu (công thức chỉ tiêu).")


class CriterionIn(Schema):
    code: s.text(20, 1)
    title: s.text(500, 1)
    max_points: s.DecimalString
    method: Method | Literal[""] = ""
    parent: s.text(20) | None = None
    is_section: bool = False
    evidence_required: bool = False
    params: CriterionParams = Field(default_factory=CriterionParams)


class CriterionOut(Schema):
    id: int
    code: str
    parent: str | None
    title: str
    max_points: str
    method: str
    method_label: str
    is_section: bool
    evidence_required: bool
    params: CriterionParams


class TableIn(Schema):
    name: s.text(300, 1)
    total: s.DecimalString
    criteria: list[CriterionIn] = Field(max_length=500)


class CopyIn(Schema):
    source_table_id: s.Id


class FigureIn(Schema):
    unit_id: s.Id
    points: s.DecimalString


class FiguresIn(Schema):
    source: s.text(300, 1) = Field(description="Nguồn số liệu (hệ thống, văn bản công bố).")
    values: list[FigureIn] = Field(min_length=1, max_length=500)


class FiguresOut(Schema):
    code: str
    source: str
    saved: int


class TablePermissions(Schema):
    edit: bool
    run: bool


class TableOut(Schema):
    id: int
    bloc_year_id: int
    version: int
    name: str
    total: str
    is_locked: bool
    locked_at: datetime.datetime | None
    reason: str
    problems: list[str] = Field(description="Lỗi của bảng (Quy tắc 9); rỗng nếu hợp lệ.")
    criteria: list[CriterionOut]
    permissions: TablePermissions


class SheetSummary(Schema):
    id: int
    kind: Kind
    scored_unit: s.UnitRef
    scorer_unit: s.UnitRef | None
    status: Literal["draft", "submitted"]
    total: str
    bonus: str
    penalty: str
    final: str
    table_version: int


class ScoreOut(Schema):
    code: str
    points: str
    raw: dict[str, str | list | dict | None]
    note: str


class SheetOut(SheetSummary):
    can_edit: bool
    scores: list[ScoreOut]
    missing: dict[str, str] = Field(description=(
        "Phiếu đang chấm: tiêu chí tính tự động còn thiếu số liệu (mã → câu báo), ví dụ "
        "số liệu từ hệ thống khác chưa nhập hay chỉ tiêu chưa báo cáo kết quả. Trong khi chờ, "
        "nhập tay số liệu kèm `source`, hoặc trên phiếu chấm chéo ghi `insufficient`."))


class ScoreIn(Schema):
    code: s.text(20, 1)
    points: s.DecimalString | None = Field(None, description="Chấm theo mức, tự do.")
    items: Count | None = Field(None, description="Số lỗi (trừ điểm theo lỗi).")
    count: Count | None = Field(None, description="Số lượng (tính theo số lượng, thưởng, trừ).")
    note: s.text(2000) | None = None
    source: s.text(300) | None = Field(None, description=(
        "Nguồn số liệu, bắt buộc khi nhập tay số liệu của tiêu chí lấy từ hệ thống khác "
        "(chưa có số liệu khối nhập)."))
    insufficient: bool = Field(False, description=(
        "«Không đủ căn cứ» (chỉ phiếu chấm chéo): 0 điểm, lý do ghi ở `note`."))


class ScoresIn(Schema):
    scores: list[ScoreIn] = Field(max_length=500)
    reason: s.text(2000) = Field("", description="Bắt buộc trên phiếu thẩm định (Quy tắc 12).")


class AppraiseIn(ScoreIn):
    reason: s.text(2000, 1)


class PeerOpenIn(Schema):
    scorer_unit_id: s.Id
    scored_unit_id: s.Id


class RankingRowOut(Schema):
    rank: int
    unit: s.UnitRef
    final: str = Field(description="Điểm cuối cùng làm tròn 2 chữ số.")
    final_exact: str = Field(description="Điểm cuối cùng chính xác, dạng p/q.")
    tied: bool
    decided_by: str
    method: str
    peer_count: int


class RankingOut(Schema):
    id: int
    table_version: int
    published_at: datetime.datetime
    aggregation: str
    tie_break_chain: list[str]
    rows: list[RankingRowOut]


class ChangeOut(Schema):
    old_points: str | None
    new_points: str
    reason: str
    author: str | None
    at: datetime.datetime


class BreakdownLineOut(Schema):
    code: str
    title: str
    depth: int
    is_section: bool
    max_points: str
    self_points: str | None
    self_note: str
    appraised_points: str | None
    peer_mean: str | None
    peer_count: int
    changes: list[ChangeOut]


class BreakdownOut(Schema):
    unit: s.UnitRef
    table_version: int
    self_final: str | None
    appraised_final: str | None
    peer_finals: list[str]
    lines: list[BreakdownLineOut]


# --- output -----------------------------------------------------------------------------

def _dec(value) -> str | None:
    return None if value is None else format(Decimal(value), "f")


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else format(half_up(value), "f")


def _params(params: dict) -> dict:
    params = params or {}
    return {"grades": [str(g) for g in params["grades"]] if "grades" in params else None,
            "per_item": None if params.get("per_item") is None else str(params["per_item"]),
            "cap": None if params.get("cap") is None else str(params["cap"]),
            "indicator": params.get("indicator")}


def table_out(actor_: Actor, table: CriteriaTable) -> dict:
    # Read fresh: a service may just have written it (decimals as stored, 2 places).
    table = CriteriaTable.objects.select_related("bloc_year__bloc__province").get(pk=table.pk)
    rows = list(table.criteria.select_related("parent").order_by("position", "id"))
    return {
        "id": table.id, "bloc_year_id": table.bloc_year_id, "version": table.version,
        "name": table.name, "total": _dec(table.total), "is_locked": table.is_locked,
        "locked_at": table.locked_at, "reason": table.reason,
        "problems": services.validate_table(table),
        "criteria": [{"id": c.id, "code": c.code, "parent": c.parent.code if c.parent else None,
                      "title": c.title, "max_points": _dec(c.max_points),
                      "method": c.scoring_method,
                      "method_label": METHOD_LABELS.get(c.scoring_method, ""),
                      "is_section": c.is_section, "evidence_required": c.evidence_required,
                      "params": _params(c.params)} for c in rows],
        "permissions": {"edit": rules.can_edit_table(actor_, table),
                        "run": rules.can_run_scoring(actor_, table.bloc_year)},
    }


def sheet_summary(sheet: ScoreSheet) -> dict:
    return {"id": sheet.id, "kind": sheet.kind, "scored_unit": unit_ref(sheet.scored_unit),
            "scorer_unit": unit_ref(sheet.scorer_unit) if sheet.scorer_unit else None,
            "status": sheet.status, "total": _dec(sheet.total), "bonus": _dec(sheet.bonus),
            "penalty": _dec(sheet.penalty), "final": _dec(sheet.final),
            "table_version": sheet.table.version}


def sheet_out(actor_: Actor, sheet: ScoreSheet) -> dict:
    sheet = (ScoreSheet.objects.select_related("table__bloc_year__bloc__province",
                                               "scored_unit", "scorer_unit").get(pk=sheet.pk))
    scores = Score.objects.filter(sheet=sheet).select_related("criterion").order_by(
        "criterion__position", "criterion_id")
    can_edit = rules.can_edit_sheet(actor_, sheet)
    return {**sheet_summary(sheet), "can_edit": can_edit,
            "missing": services.missing_data(sheet) if can_edit and (
                sheet.kind != ScoreSheet.Kind.APPRAISAL) else {},
            "scores": [{"code": x.criterion.code, "points": _dec(x.points),
                        "raw": {k: v if isinstance(v, list | dict) or v is None else str(v)
                                for k, v in (x.raw or {}).items()},
                        "note": x.note} for x in scores]}


def _raw(item: ScoreIn) -> dict:
    raw = {}
    for key in ("points", "items", "count"):
        value = getattr(item, key)
        if value is not None:
            raw[key] = str(value)
    if item.note is not None:
        raw[services.NOTE] = item.note
    if item.source is not None:
        raw[services.SOURCE] = item.source
    if item.insufficient:
        raw[services.INSUFFICIENT] = "1"
    return raw


# --- loading in scope -------------------------------------------------------------------

def _table(actor_: Actor, bloc_year_id: int):
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    table = services.current_table(bloc_year)
    if table is None:
        raise NotFound("Khối chưa có bảng tiêu chí chấm điểm năm này.")
    return bloc_year, table


def _unit(bloc_year, unit_id: int) -> Unit:
    return org_queries.member_of(bloc_year, unit_id)


def _inputs(criteria: list[CriterionIn]) -> list:
    return [services.CriterionInput(
        code=c.code, title=c.title, max_points=Decimal(c.max_points), method=c.method,
        parent=c.parent or None, is_section=c.is_section,
        evidence_required=c.evidence_required,
        params={k: v for k, v in c.params.dict().items() if v is not None})
        for c in criteria]


# --- criteria table ---------------------------------------------------------------------

@router.get("/bloc-years/{bloc_year_id}/criteria-table",
            response=responses({200: TableOut}, *READ),
            summary="Bảng tiêu chí chấm điểm hiện hành của khối năm")
def get_table(request, bloc_year_id: s.Id):
    actor_ = actor(request)
    _, table = _table(actor_, bloc_year_id)
    return table_out(actor_, table)


@router.post("/bloc-years/{bloc_year_id}/criteria-table",
             response=responses({201: TableOut}, *WRITE, 409),
             summary="Lập bảng tiêu chí (Trưởng khối, Thường trực tỉnh)")
def create_table(request, bloc_year_id: s.Id, payload: TableIn):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    table = services.create_table(actor_, bloc_year, name=payload.name,
                                  total=Decimal(payload.total),
                                  criteria=_inputs(payload.criteria))
    return Status(201, table_out(actor_, table))


@router.post("/bloc-years/{bloc_year_id}/criteria-table/copy",
             response=responses({201: TableOut}, *WRITE, 409),
             summary="Lập bảng tiêu chí bằng cách sao chép một bảng khác (vd. năm trước)")
def copy_table(request, bloc_year_id: s.Id, payload: CopyIn):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    source = CriteriaTable.objects.select_related("bloc_year__bloc__province").filter(
        pk=payload.source_table_id).first()
    if source is None or not rules.can_view_table(actor_, source):
        raise NotFound("Không tìm thấy bảng tiêu chí.")
    table = services.copy_table(actor_, source, bloc_year)
    return Status(201, table_out(actor_, table))


@router.post("/bloc-years/{bloc_year_id}/criteria-table/lock",
             response=responses({200: TableOut}, *WRITE, 409),
             summary="Khóa bảng tiêu chí")
def lock_table(request, bloc_year_id: s.Id):
    actor_ = actor(request)
    _, table = _table(actor_, bloc_year_id)
    return table_out(actor_, services.lock_table(actor_, table))


@router.put("/bloc-years/{bloc_year_id}/criteria-table/imported/{code}",
            response=responses({200: FiguresOut}, *WRITE, 409),
            summary="Nhập số liệu từ hệ thống khác cho một tiêu chí (vd. PAR INDEX) của các "
                    "đơn vị, kèm nguồn; phiếu chưa gửi nhận ngay")
def set_imported(request, bloc_year_id: s.Id, code: s.text(20, 1), payload: FiguresIn):
    actor_ = actor(request)
    _, table = _table(actor_, bloc_year_id)
    saved = services.import_values(actor_, table, code,
                                   {v.unit_id: v.points for v in payload.values},
                                   payload.source)
    return FiguresOut(code=code, source=payload.source.strip(), saved=saved)


# --- sheets -----------------------------------------------------------------------------

@router.get("/bloc-years/{bloc_year_id}/my-sheets",
            response=responses({200: list[SheetSummary]}, *READ),
            summary="Các phiếu chấm tôi là người chấm (tự chấm, chấm chéo, thẩm định)")
def my_sheets(request, bloc_year_id: s.Id):
    actor_ = actor(request)
    bloc_year, table = _table(actor_, bloc_year_id)
    runner = rules.can_run_scoring(actor_, bloc_year)
    mine = Q(scorer_unit_id__in=actor_.officer_units) | (Q(kind="appraisal") if runner else Q(
        pk__in=[]))
    sheets = list(ScoreSheet.objects.filter(mine, table=table).select_related(
        "table__bloc_year__bloc", "scored_unit", "scorer_unit").order_by(
        "kind", "scored_unit__sort_key", "scorer_unit__sort_key", "id"))
    return [sheet_summary(x) for x in sheets if rules.is_author(actor_, x)]


@router.post("/bloc-years/{bloc_year_id}/units/{unit_id}/self-sheet",
             response=responses({200: SheetOut}, *WRITE, 409),
             summary="Mở phiếu tự chấm điểm của đơn vị tôi")
def open_self(request, bloc_year_id: s.Id, unit_id: s.Id):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    sheet = services.open_self_assessment(actor_, bloc_year, _unit(bloc_year, unit_id))
    return sheet_out(actor_, sheet)


@router.post("/bloc-years/{bloc_year_id}/peer-sheets",
             response=responses({200: SheetOut}, *WRITE, 409),
             summary="Mở phiếu chấm chéo được phân công")
def open_peer(request, bloc_year_id: s.Id, payload: PeerOpenIn):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    sheet = services.open_peer_sheet(actor_, bloc_year, _unit(bloc_year, payload.scorer_unit_id),
                                     _unit(bloc_year, payload.scored_unit_id))
    return sheet_out(actor_, sheet)


@router.post("/bloc-years/{bloc_year_id}/units/{unit_id}/appraisal-sheet",
             response=responses({200: SheetOut}, *WRITE, 409),
             summary="Mở phiếu thẩm định của một đơn vị (Trưởng khối)")
def open_appraisal(request, bloc_year_id: s.Id, unit_id: s.Id):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    sheet = services.open_appraisal(actor_, bloc_year, _unit(bloc_year, unit_id))
    return sheet_out(actor_, sheet)


@router.get("/sheets/{sheet_id}", response=responses({200: SheetOut}, *READ),
            summary="Một phiếu chấm (phiếu chưa gửi chỉ người chấm xem được)")
def get_sheet(request, sheet_id: s.Id):
    actor_ = actor(request)
    return sheet_out(actor_, services.find_sheet(actor_, sheet_id))


@router.put("/sheets/{sheet_id}/scores", response=responses({200: SheetOut}, *WRITE, 409),
            summary="Chấm điểm cả phiếu một lần (kiểm tra tất cả trước khi lưu)")
def set_scores(request, sheet_id: s.Id, payload: ScoresIn):
    actor_ = actor(request)
    sheet = services.find_sheet(actor_, sheet_id)
    entries = {}
    for item in payload.scores:
        entries[item.code] = _raw(item)
    services.set_scores(actor_, sheet, entries, reason=payload.reason)
    return sheet_out(actor_, sheet)


@router.post("/sheets/{sheet_id}/submit", response=responses({200: SheetOut}, *WRITE, 409),
             summary="Gửi phiếu chấm")
def submit_sheet(request, sheet_id: s.Id):
    actor_ = actor(request)
    sheet = services.submit_sheet(actor_, services.find_sheet(actor_, sheet_id))
    return sheet_out(actor_, sheet)


@router.post("/sheets/{sheet_id}/appraisal-changes",
             response=responses({200: SheetOut}, *WRITE, 409),
             summary="Sửa điểm thẩm định một tiêu chí, kèm lý do (Quy tắc 12)")
def appraise(request, sheet_id: s.Id, payload: AppraiseIn):
    actor_ = actor(request)
    sheet = services.find_sheet(actor_, sheet_id)
    raw = _raw(payload)
    sheet = services.appraise(actor_, sheet, payload.code, raw, payload.reason)
    return sheet_out(actor_, sheet)


# --- results ----------------------------------------------------------------------------

@router.get("/bloc-years/{bloc_year_id}/ranking", response=responses({200: RankingOut}, *READ),
            summary="Kết quả xếp hạng đã công bố")
def ranking(request, bloc_year_id: s.Id):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    view = queries.published_ranking(actor_, bloc_year)
    if view is None:
        raise NotFound("Khối chưa công bố kết quả xếp hạng.")
    return {"id": view.ranking.id, "table_version": view.table.version,
            "published_at": view.ranking.published_at,
            "aggregation": view.ranking.aggregation,
            "tie_break_chain": list(view.ranking.tie_break_chain),
            "rows": [{"rank": line.row.rank, "unit": unit_ref(line.unit),
                      "final": _fraction(line.final),
                      "final_exact": f"{line.final.numerator}/{line.final.denominator}",
                      "tied": line.row.tied, "decided_by": line.row.decided_by,
                      "method": line.row.method, "peer_count": line.row.peer_count}
                     for line in view.lines]}


@router.get("/bloc-years/{bloc_year_id}/units/{unit_id}/breakdown",
            response=responses({200: BreakdownOut}, *READ),
            summary="Điểm của một đơn vị theo từng tiêu chí, kèm lịch sử thẩm định")
def breakdown(request, bloc_year_id: s.Id, unit_id: s.Id):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    result = queries.unit_breakdown(actor_, bloc_year, _unit(bloc_year, unit_id))
    return {
        "unit": unit_ref(result.unit), "table_version": result.table.version,
        "self_final": _dec(result.self_sheet.final) if result.self_sheet else None,
        "appraised_final": _dec(result.appraisal_sheet.final) if result.appraisal_sheet
        else None,
        "peer_finals": [_dec(f) for f in result.peer_finals],
        "lines": [{
            "code": line.criterion.code, "title": line.criterion.title, "depth": line.depth,
            "is_section": line.criterion.is_section,
            "max_points": _dec(line.criterion.max_points),
            "self_points": _dec(line.self_points), "self_note": line.self_note,
            "appraised_points": _dec(line.appraised_points),
            "peer_mean": _fraction(line.peer_mean), "peer_count": line.peer_count,
            "changes": [{"old_points": _dec(c.old_points), "new_points": _dec(c.new_points),
                         "reason": c.reason,
                         "author": (c.author.full_name or c.author.username) if c.author
                         else None, "at": c.at} for c in line.changes],
        } for line in result.lines],
    }
