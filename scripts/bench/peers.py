#!/usr/bin/env python3
"""Time live DB -> DB planning by shale, pg-delta and migra on the same two databases.

    peers.py --shale BIN --pgdelta BIN --migra BIN --runs N CUR_URL DES_URL

Runs are interleaved (shale, pg-delta, migra, shale, ...) so that all three see the same
machine load. Each run is one whole process: wall time, CPU (user + system, children
included, from wait4) and peak resident memory (ru_maxrss of the process tree). Prints
one row per tool with the medians, and every run.
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time


def run_once(cmd):
    start = time.monotonic()
    with open(os.devnull, "wb") as devnull, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=devnull, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - start
        rc = os.waitstatus_to_exitcode(status)
        err.seek(0)
        msg = err.read().decode(errors="replace")[-400:]
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, rc, msg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shale", required=True)
    ap.add_argument("--pgdelta")
    ap.add_argument("--migra")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("cur")
    ap.add_argument("des")
    a = ap.parse_args()
    plan_out = tempfile.mktemp(suffix=".json")
    tools = [("shale", [a.shale, "plan", "--from", a.cur, "--to", a.des])]
    if a.pgdelta:
        tools.append(("pg-delta", [a.pgdelta, "plan", "--source", a.cur, "--desired", a.des,
                                   "--out", plan_out]))
    if a.migra:
        # SQLAlchemy 2 (what migra's dependencies resolve to now) knows neither the
        # `postgres://` scheme nor, for `postgresql://`, any driver but psycopg 3: name
        # psycopg2, which migra is installed with.
        sa = lambda url: "postgresql+psycopg2://" + url.split("://", 1)[1]
        tools.append(("migra", [a.migra, "--unsafe", sa(a.cur), sa(a.des)]))
    # Exit codes that mean "planned": shale and migra exit 2 when there are changes.
    ok = {"shale": {0, 2}, "pg-delta": {0, 2}, "migra": {0, 2}}
    results = {name: [] for name, _ in tools}
    for _ in range(a.runs):
        for name, cmd in tools:
            wall, cpu, rss, rc, msg = run_once(cmd)
            if rc not in ok[name]:
                raise SystemExit(f"{name} failed (exit {rc}): {' '.join(cmd)}\n{msg}")
            results[name].append((wall, cpu, rss))
    if os.path.exists(plan_out):
        os.remove(plan_out)
    print(f"| tool | wall (s) | CPU (s) | peak memory (MiB) | runs |")
    print(f"|---|---|---|---|---|")
    for name, rows in results.items():
        med = lambda i: statistics.median(r[i] for r in rows)
        print(f"| {name} | {med(0):.2f} | {med(1):.2f} | {med(2):.0f} | {len(rows)} |")
    print()
    for name, rows in results.items():
        runs = ", ".join(f"{w:.2f}s/{c:.2f}s/{m:.0f}MiB" for w, c, m in rows)
        print(f"  {name}: {runs}")
    s = statistics.median(r[0] for r in results["shale"])
    for name, rows in results.items():
        if name != "shale":
            print(f"  shale is {statistics.median(r[0] for r in rows) / s:.1f}x faster than {name} (wall)")


if __name__ == "__main__":
    main()
