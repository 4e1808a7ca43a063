"""Charts for the documents (matplotlib, Agg canvas, Vietnamese labels), as PNG bytes the
engine sets inline (engine.Image).

No pyplot: a Figure with its own Agg canvas holds no global state, so two documents
rendered at once (web process, worker) never draw into each other's figure. The font is
the metric-compatible serif of the PDF (RULES.md 36), which has every Vietnamese glyph.

Speed (issue 15): matplotlib is imported on the first chart drawn, not by every process
that loads the documents; a chart is drawn once for its data and kept in the shared cache
(the database cache: every worker sees it), so a published poll's chart — whose data never
changes — is drawn once, not on every request for its minutes or count record.
"""

import hashlib
import io
import json
from pathlib import Path

from django.core.cache import cache

from thidua.documents import format as fmt

FONT_FILE = Path(fmt.PDF_FONT_FILE).with_name("LiberationSerif-Regular.ttf")
BAR, PASSED, LINE = "#4d4d4d", "#1f4e79", "#b00020"
DPI = 200


CACHE_PREFIX = "thidua.documents.chart.v1:"


def _font(size: float):
    from matplotlib.font_manager import FontProperties

    if FONT_FILE.exists():
        return FontProperties(fname=str(FONT_FILE), size=size)
    return FontProperties(family="serif", size=size)  # DejaVu Serif: Vietnamese too


def _png(figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, bbox_inches="tight")
    return out.getvalue()


def horizontal_bars(labels: list[str], values: list[float], *, title: str, axis: str,
                    highlight: list[bool] | None = None, line: float | None = None,
                    line_label: str = "", value_texts: list[str] | None = None,
                    integers: bool = False) -> bytes:
    """One bar per label, the first at the top; `highlight` bars darker, an optional
    vertical `line` (a threshold) named in the legend; each bar's value written at its
    end; axis numbers with a decimal comma (`integers`: whole ticks only, for votes).
    Drawn once per distinct data and kept (the module doc)."""
    key = cache_key(labels, values, title=title, axis=axis, highlight=highlight, line=line,
                    line_label=line_label, value_texts=value_texts, integers=integers)
    png = cache.get(key)
    if png is None:
        png = _draw(labels, values, title=title, axis=axis, highlight=highlight, line=line,
                    line_label=line_label, value_texts=value_texts, integers=integers)
        cache.set(key, png, timeout=None)
    return png


def cache_key(labels, values, **options) -> str:
    """The chart's key in the cache: its data and options (and the resolution)."""
    arguments = [labels, values, sorted(options.items()), DPI]
    return CACHE_PREFIX + hashlib.sha256(
        json.dumps(arguments, ensure_ascii=False, default=str).encode()).hexdigest()


def _draw(labels, values, *, title, axis, highlight, line, line_label, value_texts,
          integers) -> bytes:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    height = 0.9 + 0.38 * max(1, len(labels))
    figure = Figure(figsize=(6.3, height))
    axes = figure.add_subplot()
    rows = list(range(len(labels)))[::-1]
    highlight = highlight or [False] * len(labels)
    axes.barh(rows, values, color=[PASSED if h else BAR for h in highlight], height=0.6)
    axes.set_yticks(rows, labels, fontproperties=_font(8.5))
    texts = value_texts or [f"{v:g}".replace(".", ",") for v in values]
    top = max([*values, line or 0, 1])
    for row, value, text in zip(rows, values, texts, strict=True):
        axes.text(value + top * 0.01, row, text, va="center", fontproperties=_font(8))
    if line is not None:
        axes.axvline(line, color=LINE, linestyle="--", linewidth=1, label=line_label)
        axes.legend(loc="lower right", prop=_font(8), frameon=False)
    if integers:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}".replace(".", ",")))
    axes.set_xlim(0, top * 1.15)
    axes.set_xlabel(axis, fontproperties=_font(9))
    axes.set_title(title, fontproperties=_font(10))
    for label in axes.get_xticklabels():
        label.set_fontproperties(_font(8))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
