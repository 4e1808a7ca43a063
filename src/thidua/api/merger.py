"""A province merger (Nghị quyết 202/2025/QH15): another province's export imported into
this one. The same exchange.merger service as the page: checks, refusals, audit."""

import datetime
from typing import Annotated

from ninja import Field, File, Form, Router, Schema, UploadedFile

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import WRITE, responses
from thidua.exchange import merger
from thidua.exchange.envelope import ExportFormatError

router = Router(tags=["Hợp nhất tỉnh"])


class RemapOut(Schema):
    code: str = Field(description="Mã ở tỉnh cũ (trong tệp).")
    new_code: str = Field(description="Mã ở tỉnh sau hợp nhất (đổi nếu trùng).")
    name: str
    changed: bool


class HistoryCount(Schema):
    label: str
    count: int


class MergerOut(Schema):
    dry_run: bool = Field(description="true: chỉ xem trước, chưa ghi gì.")
    former_code: str
    former_name: str
    target_code: str
    target_name: str
    merged_on: datetime.date
    resolution: str
    units: list[RemapOut]
    blocs: list[RemapOut]
    conflicts: list[str] = Field(description="Các mã trùng và mã mới, bằng lời.")
    history: list[HistoryCount] = Field(description="Lịch sử giữ ở tỉnh cũ (chỉ xem).")
    published_polls: int = Field(description="Số kết quả bỏ phiếu đã công bố, mã hòm phiếu "
                                             "đã kiểm tra khớp.")


def _remaps(remaps):
    return [{"code": r.code, "new_code": r.new_code, "name": r.name, "changed": r.changed}
            for r in remaps]


@router.post("/provinces/{code}/merger", response=responses({200: MergerOut}, *WRITE, 409),
             summary="Nhập một tỉnh hợp nhất vào tỉnh này (xem trước hoặc thực hiện)")
def merge_province(request, code: s.text(20), file: File[UploadedFile],
                   merged_on: Form[datetime.date],
                   resolution: Form[Annotated[str, Field(min_length=1, max_length=300)]],
                   dry_run: Form[bool] = True):
    """`file`: the other province's `thidua export`, unedited (checksum and published box
    digests verified). `dry_run` (default): what would be created and remapped, nothing
    written; `dry_run=false`: the merger, all or nothing, audited."""
    actor_ = actor(request)
    if file.size > merger.MAX_FILE_BYTES:
        raise ExportFormatError(f"Tệp quá lớn (tối đa {merger.MAX_FILE_BYTES // 2**20} MB).")
    plan, _ = merger.merge_upload(actor_, code, content=file.read(), merged_on=merged_on,
                                  resolution=resolution, dry_run=dry_run)
    return {"dry_run": dry_run, "former_code": plan.former_code,
            "former_name": plan.former_name, "target_code": plan.target_code,
            "target_name": plan.target_name, "merged_on": plan.merged_on,
            "resolution": plan.resolution, "units": _remaps(plan.units),
            "blocs": _remaps(plan.blocs), "conflicts": plan.conflicts,
            "history": [{"label": label, "count": n} for label, n in plan.history],
            "published_polls": plan.published_polls}
