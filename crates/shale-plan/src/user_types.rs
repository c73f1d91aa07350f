//! Steps for domains, composite and range types, and for re-creating a type that columns
//! use (an enum whose labels are removed or reordered, a domain whose base type changes):
//!
//! 1. `ALTER TYPE t RENAME TO t__shale_old` (the old type keeps its columns meanwhile);
//! 2. `CREATE TYPE t …` (the new definition);
//! 3. for every column of the type: `DROP DEFAULT` (the default names the old type),
//!    `ALTER COLUMN … TYPE t USING c::text::t` (an enum: through its label; a domain:
//!    a cast to the new domain), `SET DEFAULT` again;
//! 4. `DROP TYPE t__shale_old`.
//!
//! All in one transaction (the steps are transactional): if a row holds a removed label
//! the conversion fails and nothing changes.

use crate::build::{deps, rank, Builder, Draft};
use crate::model::{Action, Risk};
use crate::rules::RuleId;
use shale_diff::user_types::{ConvertedColumn, Recreated, TypeExtChange};
use shale_model::{
    quote_ident, quote_literal, Attribute, CompositeType, ConstraintKind, Domain, DomainCheck,
    IndexKeyExpr, ObjectId, QualName, RangeType, TypeRef,
};
use std::collections::BTreeMap;

/// The name a re-created type's old version gets while its columns are converted.
pub fn aside_name(name: &QualName) -> QualName {
    const SUFFIX: &str = "__shale_old";
    let mut end = name.name.len().min(63 - SUFFIX.len());
    while !name.name.is_char_boundary(end) {
        end -= 1;
    }
    QualName::new(
        name.schema.clone(),
        format!("{}{SUFFIX}", &name.name[..end]),
    )
}

fn collate(c: &Option<QualName>) -> String {
    match c {
        Some(c) => format!(" COLLATE {c}"),
        None => String::new(),
    }
}

fn check_sql(c: &DomainCheck) -> String {
    format!("CONSTRAINT {} CHECK ({})", quote_ident(&c.name), c.expr.sql)
}

/// `CREATE DOMAIN …` with its default, NOT NULL and checks (a `NOT VALID` check is added
/// by a separate step: `CREATE DOMAIN` cannot hold one).
pub fn create_domain_sql(d: &Domain) -> String {
    let mut sql = format!(
        "CREATE DOMAIN {} AS {}{}",
        d.name,
        d.base,
        collate(&d.collation)
    );
    if let Some(e) = &d.default {
        sql.push_str(&format!(" DEFAULT {}", e.sql));
    }
    if d.not_null {
        sql.push_str(" NOT NULL");
    }
    for c in d.checks.values().filter(|c| c.validated) {
        sql.push(' ');
        sql.push_str(&check_sql(c));
    }
    sql
}

fn attribute_sql(a: &Attribute) -> String {
    format!("{} {}{}", quote_ident(&a.name), a.ty, collate(&a.collation))
}

pub fn create_composite_sql(c: &CompositeType) -> String {
    format!(
        "CREATE TYPE {} AS ({})",
        c.name,
        c.attributes
            .iter()
            .map(attribute_sql)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

pub fn create_range_sql(r: &RangeType) -> String {
    let mut parts = vec![format!("SUBTYPE = {}", r.subtype)];
    if let Some(o) = &r.subtype_opclass {
        parts.push(format!("SUBTYPE_OPCLASS = {o}"));
    }
    if let Some(c) = &r.collation {
        parts.push(format!("COLLATION = {c}"));
    }
    if let Some(f) = &r.canonical {
        parts.push(format!("CANONICAL = {f}"));
    }
    if let Some(f) = &r.subtype_diff {
        parts.push(format!("SUBTYPE_DIFF = {f}"));
    }
    if let Some(m) = &r.multirange {
        parts.push(format!(
            "MULTIRANGE_TYPE_NAME = {}",
            QualName::new(r.name.schema.clone(), m.clone())
        ));
    }
    format!("CREATE TYPE {} AS RANGE ({})", r.name, parts.join(", "))
}

fn enum_sql(name: &QualName, labels: &[String]) -> String {
    format!(
        "CREATE TYPE {name} AS ENUM ({})",
        labels
            .iter()
            .map(|l| quote_literal(l))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

impl Builder<'_> {
    fn type_draft(&self, name: &QualName, action: Action, sql: String, risk: Risk) -> Draft {
        let object = ObjectId::Type { name: name.clone() };
        let mut d = Draft::new(object.clone(), action, sql, risk, rank::TYPE);
        d.needs = deps(self.to, &object);
        d.needs.extend(domain_functions(self.to, name));
        d.creates = vec![object.clone()];
        if action == Action::Alter {
            d.releases = deps(self.from, &object);
            d.releases.extend(domain_functions(self.from, name));
        }
        d
    }

    fn type_drop(&self, name: &QualName, sql: String, risk: Risk) -> Draft {
        let object = ObjectId::Type { name: name.clone() };
        let mut d = self.drop(vec![object], sql, risk, rank::DROP_TYPE);
        d.releases.extend(domain_functions(self.from, name));
        d.names_removed.push(name.clone());
        d
    }

    pub(crate) fn user_types(&mut self, c: &TypeExtChange) {
        let object = c.object();
        match c {
            TypeExtChange::CreateDomain { domain } => {
                let risk = self.risk(RuleId::CreateDomain, &object, |v| {
                    v.detail = format!(" over {}", domain.base)
                });
                let mut d = self.type_draft(
                    &domain.name,
                    Action::Create,
                    create_domain_sql(domain),
                    risk,
                );
                d.names_created.push(domain.name.clone());
                self.push(d);
                for chk in domain.checks.values().filter(|c| !c.validated) {
                    self.add_domain_check(&domain.name, chk, None);
                }
            }
            TypeExtChange::DropDomain { domain } => {
                let risk = self.risk(RuleId::DropDomain, &object, |_| {});
                let d = self.type_drop(&domain.name, format!("DROP DOMAIN {}", domain.name), risk);
                self.push(d);
            }
            TypeExtChange::SetDomainDefault { name, to, .. } => {
                let (sql, detail) = match to {
                    Some(e) => (
                        format!("ALTER DOMAIN {name} SET DEFAULT {}", e.sql),
                        format!("sets the default ({})", e.sql),
                    ),
                    None => (
                        format!("ALTER DOMAIN {name} DROP DEFAULT"),
                        "drops the default".to_string(),
                    ),
                };
                let risk = self.risk(RuleId::AlterDomainDefault, &object, |v| v.detail = detail);
                let d = self.type_draft(name, Action::Alter, sql, risk);
                self.push(d);
            }
            TypeExtChange::SetDomainNotNull { name, not_null } => {
                let (id, sql) = if *not_null {
                    (
                        RuleId::DomainSetNotNull,
                        format!("ALTER DOMAIN {name} SET NOT NULL"),
                    )
                } else {
                    (
                        RuleId::DomainDropNotNull,
                        format!("ALTER DOMAIN {name} DROP NOT NULL"),
                    )
                };
                let risk = self.risk(id, &object, |_| {});
                let d = self.type_draft(name, Action::Alter, sql, risk);
                self.push(d);
            }
            TypeExtChange::AddDomainCheck {
                name,
                check,
                recreate,
            } => self.add_domain_check(name, check, recreate.as_deref()),
            TypeExtChange::DropDomainCheck {
                name,
                check,
                recreate,
            } => {
                let risk = self.risk(RuleId::DomainDropCheck, &object, |v| {
                    v.detail = quote_ident(&check.name);
                    if let Some(why) = recreate {
                        v.detail.push_str(&format!(" (re-created: {why})"));
                    }
                });
                let d = self.type_draft(
                    name,
                    Action::Alter,
                    format!(
                        "ALTER DOMAIN {name} DROP CONSTRAINT {}",
                        quote_ident(&check.name)
                    ),
                    risk,
                );
                self.push(d);
            }
            TypeExtChange::ValidateDomainCheck { name, check } => {
                let risk = self.risk(RuleId::DomainValidateCheck, &object, |v| {
                    v.detail = quote_ident(check)
                });
                let mut d = self.type_draft(
                    name,
                    Action::Validate,
                    format!(
                        "ALTER DOMAIN {name} VALIDATE CONSTRAINT {}",
                        quote_ident(check)
                    ),
                    risk,
                );
                d.rank = rank::VALIDATE;
                self.push(d);
            }
            TypeExtChange::CreateComposite { composite } => {
                let risk = self.risk(RuleId::CreateCompositeType, &object, |_| {});
                let mut d = self.type_draft(
                    &composite.name,
                    Action::Create,
                    create_composite_sql(composite),
                    risk,
                );
                d.names_created.push(composite.name.clone());
                self.push(d);
            }
            TypeExtChange::DropComposite { composite } => {
                let risk = self.risk(RuleId::DropCompositeType, &object, |_| {});
                let d = self.type_drop(
                    &composite.name,
                    format!("DROP TYPE {}", composite.name),
                    risk,
                );
                self.push(d);
            }
            TypeExtChange::AddAttribute { name, attribute } => {
                let risk = self.risk(RuleId::AddAttribute, &object, |v| {
                    v.detail = attribute_sql(attribute)
                });
                let d = self.type_draft(
                    name,
                    Action::Alter,
                    format!(
                        "ALTER TYPE {name} ADD ATTRIBUTE {}",
                        attribute_sql(attribute)
                    ),
                    risk,
                );
                self.push(d);
            }
            TypeExtChange::DropAttribute { name, attribute } => {
                let risk = self.risk(RuleId::DropAttribute, &object, |v| {
                    v.detail = quote_ident(&attribute.name)
                });
                let d = self.type_draft(
                    name,
                    Action::Alter,
                    format!(
                        "ALTER TYPE {name} DROP ATTRIBUTE {}",
                        quote_ident(&attribute.name)
                    ),
                    risk,
                );
                self.push(d);
            }
            TypeExtChange::AlterAttribute { name, from, to } => {
                let risk = self.risk(RuleId::AlterAttribute, &object, |v| {
                    v.detail = format!(
                        "{} from {}{} to {}{}",
                        quote_ident(&to.name),
                        from.ty,
                        collate(&from.collation),
                        to.ty,
                        collate(&to.collation)
                    )
                });
                let d = self.type_draft(
                    name,
                    Action::Alter,
                    format!(
                        "ALTER TYPE {name} ALTER ATTRIBUTE {} TYPE {}{}",
                        quote_ident(&to.name),
                        to.ty,
                        collate(&to.collation)
                    ),
                    risk,
                );
                self.push(d);
            }
            TypeExtChange::CreateRange { range, recreate } => {
                let risk = self.risk(RuleId::CreateRangeType, &object, |v| {
                    v.detail = format!(" over {}", range.subtype);
                    if let Some(why) = recreate {
                        v.detail.push_str(&format!(" (re-created: {why})"));
                    }
                });
                let mut d =
                    self.type_draft(&range.name, Action::Create, create_range_sql(range), risk);
                d.names_created.push(range.name.clone());
                d.names_created.push(QualName::new(
                    range.name.schema.clone(),
                    range.multirange_name(),
                ));
                self.push(d);
            }
            TypeExtChange::DropRange { range, recreate } => {
                let risk = self.risk(RuleId::DropRangeType, &object, |v| {
                    if let Some(why) = recreate {
                        v.detail = format!(" to re-create it ({why})");
                    }
                });
                let mut d = self.type_drop(&range.name, format!("DROP TYPE {}", range.name), risk);
                d.names_removed.push(QualName::new(
                    range.name.schema.clone(),
                    range.multirange_name(),
                ));
                self.push(d);
            }
            TypeExtChange::RecreateType {
                name,
                recreated,
                columns,
            } => self.recreate_type(name, recreated, columns),
        }
    }

    fn add_domain_check(&mut self, name: &QualName, check: &DomainCheck, recreate: Option<&str>) {
        let object = ObjectId::Type { name: name.clone() };
        let id = if check.validated {
            RuleId::DomainAddCheck
        } else {
            RuleId::DomainAddCheckNotValid
        };
        let risk = self.risk(id, &object, |v| {
            v.detail = quote_ident(&check.name);
            if let Some(why) = recreate {
                v.detail.push_str(&format!(" (re-created: {why})"));
            }
        });
        let not_valid = if check.validated { "" } else { " NOT VALID" };
        let mut d = self.type_draft(
            name,
            Action::Alter,
            format!("ALTER DOMAIN {name} ADD {}{not_valid}", check_sql(check)),
            risk,
        );
        // Functions the check calls (created by this plan) come first.
        d.needs.extend(check.expr.refs.iter().flat_map(|r| {
            self.to
                .functions_named(r)
                .map(|f| f.id())
                .collect::<Vec<_>>()
        }));
        self.push(d);
    }

    fn recreate_type(
        &mut self,
        name: &QualName,
        recreated: &Recreated,
        columns: &[ConvertedColumn],
    ) {
        let object = ObjectId::Type { name: name.clone() };
        let old = aside_name(name);
        let (keyword, create_sql) = match recreated {
            Recreated::Enum { to, .. } => ("TYPE", enum_sql(name, &to.labels)),
            Recreated::Domain { to, .. } => ("DOMAIN", create_domain_sql(to)),
        };
        let used_by = columns
            .iter()
            .map(|c| format!("{}.{}", c.table, quote_ident(&c.column)))
            .collect::<Vec<_>>();
        let used_text = if used_by.is_empty() {
            "no column uses it".to_string()
        } else {
            format!("columns {}", used_by.join(", "))
        };

        // 1. Rename the old type aside.
        let risk = match recreated {
            Recreated::Enum { from, to, removed } if !removed.is_empty() && !columns.is_empty() => {
                self.risk(RuleId::RemoveEnumValues, &object, |v| {
                    v.detail = format!(
                        " from ({}) to ({}), removing {}; {used_text}",
                        labels_text(&from.labels),
                        labels_text(&to.labels),
                        labels_text(removed)
                    )
                })
            }
            _ => self.risk(RuleId::RenameTypeAside, &object, |v| {
                v.detail = format!("{old} ({used_text})")
            }),
        };
        let mut rename = Draft::new(
            object.clone(),
            Action::Alter,
            format!(
                "ALTER {keyword} {name} RENAME TO {}",
                quote_ident(&old.name)
            ),
            risk,
            rank::TYPE,
        );
        rename.names_removed.push(name.clone());
        let rename = self.push(rename);

        // 2. Create the new type.
        let create_risk = match recreated {
            Recreated::Enum { .. } => self.risk(RuleId::CreateEnum, &object, |_| {}),
            Recreated::Domain { to, .. } => self.risk(RuleId::CreateDomain, &object, |v| {
                v.detail = format!(" over {} (re-created)", to.base)
            }),
        };
        let mut create = self.type_draft(name, Action::Create, create_sql, create_risk);
        create.names_created.push(name.clone());
        create.after.push(rename);
        let create = self.push(create);
        if let Recreated::Domain { to, .. } = recreated {
            for chk in to.checks.values().filter(|c| !c.validated) {
                self.add_domain_check(name, chk, None);
            }
        }

        // 3. Checks and expression/partial indexes naming a converted column are rebuilt by
        // PostgreSQL from their text, which names the old type once it is renamed
        // (`'x'::t__shale_old`): drop the unchanged ones first and add them back after.
        let guards = self.guards(columns);
        let mut guard_drops: Vec<usize> = Vec::new();
        for g in &guards {
            let mut d = match g {
                Guard::Check { table, name } => {
                    let id = ObjectId::Constraint {
                        table: table.clone(),
                        name: name.clone(),
                    };
                    let risk = self.risk(RuleId::DropConstraint, &id, |v| {
                        v.detail = format!(
                            " while the type {name} is re-created (added back after)",
                            name = object_name_of(&object)
                        )
                    });
                    Draft::new(
                        id,
                        Action::Drop,
                        format!("ALTER TABLE {table} DROP CONSTRAINT {}", quote_ident(name)),
                        risk,
                        rank::DROP_CONSTRAINT,
                    )
                }
                Guard::Index { name, .. } => {
                    let id = ObjectId::Index { name: name.clone() };
                    let risk = self.risk(RuleId::DropIndex, &id, |v| {
                        v.detail = format!(
                            " while the type {} is re-created (built again after)",
                            object_name_of(&object)
                        )
                    });
                    Draft::new(
                        id,
                        Action::Drop,
                        format!("DROP INDEX {name}"),
                        risk,
                        rank::DROP_INDEX,
                    )
                }
            };
            d.after.push(create);
            guard_drops.push(self.push(d));
        }
        let mut converted_by_table: BTreeMap<QualName, Vec<usize>> = BTreeMap::new();

        // 4. Convert the columns.
        let mut last: Vec<usize> = vec![create];
        for c in columns {
            let col = ObjectId::Column {
                table: c.table.clone(),
                column: c.column.clone(),
            };
            let mut prev = create;
            if c.default_from.is_some() {
                // (The old default is not shown: its spelling differs between files and
                // a database, and plans from both must be equal.)
                let risk = self.risk(RuleId::DropDefault, &col, |v| {
                    v.detail = " while its type is re-created".to_string()
                });
                let mut d = Draft::new(
                    col.clone(),
                    Action::Alter,
                    format!(
                        "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                        c.table,
                        quote_ident(&c.column)
                    ),
                    risk,
                    rank::COLUMN,
                );
                d.after.push(prev);
                prev = self.push(d);
            }
            let new_ty = TypeRef {
                array: c.array,
                ..TypeRef::user(name.clone())
            };
            let using = match recreated {
                Recreated::Enum { .. } => {
                    let text = if c.array { "text[]" } else { "text" };
                    format!("{}::{text}::{new_ty}", quote_ident(&c.column))
                }
                Recreated::Domain { .. } => format!("{}::{new_ty}", quote_ident(&c.column)),
            };
            let risk = match recreated {
                Recreated::Enum { removed, .. } => {
                    self.risk(RuleId::ConvertColumnToRecreatedType, &col, |v| {
                        v.detail = if removed.is_empty() {
                            format!("{name} (labels reordered)")
                        } else {
                            format!(
                                "{name}; fails if a row holds a removed value ({})",
                                labels_text(removed)
                            )
                        }
                    })
                }
                Recreated::Domain { from, to } => self.risk(RuleId::RecreateDomain, &col, |v| {
                    v.detail = format!(
                        "{name} (base type {}{} becomes {}{})",
                        from.base,
                        collate(&from.collation),
                        to.base,
                        collate(&to.collation)
                    )
                }),
            };
            let mut d = Draft::new(
                col.clone(),
                Action::Alter,
                format!(
                    "ALTER TABLE {} ALTER COLUMN {} TYPE {new_ty} USING {using}",
                    c.table,
                    quote_ident(&c.column)
                ),
                risk,
                rank::COLUMN,
            );
            d.after.push(prev);
            d.after.extend(guard_drops.iter().copied());
            // Changed checks and indexes on the column are dropped by their own steps first.
            d.after_drops_of
                .extend(self.exprs_on_column(&c.table, &c.column));
            d.creates.push(col.clone());
            prev = self.push(d);
            converted_by_table
                .entry(c.table.clone())
                .or_default()
                .push(prev);
            if let Some(e) = &c.default_to {
                let risk = self.risk(RuleId::SetDefault, &col, |v| {
                    v.detail = format!(" back to {} after the type's re-creation", e.sql)
                });
                let mut d = Draft::new(
                    col.clone(),
                    Action::Alter,
                    format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}",
                        c.table,
                        quote_ident(&c.column),
                        e.sql
                    ),
                    risk,
                    rank::COLUMN,
                );
                d.after.push(prev);
                d.needs = deps(self.to, &col)
                    .into_iter()
                    .filter(|o| *o != object)
                    .collect();
                prev = self.push(d);
            }
            last.push(prev);
        }

        for g in &guards {
            let (table, d) = match g {
                Guard::Check { table, name } => {
                    let Some(c) = self
                        .to
                        .tables
                        .get(table)
                        .and_then(|t| t.constraints.get(name))
                    else {
                        continue;
                    };
                    let id = ObjectId::Constraint {
                        table: table.clone(),
                        name: name.clone(),
                    };
                    let risk = self.risk(RuleId::AddCheck, &id, |v| {
                        v.detail = " again after the type's re-creation".to_string()
                    });
                    let mut d = Draft::new(
                        id.clone(),
                        Action::Create,
                        format!("ALTER TABLE {table} ADD {}", crate::sql::constraint_def(c)),
                        risk,
                        rank::CONSTRAINT,
                    );
                    d.creates.push(id);
                    (table, d)
                }
                Guard::Index { table, name } => {
                    let Some(ix) = self.to.indexes.get(name) else {
                        continue;
                    };
                    let id = ObjectId::Index { name: name.clone() };
                    let risk = self.risk(RuleId::AddIndexBlocking, &id, |v| {
                        v.detail = " again after the type's re-creation".to_string()
                    });
                    let mut d = Draft::new(
                        id.clone(),
                        Action::Create,
                        crate::sql::create_index(ix, false),
                        risk,
                        rank::INDEX,
                    );
                    d.creates.push(id);
                    (table, d)
                }
            };
            let mut d = d;
            d.after
                .extend(converted_by_table.get(table).into_iter().flatten().copied());
            last.push(self.push(d));
        }

        // 5. Drop the old type, once no column holds it: after the conversions, the
        // drops of its columns and the changes of its columns to other types.
        let risk = self.risk(RuleId::DropTypeAside, &object, |v| {
            v.detail = old.to_string()
        });
        let mut drop = Draft::new(
            object.clone(),
            Action::Drop,
            format!("DROP {keyword} {old}"),
            risk,
            rank::DROP_TYPE,
        );
        drop.after = last;
        for (t, c) in self.from.columns_of_type(name) {
            if columns.iter().any(|x| x.table == t && x.column == c) {
                continue;
            }
            let col = ObjectId::Column {
                table: t.clone(),
                column: c.clone(),
            };
            let kept = self.to.tables.get(&t).and_then(|x| x.column(&c)).is_some();
            if kept {
                drop.needs.push(col);
            } else {
                drop.after_drops_of.push(col);
                drop.after_drops_of.push(ObjectId::Table { name: t });
            }
        }
        self.push(drop);
    }
}

/// A check or an expression/partial index that names a converted column.
enum Guard {
    Check { table: QualName, name: String },
    Index { table: QualName, name: QualName },
}

/// The functions of `cat` a domain's default or checks call (the normalizer does not list
/// function calls in `refs`, so they are found by name in the normalized text).
fn domain_functions(cat: &shale_model::Catalog, name: &QualName) -> Vec<ObjectId> {
    let Some(d) = cat.domains.get(name) else {
        return Vec::new();
    };
    let exprs: Vec<&shale_model::Expr> = d
        .default
        .iter()
        .chain(d.checks.values().map(|c| &c.expr))
        .collect();
    cat.functions
        .values()
        .filter(|f| {
            exprs
                .iter()
                .any(|e| shale_diff::mentions_identifier(&e.canon, &f.name.name))
        })
        .map(|f| f.id())
        .collect()
}

fn object_name_of(o: &ObjectId) -> String {
    crate::build::object_name(o)
}

impl Builder<'_> {
    /// Checks and expression/partial indexes of `from` naming a converted column that are
    /// unchanged in `to` (changed or dropped ones have steps of their own).
    fn guards(&self, columns: &[ConvertedColumn]) -> Vec<Guard> {
        let mut out = Vec::new();
        let mut seen: Vec<ObjectId> = Vec::new();
        for c in columns {
            for id in self.exprs_on_column(&c.table, &c.column) {
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id.clone());
                match id {
                    ObjectId::Constraint { table, name } => {
                        let a = self
                            .from
                            .tables
                            .get(&table)
                            .and_then(|t| t.constraints.get(&name));
                        let b = self
                            .to
                            .tables
                            .get(&table)
                            .and_then(|t| t.constraints.get(&name));
                        if a.is_some() && a == b {
                            out.push(Guard::Check { table, name });
                        }
                    }
                    ObjectId::Index { name } => {
                        let a = self.from.indexes.get(&name);
                        if a.is_some() && a == self.to.indexes.get(&name) {
                            out.push(Guard::Index {
                                table: c.table.clone(),
                                name,
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// Checks and expression/partial indexes of `from` on `table` whose expressions name
    /// `column`.
    fn exprs_on_column(&self, table: &QualName, column: &str) -> Vec<ObjectId> {
        let names = |e: &shale_model::Expr| {
            shale_diff::mentions_identifier(&e.canon, column)
                || shale_diff::mentions_identifier(&e.sql, column)
        };
        let mut out = Vec::new();
        if let Some(t) = self.from.tables.get(table) {
            for c in t.constraints.values() {
                if let ConstraintKind::Check { expr, .. } = &c.kind {
                    if names(expr) {
                        out.push(ObjectId::Constraint {
                            table: table.clone(),
                            name: c.name.clone(),
                        });
                    }
                }
            }
        }
        for ix in self.from.indexes.values().filter(|ix| &ix.table == table) {
            let in_keys = ix.keys.iter().any(|k| match &k.key {
                IndexKeyExpr::Expr(e) => names(e),
                IndexKeyExpr::Column(_) => false,
            });
            if in_keys || ix.predicate.as_ref().is_some_and(names) {
                out.push(ObjectId::Index {
                    name: ix.name.clone(),
                });
            }
        }
        out
    }
}

fn labels_text(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| quote_literal(l))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::Expr;

    fn parse(sql: &str) -> shale_model::Catalog {
        shale_sql::parse_sources(&[shale_sql::SourceFile {
            path: "t.sql".into(),
            text: sql.into(),
        }])
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn position(p: &crate::Plan, needle: &str) -> usize {
        p.steps
            .iter()
            .position(|s| s.sql.contains(needle))
            .unwrap_or_else(|| panic!("no step with {needle}"))
    }

    #[test]
    fn types_are_ordered_by_their_dependencies() {
        let empty = parse("");
        let full = parse(
            "CREATE FUNCTION is_even(x integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT x % 2 = 0';
             CREATE DOMAIN even AS integer CHECK (is_even(VALUE));
             CREATE DOMAIN small_even AS even CHECK (VALUE < 100);
             CREATE TYPE pair AS (a small_even, b text);
             CREATE TYPE pairs AS RANGE (subtype = numeric);
             CREATE TABLE t (p pair, e small_even[], r pairs);",
        );
        let p = crate::plan(&empty, &full, &crate::PlanOptions::default()).unwrap();
        assert!(position(&p, "FUNCTION public.is_even") < position(&p, "DOMAIN public.even "));
        assert!(position(&p, "DOMAIN public.even ") < position(&p, "DOMAIN public.small_even"));
        assert!(position(&p, "DOMAIN public.small_even") < position(&p, "TYPE public.pair AS ("));
        assert!(position(&p, "TYPE public.pair AS (") < position(&p, "CREATE TABLE"));
        assert!(position(&p, "TYPE public.pairs AS RANGE") < position(&p, "CREATE TABLE"));
        // And dropped in the reverse order.
        let back = crate::plan(&full, &empty, &crate::PlanOptions::default()).unwrap();
        assert!(position(&back, "DROP TABLE") < position(&back, "DROP TYPE public.pair"));
        assert!(
            position(&back, "DROP TYPE public.pair")
                < position(&back, "DROP DOMAIN public.small_even")
        );
        assert!(
            position(&back, "DROP DOMAIN public.small_even")
                < position(&back, "DROP DOMAIN public.even")
        );
        assert!(
            position(&back, "DROP DOMAIN public.even")
                < position(&back, "DROP FUNCTION public.is_even")
        );
    }

    #[test]
    fn aside_names_fit() {
        assert_eq!(
            aside_name(&QualName::new("public", "mood")).to_string(),
            "public.mood__shale_old"
        );
        let long = "x".repeat(63);
        assert_eq!(aside_name(&QualName::new("s", long)).name.len(), 63);
    }

    #[test]
    fn create_statements() {
        let mut d = Domain::new(
            QualName::new("public", "price"),
            TypeRef::builtin("numeric(10,2)"),
        );
        d.default = Some(Expr::new("0", "'0'"));
        d.not_null = true;
        d.checks.insert(
            "price_check".into(),
            DomainCheck {
                name: "price_check".into(),
                expr: Expr::new("VALUE >= 0", "value >= '0'"),
                validated: true,
            },
        );
        d.checks.insert(
            "later".into(),
            DomainCheck {
                name: "later".into(),
                expr: Expr::new("VALUE < 10", "value < '10'"),
                validated: false,
            },
        );
        assert_eq!(
            create_domain_sql(&d),
            "CREATE DOMAIN public.price AS numeric(10,2) DEFAULT 0 NOT NULL CONSTRAINT price_check CHECK (VALUE >= 0)"
        );
        let r = RangeType {
            name: QualName::new("public", "fr"),
            subtype: TypeRef::builtin("double precision"),
            subtype_opclass: None,
            collation: None,
            canonical: None,
            subtype_diff: Some(QualName::new("pg_catalog", "float8mi")),
            multirange: Some("frm".into()),
            comment: None,
        };
        assert_eq!(
            create_range_sql(&r),
            "CREATE TYPE public.fr AS RANGE (SUBTYPE = double precision, SUBTYPE_DIFF = pg_catalog.float8mi, MULTIRANGE_TYPE_NAME = public.frm)"
        );
    }
}
