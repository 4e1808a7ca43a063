"""Where the close and the publication of a poll spend their time (issue 13): the poll
`bench/voting.py` builds (2,000 cards), the ballots cast in this process through
`voting.services.cast_with_card` (no HTTP), then `close_poll` and `publish_poll` timed,
wall and this process's CPU, with the SQL statements they send (count and time per
statement kind) and, with `--profile`, cProfile's top functions.

    .venv/bin/python bench/voting_close.py                     # SQLite and PostgreSQL
    .venv/bin/python bench/voting_close.py --db postgres --profile

Databases: var/bench/voting-close.sqlite3 (removed first) and `thidua_bench_voting_close`
(dropped and recreated). Not part of the test suite; the machine's load is printed beside
the figures (`os.getloadavg`), since absolute times mean little on a shared machine.
"""

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_ADMIN = os.environ.get("THIDUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "thidua_bench_voting_close"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="cProfile's top functions")
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return run(args)
    VAR.mkdir(parents=True, exist_ok=True)
    status = 0
    for backend in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        env = {**os.environ, "THIDUA_VAR_DIR": str(VAR),
               "DJANGO_SETTINGS_MODULE": "thidua.settings"}
        if backend == "sqlite":
            db = VAR / "voting-close.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            env["THIDUA_DATABASE_URL"] = f"sqlite:///{db}"
        else:
            import psycopg
            with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
                conn.execute(f"CREATE DATABASE {PG_DB}")
            env["THIDUA_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
        command = [sys.executable, __file__, "--worker", backend, "--cards", str(args.cards)]
        if args.profile:
            command.append("--profile")
        status |= subprocess.call(command, env=env, cwd=ROOT)  # noqa: S603 — our own script
    return status


class Statements:
    """Django's execute wrapper: every statement's kind (first words), count and time."""

    def __init__(self):
        self.count, self.seconds = Counter(), Counter()

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = " ".join(sql.split()[:3])[:60] + (" (many)" if many else "")
            self.count[kind] += 1
            self.seconds[kind] += time.perf_counter() - began

    def report(self):
        total = sum(self.seconds.values()) * 1000
        print(f"    {sum(self.count.values())} statements, {total:.0f} ms in the database "
              "driver:")
        for kind, seconds in self.seconds.most_common(8):
            print(f"      {self.count[kind]:4d} × {kind:<62} {seconds * 1000:7.1f} ms")


def timed(label, function, profile):
    from django.db import connection
    statements = Statements()
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(statements):
        if profiler:
            profiler.enable()
        value = function()
        if profiler:
            profiler.disable()
    wall, cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    print(f"  {label}: {wall:.0f} ms wall, {cpu:.0f} ms CPU (this process, all threads)")
    statements.report()
    if profiler:
        for order in ("cumulative", "tottime"):
            pstats.Stats(profiler).sort_stats(order).print_stats(20)
    return value, wall


def run(args):
    import django
    django.setup()
    sys.path.insert(0, str(ROOT / "bench"))
    from django.core.management import call_command
    from django.db import connection

    from thidua.voting import services
    from voting import build

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    actor, poll, tokens, candidates = build(args.cards)
    began = time.perf_counter()
    for i, token in enumerate(tokens):
        marks = [candidates[i % 3]] if i % 2 else [candidates[i % 3], candidates[(i + 1) % 3]]
        services.cast_with_card(token, poll.pk, marks)
    cast_ms = (time.perf_counter() - began) * 1000
    print(f"\n== {connection.vendor}: {len(tokens)} phiếu bỏ trong tiến trình "
          f"({cast_ms / len(tokens):.2f} ms/phiếu); tải máy {os.getloadavg()[0]:.1f}")
    closed, close_ms = timed("close_poll", lambda: services.close_poll(actor, poll), args.profile)
    _, publish_ms = timed("publish_poll", lambda: services.publish_poll(actor, closed),
                          args.profile)
    print(f"  kết thúc + công bố: {close_ms:.0f} + {publish_ms:.0f} = "
          f"{close_ms + publish_ms:.0f} ms (mục tiêu < 200 ms); tải máy "
          f"{os.getloadavg()[0]:.1f}")
    closed.refresh_from_db()
    if closed.result["ballots_cast"] != len(tokens):
        print(f"  SAI: {closed.result['ballots_cast']} phiếu được đếm")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
