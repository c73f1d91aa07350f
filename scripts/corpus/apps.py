#!/usr/bin/env python3
"""Real application schemas (pg_dump `db/structure.sql` of public Rails applications).

    apps.py extract   --app NAME=PATH [...] [--file db/structure.sql] [--versions N] [--cases DIR]
    apps.py roundtrip --cases DIR [--out DIR]

PATH is a checkout or a bare git directory of the application's repository, with its
history (`git clone https://github.com/openstreetmap/openstreetmap-website`, or this
workplace's `fetch` tool: /work/.mirror/OWNER+NAME/repo). Nothing is written inside the
shale repository unless --cases says so (default target/corpus/cases, which git ignores).

extract: the last N+1 versions of the file in its git history (`git log -- FILE`, oldest
first) become N cases DIR/app-NAME/<k>_<old>_<new>/{current.sql,desired.sql,case.json}:
consecutive versions, that is one real migration (or a few) each. run.py then runs them
like any other case (from files and DB->DB, with the peers). The newest version is also
kept as DIR/app-NAME/HEAD.sql for roundtrip.

roundtrip: for each app's newest version: load it into a fresh database; `shale plan
--from DB --to HEAD.sql` must plan nothing (the dump read offline equals the database);
`shale inspect DB --format sql` then `shale plan --from DB --to <that output>` must plan
nothing (the inspect round trip), and that output loaded into a fresh database must dump
(pg_dump -s, normalized as run.py does) exactly as the original. Each result (ok, or the first planned step / error) is
appended to OUT/apps-roundtrip.jsonl.
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as R  # noqa: E402  (the runner's database and shale helpers)


def git(gitdir, *args):
    return subprocess.run(["git", "--git-dir", gitdir] + list(args), check=True,
                          capture_output=True, text=True, errors="replace").stdout


def gitdir_of(path):
    return os.path.join(path, ".git") if os.path.isdir(os.path.join(path, ".git")) else path


def extract(a):
    for spec in a.app:
        name, path = spec.split("=", 1)
        g = gitdir_of(path)
        log = git(g, "log", "--format=%H %cs", "--", a.file).split("\n")
        versions = [l.split() for l in log if l.strip()][: a.versions + 1][::-1]
        d = os.path.join(a.cases, f"app-{name}")
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            p = os.path.join(d, f)
            if os.path.isdir(p):
                for x in os.listdir(p):
                    os.remove(os.path.join(p, x))
                os.rmdir(p)
        texts = {h: git(g, "show", f"{h}:{a.file}") for h, _ in versions}
        for k in range(1, len(versions)):
            (h0, d0), (h1, d1) = versions[k - 1], versions[k]
            cd = os.path.join(d, f"{k:03d}_{h0[:8]}_{h1[:8]}")
            os.makedirs(cd, exist_ok=True)
            open(os.path.join(cd, "current.sql"), "w").write(texts[h0])
            open(os.path.join(cd, "desired.sql"), "w").write(texts[h1])
            json.dump({"source": f"app-{name}", "name": f"{h0[:8]} ({d0}) -> {h1[:8]} ({d1})",
                       "file": a.file, "roles": []}, open(os.path.join(cd, "case.json"), "w"), indent=1)
        head = versions[-1][0]
        open(os.path.join(d, "HEAD.sql"), "w").write(texts[head])
        json.dump({"app": name, "head": head, "file": a.file, "versions": [v[0] for v in versions],
                   "history_commits_touching_file": len([l for l in log if l.strip()])},
                  open(os.path.join(d, "app.json"), "w"), indent=1)
        print(f"{name}: {len(versions) - 1} consecutive pairs of {a.file} "
              f"(of {len([l for l in log if l.strip()])} versions in history), head {head[:12]}")


def first_step(text):
    return R.remaining_step(text) or text.strip()[:200]


def roundtrip(a):
    os.makedirs(a.out, exist_ok=True)
    res = open(os.path.join(a.out, "apps-roundtrip.jsonl"), "w")
    for app in sorted(os.listdir(a.cases)):
        if not app.startswith("app-"):
            continue
        d = os.path.join(a.cases, app)
        head = os.path.join(d, "HEAD.sql")
        if not os.path.exists(head):
            continue
        rdir = os.path.join(a.out, "runs", app, "roundtrip")
        os.makedirs(rdir, exist_ok=True)
        db = f"corpus_rt_{os.getpid()}"
        R.fresh_db(db)
        try:
            ok, err = R.load(db, head, os.path.join(rdir, "load.log"))
            if not ok:
                r = {"app": app, "check": "load", "status": "invalid", "detail": R.first_error(err)}
                res.write(json.dumps(r) + "\n")
                print(r)
                continue
            checks = []
            # 1. the dump itself, read offline, against the database it made
            checks.append(("plan db -> structure.sql", head))
            # 2. inspect's output
            t0 = time.time()
            rc, out, err = R.run([R.SHALE, "inspect", R.url(db), "--format", "sql"], cwd=rdir,
                                 log=os.path.join(rdir, "inspect.log"))
            insp = os.path.join(rdir, "inspect.sql")
            open(insp, "w").write(out)
            if rc != 0:
                r = {"app": app, "check": "inspect", "status": "failed", "detail": R.first_error(err),
                     "seconds": time.time() - t0}
                res.write(json.dumps(r) + "\n")
                print(r)
            else:
                checks.append(("plan db -> inspect output", insp))
                # 3. inspect's output loaded into a fresh database dumps as the original
                db2 = db + "_insp"
                R.fresh_db(db2)
                try:
                    ok, err = R.load(db2, insp, os.path.join(rdir, "load-inspect.log"))
                    if not ok:
                        r = {"app": app, "check": "inspect output loads and dumps equal", "status": "load-failed",
                             "detail": R.first_error(err)}
                    else:
                        want, got = R.dump(db, {}), R.dump(db2, {})
                        if want == got:
                            r = {"app": app, "check": "inspect output loads and dumps equal", "status": "ok",
                                 "detail": ""}
                        else:
                            head, full = R.diff_head(want, got)
                            open(os.path.join(rdir, "inspect.dump.diff"), "w").write(full)
                            r = {"app": app, "check": "inspect output loads and dumps equal", "status": "differs",
                                 "detail": head}
                finally:
                    R.drop_db(db2)
                res.write(json.dumps(r) + "\n")
                print(json.dumps(r))
            for label, target in checks:
                t0 = time.time()
                rc, out, err = R.run([R.SHALE, "plan", "--from", R.url(db), "--to", target, "--no-rollback"],
                                     cwd=rdir, log=os.path.join(rdir, "plan.log"))
                secs = time.time() - t0
                open(os.path.join(rdir, label.split()[-2].replace(".", "_") + ".plan.txt"), "w").write(
                    out + "\n--- stderr\n" + err)
                if rc == 0:
                    r = {"app": app, "check": label, "status": "ok", "detail": "", "seconds": secs}
                elif rc in (2, 3):
                    steps = sum(1 for l in out.splitlines() if R.re.match(r"\s+\d+\. \S", l))
                    r = {"app": app, "check": label, "status": "not-empty",
                         "detail": f"{steps} step(s); first: {first_step(out)}", "seconds": secs}
                else:
                    r = {"app": app, "check": label, "status": "refused", "detail": R.first_error(err),
                         "seconds": secs}
                res.write(json.dumps(r) + "\n")
                res.flush()
                print(json.dumps(r))
        finally:
            R.drop_db(db)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract")
    e.add_argument("--app", action="append", required=True, help="NAME=PATH (checkout or git dir)")
    e.add_argument("--file", default="db/structure.sql")
    e.add_argument("--versions", type=int, default=10)
    e.add_argument("--cases", default=os.path.join(R.ROOT, "target", "corpus", "cases"))
    r = sub.add_parser("roundtrip")
    r.add_argument("--cases", default=os.path.join(R.ROOT, "target", "corpus", "cases"))
    r.add_argument("--out", default=os.path.join(R.ROOT, "target", "corpus"))
    a = ap.parse_args()
    if a.cmd == "extract":
        extract(a)
    else:
        roundtrip(a)


if __name__ == "__main__":
    main()
