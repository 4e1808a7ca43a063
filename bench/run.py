"""Scoring benchmark (issue 3): national-scale data, rankings read from maintained totals,
timed beside a baseline that sums the raw cells in the same run.

    python bench/run.py                      # 1 province (~317 000 cells), SQLite and PostgreSQL
    python bench/run.py --scale national     # 34 provinces (~10.8 million cells)
    python bench/run.py --scale 3 --db sqlite

Data: P provinces × 40 blocs × 12 units × 60 criteria (5 sections of 12 leaves, 100 points);
each unit scored by its 11 peers (peer sheets, submitted). Every sheet's maintained figures
(total, final, section sums) are written with it, as scoring.services keeps them. Written
with bulk inserts into var/bench/bench.sqlite3 and, if reachable, the PostgreSQL database
`thidua_bench` (dropped and recreated each run).

Timed:
  (a) one bloc's ranking through `scoring.services.compute_ranking` (the real path: current
      table, rulebook settings, maintained totals, the functional core with the stability
      check), median of repeated runs; beside a single SQL GROUP BY summing that bloc's cells.
  (b) every bloc's ranking in the nation through `scoring.services.compute_rankings` (the
      same core and stability check per bloc, the maintained totals of a province's blocs
      read in six queries), province by province; beside one SQL GROUP BY summing every
      cell (the baseline), as a ratio. For comparison, one `compute_ranking` per bloc.
Then every unit's final is checked against the baseline's sum (nothing measured is wrong).

Each database runs in its own process (Django settings are per process).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_ADMIN = os.environ.get("THIDUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "thidua_bench"
BLOCS, UNITS, SECTIONS, LEAVES_PER_SECTION = 40, 12, 5, 12
CRITERIA = SECTIONS * LEAVES_PER_SECTION
YEAR = 2026


def provinces_for(scale: str) -> int:
    if scale == "national":
        return 34
    return int(scale)


# --- the parent: one worker process per database ---------------------------------------

def pg_reachable() -> bool:
    try:
        import psycopg
        with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        return True
    except Exception as exc:  # noqa: BLE001 — any failure means: no PostgreSQL here
        print(f"PostgreSQL không dùng được ({exc.__class__.__name__}: {exc}); bỏ qua.")
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="1",
                        help="số tỉnh (mặc định 1) hoặc 'national' (34 tỉnh)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=30,
                        help="số lần đo xếp hạng một khối (lấy trung vị)")
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    VAR.mkdir(parents=True, exist_ok=True)
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    status = 0
    for backend in backends:
        env = {**os.environ, "THIDUA_VAR_DIR": str(VAR), "DJANGO_SETTINGS_MODULE":
               "thidua.settings"}
        if backend == "sqlite":
            db = VAR / "bench.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            env["THIDUA_DATABASE_URL"] = f"sqlite:///{db}"
        else:
            if not pg_reachable():
                continue
            env["THIDUA_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
        command = [sys.executable, __file__, "--worker", backend, "--scale", args.scale,
                   "--repeat", str(args.repeat)]
        status |= subprocess.call(command, env=env, cwd=ROOT)  # noqa: S603 — our own script
    return status


# --- the worker -------------------------------------------------------------------------

def worker(args):
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    provinces = provinces_for(args.scale)
    print(f"\n=== {args.worker}: {provinces} tỉnh × {BLOCS} khối × {UNITS} đơn vị × "
          f"{CRITERIA} tiêu chí, mỗi đơn vị được {UNITS - 1} đơn vị khác chấm ===")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    cells = generate(connection, provinces)
    print(f"sinh dữ liệu: {cells:,} ô điểm trong {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"ANALYZE: {time.perf_counter() - started:.1f} s")
    measure(connection, args.repeat)
    return 0


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _insert(connection, model, rows):
    """Bulk insert of plain tuples in the model's column order: COPY on PostgreSQL,
    executemany in one transaction on SQLite."""
    table, columns = model._meta.db_table, _columns(model)
    raw = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        placeholders = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
        raw.executemany(sql, rows)


def _points(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def generate(connection, provinces: int) -> int:
    """Everything through bulk inserts with explicit ids (a fresh database)."""
    import datetime
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from thidua.core.text import search_key, sort_key
    from thidua.org.domain.phases import Phase
    from thidua.org.models import Bloc, BlocYear, EmulationYear, Membership, Province, Unit
    from thidua.scoring.models import (
        CriteriaTable,
        Criterion,
        Score,
        ScoreSheet,
        SectionScore,
    )

    rng = random.Random(20261126)
    now = timezone.now()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.execute("PRAGMA synchronous=OFF")

    def named(model, **fields):
        name = fields["name"]
        return model(search_key=search_key(name), sort_key=sort_key(name), **fields)

    # Leaf maxima: per section 8 × 2 + 4 × 1 = 20 points; 5 sections = 100.
    leaf_max = [2] * 8 + [1] * 4
    cells = 0
    with transaction.atomic():
        Province.objects.bulk_create(named(Province, id=p, code=f"T{p:02d}",
                                           name=f"Tỉnh số {p}") for p in range(1, provinces + 1))
        EmulationYear.objects.bulk_create(EmulationYear(
            id=p, province_id=p, year=YEAR, registration_deadline=datetime.date(YEAR, 3, 31))
            for p in range(1, provinces + 1))
        units, blocs, bloc_years, members = [], [], [], []
        tables, criteria = [], []
        for p in range(1, provinces + 1):
            for b in range(BLOCS):
                bloc_id = (p - 1) * BLOCS + b + 1
                blocs.append(named(Bloc, id=bloc_id, province_id=p, code=f"K{b + 1:02d}",
                                   kind=Bloc.Kind.KHOI, name=f"Khối thi đua số {b + 1}"))
                ids = [(bloc_id - 1) * UNITS + u + 1 for u in range(UNITS)]
                units += [named(Unit, id=i, province_id=p, code=f"D{i}",
                                name=f"Đơn vị {i}") for i in ids]
                bloc_years.append(BlocYear(id=bloc_id, bloc_id=bloc_id, emulation_year_id=p,
                                           phase=Phase.APPRAISAL, leader_unit_id=ids[0]))
                members += [Membership(bloc_year_id=bloc_id, unit_id=i, emulation_year_id=p)
                            for i in ids]
                tables.append(CriteriaTable(id=bloc_id, bloc_year_id=bloc_id, version=1,
                                            name="Bảng tiêu chí", total=Decimal(100),
                                            is_locked=True, locked_at=now))
        Bloc.objects.bulk_create(blocs, batch_size=2000)
        Unit.objects.bulk_create(units, batch_size=2000)
        BlocYear.objects.bulk_create(bloc_years, batch_size=2000)
        Membership.objects.bulk_create(members, batch_size=2000)
        CriteriaTable.objects.bulk_create(tables, batch_size=2000)
        # Criteria: ids per table = (table − 1) × 65 + position + 1.
        per_table = SECTIONS * (LEAVES_PER_SECTION + 1)
        for table in tables:
            base = (table.id - 1) * per_table
            position = 0
            for s in range(SECTIONS):
                section_id = base + position + 1
                code = ["I", "II", "III", "IV", "V"][s]
                criteria.append(Criterion(id=section_id, table_id=table.id, code=code,
                                          title=f"Nhóm {code}", is_section=True,
                                          max_points=Decimal(20), position=position))
                position += 1
                for k in range(LEAVES_PER_SECTION):
                    criteria.append(Criterion(
                        id=base + position + 1, table_id=table.id, parent_id=section_id,
                        code=f"{code}.{k + 1}", title=f"Tiêu chí {code}.{k + 1}",
                        max_points=Decimal(leaf_max[k]), scoring_method="free",
                        position=position))
                    position += 1
        Criterion.objects.bulk_create(criteria, batch_size=5000)
        # Sheets, cells and maintained figures, bloc by bloc (bounded memory).
        sheet_cols = _columns(ScoreSheet)
        sheet_id = score_id = section_score_id = 0
        for table in tables:
            base = (table.id - 1) * per_table
            ids = [(table.id - 1) * UNITS + u + 1 for u in range(UNITS)]
            quality = {u: rng.randint(60, 95) for u in ids}
            sheets, scores, sections = [], [], []
            for scored in ids:
                for scorer in ids:
                    if scorer == scored:
                        continue
                    sheet_id += 1
                    total = 0
                    for s in range(SECTIONS):
                        section_sum = 0
                        for k in range(LEAVES_PER_SECTION):
                            top = leaf_max[k] * 100
                            h = min(top, max(0, top * quality[scored] // 100
                                             + rng.randint(-top // 5, top // 10)))
                            section_sum += h
                            score_id += 1
                            scores.append((score_id, sheet_id,
                                           base + s * (LEAVES_PER_SECTION + 1) + k + 2,
                                           _points(h), "{}", "", now, None))
                        section_score_id += 1
                        sections.append((section_score_id, sheet_id,
                                         base + s * (LEAVES_PER_SECTION + 1) + 1,
                                         _points(section_sum)))
                        total += section_sum
                    values = {"id": sheet_id, "table_id": table.id, "scored_unit_id": scored,
                              "kind": "peer", "scorer_unit_id": scorer, "status": "submitted",
                              "submitted_at": now, "submitted_by_id": None,
                              "total": _points(total), "bonus": "0.00", "penalty": "0.00",
                              "final": _points(total), "created_at": now}
                    sheets.append(tuple(values[c] for c in sheet_cols))
            _insert(connection, ScoreSheet, sheets)
            _insert(connection, Score, [tuple(_order(Score, row)) for row in scores])
            _insert(connection, SectionScore, sections)
            cells += len(scores)
    return cells


def _order(model, row):
    """Score rows are built as (id, sheet, criterion, points, raw, note, updated_at,
    updated_by); return them in the model's column order."""
    names = ("id", "sheet_id", "criterion_id", "points", "raw", "note", "updated_at",
             "updated_by_id")
    by_name = dict(zip(names, row, strict=True))
    return [by_name[c] for c in _columns(model)]


# --- measuring --------------------------------------------------------------------------

BASELINE = """
    SELECT sh.table_id, sh.scored_unit_id, SUM(sc.points), COUNT(DISTINCT sh.id)
    FROM scoring_score sc JOIN scoring_scoresheet sh ON sh.id = sc.sheet_id
    WHERE sh.status = 'submitted' {where}
    GROUP BY sh.table_id, sh.scored_unit_id
"""


def _baseline(connection, table_id=None):
    where = "AND sh.table_id = %s" if table_id else ""
    with connection.cursor() as cursor:
        cursor.execute(BASELINE.format(where=where), [table_id] if table_id else [])
        return cursor.fetchall()


def _timed(function, repeat):
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, times


def measure(connection, repeat):
    from fractions import Fraction

    from thidua.org.models import BlocYear
    from thidua.scoring import services

    bloc_years = list(BlocYear.objects.select_related("bloc__province", "emulation_year")
                      .order_by("id"))
    one = bloc_years[len(bloc_years) // 2]
    services.compute_ranking(one)  # warm: imports, rulebook cache, connection
    _baseline(connection, one.id)
    report, times = _timed(lambda: services.compute_ranking(one), repeat)
    _, base_times = _timed(lambda: _baseline(connection, one.id), repeat)
    one_ms, base_ms = statistics.median(times) * 1000, statistics.median(base_times) * 1000
    print(f"(a) xếp hạng một khối ({len(report.results)} đơn vị, dịch vụ thật, trung vị "
          f"{repeat} lần): {one_ms:.2f} ms — mục tiêu < 20 ms: "
          f"{'ĐẠT' if one_ms < 20 else 'CHƯA ĐẠT'}")
    print(f"    đường cơ sở GROUP BY cộng các ô của khối: {base_ms:.2f} ms — tỉ lệ "
          f"{one_ms / base_ms:.2f}×")

    # (b) the nation: compute_rankings reads the maintained totals of a province's blocs in
    # six queries and runs the same core per bloc; province by province (bounded memory).
    by_province: dict[int, list] = {}
    for by in bloc_years:
        by_province.setdefault(by.bloc.province_id, []).append(by)
    started = time.perf_counter()
    reports = {}
    for group in by_province.values():
        reports.update(services.compute_rankings(group))
    nation = time.perf_counter() - started
    started = time.perf_counter()
    rows = _baseline(connection)
    baseline = time.perf_counter() - started
    ratio = nation / baseline
    print(f"(b) xếp hạng mọi khối ({len(bloc_years)} khối, compute_rankings theo từng tỉnh, "
          f"kèm kiểm tra độ vững): {nation:.2f} s")
    print(f"    đường cơ sở một GROUP BY cộng mọi ô: {baseline:.2f} s — tỉ lệ {ratio:.2f}× "
          f"(mục tiêu ≤ 3×: {'ĐẠT' if ratio <= 3 else 'CHƯA ĐẠT'})")
    started = time.perf_counter()
    for by in bloc_years:
        services.compute_ranking(by)
    loop = time.perf_counter() - started
    print(f"    (để so sánh: từng khối một lần compute_ranking: {loop:.2f} s, tỉ lệ "
          f"{loop / baseline:.2f}×)")

    # Every final equals the baseline's sum / number of peer sheets (mean of peers).
    by_table = {r.table.id: r for r in reports.values()}
    wrong = 0
    for table_id, unit_id, total, sheets in rows:
        final = by_table[table_id].results[unit_id].final
        expected = Fraction(str(total)) / sheets
        if abs(final - expected) > Fraction(1, 10**6):  # SQLite sums decimals as floats
            wrong += 1
    print(f"    kiểm tra: {len(rows):,} đơn vị, {wrong} điểm cuối khác tổng các ô"
          + ("" if not wrong else " — SAI"))
    if wrong:
        raise SystemExit(1)


if __name__ == "__main__":
    sys.exit(main())
