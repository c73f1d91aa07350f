//! Policies, privileges and owners planned against a real server: the plan applies, and
//! planning again from the database finds nothing to do. Roles are cluster-wide: each test
//! creates its own and drops them at the end.

use shale_model::Catalog;
use shale_plan::{plan, render, PlanOptions};
use shale_sql::{parse_sources, read_owners, SourceFile};
use shale_testkit::TestDb;

struct Roles(Vec<String>);

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
        Roles(names)
    }
    fn fill(&self, sql: &str) -> String {
        let mut s = sql.to_string();
        for (i, n) in self.0.iter().enumerate() {
            s = s.replace(&format!("{{r{i}}}"), n);
        }
        s
    }
    fn release(&self, db: &TestDb) {
        for r in &self.0 {
            let _ = db.try_execute(&format!("DROP OWNED BY \"{r}\""));
        }
    }
}

impl Drop for Roles {
    fn drop(&mut self) {
        if let Ok(mut admin) =
            postgres::Client::connect(&shale_testkit::server_url(), postgres::NoTls)
        {
            for r in &self.0 {
                let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS \"{r}\""));
            }
        }
    }
}

fn files(sql: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "desired.sql".into(),
        text: sql.into(),
    }]
}

fn live(db: &TestDb, owners: bool) -> Catalog {
    let mut c = db.client();
    let mut cat = shale_introspect::introspect(&mut c).unwrap();
    if owners {
        shale_introspect::read_owners(&mut c, &mut cat).unwrap();
    }
    cat
}

/// Load `current`, plan to `desired` (with owners when asked), apply, plan again: empty.
fn converge(name: &str, current: &str, desired: &str, roles: usize, owners: bool) -> String {
    let db = TestDb::new(name);
    let r = Roles::new(&db, roles);
    let (current, desired) = (r.fill(current), r.fill(desired));
    db.execute(&current);
    let fs = files(&desired);
    let mut want = parse_sources(&fs).unwrap();
    if owners {
        read_owners(&fs, &mut want).unwrap();
    }
    let p = plan(&live(&db, owners), &want, &PlanOptions::default()).unwrap();
    let text = render::text(&p);
    for s in &p.steps {
        db.try_execute(&s.sql)
            .unwrap_or_else(|e| panic!("{name}: step failed: {}\n{e}\n{text}", s.sql));
    }
    let again = plan(&live(&db, owners), &want, &PlanOptions::default()).unwrap();
    assert!(
        again.is_empty(),
        "{name}: not converged:\n{}",
        render::text(&again)
    );
    r.release(&db);
    text
}

#[test]
fn policies_and_grants_to_created_roles_converge() {
    let current = "
CREATE TABLE t (id int PRIMARY KEY, tenant int, secret text);
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON t TO {r0} USING (tenant = 1);
GRANT SELECT ON t TO {r0};
GRANT SELECT (id), UPDATE (secret) ON t TO {r1};
";
    let desired = "
CREATE TABLE t (id int PRIMARY KEY, tenant int, secret text);
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
ALTER TABLE t FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON t TO {r0}, {r1} USING (tenant = 2) WITH CHECK (tenant > 0);
CREATE POLICY q ON t AS RESTRICTIVE FOR SELECT TO {r1} USING (secret IS NULL);
GRANT SELECT, INSERT ON t TO {r0} WITH GRANT OPTION;
GRANT SELECT (id, tenant) ON t TO {r1};
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {r1};
CREATE TABLE u (id int);
";
    let text = converge("sec_plan_roles", current, desired, 2, false);
    assert!(text.contains("ALTER POLICY p"), "{text}");
    assert!(text.contains("CREATE POLICY q"), "{text}");
    assert!(
        text.contains("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES"),
        "{text}"
    );
}

#[test]
fn owners_only_when_asked() {
    let current = "
CREATE SCHEMA s;
CREATE TABLE s.t (id serial PRIMARY KEY);
CREATE VIEW s.v AS SELECT id FROM s.t;
CREATE TYPE s.e AS ENUM ('a');
CREATE FUNCTION s.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
";
    let desired = "
CREATE SCHEMA s AUTHORIZATION {r0};
CREATE TABLE s.t (id serial PRIMARY KEY);
ALTER TABLE s.t OWNER TO {r1};
CREATE VIEW s.v AS SELECT id FROM s.t;
ALTER VIEW s.v OWNER TO {r1};
CREATE TYPE s.e AS ENUM ('a');
ALTER TYPE s.e OWNER TO {r0};
CREATE FUNCTION s.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
ALTER FUNCTION s.f(int) OWNER TO {r0};
";
    // Without --include owners: OWNER TO is accepted and ignored.
    let db = TestDb::new("sec_plan_no_owners");
    let r = Roles::new(&db, 2);
    db.execute(current);
    let want = parse_sources(&files(&r.fill(desired))).unwrap();
    assert!(want.owners.is_empty());
    let p = plan(&live(&db, false), &want, &PlanOptions::default()).unwrap();
    assert!(p.is_empty(), "{}", render::text(&p));
    r.release(&db);
    drop(db);
    drop(r);
    // With it: one ALTER … OWNER TO per object, and nothing left after.
    let text = converge("sec_plan_owners", current, desired, 2, true);
    for kw in [
        "ALTER SCHEMA s OWNER TO",
        "ALTER TABLE s.t OWNER TO",
        "ALTER VIEW s.v OWNER TO",
        "ALTER TYPE s.e OWNER TO",
        "ALTER ROUTINE s.f(integer) OWNER TO",
    ] {
        assert!(text.contains(kw), "{kw}:\n{text}");
    }
}

#[test]
fn create_script_round_trips_security() {
    // What `shale inspect --format sql` prints: loaded into a fresh database, the same model.
    let db = TestDb::new("sec_script_src");
    let r = Roles::new(&db, 2);
    let sql = r.fill(
        "
CREATE SCHEMA app;
CREATE TABLE app.orgs (id int PRIMARY KEY, name text);
CREATE TABLE app.docs (id int PRIMARY KEY, org int REFERENCES app.orgs, body text);
CREATE VIEW app.doc_names AS SELECT id, body FROM app.docs;
ALTER TABLE app.docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_org ON app.docs TO {r0}
  USING (org IN (SELECT id FROM app.orgs WHERE name = current_user));
CREATE POLICY writers ON app.docs FOR INSERT TO {r1} WITH CHECK (body IS NOT NULL);
GRANT USAGE ON SCHEMA app TO {r0}, {r1};
GRANT SELECT ON app.docs, app.doc_names TO {r0};
GRANT SELECT (id) ON app.doc_names TO {r1};
GRANT INSERT (org, body) ON app.docs TO {r1};
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO {r0};
CREATE TABLE app.later (id int);
REVOKE USAGE ON SCHEMA public FROM PUBLIC;
",
    );
    db.execute(&sql);
    let src = live(&db, false);
    let script = shale_plan::create_script(&src).unwrap();
    let copy = TestDb::new("sec_script_copy");
    copy.try_execute(&script)
        .unwrap_or_else(|e| panic!("script does not load: {e}\n{script}"));
    let back = live(&copy, false);
    let p = plan(&back, &src, &PlanOptions::default()).unwrap();
    assert!(p.is_empty(), "{}\n{script}", render::text(&p));
    assert_eq!(back, src);
    r.release(&copy);
    r.release(&db);
}

#[test]
fn a_recreated_view_gets_its_grants_back() {
    let current = "
CREATE TABLE t (id int PRIMARY KEY, a text, b text);
CREATE VIEW v AS SELECT id, a, b FROM t;
GRANT SELECT ON v TO {r0};
GRANT SELECT (id) ON v TO {r1};
CREATE VIEW w AS SELECT id FROM t;
GRANT SELECT ON w TO {r1};
";
    // v loses a column (dropped and created again); w gains one (replaced in place).
    let desired = "
CREATE TABLE t (id int PRIMARY KEY, a text, b text);
CREATE VIEW v AS SELECT id, b FROM t;
GRANT SELECT ON v TO {r0};
GRANT SELECT (id) ON v TO {r1};
CREATE VIEW w AS SELECT id, a FROM t;
GRANT SELECT ON w TO {r1};
";
    let text = converge("sec_plan_views", current, desired, 2, false);
    assert!(text.contains("GRANT SELECT ON TABLE public.v"), "{text}");
    // Only meaningful while the view is dropped and created again.
    assert!(text.contains("DROP VIEW public.v"), "{text}");
}

#[test]
fn text_search_owners_converge_and_follow_a_re_creation() {
    let current = "
CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = simple);
CREATE TEXT SEARCH CONFIGURATION c (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION c ADD MAPPING FOR word WITH d;
";
    // The dictionary moves to another template (re-created, with the configuration
    // mapping to it): both are owned by the role running the plan afterwards unless
    // their owner is set again.
    let desired = "
CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = snowball, Language = english);
ALTER TEXT SEARCH DICTIONARY d OWNER TO {r0};
CREATE TEXT SEARCH CONFIGURATION c (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION c ADD MAPPING FOR word WITH d;
ALTER TEXT SEARCH CONFIGURATION c OWNER TO {r1};
";
    let text = converge("sec_plan_ts_owners", current, desired, 2, true);
    for kw in [
        "DROP TEXT SEARCH CONFIGURATION public.c",
        "ALTER TEXT SEARCH DICTIONARY public.d OWNER TO",
        "ALTER TEXT SEARCH CONFIGURATION public.c OWNER TO",
    ] {
        assert!(text.contains(kw), "{kw}:\n{text}");
    }
}
