#!/usr/bin/env python3
"""Convergence of shale (from files and DB->DB), pg-delta and migra on extracted cases.

    run.py [--cases DIR] [--out DIR] [--tools T,...] [--jobs N] [--only SUBSTR ...]

Cases come from extract.py (DIR/<source>/<case>/{current,desired}.sql, case.json).
For each case, on the server at $PGBASE (default postgresql://postgres@127.0.0.1:5432):
the roles it needs are created if missing; current.sql and desired.sql are loaded into
two fresh databases (a case whose SQL does not load is `invalid`, not a tool failure);
`want` = pg_dump --schema-only --no-owner of the desired database, normalized by
scripts/peers/dumpnorm.py (banners, column order and grant order not compared;
privileges are). Then, per tool, on a fresh copy of current (CREATE DATABASE TEMPLATE):

  shale-file  `shale plan --from CUR --to desired.sql --format sql` (timed; a failure is
              `refused`), then `shale apply --db TGT --to desired.sql --allow high`
              (plus --yes --no-prove when the binary has them) (a failure is `apply-failed`, or `verify-failed` when the steps ran but
              shale's own check after apply found differences), then the dump must equal
              `want` (else `diverged`), then `shale plan --from TGT --to desired.sql` must
              plan nothing (else `replan-not-empty`). All four: `converged` (strict).
  shale-db    the same with --to the desired database's URL; the SQL plan is run with
              psql (it has its own BEGIN/COMMIT; `shale apply` takes files only).
  migra       `migra --unsafe --with-privileges CUR DES`, run in one transaction.
  pg-delta    `pgdelta plan` + `render --allow-drops`, segments run as rendered.
  pg-delta-file `pgdelta schema apply --dir <desired.sql's dir> --shadow <empty db>
              --target TGT --force --allow-data-loss` (pg-delta's own files mode, which
              loads the files into the shadow database).
  Peers are judged on the dump alone (`converged` or `diverged`/`apply-failed`/
  `diff-failed`); their re-plan is not run.

Results: OUT/results.jsonl (one object per case and tool: status, detail, seconds) and
OUT/runs/<source>/<case>/ with each tool's SQL, logs and dump diff. Run report.py next.
Environment: PGBASE, SHALE (default target/debug/shale, or target/release/shale when
newer), PEERS_DIR (default /tmp/shale-peers; scripts/peers/setup.sh installs the peers).
"""
import argparse
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PGBASE = os.environ.get("PGBASE", "postgresql://postgres@127.0.0.1:5432")
PEERS_DIR = os.environ.get("PEERS_DIR", "/tmp/shale-peers")
DUMPNORM = os.path.join(ROOT, "scripts", "peers", "dumpnorm.py")
ALL_TOOLS = ["shale-file", "shale-db", "pg-delta", "pg-delta-file", "migra"]
TIMEOUT = int(os.environ.get("CORPUS_TIMEOUT", "300"))


def default_shale():
    cands = [os.path.join(ROOT, "target", p, "shale") for p in ("release", "debug")]
    cands = [c for c in cands if os.access(c, os.X_OK)]
    if not cands:
        return None
    return max(cands, key=os.path.getmtime)


SHALE = os.environ.get("SHALE") or default_shale()
PGDELTA = os.path.join(PEERS_DIR, "node_modules", ".bin", "pgdelta")
MIGRA = os.path.join(PEERS_DIR, "venv", "bin", "migra")


def url(db):
    return f"{PGBASE}/{db}"


def run(cmd, log=None, timeout=TIMEOUT, cwd=None, stdin=subprocess.DEVNULL, input=None):
    """Run cmd; return (rc, stdout, stderr). A timeout is rc 124."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                           stdin=None if input is not None else stdin, input=input,
                           errors="replace")
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = 124, (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), f"timed out after {timeout}s"
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"$ {' '.join(cmd)}\n[rc {rc}]\n{err}\n")
    return rc, out, err


def psql_admin(sql):
    return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url("postgres"), "-c", sql])


def fresh_db(name, template=None):
    psql_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    t = f' TEMPLATE "{template}"' if template else ""
    rc, _, err = psql_admin(f'CREATE DATABASE "{name}"{t}')
    if rc != 0:
        raise RuntimeError(f"CREATE DATABASE {name}: {err.strip()}")


def drop_db(name):
    psql_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load(db, path, log):
    rc, _, err = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", path, url(db)], log=log)
    return rc == 0, err


def dump(db, meta):
    cmd = ["pg_dump", "--schema-only", "--no-owner"]
    if meta.get("schema"):
        cmd += ["--schema", meta["schema"]]
    if meta.get("exclude_schema"):
        cmd += ["--exclude-schema", meta["exclude_schema"]]
    rc, out, err = run(cmd + [url(db)])
    if rc != 0:
        return None
    p = subprocess.run([sys.executable, DUMPNORM], input=out, capture_output=True, text=True)
    return p.stdout


def first_error(text, limit=400):
    """The first line that carries an error, with the line after it when it is context."""
    lines = [l for l in text.splitlines() if l.strip()]
    for i, l in enumerate(lines):
        low = l.lower()
        if low.startswith(("error", "psql:", "fatal")) or "error:" in low or "error[" in low:
            return l.strip()[:limit]
    return (lines[0].strip() if lines else "")[:limit]


def remaining_step(text):
    """The first step of a text plan ("    1. ALTER ..."), or None."""
    for l in text.splitlines():
        if re.match(r"\s+\d+\. \S", l):
            return l.strip()[:300]
    return None


def diff_head(want, got, n=12):
    import difflib
    d = list(difflib.unified_diff(want.splitlines(), got.splitlines(), "desired", "result", n=0, lineterm=""))
    body = [l for l in d if not l.startswith(("---", "+++", "@@"))]
    return "\n".join(body[:n]), "\n".join(d)


_role_lock = threading.Lock()
_roles_done = set()


def ensure_roles(roles):
    with _role_lock:
        for r in roles:
            if r in _roles_done:
                continue
            # As the suites do (`CREATE ROLE <name>`), once; an existing role is kept. Another
            # run creating roles at the same moment can make CREATE ROLE fail: retry.
            for _ in range(5):
                rc, _, _ = psql_admin(f"DO $$ BEGIN EXECUTE 'CREATE ROLE {r.replace(chr(39), chr(39)*2)}'; "
                                      f"EXCEPTION WHEN duplicate_object THEN NULL; END $$")
                if rc == 0:
                    break
                time.sleep(0.5)
            _roles_done.add(r)


def shale_filter_args(meta):
    a = []
    if meta.get("schema"):
        a += ["--schema", meta["schema"]]
    if meta.get("exclude_schema"):
        a += ["--exclude", meta["exclude_schema"] + ".*"]
    return a


_apply_flags = None


def apply_flags():
    """Flags `shale apply` needs to run unattended, by what this binary's --help offers."""
    global _apply_flags
    if _apply_flags is None:
        _, out, _ = run([SHALE, "apply", "--help"])
        # --no-prove: the proof on a copy would stop a non-converging plan before it runs;
        # the harness measures the plan itself (its own copy, dump and re-plan are the proof).
        _apply_flags = [f for f in ("--yes", "--no-prove") if f in out]
    return _apply_flags


def run_shale(tool, case_dir, rdir, cur, des, tgt, want, meta):
    desired = os.path.join(case_dir, "desired.sql") if tool == "shale-file" else url(des)
    verify = None
    log = os.path.join(rdir, f"{tool}.log")
    filt = shale_filter_args(meta)
    t0 = time.time()
    rc, out, err = run([SHALE, "plan", "--from", url(cur), "--to", desired, "--format", "sql",
                        "--no-rollback"] + filt, log=log, cwd=rdir)
    secs = time.time() - t0
    with open(os.path.join(rdir, f"{tool}.sql"), "w") as f:
        f.write(out)
    if rc not in (0, 2):
        return {"status": "refused", "detail": first_error(err or out), "seconds": secs}
    steps = sum(1 for l in out.splitlines() if re.match(r"-- \d+\. \[", l))
    fresh_db(tgt, cur)
    if tool == "shale-file":
        rc, aout, aerr = run([SHALE, "apply", "--db", url(tgt), "--to", desired, "--allow", "high"] + apply_flags() + filt,
                             log=log, cwd=rdir)
        with open(os.path.join(rdir, f"{tool}.apply.out"), "w") as f:
            f.write(aout + "\n--- stderr\n" + aerr)
        if rc != 0:
            text = aerr + "\n" + aout
            if "still differs from the desired state" not in text:
                return {"status": "apply-failed", "detail": first_error(aerr or aout), "seconds": secs, "steps": steps}
            # The steps ran; shale's own check found what remains. Judge it below.
            verify = remaining_step(text[text.index("still differs"):])
    else:
        rc, aout, aerr = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f",
                              os.path.join(rdir, f"{tool}.sql"), url(tgt)], log=log)
        if rc != 0:
            return {"status": "apply-failed", "detail": first_error(aerr), "seconds": secs, "steps": steps}
    got = dump(tgt, meta)
    if got != want:
        head, full = diff_head(want, got or "")
        with open(os.path.join(rdir, f"{tool}.dump.diff"), "w") as f:
            f.write(full)
        return {"status": "diverged", "detail": head, "seconds": secs, "steps": steps}
    rc, out, err = run([SHALE, "plan", "--from", url(tgt), "--to", desired, "--no-rollback"] + filt,
                       log=log, cwd=rdir)
    if rc != 0 or verify:
        with open(os.path.join(rdir, f"{tool}.replan.txt"), "w") as f:
            f.write(out + "\n--- stderr\n" + err)
        what = first_error(err) if rc not in (0, 2, 3) else (remaining_step(out) or verify)
        return {"status": "replan-not-empty", "detail": what, "seconds": secs, "steps": steps}
    return {"status": "converged", "detail": "", "seconds": secs, "steps": steps}


def run_migra(case_dir, rdir, cur, des, tgt, want, meta):
    log = os.path.join(rdir, "migra.log")
    u = PGBASE.replace("postgresql://", "postgresql+psycopg2://", 1).replace("postgres://", "postgresql+psycopg2://", 1)
    args = [MIGRA, "--unsafe", "--with-privileges"]
    if meta.get("schema"):
        args += ["--schema", meta["schema"]]
    if meta.get("exclude_schema"):
        args += ["--exclude_schema", meta["exclude_schema"]]
    t0 = time.time()
    rc, out, err = run(args + [f"{u}/{cur}", f"{u}/{des}"], log=log)
    secs = time.time() - t0
    sql = os.path.join(rdir, "migra.sql")
    with open(sql, "w") as f:
        f.write(out)
    if rc not in (0, 2):
        return {"status": "diff-failed", "detail": first_error(err), "seconds": secs}
    fresh_db(tgt, cur)
    rc, _, err = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", sql, url(tgt)], log=log)
    if rc != 0:
        return {"status": "apply-failed", "detail": first_error(err), "seconds": secs}
    return judge_dump("migra", rdir, tgt, want, meta, secs)


def judge_dump(tool, rdir, tgt, want, meta, secs):
    got = dump(tgt, meta)
    if got != want:
        head, full = diff_head(want, got or "")
        with open(os.path.join(rdir, f"{tool}.dump.diff"), "w") as f:
            f.write(full)
        return {"status": "diverged", "detail": head, "seconds": secs}
    return {"status": "converged", "detail": "", "seconds": secs}


def run_pgdelta(case_dir, rdir, cur, des, tgt, want, meta):
    log = os.path.join(rdir, "pg-delta.log")
    plan = os.path.join(rdir, "pg-delta.plan.json")
    for f in os.listdir(rdir):
        if f.startswith("pg-delta") and (f.endswith(".sql") or f.endswith(".json")):
            os.remove(os.path.join(rdir, f))
    t0 = time.time()
    rc, out, err = run([PGDELTA, "plan", "--source", url(cur), "--desired", url(des), "--out", plan], log=log)
    if rc != 0:
        return {"status": "diff-failed", "detail": first_error(err or out), "seconds": time.time() - t0}
    if os.path.exists(plan):
        rc, out2, err2 = run([PGDELTA, "render", "--plan", plan, "--out", os.path.join(rdir, "pg-delta.sql"),
                              "--allow-drops"], log=log)
        if rc != 0 and '"changes":false' not in out + err + out2 + err2:
            return {"status": "diff-failed", "detail": first_error(err2 or out2), "seconds": time.time() - t0}
    secs = time.time() - t0
    files = []
    if os.path.exists(os.path.join(rdir, "pg-delta.sql")):
        files.append(os.path.join(rdir, "pg-delta.sql"))
    segs = [f for f in os.listdir(rdir) if f.startswith("pg-delta_") and f.endswith(".sql")]
    segs.sort(key=lambda f: int("".join(c for c in f.split("_", 1)[1] if c.isdigit()) or 0))
    files += [os.path.join(rdir, f) for f in segs]
    fresh_db(tgt, cur)
    for f in files:
        with open(f) as fh:
            first = fh.readline()
        single = [] if "transaction=false" in first else ["--single-transaction"]
        rc, _, err = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"] + single + ["-f", f, url(tgt)], log=log)
        if rc != 0:
            return {"status": "apply-failed", "detail": first_error(err), "seconds": secs}
    return judge_dump("pg-delta", rdir, tgt, want, meta, secs)


def run_pgdelta_file(case_dir, rdir, cur, des, tgt, want, meta):
    log = os.path.join(rdir, "pg-delta-file.log")
    d = os.path.join(rdir, "pg-delta-file.dir")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    shutil.copy(os.path.join(case_dir, "desired.sql"), os.path.join(d, "desired.sql"))
    shadow = tgt + "_sh"
    fresh_db(shadow)
    fresh_db(tgt, cur)
    t0 = time.time()
    rc, out, err = run([PGDELTA, "schema", "apply", "--dir", d, "--shadow", url(shadow), "--target", url(tgt),
                        "--force", "--allow-data-loss"], log=log)
    secs = time.time() - t0
    drop_db(shadow)
    with open(os.path.join(rdir, "pg-delta-file.out"), "w") as f:
        f.write(out + "\n--- stderr\n" + err)
    if rc != 0:
        return {"status": "apply-failed", "detail": first_error(err or out), "seconds": secs}
    return judge_dump("pg-delta-file", rdir, tgt, want, meta, secs)


RUNNERS = {
    "migra": run_migra,
    "pg-delta": run_pgdelta,
    "pg-delta-file": run_pgdelta_file,
}


def run_case(case_dir, out_dir, tools, slot):
    meta = json.load(open(os.path.join(case_dir, "case.json")))
    source = meta["source"]
    name = os.path.basename(case_dir)
    base = {"source": source, "case": name}
    if meta.get("skip"):
        return [dict(base, tool="*", status="skipped", detail=meta["skip"], seconds=0)]
    rdir = os.path.join(out_dir, "runs", source, name)
    os.makedirs(rdir, exist_ok=True)
    for f in os.listdir(rdir):
        p = os.path.join(rdir, f)
        if os.path.isfile(p):
            os.remove(p)
    ensure_roles(meta.get("roles", []))
    tag = f"corpus_{os.getpid()}_{slot}"
    cur, des, tgt = tag + "_cur", tag + "_des", tag + "_tgt"
    results = []
    try:
        fresh_db(cur)
        fresh_db(des)
        load_log = os.path.join(rdir, "load.log")
        ok1, e1 = load(cur, os.path.join(case_dir, "current.sql"), load_log)
        ok2, e2 = load(des, os.path.join(case_dir, "desired.sql"), load_log)
        if not (ok1 and ok2):
            which = "current" if not ok1 else "desired"
            return [dict(base, tool="*", status="invalid",
                         detail=f"{which}.sql does not load: {first_error(e1 if not ok1 else e2)}", seconds=0)]
        want = dump(des, meta)
        for tool in tools:
            try:
                if tool.startswith("shale"):
                    r = run_shale(tool, case_dir, rdir, cur, des, tgt, want, meta)
                else:
                    r = RUNNERS[tool](case_dir, rdir, cur, des, tgt, want, meta)
            except Exception as e:  # a harness problem is reported, not hidden
                r = {"status": "harness-error", "detail": str(e)[:300], "seconds": 0}
            finally:
                drop_db(tgt)
            results.append(dict(base, tool=tool, **r))
    finally:
        drop_db(cur)
        drop_db(des)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=os.path.join(ROOT, "target", "corpus", "cases"))
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "corpus"))
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*", default=[], help="run cases whose source/name contains one of these")
    ap.add_argument("--sample", type=int, default=1,
                    help="run every K-th case of each source (sorted by name), for slow tools")
    ap.add_argument("--skip-done", default=None, metavar="RESULTS",
                    help="leave out the cases this results file already has (to resume a run)")
    ap.add_argument("--results", default=None, help="results file (default OUT/results.jsonl)")
    a = ap.parse_args()
    tools = [t for t in a.tools.split(",") if t]
    for t in tools:
        if t not in ALL_TOOLS:
            ap.error(f"unknown tool {t}")
    need = {"shale-file": SHALE, "shale-db": SHALE, "pg-delta": PGDELTA, "pg-delta-file": PGDELTA, "migra": MIGRA}
    for t in tools:
        if not need[t] or not os.access(need[t], os.X_OK):
            sys.exit(f"missing binary for {t}: {need[t]} (cargo build -p shale-cli; scripts/peers/setup.sh)")
    cases = []
    for source in sorted(os.listdir(a.cases)):
        sd = os.path.join(a.cases, source)
        if not os.path.isdir(sd):
            continue
        for i, c in enumerate(x for x in sorted(os.listdir(sd)) if os.path.isdir(os.path.join(sd, x))):
            if i % a.sample:
                continue
            key = f"{source}/{c}"
            if a.only and not any(o in key for o in a.only):
                continue
            cases.append(os.path.join(sd, c))
    if a.skip_done:
        done = set()
        for line in open(a.skip_done):
            if line.strip():
                r = json.loads(line)
                done.add(f"{r['source']}/{r['case']}")
        cases = [c for c in cases if f"{os.path.basename(os.path.dirname(c))}/{os.path.basename(c)}" not in done]
    os.makedirs(a.out, exist_ok=True)
    res_path = a.results or os.path.join(a.out, "results.jsonl")
    print(f"{len(cases)} cases, tools {','.join(tools)}, shale {SHALE}, jobs {a.jobs} -> {res_path}", flush=True)
    lock = threading.Lock()
    slots = list(range(a.jobs))
    slot_lock = threading.Lock()

    def work(cd):
        with slot_lock:
            s = slots.pop()
        try:
            return run_case(cd, a.out, tools, s)
        finally:
            with slot_lock:
                slots.append(s)

    t0 = time.time()
    with open(res_path, "w") as out, cf.ThreadPoolExecutor(a.jobs) as ex:
        for i, rs in enumerate(ex.map(work, cases), 1):
            with lock:
                for r in rs:
                    out.write(json.dumps(r) + "\n")
                out.flush()
                brief = " ".join(f"{r['tool']}={r['status']}" for r in rs)
                print(f"[{i}/{len(cases)} {time.time()-t0:.0f}s] {rs[0]['source']}/{rs[0]['case']}: {brief}", flush=True)


if __name__ == "__main__":
    main()
