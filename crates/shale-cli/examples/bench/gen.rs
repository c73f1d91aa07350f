//! The generated schemas of the benchmark: `schema(tables, changed)`.
//!
//! Two schemas (`public`, `app`); tables of 8–10 columns of mixed types with identity keys,
//! foreign keys, checks, defaults, one or two indexes and a unique key on some; every 20th
//! table partitioned by range with two partitions; one view per 10 tables (every third over
//! the previous view); one SQL and one PL/pgSQL function per 20 tables; an enum and a
//! trigger per 50 tables. `changed` alters about 5% of the tables (a column added, a
//! default changed, an index added, a check dropped) and a few views and functions.

use std::fmt::Write;

fn schema_of(i: usize) -> &'static str {
    if i.is_multiple_of(2) {
        "public"
    } else {
        "app"
    }
}

pub fn schema(tables: usize, changed: bool) -> String {
    let mut s = String::from(
        "CREATE SCHEMA app;\nCREATE TYPE public.state AS ENUM ('new', 'open', 'closed');\n\
         CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated := now();\n  RETURN NEW;\nEND\n$$;\n",
    );
    for i in 0..tables {
        let sch = schema_of(i);
        let ch = |k: usize| changed && i % 20 == k;
        if i % 20 == 10 {
            // A partitioned table with two partitions.
            let _ = write!(
                s,
                "CREATE TABLE {sch}.t{i} (id bigint NOT NULL, day date NOT NULL, amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0), note text{}, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);\n\
                 CREATE TABLE {sch}.t{i}_2025 PARTITION OF {sch}.t{i} FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n\
                 CREATE TABLE {sch}.t{i}_2026 PARTITION OF {sch}.t{i} FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n\
                 CREATE INDEX t{i}_day ON {sch}.t{i} (day);\n",
                if ch(10) { ", extra integer" } else { "" }
            );
            continue;
        }
        let parent = if i > 0 && (i - 1) % 20 != 10 {
            format!(
                " REFERENCES {}.t{} (id) ON DELETE CASCADE",
                schema_of(i - 1),
                i - 1
            )
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "CREATE TABLE {sch}.t{i} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  parent_id bigint{parent},\n  \
             name text NOT NULL CHECK (char_length(name) > 0),\n  amount numeric(12,2) NOT NULL DEFAULT {} CHECK (amount >= 0),\n  \
             st public.state NOT NULL DEFAULT 'new',\n  created timestamptz NOT NULL DEFAULT now(),\n  updated timestamptz,\n  \
             tags text[] NOT NULL DEFAULT '{{}}',\n  payload jsonb{}{}{}\n);\n",
            if ch(7) { "1" } else { "0" },
            if i % 3 == 0 { ",\n  code varchar(32) UNIQUE" } else { "" },
            if i % 4 == 1 && !ch(3) && !ch(1) {
                ",\n  CONSTRAINT t_amount_cap CHECK (amount < 1000000 OR st <> 'new')"
            } else {
                ""
            },
            if ch(0) { ",\n  note text" } else { "" },
        );
        let _ = writeln!(s, "CREATE INDEX t{i}_name ON {sch}.t{i} (name);");
        if i % 2 == 0 {
            let _ = writeln!(
                s,
                "CREATE INDEX t{i}_lower ON {sch}.t{i} (lower(name)) WHERE st <> 'closed';"
            );
        }
        if ch(13) {
            let _ = writeln!(s, "CREATE INDEX t{i}_created ON {sch}.t{i} (created);");
        }
        if i % 50 == 5 {
            let _ = writeln!(
                s,
                "CREATE TRIGGER t{i}_touch BEFORE UPDATE ON {sch}.t{i} FOR EACH ROW EXECUTE FUNCTION public.touch();"
            );
        }
    }
    // Views: over two tables, and every third one over the previous view too.
    let mut j = 0;
    while j * 10 + 2 < tables {
        let (a, b) = (j * 10 + 1, j * 10 + 2);
        let _ = writeln!(
            s,
            "CREATE VIEW {}.v{j} AS SELECT a.id, a.name, b.amount{} FROM {}.t{a} a JOIN {}.t{b} b ON b.parent_id = a.id WHERE a.st <> 'closed';",
            schema_of(j),
            if changed && j % 20 == 3 { ", b.created" } else { "" },
            schema_of(a),
            schema_of(b),
        );
        if j % 3 == 2 {
            let _ = writeln!(
                s,
                "CREATE VIEW {}.w{j} AS SELECT v.id, upper(v.name) AS name, v.amount * 2 AS doubled FROM {}.v{j} v WHERE v.amount > 0;",
                schema_of(j),
                schema_of(j)
            );
        }
        j += 1;
    }
    // Functions: one SQL and one PL/pgSQL per 20 tables.
    let mut k = 0;
    while k * 20 < tables {
        let t = k * 20;
        let _ = write!(
            s,
            "CREATE FUNCTION {sch}.f{k}(p bigint) RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT amount FROM {sch}.t{t} WHERE id = p $$;\n\
             CREATE FUNCTION {sch}.g{k}(x integer) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$\nBEGIN\n  RETURN x + {};\nEND\n$$;\n",
            if changed && k % 20 == 1 { 2 } else { 1 },
            sch = schema_of(t),
        );
        k += 1;
    }
    s
}

/// One file of small tables (a key, a few typed columns, a default, a check, every
/// tenth with an index), `bytes` long or just over: the "one file of N small tables"
/// input of issue 13 (`bench gen-flat MB DIR`).
pub fn flat(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 512);
    let mut i = 0;
    while out.len() < bytes {
        let _ = writeln!(
            out,
            "CREATE TABLE public.item_{i} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    \
             name text NOT NULL,\n    qty integer NOT NULL DEFAULT 0 CHECK (qty >= 0),\n    \
             created_at timestamptz NOT NULL DEFAULT now()\n);"
        );
        if i % 10 == 0 {
            let _ = writeln!(
                out,
                "CREATE INDEX item_{i}_name ON public.item_{i} (lower(name));"
            );
        }
        i += 1;
    }
    out
}
