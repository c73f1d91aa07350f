#!/usr/bin/env python3
"""Count the statements of SQL scripts and the online techniques they use.

    sqlstats.py FILE...   ->   prints "STATEMENTS CONCURRENTLY NOT_VALID"

A statement ends at a `;` outside quotes, dollar quotes and comments. Transaction
control and session settings (BEGIN, COMMIT, SET, RESET, ...) and psql meta-commands
are not counted: they are how a tool runs its changes, not changes.
"""
import re
import sys

SKIP = re.compile(
    r"^(BEGIN|COMMIT|END|ROLLBACK|START\s+TRANSACTION|SET|RESET|SELECT\s+pg_catalog\.set_config)\b",
    re.I,
)


def statements(text):
    out, cur, i, n = [], [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c == "\\" and (not "".join(cur).strip()):
            # psql meta-command: the rest of the line
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "'\"":
            j = i + 1
            while j < n:
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            cur.append(text[i : j + 1])
            i = j + 1
            continue
        if c == "$":
            m = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", text[i:])
            if m:
                tag = m.group(0)
                j = text.find(tag, i + len(tag))
                j = n if j < 0 else j + len(tag)
                cur.append(text[i:j])
                i = j
                continue
        if c == ";":
            s = "".join(cur).strip()
            if s:
                out.append(s)
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    s = "".join(cur).strip()
    if s:
        out.append(s)
    return out


def main():
    stmts = []
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            stmts.extend(statements(f.read()))
    changes = [s for s in stmts if not SKIP.match(s)]
    conc = sum(1 for s in changes if re.search(r"\bCONCURRENTLY\b", s, re.I))
    nv = sum(1 for s in changes if re.search(r"\bNOT\s+VALID\b", s, re.I))
    print(len(changes), conc, nv)


if __name__ == "__main__":
    main()
