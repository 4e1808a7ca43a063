"""Scoring pages, part 1: the bloc year's criteria table (create, validate, lock, new
version) and the helpers the other scoring views share.

Views stay thin: scoring.services decides and writes, scoring.rules says who may, and
scoring.queries reads in a fixed number of queries.
"""

from decimal import Decimal
from pathlib import Path

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from thidua.core.errors import DomainError
from thidua.core.numbers import vi_number
from thidua.org.models import BlocYear
from thidua.org.rules import bloc_year_roles
from thidua.scoring import rules as scoring_rules
from thidua.scoring import services
from thidua.scoring.demo import table_inputs
from thidua.scoring.domain.methods import AWARD_FORMS, METHOD_LABELS
from thidua.scoring.exporters import award_forms_text
from thidua.scoring.models import CriteriaTable, Criterion
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors

DEMO_FIXTURE = Path(services.__file__).resolve().parent.parent / "demo" / "demo.yaml"


def load_bloc_year(actor, pk):
    """The bloc year if the actor sees it (404 otherwise), with its roles."""
    bloc_year = get_object_or_404(
        BlocYear.objects.select_related("bloc__province", "emulation_year", "leader_unit"),
        pk=pk)
    roles = bloc_year_roles(actor, bloc_year)
    require(bool(roles))
    return bloc_year, roles


def criteria_tree(table):
    """The table's criteria in order with their depth (two queries at most: one)."""
    rows = list(Criterion.objects.filter(table=table).order_by("position", "id"))
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


def _previous_tables(actor, bloc_year):
    """Tables of the same bloc in earlier years this actor may copy (latest version each)."""
    tables = (CriteriaTable.objects.select_related("bloc_year__emulation_year")
              .filter(bloc_year__bloc=bloc_year.bloc,
                      bloc_year__emulation_year__year__lt=bloc_year.emulation_year.year)
              .order_by("-bloc_year__emulation_year__year", "-version"))
    seen, result = set(), []
    for table in tables:
        if table.bloc_year_id not in seen:
            seen.add(table.bloc_year_id)
            result.append(table)
    return result


def _table_page(request, actor, bloc_year, *, errors=(), valid=None, status=200):
    table = services.current_table(bloc_year)
    can_run = scoring_rules.can_run_scoring(actor, bloc_year)
    context = {
        "bloc_year": bloc_year, "table": table, "can_run": can_run,
        "criteria": criteria_tree(table) if table else [],
        "total_text": vi_number(table.total) if table else "",
        "can_create": can_run and table is None
        and bloc_year.phase in scoring_rules.TABLE_EDITABLE,
        "can_lock": bool(table) and can_run and not table.is_locked,
        "can_new_version": bool(table) and can_run and table.is_locked
        and bloc_year.phase in scoring_rules.TABLE_EDITABLE,
        "previous_tables": _previous_tables(actor, bloc_year) if can_run and not table else [],
        "errors": error_items(messages=errors), "valid": valid,
        "versions": list(CriteriaTable.objects.filter(bloc_year=bloc_year)
                         .order_by("-version").values("version", "reason", "is_locked",
                                                      "created_at")) if table else [],
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
            spec = yaml.safe_load(DEMO_FIXTURE.read_text(encoding="utf-8"))["criteria_table"]
            services.create_table(actor, bloc_year, name=spec["name"],
                                  total=Decimal(str(spec["total"])),
                                  criteria=table_inputs(spec))
        elif source.isdigit():
            copied = {t.id: t for t in _previous_tables(actor, bloc_year)}.get(int(source))
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
