"""RULES.md 37: the numbering registry. `take_number` is called only by the service that
issues a document, inside its transaction: a draft never takes a number, and a number
taken is never given again (the Document row's unique constraint is the last defence).

Race-safe on both databases: the counter row is created if missing without failing on a
concurrent creation (INSERT … ON CONFLICT DO NOTHING), then locked (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions already let one writer in at a time).
"""

from django.db import transaction
from django.db.models import F

from thidua.documents.format import SYMBOLS
from thidua.documents.models import NumberCounter


def take_number(issuer: str, symbol: str, year: int) -> int:
    if symbol not in SYMBOLS:
        raise ValueError(f"Ký hiệu loại văn bản không hợp lệ: {symbol!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number must run inside the issuing transaction")
    NumberCounter.objects.bulk_create(
        [NumberCounter(issuer=issuer, symbol=symbol, year=year)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(
        issuer=issuer, symbol=symbol, year=year)
    NumberCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    return counter.last_number + 1


def last_numbers(issuer: str, year: int) -> dict[str, int]:
    """Read-only: the last number given per symbol (what the registry shows)."""
    return dict(NumberCounter.objects.filter(issuer=issuer, year=year)
                .values_list("symbol", "last_number"))
