//! Round trip at scale: a generated SaaS-like schema of several hundred objects is loaded
//! into a database, dumped with `shale inspect --format sql`, the
//! dump is loaded into a fresh database, and that database planned against the original
//! files must need zero steps, with an identical `pg_dump --schema-only`.

mod common;

use common::shale;
use shale_testkit::TestDb;
use std::fmt::Write;

/// A multi-tenant app: per module a handful of tables with identity and uuid keys,
/// foreign keys (some cyclic, some cross-schema), checks, partial and expression indexes,
/// enums, sequences, comments, a view, functions, a trigger, row-level security with a
/// policy, and a range-partitioned table with a default partition and a partitioned index.
fn saas_schema(modules: usize) -> String {
    let mut s = String::new();
    s.push_str("CREATE EXTENSION IF NOT EXISTS pgcrypto;\n");
    s.push_str("CREATE SCHEMA core;\nCREATE SCHEMA \"Reporting\";\n");
    s.push_str("CREATE TYPE core.plan_tier AS ENUM ('free', 'team', 'enterprise');\n");
    s.push_str(
        "CREATE TABLE core.tenants (\n  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n  slug varchar(63) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),\n  tier core.plan_tier NOT NULL DEFAULT 'free',\n  created_at timestamptz NOT NULL DEFAULT now()\n);\n",
    );
    s.push_str("COMMENT ON TABLE core.tenants IS 'One customer organisation';\n");
    for m in 0..modules {
        let _ = write!(
            s,
            "CREATE TYPE m{m}_status AS ENUM ('draft', 'active', 'archived', 'it''s done');
CREATE SEQUENCE m{m}_ticket_no AS integer START 1000 INCREMENT 10 CACHE 5;
CREATE TABLE m{m}_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES core.tenants (id) ON DELETE CASCADE,
  parent_id bigint REFERENCES m{m}_items (id) ON DELETE SET NULL,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  status m{m}_status NOT NULL DEFAULT 'draft',
  price numeric(12,2) DEFAULT 0 CHECK (price >= 0),
  tags text[] NOT NULL DEFAULT '{{}}',
  attrs jsonb,
  ticket integer NOT NULL DEFAULT nextval('m{m}_ticket_no'),
  \"Display Name\" varchar(80),
  updated_at timestamptz,
  UNIQUE (tenant_id, name)
);
CREATE TABLE m{m}_events (
  id bigserial PRIMARY KEY,
  item_id bigint NOT NULL,
  kind text NOT NULL,
  at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  payload jsonb NOT NULL DEFAULT '{{}}',
  CONSTRAINT m{m}_events_kind_check CHECK (kind IN ('created', 'updated', 'deleted'))
);
ALTER TABLE m{m}_events ADD CONSTRAINT m{m}_events_item_fk FOREIGN KEY (item_id) REFERENCES m{m}_items (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX ON m{m}_items (tenant_id);
CREATE INDEX ON m{m}_items (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX ON m{m}_items (lower(name));
CREATE INDEX ON m{m}_items USING gin (tags);
CREATE INDEX m{m}_items_recent_idx ON m{m}_items (updated_at DESC NULLS LAST) INCLUDE (status) WHERE status <> 'archived';
CREATE INDEX ON m{m}_events (item_id, at DESC);
CREATE TABLE \"Reporting\".\"m{m} Daily\" (
  day date NOT NULL,
  tenant_id uuid NOT NULL REFERENCES core.tenants (id),
  items integer NOT NULL DEFAULT 0,
  revenue numeric(14,2),
  PRIMARY KEY (day, tenant_id)
);
CREATE VIEW m{m}_active_items AS SELECT id, tenant_id, name, price FROM m{m}_items WHERE status = 'active';
CREATE FUNCTION m{m}_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER m{m}_items_touch BEFORE UPDATE ON m{m}_items FOR EACH ROW EXECUTE FUNCTION m{m}_touch();
CREATE FUNCTION m{m}_total(t uuid) RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT coalesce(sum(price), 0) FROM m{m}_items WHERE tenant_id = t $$;
ALTER TABLE m{m}_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY m{m}_tenant_isolation ON m{m}_items USING (tenant_id::text = current_setting('app.tenant', true));
CREATE TABLE m{m}_metrics (
  tenant_id uuid NOT NULL,
  at date NOT NULL,
  value double precision
) PARTITION BY RANGE (at);
CREATE TABLE m{m}_metrics_2026 PARTITION OF m{m}_metrics FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE m{m}_metrics_default PARTITION OF m{m}_metrics DEFAULT;
CREATE INDEX ON m{m}_metrics (tenant_id, at);
COMMENT ON TABLE m{m}_items IS 'Items of module {m}';
COMMENT ON COLUMN m{m}_items.status IS 'Lifecycle; ''archived'' hides the item';
"
        );
    }
    s
}

#[test]
fn inspect_round_trips_a_schema_of_several_hundred_objects() {
    let sql = saas_schema(25);
    let dir = std::env::temp_dir().join(format!("shale-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let original = dir.join("original.sql");
    std::fs::write(&original, &sql).unwrap();

    let a = TestDb::new("rt_orig");
    a.execute(&sql);
    let objects = shale_introspect::introspect(&mut a.client())
        .unwrap()
        .objects()
        .len();
    assert!(objects >= 500, "only {objects} objects");

    // Both dump formats hold every family of the schema (views, functions, triggers,
    // RLS, policies, partitions).
    for format in ["sql", "yaml"] {
        let o = shale(&["inspect", a.url(), "--format", format]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let dump = dir.join(format!("dump.{format}"));
        std::fs::write(&dump, &o.stdout).unwrap();

        // Load the dump into a fresh database (YAML through a plan from empty).
        let b = TestDb::new("rt_copy");
        let o = shale(&[
            "apply",
            "--yes",
            "--db",
            b.url(),
            "--to",
            dump.to_str().unwrap(),
            "--allow",
            "high",
        ]);
        assert!(
            o.status.success(),
            "{format}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let o = shale(&[
            "plan",
            "--from",
            b.url(),
            "--to",
            original.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: the copy must plan to nothing against the original files:\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(
            a.pg_dump_schema(),
            b.pg_dump_schema(),
            "{format}: pg_dump of the copy differs from the original"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
