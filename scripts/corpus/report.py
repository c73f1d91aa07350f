#!/usr/bin/env python3
"""Summarize run.py results: counts per source and tool, and shale's failures by class.

    report.py RESULTS.jsonl [MORE.jsonl ...] [--failures] [--tool shale-file] [--common RESULTS]

Later files override earlier ones for the same (source, case, tool), so a peers-only run
and a shale-only run can be combined. Prints Markdown: a summary table (converged of the
cases that ran; `skipped` = the suite expects an error, `invalid` = the case's SQL does not
load on this server) and, with --failures, every failing case of the chosen shale tools
grouped by status and by the class of its message (quoted names, numbers and positions
replaced, so that one cause with many objects is one class).
"""
import argparse
import collections
import json
import re
import statistics

STATUS_ORDER = ["refused", "apply-failed", "diverged", "replan-not-empty", "diff-failed", "harness-error"]


def load(paths):
    rows = {}
    for p in paths:
        new = [json.loads(l) for l in open(p) if l.strip()]
        # a case re-run in a later file: its earlier whole-case verdict (skipped/invalid) goes
        for r in new:
            if r["tool"] != "*":
                rows.pop((r["source"], r["case"], "*"), None)
        for r in new:
            rows[(r["source"], r["case"], r["tool"])] = r
    return list(rows.values())


def klass(status, detail):
    d = detail.splitlines()[0] if detail else ""
    d = re.sub(r"^(error|ERROR|psql):\s*", "", d)
    d = re.sub(r"\S+\.sql:\d+(:\d+)?:?\s*", "", d)
    d = re.sub(r"psql:[^ ]*:\d+: ", "", d)
    d = re.sub(r"(ERROR|error):\s+", "", d)
    d = re.sub(r'"[^"]*"', '"…"', d)
    d = re.sub(r"'[^']*'", "'…'", d)
    d = re.sub(r"`[^`]*`", "`…`", d)
    d = re.sub(r"^step \d+ failed:\s*", "", d)
    d = re.sub(r"^(ERROR|error):\s+", "", d)
    if status == "replan-not-empty":
        d = re.sub(r"^\d+\.\s*", "", d)
    d = re.sub(r"\b\d+\b", "N", d)
    if status in ("diverged",):
        d = re.sub(r"^[-+]\s*", lambda m: m.group(0).strip() + " ", d)
        d = re.sub(r"\b(public|schema_\w+)\.\w+", "…", d)
    d = re.sub(r"\b[\w\"]+\.[\w\"]+(\.[\w\"]+)?(\([^)]*\))?", "…", d)
    if status == "replan-not-empty":
        d = re.sub(r"\b[\w\"]+\.[\w\"]+(\.[\w\"]+)?", "…", d)
        words = d.split()
        d = " ".join(words[:5])
    return d[:160]


def summary(rows):
    by = collections.defaultdict(list)
    tools, sources = [], []
    for r in rows:
        if r["tool"] != "*" and r["tool"] not in tools:
            tools.append(r["tool"])
        if r["source"] not in sources:
            sources.append(r["source"])
        by[(r["source"], r["tool"])].append(r)
    order = ["shale-file", "shale-db", "pg-delta-file", "pg-delta", "migra"]
    tools.sort(key=lambda t: order.index(t) if t in order else 99)
    out = ["| source | cases | skipped (suite expects an error) | invalid (does not load) | "
           + " | ".join(tools) + " |", "|---" * (4 + len(tools)) + "|"]
    tot = collections.Counter()
    for s in sources:
        star = by.get((s, "*"), [])
        sk = sum(r["status"] == "skipped" for r in star)
        inv = sum(r["status"] == "invalid" for r in star)
        cells = []
        for t in tools:
            rs = by.get((s, t), [])
            ok = sum(r["status"] == "converged" for r in rs)
            cells.append(f"{ok}/{len(rs)} ({100*ok/len(rs):.0f}%)" if rs else "-")
            tot[(t, "ok")] += ok
            tot[(t, "n")] += len(rs)
        n = len({r["case"] for r in rows if r["source"] == s})
        tot["cases"] += n
        tot["sk"] += sk
        tot["inv"] += inv
        out.append(f"| {s} | {n} | {sk} | {inv} | " + " | ".join(cells) + " |")
    if len(sources) > 1:
        cells = [f"**{tot[(t,'ok')]}/{tot[(t,'n')]} ({100*tot[(t,'ok')]/max(1,tot[(t,'n')]):.1f}%)**" for t in tools]
        out.append(f"| all | {tot['cases']} | {tot['sk']} | {tot['inv']} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("| tool | " + " | ".join(STATUS_ORDER) + " | median s | total s |")
    out.append("|---" * (3 + len(STATUS_ORDER)) + "|")
    for t in tools:
        rs = [r for r in rows if r["tool"] == t]
        c = collections.Counter(r["status"] for r in rs)
        secs = [r.get("seconds", 0) for r in rs if r.get("seconds")]
        med = statistics.median(secs) if secs else 0
        out.append(f"| {t} | " + " | ".join(str(c.get(s, 0)) for s in STATUS_ORDER)
                   + f" | {med:.2f} | {sum(secs):.0f} |")
    return "\n".join(out)


def failures(rows, tools):
    out = []
    for t in tools:
        rs = [r for r in rows if r["tool"] == t and r["status"] not in ("converged",)]
        out.append(f"\n### {t}: {len(rs)} not converged\n")
        for st in STATUS_ORDER:
            group = [r for r in rs if r["status"] == st]
            if not group:
                continue
            out.append(f"\n#### {st} ({len(group)})\n")
            classes = collections.defaultdict(list)
            for r in group:
                classes[klass(st, r.get("detail", ""))].append(r)
            for k, g in sorted(classes.items(), key=lambda kv: -len(kv[1])):
                out.append(f"- **{len(g)}× `{k}`**")
                for r in sorted(g, key=lambda r: (r["source"], r["case"])):
                    det = (r.get("detail") or "").replace("\n", " ⏎ ")[:240]
                    out.append(f"  - {r['source']}/{r['case']}: {det}")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="+")
    ap.add_argument("--failures", action="store_true")
    ap.add_argument("--tool", action="append")
    ap.add_argument("--common", metavar="RESULTS",
                    help="only the cases this results file has (e.g. a peers run on a --sample)")
    a = ap.parse_args()
    rows = load(a.results)
    if a.common:
        keep = {(r["source"], r["case"]) for r in load([a.common])}
        rows = [r for r in rows if (r["source"], r["case"]) in keep]
    print(summary(rows))
    if a.failures:
        print(failures(rows, a.tool or ["shale-file", "shale-db"]))


if __name__ == "__main__":
    main()
