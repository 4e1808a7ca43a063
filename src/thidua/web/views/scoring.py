"""Scoring pages, part 1: the bloc year's criteria table (create, validate, lock, new
version) and the helpers the other scoring views share.

Views stay thin: scoring.services decides and writes, scoring.rules says who may, and
scoring.queries reads in a fixed number of queries.
"""

import re
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thidua.core.errors import DomainError
from thidua.core.numbers import vi_number
from thidua.org import queries as org_queries
from thidua.scoring import queries, services
from thidua.scoring import rules as scoring_rules
from thidua.scoring.demo import create_sample_table
from thidua.scoring.domain.methods import AWARD_FORMS, IMPORTED, METHOD_LABELS
from thidua.scoring.exporters import award_forms_text
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors
from thidua.web.views.bloc_year import load_bloc_year


def criteria_tree(table):
    """The table's criteria in order with their depth (two queries at most: one)."""
    rows = queries.criteria_of(table)
    depth = {}
    for criterion in rows:
        depth[criterion.id] = depth.get(criterion.parent_id, -1) + 1
        criterion.depth = depth[criterion.id]
        criterion.method_label = METHOD_LABELS.get(criterion.scoring_method, "")
        criterion.max_text = vi_number(criterion.max_points)
        criterion.params_text = params_text(criterion)
    return rows


def params_text(criterion) -> str:
    """The method's parameters in words (graded steps, points per item, cap)."""
    params = criterion.params or {}
    parts = []
    if params.get("grades"):
        parts.append("Các mức: " + "; ".join(vi_number(Decimal(str(g)))
                                              for g in params["grades"]))
    if params.get("per_item") is not None:
        parts.append(f"{vi_number(Decimal(str(params['per_item'])))} điểm/lần")
    if params.get("cap") is not None:
        parts.append(f"tối đa {vi_number(Decimal(str(params['cap'])))}")
    if params.get("indicator"):
        parts.append(f"chỉ tiêu “{params['indicator']}”")
    if params.get(AWARD_FORMS):
        parts.append(f"tính từ khen thưởng năm trước: {award_forms_text(params[AWARD_FORMS])} "
                     "(Quy tắc 11)")
    return ", ".join(parts)


def _table_page(request, actor, bloc_year, *, errors=(), valid=None, status=200):
    table = services.current_table(bloc_year)
    can_run = scoring_rules.can_run_scoring(actor, bloc_year)
    criteria = criteria_tree(table) if table else []
    context = {
        "bloc_year": bloc_year, "table": table, "can_run": can_run, "criteria": criteria,
        "total_text": vi_number(table.total) if table else "",
        "can_create": scoring_rules.can_create_table(actor, bloc_year, table),
        "can_lock": scoring_rules.can_lock_table(actor, bloc_year, table),
        "can_new_version": scoring_rules.can_version_table(actor, bloc_year, table),
        "previous_tables": queries.earlier_tables(bloc_year) if can_run and not table else [],
        "errors": error_items(messages=errors), "valid": valid,
        "versions": queries.table_versions(bloc_year) if table else [],
        "imported": [c for c in criteria if c.scoring_method == IMPORTED] if can_run else [],
    }
    return render(request, "web/scoring/table.html", context, status=status)


@login_required
@shows_domain_errors
def table_page(request, pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    return _table_page(request, actor, bloc_year)


@login_required
@require_POST
@shows_domain_errors
def table_create(request, pk):
    """Create the year's table: a copy of an earlier year's, or the demo structure."""
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, scoring_rules.can_run_scoring(actor, bloc_year))
    source = request.POST.get("nguon", "")
    try:
        if source == "mau":
            create_sample_table(actor, bloc_year)
        elif source.isdigit():
            copied = {t.id: t for t in queries.earlier_tables(bloc_year)}.get(int(source))
            if copied is None:
                raise DomainError("Không tìm thấy bảng tiêu chí để sao chép.")
            services.copy_table(actor, copied, bloc_year)
        else:
            raise DomainError("Chọn nguồn để lập bảng tiêu chí.")
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _table_page(request, actor, bloc_year, errors=exc.messages, status=exc.status)
    messages.success(request, "Đã lập bảng tiêu chí chấm điểm.")
    return redirect("scoring_table", pk=bloc_year.pk)


def _current_or_404(bloc_year):
    table = services.current_table(bloc_year)
    require(table is not None)
    return table


@login_required
@require_POST
@shows_domain_errors
def table_validate(request, pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, scoring_rules.can_run_scoring(actor, bloc_year))
    problems = services.validate_table(_current_or_404(bloc_year))
    return _table_page(request, actor, bloc_year, errors=problems, valid=not problems,
                       status=400 if problems else 200)


@login_required
@require_POST
@shows_domain_errors
def table_lock(request, pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, scoring_rules.can_run_scoring(actor, bloc_year))
    try:
        services.lock_table(actor, _current_or_404(bloc_year))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _table_page(request, actor, bloc_year, errors=exc.messages, status=exc.status)
    messages.success(request, "Đã khóa bảng tiêu chí.")
    return redirect("scoring_table", pk=bloc_year.pk)


@login_required
@require_POST
@shows_domain_errors
def table_new_version(request, pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, scoring_rules.can_run_scoring(actor, bloc_year))
    try:
        fresh = services.new_version(actor, _current_or_404(bloc_year),
                                     reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _table_page(request, actor, bloc_year, errors=exc.messages, status=exc.status)
    messages.success(request, f"Đã lập phiên bản {fresh.version} của bảng tiêu chí.")
    return redirect("scoring_table", pk=bloc_year.pk)


# --- figures from another agency's system (imported criteria, e.g. the PAR INDEX) ---------

FIGURE_FIELD = re.compile(r"^diem-(\d+)$")


def _figures_page(request, actor, bloc_year, *, errors=(), typed=None, status=200):
    """Every imported criterion of the current table: its source and one figure per
    member unit, as entered so far (or as just typed, when refused)."""
    table = _current_or_404(bloc_year)
    units = org_queries.members(bloc_year)
    blocks = []
    for criterion, values in queries.imported_figures(table):
        posted = (typed or {}).get(criterion.code)
        sources = [v.source for v in values.values()]
        rows = [(unit, posted["values"].get(unit.id, "") if posted else
                 vi_number(values[unit.id].points) if unit.id in values else "")
                for unit in units]
        blocks.append({"criterion": criterion, "rows": rows, "max": vi_number(
            criterion.max_points), "source": posted["source"] if posted else (
            sources[0] if sources else ""), "entered": len(values), "units": len(units)})
    return render(request, "web/scoring/figures.html", {
        "bloc_year": bloc_year, "table": table, "blocks": blocks, "can_run": True,
        "errors": error_items(messages=errors)}, status=status)


@login_required
@shows_domain_errors
def table_figures(request, pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(scoring_rules.can_run_scoring(actor, bloc_year))
    return _figures_page(request, actor, bloc_year)


@login_required
@require_POST
@shows_domain_errors
def table_figures_save(request, pk):
    """One imported criterion's figures for the bloc's units, with their source: all
    checked, all written or none (each problem names its unit); draft sheets take them."""
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, scoring_rules.can_run_scoring(actor, bloc_year))
    code, source = request.POST.get("tieu-chi", ""), request.POST.get("nguon", "").strip()
    typed = {int(m[1]): request.POST[key].strip() for key in request.POST
             if (m := FIGURE_FIELD.match(key))}
    try:
        count = services.import_values(actor, _current_or_404(bloc_year), code,
                                       {u: v for u, v in typed.items() if v}, source)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _figures_page(request, actor, bloc_year, errors=exc.messages, status=exc.status,
                             typed={code: {"source": source, "values": typed}})
    messages.success(request, f"Đã lưu số liệu {code} của {count} đơn vị, nguồn: {source}.")
    return redirect(reverse("scoring_figures", args=[bloc_year.pk]) + f"#so-lieu-{code}")
