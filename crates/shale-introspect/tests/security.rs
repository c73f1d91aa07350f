//! Row-level security, policies and privileges: the model of SQL files equals the
//! introspected model of a database where the same SQL ran. Roles are cluster-wide: each
//! test creates its own (unique names) and drops them at the end.

use shale_introspect::introspect_url;
use shale_model::security::PUBLIC;
use shale_model::{Catalog, Grant, ObjectId, PolicyCommand, QualName};
use shale_sql::{parse_sources, SourceFile};
use shale_testkit::TestDb;

fn files(sql: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "schema.sql".into(),
        text: sql.into(),
    }]
}

/// Roles created for one test, dropped (after what they own in `db`) on drop.
struct Roles {
    names: Vec<String>,
}

impl Roles {
    fn new(db: &TestDb, n: usize) -> Roles {
        let names: Vec<String> = (0..n).map(|i| format!("{}_r{i}", db.name())).collect();
        let mut admin =
            postgres::Client::connect(&shale_testkit::server_url(), postgres::NoTls).unwrap();
        for r in &names {
            admin
                .batch_execute(&format!("CREATE ROLE \"{r}\""))
                .unwrap();
        }
        Roles { names }
    }
    fn drop_in(&self, db: &TestDb) {
        for r in &self.names {
            let _ = db.try_execute(&format!("DROP OWNED BY \"{r}\""));
        }
    }
}

impl Drop for Roles {
    fn drop(&mut self) {
        if let Ok(mut admin) =
            postgres::Client::connect(&shale_testkit::server_url(), postgres::NoTls)
        {
            for r in &self.names {
                let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS \"{r}\""));
            }
        }
    }
}

/// Parse `sql` (with `{r0}`, `{r1}`… replaced by the test's roles), run it on a fresh
/// database, introspect: both models must be equal.
fn round_trip(name: &str, sql: &str, roles: usize) -> (Catalog, Vec<String>) {
    let db = TestDb::new(name);
    let r = Roles::new(&db, roles);
    let mut sql = sql.to_string();
    for (i, n) in r.names.iter().enumerate() {
        sql = sql.replace(&format!("{{r{i}}}"), n);
    }
    let parsed = parse_sources(&files(&sql)).unwrap_or_else(|e| panic!("{name}: {e}"));
    db.try_execute(&sql)
        .unwrap_or_else(|e| panic!("{name}: the SQL does not load: {e}"));
    let live = introspect_url(db.url()).unwrap_or_else(|e| panic!("{name}: {e}"));
    r.drop_in(&db);
    if parsed != live {
        let a = serde_json::to_string_pretty(&parsed).unwrap();
        let b = serde_json::to_string_pretty(&live).unwrap();
        let diff = similar::TextDiff::from_lines(&a, &b)
            .unified_diff()
            .context_radius(3)
            .header("files", "database")
            .to_string();
        panic!("{name}: phantom diff\n{diff}");
    }
    (live, r.names.clone())
}

#[test]
fn row_security_and_policies_meet() {
    let sql = "
CREATE TABLE docs (id int PRIMARY KEY, owner text NOT NULL, tenant int, body text,
                   published boolean DEFAULT false);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE docs FORCE ROW LEVEL SECURITY;
CREATE TABLE plain (id int);
ALTER TABLE plain ENABLE ROW LEVEL SECURITY;
ALTER TABLE plain DISABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON docs USING (published);
CREATE POLICY by_tenant ON docs AS RESTRICTIVE FOR ALL TO {r0}, {r1}
  USING (tenant = current_setting('app.tenant')::int)
  WITH CHECK (tenant = current_setting('app.tenant')::int);
CREATE POLICY mine ON docs FOR UPDATE TO {r1} USING (owner = current_user)
  WITH CHECK (owner = current_user AND body IS NOT NULL);
CREATE POLICY ins ON docs FOR INSERT WITH CHECK (id > 0);
CREATE POLICY del ON docs FOR DELETE TO PUBLIC USING (NOT published);
CREATE POLICY sel ON docs FOR SELECT TO {r0} USING (true);
CREATE POLICY gone ON docs USING (false);
DROP POLICY gone ON docs;
ALTER POLICY sel ON docs TO {r0}, {r1} USING (id < 100);
COMMENT ON POLICY del ON docs IS 'deletes only drafts';
";
    let (cat, roles) = round_trip("sec_policies", sql, 2);
    let docs = QualName::new("public", "docs");
    let t = &cat.tables[&docs];
    assert!(t.rls_enabled && t.rls_forced);
    let plain = &cat.tables[&QualName::new("public", "plain")];
    assert!(!plain.rls_enabled && !plain.rls_forced);
    assert_eq!(cat.policies.len(), 6);
    let p = &cat.policies[&(docs.clone(), "by_tenant".to_string())];
    assert!(!p.permissive);
    assert_eq!(p.command, PolicyCommand::All);
    let mut want = roles.clone();
    want.sort();
    assert_eq!(p.roles, want);
    let e = &cat.policies[&(docs.clone(), "everyone".to_string())];
    assert_eq!(e.roles, vec![PUBLIC.to_string()]);
    assert!(e.permissive && e.with_check.is_none());
    let s = &cat.policies[&(docs.clone(), "sel".to_string())];
    assert_eq!(s.roles, want);
    let d = &cat.policies[&(docs, "del".to_string())];
    assert_eq!(d.comment.as_deref(), Some("deletes only drafts"));
}

#[test]
fn privileges_meet() {
    let sql = "
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('a', 'b');
CREATE TYPE app.open AS ENUM ('x');
REVOKE USAGE ON TYPE app.mood FROM PUBLIC;
GRANT USAGE ON TYPE app.mood TO {r0};
CREATE TABLE app.t (id serial PRIMARY KEY, a int, b text, secret text);
CREATE TABLE app.u (id int);
CREATE TABLE app.untouched (id int);
GRANT USAGE ON SCHEMA app TO {r0}, {r1};
GRANT CREATE ON SCHEMA app TO {r1} WITH GRANT OPTION;
GRANT SELECT, INSERT ON app.t TO {r0};
GRANT ALL ON TABLE app.u TO {r1} WITH GRANT OPTION;
REVOKE GRANT OPTION FOR DELETE ON app.u FROM {r1};
REVOKE TRUNCATE ON app.u FROM {r1};
GRANT SELECT (a, b), UPDATE (b) ON app.t TO {r1};
GRANT SELECT ON app.untouched TO PUBLIC;
REVOKE SELECT ON app.untouched FROM PUBLIC;
GRANT USAGE, SELECT ON SEQUENCE app.t_id_seq TO {r0};
GRANT SELECT ON ALL TABLES IN SCHEMA app TO {r1};
REVOKE SELECT ON app.t FROM {r1};
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO {r0};
";
    let (cat, roles) = round_trip("sec_grants", sql, 2);
    let (r0, r1) = (&roles[0], &roles[1]);
    let t = QualName::new("app", "t");
    let on_t = cat.grants_on(&ObjectId::Table { name: t.clone() });
    assert_eq!(
        on_t.into_iter().collect::<Vec<_>>(),
        vec![
            Grant::new(r0, "INSERT", false),
            Grant::new(r0, "SELECT", false)
        ]
    );
    // REVOKE on the table took the column SELECTs with it; UPDATE (b) stays.
    assert!(cat
        .grants_on(&ObjectId::Column {
            table: t.clone(),
            column: "a".into()
        })
        .is_empty());
    assert_eq!(
        cat.grants_on(&ObjectId::Column {
            table: t,
            column: "b".into()
        })
        .into_iter()
        .collect::<Vec<_>>(),
        vec![Grant::new(r1, "UPDATE", false)]
    );
    let u = cat.grants_on(&ObjectId::Table {
        name: QualName::new("app", "u"),
    });
    assert!(u.contains(&Grant::new(r1, "DELETE", false)));
    assert!(u.contains(&Grant::new(r1, "SELECT", true)));
    assert!(!u.iter().any(|g| g.privilege == "TRUNCATE"));
    // Granted to PUBLIC and revoked again: only ALL TABLES IN SCHEMA's grant is left.
    assert_eq!(
        cat.grants_on(&ObjectId::Table {
            name: QualName::new("app", "untouched")
        })
        .into_iter()
        .collect::<Vec<_>>(),
        vec![Grant::new(r1, "SELECT", false)]
    );
    assert!(!cat.privileges.contains_key(&ObjectId::Type {
        name: QualName::new("app", "open")
    }));
    assert_eq!(
        cat.grants_on(&ObjectId::Schema {
            name: "public".into()
        })
        .into_iter()
        .collect::<Vec<_>>(),
        vec![Grant::new(r0, "USAGE", false)]
    );
}

#[test]
fn no_grants_no_privileges() {
    let sql = "
CREATE SCHEMA s;
CREATE TYPE s.e AS ENUM ('a');
CREATE TABLE s.t (id serial PRIMARY KEY, e s.e);
CREATE POLICY p ON s.t USING (id > 0);
";
    let (cat, _) = round_trip("sec_none", sql, 0);
    assert!(cat.privileges.is_empty());
    assert_eq!(cat.policies.len(), 1);
}

#[test]
fn function_privileges_meet() {
    let sql = "
CREATE SCHEMA api;
CREATE TYPE api.kind AS ENUM ('a', 'b');
CREATE FUNCTION api.add(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT a + b';
CREATE FUNCTION api.add(a numeric, b varchar(10)) RETURNS numeric LANGUAGE sql AS 'SELECT a';
CREATE FUNCTION api.k(x api.kind, OUT y text) LANGUAGE sql AS 'SELECT x::text';
CREATE FUNCTION api.open() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE api.p(n integer) LANGUAGE sql AS 'SELECT 1';
REVOKE EXECUTE ON FUNCTION api.add(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.add(int, int) TO {r0};
GRANT ALL ON FUNCTION api.add(numeric, character varying) TO {r1} WITH GRANT OPTION;
REVOKE ALL ON FUNCTION api.k FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE api.p TO {r0};
";
    let (cat, roles) = round_trip("sec_functions", sql, 2);
    let add = ObjectId::Function {
        name: QualName::new("api", "add"),
        args: "integer, integer".into(),
    };
    assert_eq!(
        cat.grants_on(&add).into_iter().collect::<Vec<_>>(),
        vec![Grant::new(&roles[0], "EXECUTE", false)]
    );
    let k = ObjectId::Function {
        name: QualName::new("api", "k"),
        args: "api.kind".into(),
    };
    assert!(cat.grants_on(&k).is_empty());
    // Untouched: PUBLIC may execute, as PostgreSQL creates functions.
    assert!(!cat.privileges.contains_key(&ObjectId::Function {
        name: QualName::new("api", "open"),
        args: String::new(),
    }));
}

#[test]
fn default_privileges_meet() {
    let sql = "
CREATE SCHEMA early;
CREATE TABLE early.before_defaults (id int);
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {r0};
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO {r1} WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA early GRANT INSERT, UPDATE ON TABLES TO {r1};
ALTER DEFAULT PRIVILEGES FOR ROLE {r0} GRANT USAGE ON TYPES TO {r1};
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO {r1};
ALTER DEFAULT PRIVILEGES GRANT DELETE ON TABLES TO {r1};
ALTER DEFAULT PRIVILEGES REVOKE DELETE ON TABLES FROM {r1};
CREATE TABLE early.after_defaults (id serial PRIMARY KEY);
CREATE TABLE public.plain (id int);
CREATE SCHEMA later;
CREATE FUNCTION later.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
REVOKE SELECT ON public.plain FROM {r0};
";
    let (cat, roles) = round_trip("sec_defaults", sql, 2);
    let (r0, r1) = (&roles[0], &roles[1]);
    assert_eq!(cat.default_privileges.len(), 6);
    assert!(!cat.privileges.contains_key(&ObjectId::Table {
        name: QualName::new("early", "before_defaults")
    }));
    let after = cat.grants_on(&ObjectId::Table {
        name: QualName::new("early", "after_defaults"),
    });
    assert_eq!(
        after.into_iter().collect::<Vec<_>>(),
        vec![
            Grant::new(r0, "SELECT", false),
            Grant::new(r1, "INSERT", false),
            Grant::new(r1, "UPDATE", false)
        ]
    );
    // The serial's sequence takes the sequence defaults.
    assert!(cat
        .grants_on(&ObjectId::Sequence {
            name: QualName::new("early", "after_defaults_id_seq")
        })
        .contains(&Grant::new(r1, "USAGE", true)));
    assert!(cat
        .grants_on(&ObjectId::Function {
            name: QualName::new("later", "f"),
            args: String::new()
        })
        .is_empty());
    assert!(cat
        .grants_on(&ObjectId::Table {
            name: QualName::new("public", "plain")
        })
        .is_empty());
    assert!(cat
        .grants_on(&ObjectId::Schema {
            name: "later".into()
        })
        .contains(&Grant::new(r1, "USAGE", false)));
}

#[test]
fn roles_named_and_missing() {
    let sql = "
CREATE TABLE t (id int);
CREATE POLICY p ON t TO {r0} USING (true);
GRANT SELECT ON t TO {r1}, PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO pg_monitor;
";
    let (cat, roles) = round_trip("sec_roles", sql, 2);
    let named = cat.roles_named();
    let mut want: Vec<String> = roles.clone();
    want.push("pg_monitor".into());
    want.sort();
    assert_eq!(named.iter().cloned().collect::<Vec<_>>(), want);
    let db = TestDb::new("sec_roles_missing");
    let mut c = db.client();
    let mut ask = named.clone();
    ask.insert("shale_no_such_role_xyz".into());
    // The test's roles are dropped by now; pg_monitor exists on every server.
    let mut missing = roles;
    missing.push("shale_no_such_role_xyz".into());
    missing.sort();
    assert_eq!(
        shale_introspect::missing_roles(&mut c, &ask).unwrap(),
        missing
    );
}

#[test]
fn policy_with_subquery_meets() {
    let sql = "
CREATE TABLE members (user_name text, org int);
CREATE TABLE docs (id int, org int);
CREATE POLICY org_members ON docs
  USING (EXISTS (SELECT 1 FROM members m WHERE m.org = docs.org AND m.user_name = current_user));
CREATE POLICY in_list ON docs FOR SELECT USING (org IN (SELECT org FROM members));
";
    let (cat, _) = round_trip("sec_subquery", sql, 0);
    assert_eq!(cat.policies.len(), 2);
}

/// `pg_dump --schema-only` (with privileges, without owners) of a database with policies
/// and grants reads back as the same model.
#[test]
fn pg_dump_output_reads_back() {
    let db = TestDb::new("sec_dump");
    let r = Roles::new(&db, 2);
    let sql = "
CREATE SCHEMA app;
CREATE TYPE app.kind AS ENUM ('a', 'b');
REVOKE USAGE ON TYPE app.kind FROM PUBLIC;
CREATE TABLE app.t (id serial PRIMARY KEY, k app.kind, note text, org int);
ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON app.t AS RESTRICTIVE FOR UPDATE TO {r0} USING (org = 1) WITH CHECK (note IS NOT NULL);
CREATE POLICY q ON app.t USING (EXISTS (SELECT 1 FROM app.t x WHERE x.id = t.org));
CREATE FUNCTION app.f(i int) RETURNS int LANGUAGE sql AS 'SELECT i';
REVOKE ALL ON FUNCTION app.f(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.f(int) TO {r1};
GRANT USAGE ON SCHEMA app TO {r0};
GRANT SELECT, UPDATE (note) ON app.t TO {r0} WITH GRANT OPTION;
GRANT USAGE ON SEQUENCE app.t_id_seq TO {r1};
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
"
    .replace("{r0}", &r.names[0])
    .replace("{r1}", &r.names[1]);
    db.execute(&sql);
    let live = introspect_url(db.url()).unwrap();
    let dump = std::process::Command::new(shale_testkit::pg_dump())
        .args(["--schema-only", "--no-owner"])
        .arg(format!("--dbname={}", db.url()))
        .output()
        .unwrap();
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let text = String::from_utf8_lossy(&dump.stdout).to_string();
    let parsed = parse_sources(&files(&text)).unwrap_or_else(|e| panic!("{e}\n{text}"));
    r.drop_in(&db);
    assert_eq!(parsed, live, "{text}");
    assert_eq!(live.policies.len(), 2);
    assert!(!live.privileges.is_empty());
}
