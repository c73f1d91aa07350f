//! Row-level security switches, policies (`pg_policy`) and privileges (the `acl` columns of
//! `pg_class`, `pg_attribute`, `pg_namespace`, `pg_type`, `pg_proc`,
//! `pg_foreign_data_wrapper` and `pg_foreign_server`) from a live database.
//!
//! Privileges follow the model's convention (`shale_model::security`): per object, the
//! privileges held by roles other than its owner, after `acldefault` fills in a `NULL`
//! acl; stored only when they differ from a new object's. Objects the catalog does not
//! hold (system schemas, extension members) are left out.

use crate::queries::{query, Version};
use crate::{IntrospectError, SEARCH_PATH};
use postgres::Transaction;
use shale_model::security::{DefaultObjects, PUBLIC};
use shale_model::{Catalog, Expr, Grant, ObjectId, Policy, PolicyCommand, QualName, TypeRef};
use shale_sql::ExprContext;
use std::collections::{BTreeSet, HashMap};

pub(crate) struct Rows {
    version: Version,
    rls: Vec<(String, String, bool, bool)>,
    policies: Vec<PolicyRow>,
    acls: Vec<AclRow>,
    defaults: Vec<DefaultRow>,
}

struct DefaultRow {
    role: Option<String>,
    schema: Option<String>,
    objtype: String,
    items: Vec<String>,
}

struct PolicyRow {
    schema: String,
    table: String,
    name: String,
    cmd: String,
    permissive: bool,
    roles: Vec<String>,
    using: Option<String>,
    with_check: Option<String>,
    comment: Option<String>,
}

struct AclRow {
    kind: String,
    schema: String,
    name: String,
    column: Option<String>,
    relkind: String,
    items: Vec<String>,
}

const SYSTEM: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
                      AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

pub(crate) fn read(tx: &mut Transaction<'_>, version: Version) -> Result<Rows, IntrospectError> {
    let rls = query(
        tx,
        "row-level security",
        &format!(
            "SELECT n.nspname::text, c.relname::text, c.relrowsecurity, c.relforcerowsecurity
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity)
                AND {SYSTEM}"
        ),
    )?
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect();
    let policies = query(
        tx,
        "policies",
        &format!(
            "SELECT n.nspname::text, c.relname::text, p.polname::text, p.polcmd::text,
                    p.polpermissive,
                    ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r)::text END
                            FROM unnest(p.polroles) r),
                    pg_get_expr(p.polqual, p.polrelid),
                    pg_get_expr(p.polwithcheck, p.polrelid),
                    obj_description(p.oid, 'pg_policy')
               FROM pg_policy p
               JOIN pg_class c ON c.oid = p.polrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE {SYSTEM}
              ORDER BY 1, 2, 3"
        ),
    )?
    .iter()
    .map(|r| PolicyRow {
        schema: r.get(0),
        table: r.get(1),
        name: r.get(2),
        cmd: r.get(3),
        permissive: r.get(4),
        roles: r.get(5),
        using: r.get(6),
        with_check: r.get(7),
        comment: r.get(8),
    })
    .collect();
    let acls = query(
        tx,
        "privileges",
        &format!(
            "WITH objs AS (
               SELECT 'relation' AS kind, n.nspname, c.relname AS name, NULL::text AS col,
                      c.relkind::text AS relkind,
                      coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's'::\"char\"
                                                         ELSE 'r'::\"char\" END, c.relowner)) AS acl,
                      c.relowner AS owner
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {SYSTEM}
               UNION ALL
               SELECT 'column', n.nspname, c.relname, a.attname::text, c.relkind::text, a.attacl,
                      c.relowner
                 FROM pg_attribute a
                 JOIN pg_class c ON c.oid = a.attrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND {SYSTEM}
               UNION ALL
               SELECT 'schema', n.nspname, n.nspname, NULL, '',
                      -- A schema an extension's script made (postgis_topology's
                      -- `topology`) keeps the grants the script gave it: its own.
                      CASE WHEN EXISTS (SELECT 1 FROM pg_init_privs ip
                                         WHERE ip.classoid = 'pg_namespace'::regclass
                                           AND ip.objoid = n.oid AND ip.objsubid = 0
                                           AND ip.privtype = 'e'
                                           AND ip.initprivs = n.nspacl)
                           THEN acldefault('n', n.nspowner)
                           ELSE coalesce(n.nspacl, acldefault('n', n.nspowner)) END,
                      n.nspowner
                 FROM pg_namespace n WHERE {SYSTEM}
               UNION ALL
               SELECT 'type', n.nspname, t.typname, NULL, t.typtype::text,
                      coalesce(t.typacl, acldefault('T', t.typowner)), t.typowner
                 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class tc WHERE tc.oid = t.typrelid AND tc.relkind = 'c'))) AND {SYSTEM}
               UNION ALL
               SELECT 'function', n.nspname, p.proname,
                      coalesce((SELECT string_agg(pg_catalog.format_type(a.t, NULL), ', '
                                                  ORDER BY a.i)
                                  FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i)), ''),
                      p.prokind::text,
                      coalesce(p.proacl, acldefault('f', p.proowner)), p.proowner
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE p.prokind IN ('f', 'p') AND {SYSTEM}
               UNION ALL
               SELECT 'foreign data wrapper', '', w.fdwname, NULL, '',
                      coalesce(w.fdwacl, acldefault('F', w.fdwowner)), w.fdwowner
                 FROM pg_foreign_data_wrapper w
               UNION ALL
               SELECT 'server', '', s.srvname, NULL, '',
                      coalesce(s.srvacl, acldefault('S', s.srvowner)), s.srvowner
                 FROM pg_foreign_server s
             )
             SELECT kind, nspname::text, name::text, col::text, relkind,
                    ARRAY(SELECT CASE WHEN e.grantee = 0 THEN 'PUBLIC'
                                      ELSE pg_get_userbyid(e.grantee)::text END
                                 || chr(1) || e.privilege_type || chr(1) || e.is_grantable::text
                            FROM aclexplode(o.acl) e
                           WHERE e.grantee <> o.owner
                           ORDER BY 1)
               FROM objs o"
        ),
    )?
    .iter()
    .map(|r| AclRow {
        kind: r.get(0),
        schema: r.get(1),
        name: r.get(2),
        column: r.get(3),
        relkind: r.get(4),
        items: r.get(5),
    })
    .collect();
    let defaults = query(
        tx,
        "default privileges",
        "SELECT CASE WHEN d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                     THEN NULL ELSE pg_get_userbyid(d.defaclrole)::text END,
                n.nspname::text, d.defaclobjtype::text,
                ARRAY(SELECT CASE WHEN e.grantee = 0 THEN 'PUBLIC'
                                  ELSE pg_get_userbyid(e.grantee)::text END
                             || chr(1) || e.privilege_type || chr(1) || e.is_grantable::text
                        FROM aclexplode(d.defaclacl) e
                       WHERE e.grantee <> d.defaclrole
                       ORDER BY 1)
           FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace",
    )?
    .iter()
    .map(|r| DefaultRow {
        role: r.get(0),
        schema: r.get(1),
        objtype: r.get(2),
        items: r.get(3),
    })
    .collect();
    Ok(Rows {
        version,
        rls,
        policies,
        acls,
        defaults,
    })
}

fn normalize(
    sql: &str,
    column_types: &HashMap<String, TypeRef>,
    object: &str,
    what: &'static str,
) -> Result<Expr, IntrospectError> {
    let lookup = |name: &str| column_types.get(name).cloned();
    let ctx = ExprContext {
        column_type: &lookup,
        target_type: None,
        search_path: SEARCH_PATH,
    };
    shale_sql::normalize_expr(sql, &ctx).map_err(|message| IntrospectError::Expr {
        object: object.to_string(),
        what,
        sql: sql.to_string(),
        message,
    })
}

pub(crate) fn assemble(mut cat: Catalog, rows: Rows) -> Result<Catalog, IntrospectError> {
    // Modelled here, so not reported as objects shale does not model.
    cat.unmodeled
        .retain(|u| u.kind != "policy" && u.kind != "row-level security");
    for (schema, table, enabled, forced) in rows.rls {
        if let Some(t) = cat.tables.get_mut(&QualName::new(schema, table)) {
            t.rls_enabled = enabled;
            t.rls_forced = forced;
        }
    }
    for r in rows.policies {
        let table = QualName::new(r.schema, r.table);
        let Some(t) = cat.tables.get(&table) else {
            continue;
        };
        let types: HashMap<String, TypeRef> = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone()))
            .collect();
        let object = format!("policy {} on {table}", r.name);
        let command = match r.cmd.as_str() {
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            _ => PolicyCommand::All,
        };
        let norm = |s: &str, what: &'static str| {
            if shale_sql::expr_has_subquery(s) {
                shale_sql::normalize_policy_expr(s, &table, &cat, SEARCH_PATH).map_err(|message| {
                    IntrospectError::Expr {
                        object: object.clone(),
                        what,
                        sql: s.to_string(),
                        message,
                    }
                })
            } else {
                normalize(s, &types, &object, what)
            }
        };
        let using = r
            .using
            .as_deref()
            .map(|s| norm(s, "USING expression"))
            .transpose()?;
        let with_check = r
            .with_check
            .as_deref()
            .map(|s| norm(s, "WITH CHECK expression"))
            .transpose()?;
        let mut roles = r.roles;
        roles.sort();
        roles.dedup();
        let p = Policy {
            table: table.clone(),
            name: r.name.clone(),
            command,
            permissive: r.permissive,
            roles,
            using,
            with_check,
            comment: r.comment,
        };
        cat.policies.insert((table, r.name), p);
    }
    for r in rows.acls {
        let q = QualName::new(r.schema.clone(), r.name.clone());
        let object = match (r.kind.as_str(), r.column) {
            ("relation", _) => match r.relkind.as_str() {
                "S" => ObjectId::Sequence { name: q },
                "v" | "m" => ObjectId::View { name: q },
                _ => ObjectId::Table { name: q },
            },
            ("column", Some(c)) => ObjectId::Column {
                table: q,
                column: c,
            },
            ("schema", _) => ObjectId::Schema { name: r.schema },
            ("type", _) => ObjectId::Type { name: q },
            ("function", Some(args)) => ObjectId::Function { name: q, args },
            ("foreign data wrapper", _) => ObjectId::ForeignDataWrapper { name: r.name },
            ("server", _) => ObjectId::ForeignServer { name: r.name },
            _ => continue,
        };
        if !cat.acl_object_exists(&object) {
            continue;
        }
        let mut grants = grant_set(&r.items);
        if rows.version.has_maintain_privilege() {
            drop_maintain(&mut grants);
        }
        if rows.version.public_schema_creatable_by_default()
            && matches!(&object, ObjectId::Schema { name } if name == "public")
            && grants == pre15_public_schema_grants()
        {
            // The untouched pre-15 `public` schema: read as the model's new `public`
            // schema, so that files without GRANTs plan nothing on any version.
            grants = shale_model::security::baseline(&object);
        }
        cat.set_grants(object, grants);
    }
    for r in rows.defaults {
        let Some(objects) = DefaultObjects::from_catalog(&r.objtype) else {
            continue;
        };
        if r.schema
            .as_ref()
            .is_some_and(|s| !cat.schemas.contains_key(s))
        {
            continue;
        }
        let mut grants = grant_set(&r.items);
        if rows.version.has_maintain_privilege() {
            drop_maintain(&mut grants);
        }
        cat.set_default_grants((r.role, r.schema, objects), grants);
    }
    Ok(cat)
}

/// What `initdb` gives `PUBLIC` on the `public` schema before PostgreSQL 15.
fn pre15_public_schema_grants() -> BTreeSet<Grant> {
    [
        Grant::new(PUBLIC, "CREATE", false),
        Grant::new(PUBLIC, "USAGE", false),
    ]
    .into()
}

/// From 17 on tables have the `MAINTAIN` privilege (and `GRANT ALL` gives it), which the
/// model does not know: files cannot grant or revoke it, so what the catalog says about it
/// is left out, as for any object kind shale does not model. Otherwise every `GRANT ALL`
/// (and every `GRANT ALL` followed by a partial `REVOKE`) would read as a difference.
fn drop_maintain(grants: &mut BTreeSet<Grant>) {
    grants.retain(|g| g.privilege != "MAINTAIN");
}

/// `grantee \x01 privilege \x01 grantable` items → a set of grants.
fn grant_set(items: &[String]) -> BTreeSet<Grant> {
    let mut set = BTreeSet::new();
    for item in items {
        let parts: Vec<&str> = item.split('\u{1}').collect();
        let [grantee, privilege, grantable] = parts.as_slice() else {
            continue;
        };
        let grantee = if *grantee == "PUBLIC" {
            PUBLIC
        } else {
            grantee
        };
        set.insert(Grant::new(grantee, privilege, *grantable == "true"));
    }
    // The same privilege from two grantors, once with grant option: keep that one.
    let with: Vec<Grant> = set.iter().filter(|g| g.grantable).cloned().collect();
    for g in with {
        set.remove(&Grant::new(&g.grantee, &g.privilege, false));
    }
    set
}

/// Fill `cat.owners` (the model of the database `client` is connected to) with the owners
/// of its schemas, tables, views, sequences, types and functions. Only for `--include
/// owners`: by default owners are not part of the model.
pub fn read_owners(
    client: &mut postgres::Client,
    cat: &mut Catalog,
) -> Result<(), IntrospectError> {
    let q = |source| IntrospectError::Query {
        what: "owners",
        source,
    };
    let mut tx = client.transaction().map_err(q)?;
    // Every non-pg_catalog type name qualified, as in `introspect`.
    tx.batch_execute("SET LOCAL search_path = ''").map_err(q)?;
    let rows = tx
        .query(
            &format!(
                "SELECT 'relation', n.nspname::text, c.relname::text, c.relkind::text,
                        pg_get_userbyid(c.relowner)::text
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {SYSTEM}
                 UNION ALL
                 SELECT 'schema', n.nspname, n.nspname, '', pg_get_userbyid(n.nspowner)::text
                   FROM pg_namespace n WHERE {SYSTEM}
                 UNION ALL
                 SELECT 'type', n.nspname, t.typname, '', pg_get_userbyid(t.typowner)::text
                   FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                  WHERE (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class tc WHERE tc.oid = t.typrelid AND tc.relkind = 'c'))) AND {SYSTEM}
                 UNION ALL
                 SELECT 'function', n.nspname, p.proname,
                        coalesce((SELECT string_agg(pg_catalog.format_type(a.t, NULL), ', '
                                                    ORDER BY a.i)
                                    FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i)), ''),
                        pg_get_userbyid(p.proowner)::text
                   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                  WHERE p.prokind IN ('f', 'p') AND {SYSTEM}
                 UNION ALL
                 SELECT 'event trigger', '', e.evtname, '', pg_get_userbyid(e.evtowner)::text
                   FROM pg_event_trigger e
                 UNION ALL
                 SELECT 'text search dictionary', n.nspname, d.dictname, '',
                        pg_get_userbyid(d.dictowner)::text
                   FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
                  WHERE {SYSTEM}
                 UNION ALL
                 SELECT 'text search configuration', n.nspname, c.cfgname, '',
                        pg_get_userbyid(c.cfgowner)::text
                   FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
                  WHERE {SYSTEM}"
            ),
            &[],
        )
        .map_err(q)?;
    tx.rollback().map_err(q)?;
    for r in rows {
        let kind: String = r.get(0);
        let schema: String = r.get(1);
        let name: String = r.get(2);
        let extra: String = r.get(3);
        let owner: String = r.get(4);
        let q = QualName::new(schema.clone(), name);
        let object = match kind.as_str() {
            "relation" => match extra.as_str() {
                "S" => ObjectId::Sequence { name: q },
                "v" | "m" => ObjectId::View { name: q },
                _ => ObjectId::Table { name: q },
            },
            "schema" => ObjectId::Schema { name: schema },
            "type" => ObjectId::Type { name: q },
            "event trigger" => ObjectId::EventTrigger { name: q.name },
            "text search dictionary" => ObjectId::TextSearchDictionary { name: q },
            "text search configuration" => ObjectId::TextSearchConfiguration { name: q },
            _ => ObjectId::Function {
                name: q,
                args: extra,
            },
        };
        if cat.acl_object_exists(&object) {
            cat.owners.insert(object, owner);
        }
    }
    Ok(())
}

/// The roles of `names` that do not exist on the server `client` is connected to (roles
/// are cluster-wide). With [`Catalog::roles_named`] of the desired state, a live plan can
/// refuse to grant to a missing role before any step runs.
pub fn missing_roles(
    client: &mut postgres::Client,
    names: &BTreeSet<String>,
) -> Result<Vec<String>, IntrospectError> {
    let wanted: Vec<String> = names.iter().cloned().collect();
    let rows = client
        .query(
            "SELECT r FROM unnest($1::text[]) r
              WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) ORDER BY r",
            &[&wanted],
        )
        .map_err(|source| IntrospectError::Query {
            what: "roles",
            source,
        })?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(grantee: &str, privilege: &str, grantable: bool) -> Grant {
        Grant::new(grantee, privilege, grantable)
    }

    #[test]
    fn maintain_is_not_modelled() {
        let mut grants: BTreeSet<Grant> = [
            g("r", "SELECT", true),
            g("r", "MAINTAIN", true),
            g("s", "MAINTAIN", false),
        ]
        .into();
        drop_maintain(&mut grants);
        assert_eq!(grants, [g("r", "SELECT", true)].into());
    }

    #[test]
    fn version_gates() {
        assert!(Version(130023).public_schema_creatable_by_default());
        assert!(!Version(150000).public_schema_creatable_by_default());
        assert!(!Version(160014).has_maintain_privilege());
        assert!(Version(170000).has_maintain_privilege());
        assert!(!Version(130023).has_column_compression());
        assert!(Version(140000).has_column_compression());
    }
}
