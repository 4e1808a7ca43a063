"""Scoring pages, part 2: score sheets (self-assessment, peer review, appraisal).

One sheet page serves the three kinds: a row per leaf criterion. A self-assessment or peer
sheet is one form saved at once (scores, notes, sources, evidence files; problems shown on
their lines, nothing written); an appraisal sheet saves row by row in place with htmx, each
change with its reason (the same forms work without JavaScript). A sheet is sealed until
its author submits it (RULES.md 13): services.find_sheet refuses what the actor may not
read, so the page 404s.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thidua.core.downloads import file_response
from thidua.core.errors import DomainError
from thidua.core.evidence import Upload
from thidua.core.numbers import vi_number
from thidua.org import queries as org_queries
from thidua.org.rules import can_act_for_unit
from thidua.scoring import queries as scoring_queries
from thidua.scoring import rules as scoring_rules
from thidua.scoring import services
from thidua.scoring.domain.methods import (
    BONUS,
    COUNT,
    DEDUCTION,
    GRADED,
    IMPORTED,
    PENALTY,
    TARGET_FORMULA,
    is_computed,
)
from thidua.scoring.models import ScoreSheet
from thidua.web.utils import error_items, get_actor, is_htmx, require, shows_domain_errors
from thidua.web.views.scoring import criteria_tree, load_bloc_year, params_text

Kind = ScoreSheet.Kind
TEMPLATE = "web/scoring/sheet.html"
# Which raw field a method's input fills (RULES.md 10: the points follow from it).
FIELD = {DEDUCTION: "items", COUNT: "count", BONUS: "count", PENALTY: "count"}
FIELD_LABEL = {"items": "Số lỗi (lần vi phạm)", "count": "Số lượng", "points": "Điểm"}


@dataclass
class Row:
    criterion: object
    score: object = None
    input_name: str = "points"
    input_kind: str = "text"  # select, number, text, readonly
    options: list = field(default_factory=list)  # (value, label, selected)
    value: str = ""
    note: str = ""
    explanation: str = ""
    evidence: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    self_points: object = None
    errors: list = field(default_factory=list)
    missing: str = ""  # the data a computed criterion waits for, in a sentence
    by_hand: bool = False  # a computed criterion entered by hand while its data is missing
    source: str = ""  # beside an imported figure entered by hand
    insufficient: bool = False  # a peer's "không đủ căn cứ"
    may_mark_insufficient: bool = False
    may_note: bool = True

    @property
    def points_text(self):
        return vi_number(self.score.points) if self.score else "—"

    @property
    def input_label(self):
        return FIELD_LABEL[self.input_name]

    @property
    def needs_source(self):
        return self.by_hand and self.criterion.scoring_method == IMPORTED


def _row(criterion, sheet, score, posted=None, missing=None):
    method = criterion.scoring_method
    row = Row(criterion, score)
    raw = dict(score.raw) if score else {}
    row.note = score.note if score else ""
    row.insufficient = bool(raw.get(services.INSUFFICIENT))
    computed = is_computed(method, criterion.params)
    row.missing = (missing or {}).get(criterion.code, "")
    row.by_hand = bool(row.missing) and computed and sheet.kind != Kind.APPRAISAL and (
        services.may_enter_by_hand(sheet.kind, method))
    row.may_mark_insufficient = sheet.kind == Kind.PEER and (not computed or row.by_hand)
    if computed and sheet.kind != Kind.APPRAISAL and not row.by_hand:
        row.input_kind = "readonly"
        row.explanation = _explain(method, raw)
        # A note beside computed points; none while they cannot be computed.
        row.may_note = not row.missing
    elif row.by_hand:
        row.value = posted.get("points", "") if posted else (
            raw.get("points", "") if raw.get(services.BY_HAND) else "")
        row.source = posted.get("source", "") if posted else raw.get(services.SOURCE, "") if (
            raw.get(services.BY_HAND)) else ""
        if raw.get(services.BY_HAND) and method == IMPORTED:
            row.explanation = f"Số liệu nhập trên phiếu, nguồn: {raw.get(services.SOURCE)}."
    elif method == GRADED:
        row.input_kind = "select"
        chosen = posted.get("points") if posted else raw.get("points")
        chosen = Fraction(Decimal(str(chosen).replace(",", "."))) if _number(chosen) else None
        row.options = [(str(g), vi_number(Decimal(str(g))), chosen == Fraction(Decimal(str(g))))
                       for g in criterion.params.get("grades", [])]
    elif method in FIELD:
        row.input_name, row.input_kind = FIELD[method], "number"
        row.value = posted.get(row.input_name, "") if posted else raw.get(row.input_name, "")
        if computed:
            row.explanation = _explain(method, raw)
    else:
        row.value = posted.get("points", "") if posted else (
            vi_number(score.points) if score else "")
        if computed:
            row.explanation = _explain(method, raw)
    if row.insufficient and not posted:
        row.value = ""
        row.options = [(v, label, False) for v, label, _ in row.options]
    if posted is not None:
        row.note = posted.get("note", "")
        row.insufficient = bool(posted.get("insufficient"))
    return row


def _number(text) -> bool:
    try:
        Decimal(str(text).replace(",", "."))
    except ArithmeticError:
        return False
    return text not in (None, "")


def _explain(method, raw) -> str:
    """Where a computed score comes from, in words (RULES.md 15; imported values; RULES.md
    11's bonus for last year's awards)."""
    if method == BONUS:
        if raw.get("awards"):
            return ("Điểm thưởng vì năm trước được tặng (Quy tắc 11): "
                    + "; ".join(raw["awards"]) + ".")
        return raw.get("why") or ("Tính khi mở phiếu từ khen thưởng năm trước của đơn vị "
                                  "(Quy tắc 11).")
    if method == IMPORTED:
        return f"Số liệu từ {raw['source']}." if raw.get("source") else (
            "Chưa có số liệu nhập từ hệ thống khác.")
    if method == TARGET_FORMULA:
        if raw.get("why"):
            return raw["why"]
        parts = [f"“{t['indicator']}”: mục tiêu {t['target']}, thực hiện {t['actual']}, "
                 f"cao nhất khối {t['best']}" for t in raw.get("targets", [])]
        if not parts:
            return "Tính khi gửi phiếu từ chỉ tiêu đã đăng ký và kết quả báo cáo (Quy tắc 15)."
        return "Tính theo công thức chỉ tiêu (Quy tắc 15) — " + "; ".join(parts) + "."
    return ""


def _sheet_context(actor, sheet, *, only=None, posted=None, errors=None, posted_rows=None,
                   row_errors=None):
    """Rows of the sheet in a fixed number of queries (criteria, scores, evidence,
    changes, the self sheet's scores on an appraisal sheet, the data computed criteria
    wait for). `posted_rows` / `row_errors` ({criterion id: …}): a refused one-form save,
    shown with what was typed and each line's problems."""
    criteria = criteria_tree(sheet.table)
    editable = scoring_rules.can_edit_sheet(actor, sheet)
    one_form = editable and sheet.kind != Kind.APPRAISAL
    missing = services.missing_data(sheet) if one_form else {}
    cells = scoring_queries.sheet_cells(sheet)
    for changes in cells.changes.values():
        for change in changes:
            change.old_text = vi_number(change.old_points)
            change.new_text = vi_number(change.new_points)
    by_id = {c.id: c for c in criteria}
    items = []
    for criterion in criteria:
        if criterion.is_section:
            criterion.sum_text = vi_number(cells.sums.get(criterion.id, 0))
            items.append((criterion, None))
            continue
        if only is not None and criterion.id != only:
            continue
        typed = posted if only == criterion.id else (posted_rows or {}).get(criterion.id)
        row = _row(criterion, sheet, cells.scores.get(criterion.id), typed, missing)
        row.evidence = cells.evidence.get(criterion.id, [])
        row.changes = cells.changes.get(criterion.id, [])
        row.self_points = vi_number(cells.own.get(criterion.id))
        row.errors = errors or (row_errors or {}).get(criterion.id, [])
        row.criterion.params_text = params_text(criterion)
        row.sections = _ancestors(criterion, by_id)
        items.append((criterion, row))
    return {
        "sheet": sheet, "bloc_year": sheet.table.bloc_year, "items": items,
        "editable": editable, "one_form": one_form, "is_self": sheet.kind == Kind.SELF,
        "is_peer": sheet.kind == Kind.PEER,
        "registration": scoring_queries.scored_registration(sheet),
        "can_run": scoring_rules.can_run_scoring(actor, sheet.table.bloc_year),
        "is_appraisal": sheet.kind == Kind.APPRAISAL,
        "total_text": f"{vi_number(sheet.total)} / {vi_number(sheet.table.total)}",
        "final_text": vi_number(sheet.final), "bonus_text": vi_number(sheet.bonus),
        "penalty_text": vi_number(sheet.penalty),
        "total_value": sheet.total, "total_max": sheet.table.total,
    }


def _ancestors(criterion, by_id) -> list:
    """The sections above a criterion, nearest first (their sums move when it is saved)."""
    found, current = [], by_id.get(criterion.parent_id)
    while current is not None and len(found) < len(by_id):
        found.append(current)
        current = by_id.get(current.parent_id)
    return found


def _load_sheet(actor, pk):
    return services.find_sheet(actor, pk)


@login_required
@shows_domain_errors
def sheet_page(request, pk):
    actor = get_actor(request)
    sheet = _load_sheet(actor, pk)
    return render(request, TEMPLATE, _sheet_context(actor, sheet))


def _row_response(request, actor, sheet, criterion_id, *, posted=None, errors=None,
                  status=200, saved=False):
    """The saved (or refused) row, and out-of-band what moved with it (htmx): on the sheet
    page the sums of its sections and the sheet's totals; in the appraisal grid (`grid`
    posted) the grid's cell and the unit's total. A refused row keeps the typed value
    in its form, with the error."""
    sheet.refresh_from_db(fields=["total", "bonus", "penalty", "final", "status"])
    context = _sheet_context(actor, sheet, only=criterion_id, posted=posted, errors=errors)
    row = next(r for c, r in context["items"] if r is not None)
    context.update(row=row, saved=saved, oob=True, grid=request.POST.get("grid") == "1",
                   unit=sheet.scored_unit, grid_final=vi_number(sheet.final))
    context["one_form"] = False  # the row answers with its own form (the row endpoint)
    if errors:
        context["editable"] = True  # keep the typed value on screen, beside the error
    if is_htmx(request):
        return render(request, f"{TEMPLATE}#row_response", context, status=status)
    if status != 200:
        full = _sheet_context(actor, sheet)
        full["errors"] = error_items(messages=errors or [])
        return render(request, TEMPLATE, full, status=status)
    messages.success(request, f"Đã lưu điểm tiêu chí {row.criterion.code}.")
    return redirect(reverse("scoring_sheet", args=[sheet.pk]) + f"#dong-{criterion_id}")


def _criterion_of(sheet, request):
    """The posted criterion, which must belong to the sheet's table (a forged id of another
    table is refused with a sentence, nothing written)."""
    value = request.POST.get("criterion", "")
    criterion = None
    if value.isdigit():
        criterion = scoring_queries.leaves_of(sheet.table, [int(value)]).get(int(value))
    if criterion is None:
        raise DomainError("Tiêu chí không thuộc bảng tiêu chí của phiếu chấm này.")
    return criterion


@login_required
@shows_domain_errors
def row_fragment(request, pk, criterion_pk):
    """One criterion's row of a sheet, for the appraisal grid's inline editor (htmx)."""
    actor = get_actor(request)
    sheet = _load_sheet(actor, pk)
    criterion = scoring_queries.leaves_of(sheet.table, [criterion_pk]).get(criterion_pk)
    if criterion is None:
        raise Http404("Không tìm thấy tiêu chí.")
    context = _sheet_context(actor, sheet, only=criterion.id)
    context.update(row=next(r for c, r in context["items"] if r is not None), grid=True)
    return render(request, f"{TEMPLATE}#row", context)


@login_required
@require_POST
@shows_domain_errors
def save_row(request, pk):
    """One criterion's score (and note; on an appraisal sheet, the reason, RULES.md 12)."""
    actor = get_actor(request)
    sheet = _load_sheet(actor, pk)
    require(True, scoring_rules.is_author(actor, sheet))
    criterion = _criterion_of(sheet, request)
    posted = {key: request.POST.get(key, "").strip()
              for key in ("points", "items", "count", "note", "reason")}
    name = FIELD.get(criterion.scoring_method, "points")
    raw = {name: posted[name], "note": posted["note"]}
    try:
        services.set_scores(actor, sheet, {criterion.code: raw}, reason=posted["reason"])
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _row_response(request, actor, sheet, criterion.id, posted=posted,
                             errors=exc.messages, status=exc.status)
    return _row_response(request, actor, sheet, criterion.id, saved=True)


# The one-form sheet's field names: "<what>-<criterion id>".
SHEET_FIELD = re.compile(r"^(points|items|count|note|source|insufficient|files)-(\d+)$")


def _posted_sheet(sheet, request):
    """The one-form save as the service's entries by criterion code, files by code, what
    was typed by criterion id (to show it again) and the lines of forged ids (a criterion
    of another table, a section): {"#id": [sentence]}."""
    fields: dict[int, dict] = {}
    for key in list(request.POST) + list(request.FILES):
        match = SHEET_FIELD.match(key)
        if match:
            fields.setdefault(int(match[2]), {})[match[1]] = key
    leaves = scoring_queries.leaves_of(sheet.table, fields)
    notes = scoring_queries.score_notes(sheet)
    entries, files, typed, forged = {}, {}, {}, {}
    for criterion_id, keys in fields.items():
        criterion = leaves.get(criterion_id)
        if criterion is None:
            forged[f"#{criterion_id}"] = [f"Tiêu chí #{criterion_id} không thuộc bảng tiêu chí "
                                          "của phiếu chấm này."]
            continue
        posted = {what: request.POST.get(key, "").strip() for what, key in keys.items()
                  if what != "files"}
        typed[criterion_id] = posted
        uploads = [Upload(f.name, f.read()) for f in request.FILES.getlist(keys.get("files", ""))]
        if uploads:
            files[criterion.code] = uploads
        name = FIELD.get(criterion.scoring_method, "points")
        value, note = posted.get(name, ""), posted.get("note")
        entry = {}
        if value:
            entry[name] = value
        if posted.get("source"):
            entry[services.SOURCE] = posted["source"]
        if posted.get("insufficient"):
            entry[services.INSUFFICIENT] = "1"
        if note is not None and (entry or note != notes.get(criterion_id, "")):
            entry[services.NOTE] = note
        if entry:
            entries[criterion.code] = entry
    return entries, files, typed, forged


@login_required
@require_POST
@shows_domain_errors
def save_sheet(request, pk):
    """The whole sheet in one save: every line's score, note, source, "không đủ căn cứ"
    and evidence files; one problem anywhere and nothing is written, each problem shown on
    its line with what was typed."""
    actor = get_actor(request)
    sheet = _load_sheet(actor, pk)
    require(True, scoring_rules.is_author(actor, sheet))
    if sheet.kind == Kind.APPRAISAL:
        raise DomainError("Phiếu thẩm định được sửa từng tiêu chí, mỗi thay đổi kèm lý do "
                          "(Quy tắc 12).")
    entries, files, typed, forged = _posted_sheet(sheet, request)
    try:
        if forged:
            raise services.SheetProblems(forged)
        services.save_sheet(actor, sheet, entries, files=files)
    except services.SheetProblems as exc:
        ids = scoring_queries.criterion_ids_by_code(sheet.table)
        by_id = {}
        for code, found in exc.by_code.items():
            if code in ids:
                by_id.setdefault(ids[code], []).extend(found)
        sheet.refresh_from_db()
        context = _sheet_context(actor, sheet, posted_rows=typed, row_errors=by_id)
        context["errors"] = [(m, f"dong-{ids[c]}" if c in ids else None)
                             for c, found in exc.by_code.items() for m in found]
        if files:
            context["errors"].append(("Tệp minh chứng đã chọn chưa được lưu: hãy chọn lại sau "
                                      "khi sửa.", None))
        return render(request, TEMPLATE, context, status=400)
    messages.success(request, "Đã lưu phiếu chấm" + (
        f", kèm {sum(len(u) for u in files.values())} tệp minh chứng" if files else "") + ".")
    return redirect("scoring_sheet", pk=sheet.pk)


@login_required
@require_POST
@shows_domain_errors
def add_evidence(request, pk):
    actor = get_actor(request)
    sheet = _load_sheet(actor, pk)
    require(True, scoring_rules.is_author(actor, sheet))
    criterion = _criterion_of(sheet, request)
    files = [Upload(f.name, f.read()) for f in request.FILES.getlist("files")]
    try:
        services.attach_evidence(actor, sheet, criterion.code, files)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _row_response(request, actor, sheet, criterion.id, errors=exc.messages,
                             status=exc.status)
    if is_htmx(request):
        return _row_response(request, actor, sheet, criterion.id, saved=True)
    messages.success(request, f"Đã gắn minh chứng cho tiêu chí {criterion.code}.")
    return redirect(reverse("scoring_sheet", args=[sheet.pk]) + f"#dong-{criterion.id}")


@login_required
@require_POST
@shows_domain_errors
def submit(request, pk):
    actor = get_actor(request)
    sheet = _load_sheet(actor, pk)
    require(True, scoring_rules.is_author(actor, sheet))
    try:
        services.submit_sheet(actor, sheet)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        sheet.refresh_from_db()
        context = _sheet_context(actor, sheet)
        context["errors"] = error_items(messages=exc.messages)
        return render(request, TEMPLATE, context, status=exc.status)
    messages.success(request, "Đã gửi phiếu chấm.")
    return redirect("scoring_sheet", pk=sheet.pk)


@login_required
@shows_domain_errors
def evidence_download(request, pk):
    return file_response(scoring_queries.score_evidence_in_scope(get_actor(request), pk))


# --- self-assessment, peer review and appraisal lists --------------------------------------

def _own_members(actor, bloc_year):
    return [unit for unit in org_queries.members(bloc_year) if unit.id in actor.officer_units]


@login_required
@shows_domain_errors
def self_list(request, pk):
    """The actor's units in the bloc year and their self-assessment sheets."""
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    units = _own_members(actor, bloc_year)
    table = services.current_table(bloc_year)
    sheets = scoring_queries.self_sheets(table, units)
    return render(request, "web/scoring/self_list.html", {
        "bloc_year": bloc_year, "table": table,
        "counts": scoring_queries.sheet_counts(bloc_year) if table else None,
        "rows": [(u, sheets.get(u.id)) for u in units],
        "can_run": scoring_rules.can_run_scoring(actor, bloc_year),
        "can_open": scoring_rules.is_self_assessment_open(bloc_year),
    })


@login_required
@require_POST
@shows_domain_errors
def self_open(request, pk, unit_pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    unit = org_queries.unit_by_id(unit_pk)
    require(True, can_act_for_unit(actor, unit.id))
    sheet = services.open_self_assessment(actor, bloc_year, unit)
    return redirect("scoring_sheet", pk=sheet.pk)


@login_required
@shows_domain_errors
def peer_list(request, pk):
    """My units' cross-scoring duties with what is still missing; for the bloc's runners,
    every member's progress (statuses only: sheets stay sealed)."""
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    table = services.current_table(bloc_year)
    units = _own_members(actor, bloc_year)
    duties = scoring_queries.peer_duties(table, units)
    can_run = scoring_rules.can_run_scoring(actor, bloc_year)
    counts = scoring_queries.sheet_counts(bloc_year)
    mine = sum((counts.units[u.id].peer_given for u in units if u.id in counts.units),
               scoring_queries.SheetTally())
    return render(request, "web/scoring/peers.html", {
        "bloc_year": bloc_year, "table": table, "duties": duties, "mine": mine,
        "counts": counts, "missing": mine.missing,
        "can_open": scoring_rules.is_appraisal_open(bloc_year),
        "can_run": can_run,
        "progress": scoring_queries.scoring_progress(actor, bloc_year) if can_run else [],
        "reminders": scoring_queries.recent_reminders(bloc_year) if can_run else [],
        "reminder_hours": settings.SCORING_REMINDER_INTERVAL_HOURS,
    })


@login_required
@require_POST
@shows_domain_errors
def send_reminders(request, pk):
    """The leader e-mails every unit with missing sheets what it still has to do."""
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, scoring_rules.can_run_scoring(actor, bloc_year))
    link = request.build_absolute_uri(reverse("scoring_peers", args=[bloc_year.pk]))
    outcome = services.send_reminders(actor, bloc_year, link=link)
    if outcome.sent:
        messages.success(request, "Đã gửi nhắc nhở tới " + ", ".join(
            r.unit.name for r in outcome.sent) + ".")
    if outcome.too_soon:
        messages.warning(request, "Chưa gửi lại cho " + ", ".join(
            u.name for u in outcome.too_soon) + f": đã nhắc trong vòng "
            f"{settings.SCORING_REMINDER_INTERVAL_HOURS} giờ qua.")
    if outcome.no_address:
        messages.warning(request, "Không gửi được cho " + ", ".join(
            u.name for u in outcome.no_address) + ": cán bộ thi đua chưa có địa chỉ email.")
    if not (outcome.sent or outcome.too_soon or outcome.no_address):
        messages.info(request, "Không có đơn vị nào còn thiếu phiếu chấm.")
    return redirect("scoring_peers", pk=bloc_year.pk)


@login_required
@require_POST
@shows_domain_errors
def peer_open(request, pk, scorer_pk, scored_pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    scorer = org_queries.unit_by_id(scorer_pk)
    scored = org_queries.unit_by_id(scored_pk)
    sheet = services.open_peer_sheet(actor, bloc_year, scorer, scored)
    return redirect("scoring_sheet", pk=sheet.pk)


@login_required
@require_POST
@shows_domain_errors
def peer_generate(request, pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, scoring_rules.can_run_scoring(actor, bloc_year))
    count = services.generate_assignments(actor, bloc_year)
    messages.success(request, f"Đã phân công chấm chéo: {count} lượt chấm.")
    return redirect("scoring_peers", pk=bloc_year.pk)


@login_required
@shows_domain_errors
def appraisal_grid(request, pk):
    """Units × criteria for the leader: the appraised score of each cell (or the submitted
    self-score before appraisal), changed cells marked; a fixed number of queries."""
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(scoring_rules.can_run_scoring(actor, bloc_year))
    table = services.current_table(bloc_year)
    units = org_queries.members(bloc_year)
    leaves = [c for c in criteria_tree(table) if not c.is_section] if table else []
    grid = scoring_queries.appraisal_cells(table)
    rows = []
    for unit in units:
        appraisal = grid.sheets.get((unit.id, Kind.APPRAISAL))
        own = grid.sheets.get((unit.id, Kind.SELF))
        kind = Kind.APPRAISAL if appraisal else Kind.SELF
        rows.append({
            "unit": unit, "appraisal": appraisal, "own": own,
            "cells": [(c, vi_number(grid.points.get(((unit.id, kind), c.id))),
                       (unit.id, c.id) in grid.changed) for c in leaves],
            "final": vi_number((appraisal or own).final) if (appraisal or own) else "—",
        })
    return render(request, "web/scoring/appraisal.html", {
        "bloc_year": bloc_year, "table": table, "leaves": leaves, "rows": rows,
        "can_open": scoring_rules.is_appraisal_open(bloc_year), "can_run": True,
    })


@login_required
@require_POST
@shows_domain_errors
def appraisal_open(request, pk, unit_pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, scoring_rules.can_run_scoring(actor, bloc_year))
    unit = org_queries.member_of(bloc_year, unit_pk)
    sheet = services.open_appraisal(actor, bloc_year, unit)
    return redirect("scoring_sheet", pk=sheet.pk)
