//! Publications and subscriptions.
//!
//! Rules, beyond those of the crate:
//! - A publication's tables and schemas change in place (the planner writes `ADD`,
//!   `DROP` or `SET`), and so do its `publish` and `publish_via_partition_root`
//!   options; `FOR ALL TABLES` cannot be added or removed: the publication is dropped
//!   and created again.
//! - A subscription's connection, publications, options and enabled state change in
//!   place; its connection string is compared only when both sides could read it.
//! - Comments are plain [`Change::SetComment`]s.

use crate::Change;
use serde::Serialize;
use shale_model::{Catalog, ObjectId, Publication, Subscription};

/// One difference in publications or subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "publication_change", rename_all = "snake_case")]
pub enum PublicationChange {
    /// `CREATE PUBLICATION` (without its comment).
    Create {
        publication: Publication,
        /// Why an existing publication is created again (`None` for a new one).
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    Drop {
        publication: Publication,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// Its tables or schemas change (`from` → `publication`).
    SetTargets {
        from: Publication,
        publication: Publication,
    },
    /// `ALTER PUBLICATION … SET (publish = …, publish_via_partition_root = …)`.
    SetOptions {
        publication: Publication,
    },
    CreateSubscription {
        subscription: Subscription,
    },
    DropSubscription {
        subscription: Subscription,
    },
    /// The connection, publications, options or enabled state change.
    AlterSubscription {
        from: Subscription,
        subscription: Subscription,
    },
}

impl PublicationChange {
    pub fn object(&self) -> ObjectId {
        match self {
            PublicationChange::Create { publication, .. }
            | PublicationChange::Drop { publication, .. }
            | PublicationChange::SetTargets { publication, .. }
            | PublicationChange::SetOptions { publication } => publication.id(),
            PublicationChange::CreateSubscription { subscription }
            | PublicationChange::DropSubscription { subscription }
            | PublicationChange::AlterSubscription { subscription, .. } => subscription.id(),
        }
    }
}

fn push(out: &mut Vec<Change>, c: PublicationChange) {
    out.push(Change::Publication {
        publication_change: c,
    });
}

fn comment(out: &mut Vec<Change>, object: ObjectId, from: &Option<String>, to: &Option<String>) {
    if from != to {
        out.push(Change::SetComment {
            object,
            from: from.clone(),
            to: to.clone(),
        });
    }
}

/// A subscription as compared: the connection string only when both sides know it.
fn comparable(s: &Subscription, other: &Subscription) -> Subscription {
    let mut s = s.clone();
    s.comment = None;
    if other.conninfo.is_none() {
        s.conninfo = None;
    }
    s
}

/// The changes in publications and subscriptions that turn `from` into `to`.
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    for (name, p0) in &from.publications {
        if !to.publications.contains_key(name) {
            push(
                out,
                PublicationChange::Drop {
                    publication: p0.clone(),
                    recreate: None,
                },
            );
        }
    }
    for (name, p1) in &to.publications {
        let bare = Publication {
            comment: None,
            ..p1.clone()
        };
        match from.publications.get(name) {
            Some(p0) if p0.all_tables == p1.all_tables => {
                if p0.tables != p1.tables || p0.schemas != p1.schemas {
                    push(
                        out,
                        PublicationChange::SetTargets {
                            from: p0.clone(),
                            publication: bare.clone(),
                        },
                    );
                }
                if p0.with_options() != p1.with_options() {
                    push(out, PublicationChange::SetOptions { publication: bare });
                }
                comment(out, p1.id(), &p0.comment, &p1.comment);
            }
            old => {
                let recreate = old.map(|_| {
                    if p1.all_tables {
                        "it becomes FOR ALL TABLES".to_string()
                    } else {
                        "it is no longer FOR ALL TABLES".to_string()
                    }
                });
                if let Some(p0) = old {
                    push(
                        out,
                        PublicationChange::Drop {
                            publication: p0.clone(),
                            recreate: recreate.clone(),
                        },
                    );
                }
                push(
                    out,
                    PublicationChange::Create {
                        publication: bare,
                        recreate,
                    },
                );
                comment(out, p1.id(), &None, &p1.comment);
            }
        }
    }
    for (name, s0) in &from.subscriptions {
        if !to.subscriptions.contains_key(name) {
            push(
                out,
                PublicationChange::DropSubscription {
                    subscription: s0.clone(),
                },
            );
        }
    }
    for (name, s1) in &to.subscriptions {
        match from.subscriptions.get(name) {
            Some(s0) => {
                if comparable(s0, s1) != comparable(s1, s0) {
                    let mut to = s1.clone();
                    if s0.conninfo.is_none() {
                        to.conninfo = None;
                    }
                    push(
                        out,
                        PublicationChange::AlterSubscription {
                            from: s0.clone(),
                            subscription: to,
                        },
                    );
                }
                comment(out, s1.id(), &s0.comment, &s1.comment);
            }
            None => {
                push(
                    out,
                    PublicationChange::CreateSubscription {
                        subscription: Subscription {
                            comment: None,
                            ..s1.clone()
                        },
                    },
                );
                comment(out, s1.id(), &None, &s1.comment);
            }
        }
    }
}
