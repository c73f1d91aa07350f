#!/usr/bin/env python3
"""Normalize `pg_dump --schema-only` output for comparing two databases.

    dumpnorm.py < dump.sql > normalized.sql

Drops the lines that differ between databases or runs (version banners, \\restrict keys,
comments), collapses blank lines, and sorts the column lines of each CREATE TABLE (so a
column added at the end by ALTER TABLE equals one written in the middle; the order of
columns is not compared). Constraints are dumped as separate ALTER TABLE statements, so
the lines between `CREATE TABLE ... (` and `)` are columns (and table-level CHECKs of
inherited tables, sorted along with them). Runs of consecutive GRANT/REVOKE lines are
sorted too: pg_dump prints an object's privileges in the order of its ACL array, which
follows the order the grants were made in, not what they are.
"""
import sys


def main():
    out, block = [], None
    for line in sys.stdin.read().splitlines():
        if line.startswith("--") or line.startswith("\\restrict") or line.startswith("\\unrestrict"):
            continue
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        if block is not None:
            if line.startswith(")"):
                out.extend(sorted(block))
                out.append(line)
                block = None
            else:
                block.append(line.rstrip(","))
            continue
        out.append(line)
        if line.startswith("CREATE TABLE ") and line.endswith("("):
            block = []
        elif line.startswith("CREATE UNLOGGED TABLE ") and line.endswith("("):
            block = []
    # Sort each run of privilege lines.
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and out[j].startswith(("GRANT ", "REVOKE ")):
            j += 1
        if j > i + 1:
            out[i:j] = sorted(out[i:j])
        i = max(j, i + 1)
    sys.stdout.write("\n".join(out).strip() + "\n")


if __name__ == "__main__":
    main()
