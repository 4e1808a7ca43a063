"""Scoring pages, part 3: a unit's breakdown and the ranking (with charts).

Scores stay exact until shown: `vi_number` rounds at the last moment. Chart data goes to
the page as a JSON script block (inert under the CSP) read by static/web/js/scoring-charts.js.
"""

import statistics
from fractions import Fraction

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.core.errors import DomainError
from thidua.core.numbers import half_up, vi_number
from thidua.org import queries as org_queries
from thidua.scoring import queries as scoring_queries
from thidua.scoring import rules as scoring_rules
from thidua.scoring import services
from thidua.scoring.domain.aggregation import AGGREGATION_LABELS
from thidua.scoring.domain.ranking import step_label
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors
from thidua.web.views.scoring import load_bloc_year


def _chart_number(value) -> str:
    """A number for a chart axis (presentation only): 2 decimals, dot as separator."""
    return str(half_up(value)) if value is not None else "0"


def _percent(value, maximum) -> str:
    if value is None or not maximum:
        return "0"
    return _chart_number(Fraction(value) * 100 / Fraction(maximum))


@login_required
@shows_domain_errors
def breakdown(request, pk, unit_pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    unit = org_queries.member_of(bloc_year, unit_pk)
    view = scoring_queries.unit_breakdown(actor, bloc_year, unit)
    ranking = scoring_queries.published_ranking(actor, bloc_year)
    lines = []
    for line in view.lines:
        final = line.appraised_points if line.appraised_points is not None else line.peer_mean
        lines.append({
            "line": line, "c": line.criterion, "max": vi_number(line.criterion.max_points),
            "self": vi_number(line.self_points),
            "peers": vi_number(line.peer_mean), "spread": vi_number(line.peer_spread),
            "appraised": vi_number(line.appraised_points),
            "final": vi_number(final),
            "changes": [(c, vi_number(c.old_points), vi_number(c.new_points))
                        for c in line.changes],
        })
    spread = (view.peer_finals[-1] - view.peer_finals[0]) if len(view.peer_finals) > 1 else None
    mine, chart = None, None
    if ranking:
        mine = next((line for line in ranking.lines if line.unit.id == unit.id), None)
        if mine and ranking.sections:
            medians = []
            for code, _title, maximum in ranking.sections:
                values = [line.section(code) for line in ranking.lines
                          if line.section(code) is not None]
                medians.append(_percent(statistics.median(values) if values else None, maximum))
            chart = {
                "labels": [f"Nhóm {code}" for code, _title, _ in ranking.sections],
                "datasets": [
                    {"label": unit.name, "data": [_percent(mine.section(code), maximum)
                                                  for code, _t, maximum in ranking.sections]},
                    {"label": "Trung vị của khối", "data": medians},
                ],
                "unit": "% điểm chuẩn của nhóm",
            }
    return render(request, "web/scoring/breakdown.html", {
        "bloc_year": bloc_year, "unit": unit, "view": view, "lines": lines,
        "self_total": view.running_total if view.self_sheet else None,
        "appraised_final": vi_number(view.appraisal_sheet.final)
        if view.appraisal_sheet else None,
        "peer_mean": vi_number(view.peer_mean), "peer_count": len(view.peer_finals),
        "spread": vi_number(spread), "mine": mine,
        "mine_final": vi_number(mine.final) if mine else None,
        "chart": chart,
        "chart_sections": [(code, title) for code, title, _m in ranking.sections]
        if chart else [],
        "can_run": scoring_rules.can_run_scoring(actor, bloc_year),
    })


def _stability(report, names):
    """Per other aggregation method: the units whose rank would change."""
    result = []
    for method, shifts in report.stability.items():
        result.append({
            "label": AGGREGATION_LABELS.get(method, method),
            "shifts": [(names.get(s.unit_id, s.unit_id),
                        s.rank if s.rank is not None else "—",
                        s.other_rank if s.other_rank is not None else "không xếp hạng")
                       for s in shifts]})
    return result


def _ranking_page(request, actor, bloc_year, *, errors=(), status=200):
    view = scoring_queries.published_ranking(actor, bloc_year)
    can_run = scoring_rules.can_run_scoring(actor, bloc_year)
    rows, chart, stability, current_error = [], None, [], []
    if view:
        for line in view.lines:
            rows.append({
                "line": line, "final": vi_number(line.final),
                "sections": [vi_number(line.section(code)) for code, _t, _m in view.sections],
                "spread": vi_number(line.spread), "bonus": vi_number(line.bonus),
                "penalty": vi_number(line.penalty),
                "tie_needs": step_label(line.row.tie_needs) if line.row.tie_needs else "",
                "decided_by": step_label(line.row.decided_by) if line.row.decided_by else "",
            })
        chart = {
            "labels": [line.unit.name for line in view.lines],
            "datasets": [{"label": f"{code}. {title}",
                          "data": [_chart_number(line.section(code)) for line in view.lines]}
                         for code, title, _m in view.sections],
            "unit": "điểm",
        }
    if view or can_run:
        try:
            report = services.compute_ranking(bloc_year)
            names = {unit.id: unit.name for unit in org_queries.members(bloc_year)}
            stability = _stability(report, names)
        except DomainError as exc:
            current_error = exc.messages
    return render(request, "web/scoring/ranking.html", {
        "bloc_year": bloc_year, "view": view, "rows": rows, "chart": chart,
        "stability": stability, "current_error": current_error, "can_run": can_run,
        "can_publish": scoring_rules.can_publish_ranking(actor, bloc_year),
        "aggregation_label": AGGREGATION_LABELS.get(view.ranking.aggregation, "")
        if view else "",
        "chain": [step_label(s) for s in view.ranking.tie_break_chain] if view else [],
        "errors": error_items(messages=errors),
    }, status=status)


@login_required
@shows_domain_errors
def ranking(request, pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    return _ranking_page(request, actor, bloc_year)


@login_required
@require_POST
@shows_domain_errors
def publish(request, pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, scoring_rules.can_run_scoring(actor, bloc_year))
    try:
        services.publish_ranking(actor, bloc_year)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _ranking_page(request, actor, bloc_year, errors=exc.messages, status=exc.status)
    messages.success(request, "Đã công bố kết quả xếp hạng.")
    return redirect("scoring_ranking", pk=bloc_year.pk)
