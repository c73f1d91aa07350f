#!/usr/bin/env python3
"""The per-fixture table of docs/PEERS.md from compare.sh's results.

    table.py RESULTS.tsv

Each cell: converges (yes, or why not) · statements (CONCURRENTLY and NOT VALID counts,
when any) · wall time of the diff in ms.
"""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
tools = []
fixtures = []
for r in rows:
    if r["tool"] not in tools:
        tools.append(r["tool"])
    if r["fixture"] not in fixtures:
        fixtures.append(r["fixture"])
by = {(r["fixture"], r["tool"]): r for r in rows}


def cell(r):
    if r is None:
        return "-"
    v = r["converges"]
    s = "yes" if v == "yes" else "**" + v.replace("no: ", "no (") + ")**"
    if r["statements"] != "-":
        s += f" · {r['statements']}"
        extra = [f"C{r['concurrently']}"] if r["concurrently"] != "0" else []
        extra += [f"NV{r['not_valid']}"] if r["not_valid"] != "0" else []
        if extra:
            s += " (" + " ".join(extra) + ")"
    return s + f" · {r['diff_ms']}"


print("| fixture | " + " | ".join(tools) + " |")
print("|---" * (len(tools) + 1) + "|")
for f in fixtures:
    print(f"| {f} | " + " | ".join(cell(by.get((f, t))) for t in tools) + " |")
