"""Issue 15, speed: matplotlib is imported by the first chart, not by every process that
loads the documents; a chart is drawn once for its data and kept in the shared cache."""

import subprocess
import sys

import pytest
from django.core.cache import cache

from thidua.documents import charts


def test_loading_the_documents_does_not_import_matplotlib():
    code = ("import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'thidua.settings'); import django; django.setup(); "
            "import thidua.documents.kinds, thidua.documents.services; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.django_db
def test_a_chart_is_drawn_once_for_its_data_and_kept():
    cache.clear()
    labels, values = ["Sở Công Thương", "Sở Tài chính"], [7, 4]
    options = {"title": "Số phiếu đồng ý", "axis": "Số phiếu", "line": 7, "integers": True}
    first = charts.horizontal_bars(labels, values, **options)
    assert first.startswith(b"\x89PNG")
    key = charts.cache_key(labels, values, highlight=None, line_label="", value_texts=None,
                           **options)
    assert cache.get(key) == first  # kept in the shared cache
    cache.set(key, b"kept", timeout=None)
    assert charts.horizontal_bars(labels, values, **options) == b"kept"  # not drawn again
    other = charts.horizontal_bars(labels, [7, 5], **options)
    assert other.startswith(b"\x89PNG") and other != first  # other data: its own chart
