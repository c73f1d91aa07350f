//! Steps for publications and subscriptions (rules `SH260`–`SH267`).
//!
//! A publication's tables change with `ALTER PUBLICATION … DROP` and `… ADD` (tables
//! and, on PostgreSQL 15, schemas), or with one `… SET` when a table's column list or
//! row filter changes. A subscription is altered in this order: disabled first, then its
//! connection, publications and options, enabled last. `CREATE SUBSCRIPTION` that
//! creates a slot, `DROP SUBSCRIPTION` of one with a slot and `SET PUBLICATION` with a
//! refresh cannot run in a transaction block: those steps run alone.

use crate::build::{deps, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use shale_diff::publications::PublicationChange;
use shale_model::{quote_ident, quote_literal, ObjectId, Publication, Subscription};

mod rank {
    pub const DROP: u8 = 0;
    pub const CREATE: u8 = 20;
}

impl Builder<'_> {
    fn publication_step(
        &mut self,
        object: &ObjectId,
        action: Action,
        sql: String,
        risk: crate::model::Risk,
        transactional: bool,
    ) {
        let mut d = Draft::new(object.clone(), action, sql, risk, rank::CREATE);
        d.needs = deps(self.to, object);
        if action == Action::Alter {
            d.releases = deps(self.from, object);
        }
        d.creates = vec![object.clone()];
        d.transactional = transactional;
        self.push(d);
    }

    pub(crate) fn publication(&mut self, c: &PublicationChange) {
        let object = c.object();
        match c {
            PublicationChange::Create {
                publication,
                recreate,
            } => {
                let mut risk = self.risk(RuleId::CreatePublication, &object, |v| {
                    let t = publication.targets_sql();
                    v.detail = if t.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " for {}",
                            t.replace("TABLES IN SCHEMA", "tables in schema")
                                .replace("TABLE ", "")
                                .replace("ALL TABLES", "all tables")
                        )
                    };
                });
                if let Some(why) = recreate {
                    risk.reason = format!("{} (created again: {why})", risk.reason);
                }
                self.publication_step(
                    &object,
                    Action::Create,
                    publication.create_sql(),
                    risk,
                    true,
                );
            }
            PublicationChange::Drop {
                publication,
                recreate,
            } => {
                let risk = match recreate {
                    Some(why) => self.risk(RuleId::RecreatePublication, &object, |v| {
                        v.detail = why.clone()
                    }),
                    None => self.risk(RuleId::DropPublication, &object, |_| {}),
                };
                let d = self.drop(
                    vec![object],
                    format!("DROP PUBLICATION {}", quote_ident(&publication.name)),
                    risk,
                    rank::DROP,
                );
                self.push(d);
            }
            PublicationChange::SetTargets { from, publication } => {
                for (sql, detail) in targets_sql(from, publication) {
                    let risk =
                        self.risk(RuleId::SetPublicationTables, &object, |v| v.detail = detail);
                    self.publication_step(&object, Action::Alter, sql, risk, true);
                }
            }
            PublicationChange::SetOptions { publication } => {
                let risk = self.risk(RuleId::SetPublicationOptions, &object, |v| {
                    v.detail = format!(
                        "publish = '{}', publish_via_partition_root = {}",
                        publication.publish(),
                        publication.via_root
                    )
                });
                let sql = format!(
                    "ALTER PUBLICATION {} SET (publish = {}, publish_via_partition_root = {})",
                    quote_ident(&publication.name),
                    quote_literal(&publication.publish()),
                    publication.via_root
                );
                self.publication_step(&object, Action::Alter, sql, risk, true);
            }
            PublicationChange::CreateSubscription { subscription } => {
                let risk = self.risk(RuleId::CreateSubscription, &object, |v| {
                    v.detail = format!(
                        " to publication{} {}{}",
                        if subscription.publications.len() > 1 { "s" } else { "" },
                        subscription
                            .publications
                            .iter()
                            .map(|p| quote_ident(p))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if subscription.enabled {
                            ", enabled: it connects to the publisher, creates its slot and copies the tables"
                        } else {
                            ", disabled and without connecting to the publisher"
                        }
                    )
                });
                // Creating a slot cannot run in a transaction block.
                let creates_slot = subscription.enabled;
                self.publication_step(
                    &object,
                    Action::Create,
                    subscription.create_sql(),
                    risk,
                    !creates_slot,
                );
            }
            PublicationChange::DropSubscription { subscription } => {
                let risk = self.risk(RuleId::DropSubscription, &object, |v| {
                    v.detail = match &subscription.slot_name {
                        Some(s) => format!(
                            " and its slot {} on the publisher is dropped",
                            quote_ident(s)
                        ),
                        None => String::new(),
                    }
                });
                let mut d = self.drop(
                    vec![object],
                    format!("DROP SUBSCRIPTION {}", quote_ident(&subscription.name)),
                    risk,
                    rank::DROP,
                );
                // With a slot, PostgreSQL refuses it in a transaction block.
                d.transactional = subscription.slot_name.is_none();
                self.push(d);
            }
            PublicationChange::AlterSubscription { from, subscription } => {
                for (sql, detail, transactional) in alter_subscription_sql(from, subscription) {
                    let risk = self.risk(RuleId::AlterSubscription, &object, |v| v.detail = detail);
                    self.publication_step(&object, Action::Alter, sql, risk, transactional);
                }
            }
        }
    }
}

/// `public.t`, `public.t (a, b)`, `tables in schema s`.
fn target_names(p: &Publication) -> Vec<String> {
    let mut v: Vec<String> = p.tables.iter().map(|t| t.table.to_string()).collect();
    v.extend(
        p.schemas
            .iter()
            .map(|s| format!("tables in schema {}", quote_ident(s))),
    );
    v
}

/// The statements that change `from`'s tables and schemas into `to`'s, with a detail.
fn targets_sql(from: &Publication, to: &Publication) -> Vec<(String, String)> {
    let name = quote_ident(&to.name);
    let changed = to
        .tables
        .iter()
        .any(|t| from.tables.iter().any(|f| f.table == t.table && f != t));
    if changed && (!to.tables.is_empty() || !to.schemas.is_empty()) {
        return vec![(
            format!("ALTER PUBLICATION {name} SET {}", to.targets_sql()),
            format!("now {}", target_names(to).join(", ")),
        )];
    }
    let mut out = Vec::new();
    let mut drops = Vec::new();
    let mut dropped = Vec::new();
    let removed: Vec<_> = from
        .tables
        .iter()
        .filter(|f| !to.tables.iter().any(|t| t.table == f.table) || changed)
        .collect();
    if !removed.is_empty() {
        let t: Vec<String> = removed.iter().map(|t| t.table.to_string()).collect();
        dropped.extend(t.clone());
        drops.push(format!("TABLE {}", t.join(", ")));
    }
    let removed_schemas: Vec<&String> = from
        .schemas
        .iter()
        .filter(|s| !to.schemas.contains(s))
        .collect();
    if !removed_schemas.is_empty() {
        let s: Vec<String> = removed_schemas.iter().map(|s| quote_ident(s)).collect();
        dropped.extend(s.iter().map(|s| format!("tables in schema {s}")));
        drops.push(format!("TABLES IN SCHEMA {}", s.join(", ")));
    }
    if !drops.is_empty() {
        out.push((
            format!("ALTER PUBLICATION {name} DROP {}", drops.join(", ")),
            format!("drops {}", dropped.join(", ")),
        ));
    }
    let mut adds = Vec::new();
    let mut added = Vec::new();
    let new_tables: Vec<_> = to
        .tables
        .iter()
        .filter(|t| !from.tables.iter().any(|f| f.table == t.table))
        .collect();
    if !new_tables.is_empty() {
        let t: Vec<String> = new_tables.iter().map(|t| t.sql()).collect();
        added.extend(new_tables.iter().map(|t| t.table.to_string()));
        adds.push(format!("TABLE {}", t.join(", ")));
    }
    let new_schemas: Vec<&String> = to
        .schemas
        .iter()
        .filter(|s| !from.schemas.contains(s))
        .collect();
    if !new_schemas.is_empty() {
        let s: Vec<String> = new_schemas.iter().map(|s| quote_ident(s)).collect();
        added.extend(s.iter().map(|s| format!("tables in schema {s}")));
        adds.push(format!("TABLES IN SCHEMA {}", s.join(", ")));
    }
    if !adds.is_empty() {
        out.push((
            format!("ALTER PUBLICATION {name} ADD {}", adds.join(", ")),
            format!("adds {}", added.join(", ")),
        ));
    }
    out
}

/// The statements that alter subscription `from` into `to`: (SQL, detail, transactional).
fn alter_subscription_sql(from: &Subscription, to: &Subscription) -> Vec<(String, String, bool)> {
    let name = quote_ident(&to.name);
    let mut out = Vec::new();
    if from.enabled && !to.enabled {
        out.push((
            format!("ALTER SUBSCRIPTION {name} DISABLE"),
            "disables it: replication pauses".to_string(),
            true,
        ));
    }
    if let (Some(a), Some(b)) = (&from.conninfo, &to.conninfo) {
        if a != b {
            out.push((
                format!("ALTER SUBSCRIPTION {name} CONNECTION {}", quote_literal(b)),
                "changes its connection".to_string(),
                true,
            ));
        }
    }
    let enabled_meanwhile = from.enabled && to.enabled;
    if from.publications != to.publications {
        let pubs: Vec<String> = to.publications.iter().map(|p| quote_ident(p)).collect();
        let refresh = if enabled_meanwhile {
            ""
        } else {
            " WITH (refresh = false)"
        };
        out.push((
            format!(
                "ALTER SUBSCRIPTION {name} SET PUBLICATION {}{refresh}",
                pubs.join(", ")
            ),
            format!("subscribes to {}", pubs.join(", ")),
            // A refresh cannot run in a transaction block.
            !enabled_meanwhile,
        ));
    }
    let mut set = Vec::new();
    if from.slot_name != to.slot_name {
        set.push(match &to.slot_name {
            Some(s) => format!("slot_name = {}", quote_literal(s)),
            None => "slot_name = NONE".to_string(),
        });
    }
    if from.synchronous_commit != to.synchronous_commit {
        set.push(format!(
            "synchronous_commit = {}",
            quote_literal(&to.synchronous_commit)
        ));
    }
    if from.binary != to.binary {
        set.push(format!("binary = {}", to.binary));
    }
    if from.streaming != to.streaming {
        set.push(format!("streaming = {}", to.streaming));
    }
    if !set.is_empty() {
        out.push((
            format!("ALTER SUBSCRIPTION {name} SET ({})", set.join(", ")),
            format!("sets {}", set.join(", ")),
            true,
        ));
    }
    if !from.enabled && to.enabled {
        out.push((
            format!("ALTER SUBSCRIPTION {name} ENABLE"),
            "enables it: replication starts".to_string(),
            true,
        ));
    }
    out
}
