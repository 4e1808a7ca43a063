"""A province merger (Nghị quyết 202/2025/QH15: 34 provinces from 1/7/2025): the export of
province B imported into an existing province A.

B's file is imported as it is — checksum, attached files and the published polls' box
digests verified exactly as `thidua import` does (exchange.importer) — and B is kept as a
*former province*: `merged_into` A, with the effective date and the resolution. All of
B's history (years, bloc years, conferences, ballots and published results, decisions,
awards, past leaders, documents) stays under B, judged and printed as it was (B's own
caps, "UBND TỈNH B"), readable by A's secretariat (org.rules.can_read_province: B's
dashboard, bloc years, results, register, papers, history — read-only) and on B's public
pages; B's role assignments are not carried, so nobody works in B any more.

From the merger on, B's units and blocs are A's: each gets a row in A with
`territory` = B (the former territory, whose provincial rules apply until A's own
regulation — law.rulebooks) and, for a unit, `former_unit` = its row in B and a rename
in the agency lineage from the merger's date (org.lineage, RULES.md 44–46), so its past
awards count for A's row (bonus points, year conditions, achievement report). A code that
A already uses is remapped, deterministically: "SCT" → "SCT-BG" (then "SCT-BG2", …),
never onto a code of A or of the file; the preview lists every remap before anything
is written.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.text import clean_text, tidy
from thidua.exchange.envelope import ExportFormatError
from thidua.exchange.importer import DryRun, import_province, loads
from thidua.org import models as org
from thidua.org import rules
from thidua.voting.models import Poll

PUBLISHED = Poll.State.PUBLISHED.value
CODE_LENGTH = org.Unit._meta.get_field("code").max_length
# What the preview counts of B's history, kept under the former province.
HISTORY = (("years", "năm thi đua"), ("bloc_years", "khối – năm"),
           ("conferences", "hội nghị"), ("polls", "cuộc bỏ phiếu"),
           ("ballots", "phiếu bầu"), ("award_decisions", "quyết định khen thưởng"),
           ("council_selections", "kết quả họp Hội đồng"),
           ("awards", "khen thưởng"), ("past_leaders", "trưởng khối các năm trước"),
           ("documents", "văn bản"))
NOT_CARRIED = ("role_assignments",)


@dataclass(frozen=True)
class Remap:
    code: str  # in B (and in the file)
    new_code: str  # in A
    name: str

    @property
    def changed(self) -> bool:
        return self.code != self.new_code


@dataclass(frozen=True)
class MergerPlan:
    former_code: str
    former_name: str
    target_code: str
    target_name: str
    merged_on: datetime.date
    resolution: str
    units: tuple  # Remap, in the file's order
    blocs: tuple
    history: tuple  # (label, count)
    published_polls: int  # box digests verified

    @property
    def conflicts(self) -> list[str]:
        """Every code of B that A already uses, and what it becomes."""
        return [f"{kind} «{r.code}» ({r.name}) trùng mã đã có ở {self.target_name}: "
                f"đổi thành «{r.new_code}»."
                for kind, remaps in (("Đơn vị", self.units), ("Khối, cụm", self.blocs))
                for r in remaps if r.changed]

    def summary(self) -> dict:
        return {"former": self.former_code, "into": self.target_code,
                "merged_on": self.merged_on.isoformat(), "resolution": self.resolution,
                "units": {r.code: r.new_code for r in self.units},
                "blocs": {r.code: r.new_code for r in self.blocs},
                "history": dict(self.history), "published_polls": self.published_polls}


def remap_codes(codes, taken, suffix: str) -> dict:
    """Code in the file → code in A. `taken`: A's codes. A free code is kept; a taken one
    becomes code-SUFFIX, then code-SUFFIX2, … (cut to the field's length), never one
    that A or another code of the file already has. Same inputs, same answer."""
    codes = list(codes)
    used = set(taken) | set(codes)
    out = {}
    for code in codes:
        if code not in taken:
            out[code] = code
            continue
        n = 1
        while True:
            tail = f"-{suffix}{n if n > 1 else ''}"
            candidate = code[:CODE_LENGTH - len(tail)] + tail
            if candidate not in used:
                break
            n += 1
        used.add(candidate)
        out[code] = candidate
    return out


def _target(actor, target_code: str) -> org.Province:
    code = tidy(target_code).upper()[:20]
    target = org.Province.objects.filter(code=code).first()
    if target is None or (actor is not None and not rules.can_oversee_province(
            actor, target.pk)):
        raise NotFound(f"Không có tỉnh mã «{code}» để nhập vào (hoặc bạn không quản lý tỉnh "
                       "này); không ghi gì.")
    if actor is not None and not rules.can_set_up_province(actor, target.pk):
        raise Forbidden("Chỉ quản trị hệ thống hoặc Ban Thi đua – Khen thưởng của tỉnh được "
                        "nhập tỉnh hợp nhất.")
    if target.merged_into_id is not None:
        raise Conflict(f"{_capital(target.full_name)} đã hợp nhất vào tỉnh khác: chỉ nhập "
                       "được vào tỉnh đang hoạt động; không ghi gì.")
    return target


def _capital(text):
    return text[:1].upper() + text[1:]


def _checked(document, target, merged_on, resolution):
    former_code = document["sections"]["province"][0].get("key")
    if former_code == target.code:
        raise Conflict(f"Tệp là dữ liệu của chính {target.full_name} (mã «{target.code}»): "
                       "không thể hợp nhất một tỉnh vào chính nó; không ghi gì.")
    if not isinstance(merged_on, datetime.date):
        raise ExportFormatError("Cần ngày hợp nhất có hiệu lực (ngày/tháng/năm).")
    if not tidy(resolution):
        raise ExportFormatError("Cần ghi văn bản hợp nhất (ví dụ: Nghị quyết số "
                                "202/2025/QH15 ngày 12/6/2025 của Quốc hội).")
    return clean_text(resolution, "Văn bản hợp nhất",
                      org.Province._meta.get_field("merger_resolution").max_length)


def merge_province(document: dict, target_code: str, *, merged_on: datetime.date,
                   resolution: str, actor=None, dry_run: bool = False) -> MergerPlan:
    """Import B's export (`document`, from importer.loads) into province `target_code`;
    with `dry_run`, everything is done and verified, then undone: the plan is the
    preview. Refusals are Vietnamese DomainErrors and write nothing."""
    target = _target(actor, target_code)
    resolution = _checked(document, target, merged_on, resolution)

    done = {}

    def carry(former):
        done["plan"] = _carry(actor, document, former, target, merged_on, resolution)
        return done["plan"]

    with transaction.atomic():
        org.Province.objects.select_for_update().filter(pk=target.pk).exists()
        try:
            import_province(document, actor, skip=NOT_CARRIED, then=carry, dry_run=dry_run)
        except DryRun as undone:
            return undone.outcome
    return done["plan"]


def _succession(actor, former, target, old, new, merged_on, resolution):
    """The agency's row in B goes on as its row in A from the merger (a rename in
    org.lineage, RULES.md 44–46): its past achievements count for A's row (bonus points,
    year conditions, the achievement report), and no award goes to B's row any more."""
    number = resolution if len(resolution) <= 50 else resolution[:49] + "…"
    event = org.LineageEvent.objects.create(
        province=target, kind=org.LineageEvent.Kind.RENAME, effective_date=merged_on,
        document_number=number, document_date=merged_on,
        note=f"Hợp nhất {former.full_name} vào {target.full_name}: {resolution}"[:500],
        recorded_by=getattr(actor, "user", None))
    event.predecessors.set([old])
    event.successors.set([new])


def _carry(actor, document, former, target, merged_on, resolution) -> MergerPlan:
    """Inside the import's transaction: B marked former, its units and blocs made A's."""
    former.merged_into, former.merged_on = target, merged_on
    former.merger_resolution = resolution
    former.save(update_fields=["merged_into", "merged_on", "merger_resolution"])
    remaps = {}
    for model, kind in ((org.Unit, "units"), (org.Bloc, "blocs")):
        rows = list(model.objects.filter(province=former).order_by("pk"))
        taken = set(model.objects.filter(province=target).values_list("code", flat=True))
        codes = remap_codes([r.code for r in rows], taken, former.code)
        remaps[kind] = tuple(Remap(r.code, codes[r.code], r.name) for r in rows)
        for row in rows:
            extra = {"former_unit": row} if model is org.Unit else {
                "kind": row.kind, "short_name": row.short_name}
            obj = model(province=target, code=codes[row.code], name=row.name,
                        territory=former, **extra)
            obj.save(force_insert=True)
            if model is org.Unit:
                _succession(actor, former, target, row, obj, merged_on, resolution)
    sections = document["sections"]
    plan = MergerPlan(
        former.code, former.full_name, target.code, target.full_name, merged_on, resolution,
        remaps["units"], remaps["blocs"],
        tuple((label, len(sections.get(name, []))) for name, label in HISTORY),
        sum(1 for p in sections["polls"] if p.get("state") == PUBLISHED))
    audit.record(actor, "province.merged", target, province_id=target.pk,
                 after=plan.summary())
    audit.record(actor, "province.merged_into", former, province_id=former.pk,
                 after=plan.summary())
    return plan


# --- an uploaded file: previewed, then confirmed without uploading it again --------------

MAX_FILE_BYTES = 200 * 1024 * 1024  # a province's export with its evidence files embedded
STAGING = "hop-nhat"
# A preview nobody confirmed is not kept: a whole province's data must not lie in the media
# folder (and in every backup of it) because someone looked and went away.
STAGED_FOR = datetime.timedelta(hours=24)


def sweep_staged(now: datetime.datetime) -> list[str]:
    """Delete the kept previews older than STAGED_FOR (run by every new preview); the names
    deleted."""
    try:
        _, files = default_storage.listdir(STAGING)
    except FileNotFoundError:
        return []
    stale = [f"{STAGING}/{file}" for file in sorted(files)
             if now - default_storage.get_modified_time(f"{STAGING}/{file}") > STAGED_FOR]
    for name in stale:
        default_storage.delete(name)
    return stale


def _staged_name(token: str) -> str:
    if not isinstance(token, str) or not re.fullmatch(r"[0-9a-f]{64}", token):
        raise ExportFormatError("Mã tệp đã tải lên không hợp lệ; hãy tải tệp lên lại.")
    return f"{STAGING}/{token}.json"


def merge_upload(actor, target_code: str, *, content: bytes | None = None,
                 token: str | None = None, merged_on, resolution,
                 dry_run: bool) -> tuple[MergerPlan, str]:
    """The page's and the API's door: `content` (an upload) is checked and kept under its
    SHA-256 (the token the confirmation sends back), or `token` names a file kept by an
    earlier preview. A confirmed merger removes the kept file; an unconfirmed one goes
    after STAGED_FOR, at the next preview. (plan, token)."""
    _target(actor, target_code)  # scope and permission before anything is read or kept
    if content is not None:
        if len(content) > MAX_FILE_BYTES:
            raise ExportFormatError(f"Tệp quá lớn ({len(content) // (1024 * 1024)} MB; tối "
                                    f"đa {MAX_FILE_BYTES // (1024 * 1024)} MB).")
        document = loads(content)
        sweep_staged(timezone.now())
        token = hashlib.sha256(content).hexdigest()
        name = _staged_name(token)
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
    else:
        name = _staged_name(token)
        if not default_storage.exists(name):
            raise NotFound("Không còn tệp đã xem trước (đã hợp nhất, hoặc đã bị xoá); hãy "
                           "tải tệp lên lại.")
        with default_storage.open(name, "rb") as handle:
            document = loads(handle.read())
    try:
        plan = merge_province(document, target_code, merged_on=merged_on,
                              resolution=resolution, actor=actor, dry_run=dry_run)
    except DomainError:
        if content is not None:  # a refused file is not kept
            default_storage.delete(name)
        raise
    if not dry_run:
        default_storage.delete(name)
    return plan, token


__all__ = ["DomainError", "MergerPlan", "Remap", "merge_province", "merge_upload",
           "remap_codes"]
