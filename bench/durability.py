"""What `synchronous=FULL` costs a vote on SQLite (issue 13): the same vote-shaped
transaction — BEGIN IMMEDIATE; a sealed ballot row (600 bytes), its participation row,
the card marked used; COMMIT — run N times in WAL mode with synchronous=NORMAL and with
FULL, on one file under var/bench/ (the disk the product's database is on), alternating
rounds so both see the same machine.

    .venv/bin/python bench/durability.py [--votes 2000] [--rounds 3]

FULL syncs the WAL at every commit (NORMAL only at checkpoints), so an acknowledged
ballot is on disk when its receipt is shown; the difference per commit is the disk's
fsync latency. Prints per-mode votes/s and p50/p99 commit latency.
"""

import argparse
import os
import sqlite3
import statistics
import time
from pathlib import Path

VAR = Path(__file__).resolve().parent.parent / "var" / "bench"


def run(mode: str, votes: int) -> list[float]:
    db = VAR / f"durability-{mode.lower()}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={mode}")
    conn.executescript("""
        CREATE TABLE ballot (id INTEGER PRIMARY KEY, poll INTEGER, sealed BLOB);
        CREATE TABLE participation (id INTEGER PRIMARY KEY, poll INTEGER, voter TEXT,
                                    UNIQUE (poll, voter));
        CREATE TABLE card (id INTEGER PRIMARY KEY, used INTEGER DEFAULT 0);
    """)
    conn.executemany("INSERT INTO card (id) VALUES (?)", [(i,) for i in range(votes)])
    sealed = os.urandom(600)
    times = []
    for i in range(votes):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO ballot (poll, sealed) VALUES (1, ?)", (sealed,))
        conn.execute("INSERT INTO participation (poll, voter) VALUES (1, ?)", (f"card:{i}",))
        conn.execute("UPDATE card SET used = 1 WHERE id = ? AND used = 0", (i,))
        conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    results = {"NORMAL": [], "FULL": []}
    for _ in range(args.rounds):
        for mode in results:
            results[mode].extend(run(mode, args.votes))
    for mode, times in results.items():
        ordered = sorted(times)
        p99 = ordered[int(len(ordered) * 0.99) - 1]
        print(f"synchronous={mode:6} {len(times) / sum(times):8.0f} votes/s  "
              f"p50 {statistics.median(times) * 1000:.3f} ms  p99 {p99 * 1000:.3f} ms")


if __name__ == "__main__":
    main()
