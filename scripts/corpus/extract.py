#!/usr/bin/env python3
"""Turn two public schema-diff test suites into current/desired SQL cases.

    extract.py --psd PATH --migra PATH --pgschema PATH --out DIR

PATH is either a checkout (`git clone https://github.com/stripe/pg-schema-diff`) or a
bare git directory (this workplace's `fetch` tool gives /work/.mirror/OWNER+NAME/repo);
files are read from the work tree when there is one, else with `git show HEAD:path`.
Nothing fetched is written inside the repository: DIR is a scratch directory
(default target/corpus/cases).

Output: DIR/<source>/<case>/{current.sql, desired.sql, case.json}; case.json holds the
original name, the roles the case needs, the shale/migra/pg-delta options it implies,
and `skip` with the reason when the suite itself expects the plan to fail.

Sources:
  pg-schema-diff  internal/migration_acceptance_tests/*_cases_test.go. Each Go composite
                  literal of an `[]acceptanceTestCase{...}` is read with a small Go
                  tokenizer (raw and interpreted strings, comments, nesting), not regexes
                  over the text; `oldSchemaDDL`/`newSchemaDDL` become current/desired
                  (each string ends with `;` and they are joined in order), `roles` is
                  kept, `expectedPlanErrorIs`/`expectedPlanErrorContains` mark the case as
                  expecting an error (skipped and counted). A case whose planFactory reads
                  desired files from testdata/ directories gets those files, in order.
  pgschema        testdata/diff/<group>/<case>/{old.sql,new.sql} (the cases its own
                  diff and plan-and-apply tests run; one schema, public).
  migra           tests/FIXTURES/<name>/{a.sql,b.sql}; the suite's role
                  schemainspect_test_role; singleschema/excludeschema run with the
                  schema filter their test passes.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys


class Repo:
    def __init__(self, path):
        self.path = path
        self.worktree = os.path.isdir(os.path.join(path, ".git")) or (
            os.path.isdir(path) and not os.path.isfile(os.path.join(path, "HEAD"))
        )

    def read(self, rel):
        if self.worktree:
            with open(os.path.join(self.path, rel), encoding="utf-8") as f:
                return f.read()
        return subprocess.run(
            ["git", "--git-dir", self.path, "show", f"HEAD:{rel}"],
            check=True, capture_output=True, text=True,
        ).stdout

    def ls(self, rel):
        """Names directly under directory rel (files and directories)."""
        if self.worktree:
            return sorted(os.listdir(os.path.join(self.path, rel)))
        out = subprocess.run(
            ["git", "--git-dir", self.path, "ls-tree", "--name-only", f"HEAD:{rel}"],
            check=True, capture_output=True, text=True,
        ).stdout
        return sorted(x for x in out.splitlines() if x)

    def files_under(self, rel):
        """Paths of the files under directory rel, recursively, in lexical order."""
        if self.worktree:
            out = []
            for root, _, files in os.walk(os.path.join(self.path, rel)):
                out += [os.path.relpath(os.path.join(root, f), self.path) for f in files]
            return sorted(out)
        out = subprocess.run(
            ["git", "--git-dir", self.path, "ls-tree", "-r", "--name-only", "HEAD", rel + "/"],
            check=True, capture_output=True, text=True,
        ).stdout
        return sorted(x for x in out.splitlines() if x)

    def head(self):
        gitdir = os.path.join(self.path, ".git") if self.worktree else self.path
        try:
            return subprocess.run(
                ["git", "--git-dir", gitdir, "rev-parse", "HEAD"],
                check=True, capture_output=True, text=True,
            ).stdout.strip()
        except Exception:
            return "unknown"


# ---------------------------------------------------------------- Go literal reader

TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lcomment>//[^\n]*)
  | (?P<bcomment>/\*.*?\*/)
  | (?P<raw>`[^`]*`)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<char>'(?:[^'\\\n]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>[0-9][0-9a-zA-Z_.]*)
  | (?P<op>[{}()\[\],:;.+\-*/&|!=<>%^])
    """,
    re.S | re.X,
)


def tokenize(src):
    out, i = [], 0
    while i < len(src):
        m = TOKEN.match(src, i)
        if not m:
            raise ValueError(f"cannot tokenize Go at offset {i}: {src[i:i+30]!r}")
        kind = m.lastgroup
        if kind not in ("ws", "lcomment", "bcomment"):
            out.append((kind, m.group(0)))
        i = m.end()
    return out


def go_string(tok):
    kind, text = tok
    if kind == "raw":
        return text[1:-1].replace("\r", "")
    if kind == "str":
        # Go interpreted strings: the JSON escapes plus \a \b \f \v \x.. \ooo; these
        # suites use only the common ones.
        body = text[1:-1]
        body = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), body)
        return json.loads('"' + body.replace("\\'", "'") + '"')
    raise ValueError(f"not a string literal: {text}")


def split_top(tokens, open_i):
    """tokens[open_i] is '{'; return (list of element token lists, index after '}')."""
    depth, elems, cur, i = 0, [], [], open_i + 1
    while i < len(tokens):
        k, t = tokens[i]
        if t in "{([" and k == "op":
            depth += 1
        elif t in "})]" and k == "op":
            if depth == 0:
                if cur:
                    elems.append(cur)
                return elems, i + 1
            depth -= 1
        if t == "," and k == "op" and depth == 0:
            elems.append(cur)
            cur = []
        else:
            cur.append(tokens[i])
        i += 1
    raise ValueError("unbalanced braces")


def string_expr(toks):
    """A string expression: literals joined by '+'."""
    parts = [t for t in toks if not (t[0] == "op" and t[1] == "+")]
    return "".join(go_string(t) for t in parts)


def string_list(toks):
    """`nil` or `[]string{ "a", `b` + "c" }` -> list of strings."""
    if len(toks) == 1 and toks[0][1] == "nil":
        return []
    texts = [t[1] for t in toks[:4]]
    if texts[:3] != ["[", "]", "string"] or texts[3] != "{":
        raise ValueError("expected []string{...}: " + " ".join(t[1] for t in toks[:8]))
    elems, _ = split_top(toks, 3)
    return [string_expr(e) for e in elems]


def cases_in(src):
    """Yield (variable, dict of field -> tokens) for each acceptanceTestCase literal."""
    toks = tokenize(src)
    i = 0
    while i < len(toks) - 4:
        if (
            toks[i][1] == "["
            and toks[i + 1][1] == "]"
            and toks[i + 2][1] == "acceptanceTestCase"
            and toks[i + 3][1] == "{"
        ):
            var = toks[i - 2][1] if i >= 2 and toks[i - 1][1] == "=" else "?"
            elems, i = split_top(toks, i + 3)
            for e in elems:
                if not e or e[0][1] != "{":
                    continue
                fields_t, _ = split_top(e, 0)
                fields = {}
                for f in fields_t:
                    if len(f) >= 2 and f[0][0] == "ident" and f[1][1] == ":":
                        fields[f[0][1]] = f[2:]
                yield var, fields
        else:
            i += 1


def slug(name):
    s = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
    return s[:80] or "case"


def join_ddl(stmts):
    out = []
    for s in stmts:
        s = s.strip()
        if not s:
            continue
        if not s.endswith(";"):
            s += "\n;"
        out.append(s)
    return "\n\n".join(out) + "\n" if out else ""


def write_case(out_dir, source, name, current, desired, meta):
    d = os.path.join(out_dir, source, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "current.sql"), "w", encoding="utf-8") as f:
        f.write(current)
    with open(os.path.join(d, "desired.sql"), "w", encoding="utf-8") as f:
        f.write(desired)
    with open(os.path.join(d, "case.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1, sort_keys=True)


def extract_psd(repo, out_dir):
    base = "internal/migration_acceptance_tests"
    n = skipped = 0
    seen = set()
    for fname in repo.ls(base):
        if not fname.endswith("_cases_test.go"):
            continue
        src = repo.read(f"{base}/{fname}")
        group = fname[: -len("_cases_test.go")]
        for var, fields in cases_in(src):
            name = string_expr(fields["name"]) if "name" in fields else "unnamed"
            meta = {"source": "pg-schema-diff", "file": f"{base}/{fname}", "name": name}
            old = string_list(fields["oldSchemaDDL"]) if "oldSchemaDDL" in fields else []
            new = string_list(fields["newSchemaDDL"]) if "newSchemaDDL" in fields else []
            meta["roles"] = string_list(fields["roles"]) if "roles" in fields else []
            if "expectedPlanErrorIs" in fields or "expectedPlanErrorContains" in fields:
                meta["skip"] = "the suite expects the plan to fail"
            if "planOpts" in fields:
                meta["planOpts"] = " ".join(t[1] for t in fields["planOpts"])
            if "planFactory" in fields:
                pf = fields["planFactory"]
                meta["planFactory"] = " ".join(t[1] for t in pf)
                dirs = [go_string(t) for t in pf if t[0] in ("raw", "str")]
                if dirs and not new:
                    files = []
                    for d in dirs:
                        for f in repo.files_under(f"{base}/{d}"):
                            if f.endswith(".sql"):
                                files.append(repo.read(f))
                    new = files
            cname = f"{group}__{slug(name)}"
            k = 2
            while cname in seen:
                cname = f"{group}__{slug(name)}_{k}"
                k += 1
            seen.add(cname)
            write_case(out_dir, "pg-schema-diff", cname, join_ddl(old), join_ddl(new), meta)
            n += 1
            skipped += "skip" in meta
    return n, skipped


MIGRA_OPTS = {
    "singleschema": {"schema": "goodschema"},
    "excludeschema": {"exclude_schema": "excludedschema"},
}


def extract_migra(repo, out_dir):
    base = "tests/FIXTURES"
    n = 0
    for name in repo.ls(base):
        files = repo.ls(f"{base}/{name}")
        if "a.sql" not in files or "b.sql" not in files:
            continue
        meta = {
            "source": "migra",
            "file": f"{base}/{name}",
            "name": name,
            "roles": ["schemainspect_test_role"],
        }
        meta.update(MIGRA_OPTS.get(name, {}))
        write_case(out_dir, "migra", name, repo.read(f"{base}/{name}/a.sql"),
                   repo.read(f"{base}/{name}/b.sql"), meta)
        n += 1
    return n


def extract_pgschema(repo, out_dir):
    base = "testdata/diff"
    n = 0
    for group in repo.ls(base):
        if "." in group:
            continue
        for case in repo.ls(f"{base}/{group}"):
            files = repo.ls(f"{base}/{group}/{case}")
            if "old.sql" not in files or "new.sql" not in files:
                continue
            meta = {"source": "pgschema", "file": f"{base}/{group}/{case}", "name": f"{group}/{case}"}
            write_case(out_dir, "pgschema", f"{group}__{slug(case)}",
                       repo.read(f"{base}/{group}/{case}/old.sql"),
                       repo.read(f"{base}/{group}/{case}/new.sql"), meta)
            n += 1
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--psd", default=os.environ.get("PSD_REPO"), help="stripe/pg-schema-diff checkout or git dir (env PSD_REPO)")
    ap.add_argument("--migra", default=os.environ.get("MIGRA_REPO"), help="djrobstep/migra checkout or git dir (env MIGRA_REPO)")
    ap.add_argument("--pgschema", default=os.environ.get("PGSCHEMA_REPO"), help="pgschema/pgschema checkout or git dir (env PGSCHEMA_REPO)")
    ap.add_argument("--out", default="target/corpus/cases")
    a = ap.parse_args()
    if not a.psd and not a.migra and not a.pgschema:
        ap.error("give --psd, --migra and/or --pgschema (or PSD_REPO / MIGRA_REPO / PGSCHEMA_REPO)")
    for src in ("pg-schema-diff", "migra", "pgschema"):
        shutil.rmtree(os.path.join(a.out, src), ignore_errors=True)
    info = {}
    if a.psd:
        r = Repo(a.psd)
        n, s = extract_psd(r, a.out)
        info["pg-schema-diff"] = {"commit": r.head(), "cases": n, "expect_error": s}
        print(f"pg-schema-diff @ {r.head()[:12]}: {n} cases ({s} expect a plan error)")
    if a.migra:
        r = Repo(a.migra)
        n = extract_migra(r, a.out)
        info["migra"] = {"commit": r.head(), "cases": n, "expect_error": 0}
        print(f"migra @ {r.head()[:12]}: {n} cases")
    if a.pgschema:
        r = Repo(a.pgschema)
        n = extract_pgschema(r, a.out)
        info["pgschema"] = {"commit": r.head(), "cases": n, "expect_error": 0}
        print(f"pgschema @ {r.head()[:12]}: {n} cases")
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "sources.json"), "w") as f:
        json.dump(info, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
