"""RULES.md 37 under concurrency, on SQLite (IMMEDIATE transactions) and PostgreSQL (the
counter row locked FOR UPDATE): 50 documents issued at once get 50 distinct consecutive
numbers; real threads, each on its own connection.

On SQLite it runs on a file copy of the test database (`file_db`, tests/concurrency.py).
"""

import datetime

from tests.concurrency import run_threads

from thidua.documents import services
from thidua.documents.models import Document, NumberCounter

ON = datetime.date(2026, 3, 5)


def test_fifty_documents_issued_at_once_get_fifty_consecutive_numbers(file_db, world):
    leader = world.actor("leader")
    pk = world.bloc_years["KT"].pk
    results, errors = run_threads(
        [lambda: services.issue(leader, "giao-uoc", pk, on=ON).number] * 50)
    assert errors == []
    assert sorted(results) == list(range(1, 51))
    assert sorted(Document.objects.values_list("number", flat=True)) == list(range(1, 51))
    assert NumberCounter.objects.get().last_number == 50
    # The next year starts again at 01, whatever happened in the last one.
    assert services.issue(leader, "giao-uoc", pk,
                          on=datetime.date(2027, 1, 1)).reference == "01/BTT-KT"
