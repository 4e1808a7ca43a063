"""Scoring settings from the rulebook in force (RULES.md 14, 16): aggregation and the
tie-break chain."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from thidua.law.rulebooks import RulebookNotFound, rulebook_for
from thidua.org.models import BlocYear
from thidua.scoring.domain import aggregation, ranking


@dataclass(frozen=True)
class ScoringSettings:
    aggregation: str
    tie_break_chain: tuple
    source: str  # shown beside the ranking: which rulebook (or the default) decided


DEFAULT_SETTINGS = ScoringSettings(
    aggregation.APPRAISED, ranking.DEFAULT_CHAIN,
    "Mặc định (Quy tắc 14, 16): điểm thẩm định, nếu chưa có thì trung bình điểm chấm chéo; "
    "phân định bằng điểm nhóm I, rồi ít điểm trừ hơn, rồi hội nghị biểu quyết.")


def scoring_settings(bloc_year: BlocYear, on_date: datetime.date | None = None
                     ) -> ScoringSettings:
    """The aggregation method and tie-break chain for a bloc year: RULES.md 14 and 16, read
    from the rulebook in force for the province on `on_date` (default today: the ranking
    is decided when it is published). Without a rulebook in force the RULES.md defaults
    apply, and `source` says so. A broken rulebook is not papered over: its error
    propagates."""
    province_code = bloc_year.bloc.province.code
    try:
        book = rulebook_for(province_code, on_date or timezone.localdate())
        method = book.value("scoring.aggregation")
        chain = tuple(book.value("scoring.tie_break_chain"))
    except (RulebookNotFound, KeyError):
        return DEFAULT_SETTINGS
    return ScoringSettings(method, chain, f"Theo {_book_title(book, 'scoring.aggregation')}.")


def _book_title(book, key: str) -> str:
    """The file a setting came from: the province's override if it sets it, else the
    national book (so the ranking page can cite where its method comes from)."""
    provincial = getattr(book, "provincial", None)
    if provincial is not None and key in getattr(provincial, "settings", {}):
        return provincial.title
    national = getattr(book, "national", None)
    return getattr(national, "title", "") or "bộ quy tắc hiện hành"
