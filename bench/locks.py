"""Lock benchmark (issue 12): audit appends of several provinces at once, each in a write
transaction that goes on after its event (as a service's does), beside the same appends all
on one chain — the single global lock every write of the instance queued behind before.

    .venv/bin/python bench/locks.py                   # PostgreSQL (SQLite: --db sqlite)
    .venv/bin/python bench/locks.py --threads 8 --writes 40 --hold-ms 20

Each of `--threads` threads runs `--writes` transactions: `core.audit.record` on its
chain, then `pg_sleep(hold)` inside the same transaction (the rest of a service's work,
the chain's lock still held). Baseline: every thread on one province's chain (one lock:
the writes queue, ≈ 1000/hold per second whatever the threads). Measured: each thread on
a province of its own (one lock per chain: the writes overlap). Printed: writes per
second of both and their ratio; then `core.audit.verify()` over everything written.
On SQLite one writer holds the database at a time, so both runs queue alike: the ratio
stays ≈ 1 there by design (its own write lock is the lock).
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_ADMIN = os.environ.get("THIDUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "thidua_bench_locks"


def _database(backend: str) -> str:
    if backend == "sqlite":
        VAR.mkdir(parents=True, exist_ok=True)
        db = VAR / "locks.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{db}"
    import psycopg

    with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"


def _writes(province_ids, writes, hold):
    """Run the threads (thread i on province_ids[i]); wall seconds."""
    from django.db import connection, transaction

    from thidua.core import audit

    barrier = threading.Barrier(len(province_ids))
    errors = []

    def worker(province_id):
        try:
            barrier.wait()
            for n in range(writes):
                with transaction.atomic():
                    audit.record("bench", "bench.write", ("org.province", province_id),
                                 province_id=province_id, after={"n": n})
                    if connection.vendor == "postgresql":
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT pg_sleep(%s)", [hold])
                    else:
                        time.sleep(hold)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in province_ids]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - began


def run(args):
    os.environ["THIDUA_DATABASE_URL"] = _database(args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from thidua.core import audit
    from thidua.org.models import Province

    call_command("migrate", verbosity=0)
    provinces = [Province.objects.create(code=f"P{i:02d}", name=f"Tỉnh {i:02d}").id
                 for i in range(args.threads)]
    connection.close()
    hold = args.hold_ms / 1000
    total = args.threads * args.writes
    one = _writes([provinces[0]] * args.threads, args.writes, hold)
    many = _writes(provinces, args.writes, hold)
    print(f"== {args.db}: {args.threads} luồng × {args.writes} giao dịch ghi, giữ khóa "
          f"{args.hold_ms} ms sau sự kiện nhật ký")
    print(f"  một chuỗi (khóa chung, gốc so sánh): {total / one:7.1f} lần ghi/s ({one:.2f} s)")
    print(f"  mỗi tỉnh một chuỗi                 : {total / many:7.1f} lần ghi/s ({many:.2f} s)")
    print(f"  tỷ lệ: {one / many:.2f}× (lý thuyết tối đa {args.threads}× trên PostgreSQL)")
    broken = audit.verify()
    print("  chuỗi nhật ký: " + ("nguyên vẹn" if broken is None else str(broken)))
    return 0 if broken is None else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--hold-ms", type=int, default=20)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
