//! Rename hints: the current catalog with the hinted renames applied, so that the rest of
//! the diff compares the renamed objects with the desired ones (a renamed column whose
//! type also changes gives a rename and a type change, not a drop and an add).
//!
//! [`apply_renames`] takes the hints of the desired state (`-- shale:renamed-from …`), checks
//! them against the current catalog, and returns that catalog as it is once every rename
//! ran, with one [`Change::Rename`] per `ALTER … RENAME` in the order they must run. It
//! does to the catalog what PostgreSQL does on a rename: references by name follow the
//! object (foreign keys, indexes, sequence ownership, expressions that name a column,
//! sequence or type), and `SET SCHEMA` on a table moves its indexes and owned sequences.
//!
//! PostgreSQL keeps the names of a renamed table's constraints, indexes and sequences
//! (`users_pkey` stays `users_pkey` when `users` becomes `accounts`). When the desired state
//! names them after the new name (`accounts_pkey`) and they are otherwise identical, they
//! are renamed too ("implied" renames, with `implied_by` naming the hinted object), instead
//! of being dropped and re-created (or, for an owned sequence, restarted from 1).

use crate::Change;
use shale_model::{
    quote_ident, quote_literal, Catalog, Constraint, ConstraintKind, Expr, Index, IndexKeyExpr,
    ObjectId, QualName, RenameHint, Sequence,
};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A rename hint that cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameError {
    /// The object as the desired state names it.
    pub object: ObjectId,
    pub reason: String,
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot rename to {}: {}", self.object, self.reason)
    }
}

impl std::error::Error for RenameError {}

/// A column rename whose old and new columns both exist already (a plan's expand phase
/// added the new column beside the old one): what remains is the contract phase.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColumnPair {
    pub table: QualName,
    pub old: String,
    pub new: String,
}

/// The result of [`apply_renames`].
#[derive(Debug, Clone, PartialEq)]
pub struct Renamed<'a> {
    /// The current catalog with every rename applied: `from` itself, borrowed, when
    /// nothing was renamed (cloning a 10,000-table catalog for nothing was a large part
    /// of planning it).
    pub catalog: Cow<'a, Catalog>,
    /// One [`Change::Rename`] per rename, in the order they must run.
    pub changes: Vec<Change>,
    /// Hinted column renames whose two columns both exist in the current catalog: not
    /// renamed (see [`ColumnPair`]).
    pub both_exist: Vec<ColumnPair>,
}

/// The kinds of object a rename hint can name, in the order hints are applied: tables
/// first (their columns' and indexes' hints name the old table), then what lives in them.
fn kind_order(id: &ObjectId) -> u8 {
    match id {
        ObjectId::Table { .. } => 1,
        ObjectId::Type { .. } => 2,
        ObjectId::Sequence { .. } => 3,
        ObjectId::Column { .. } => 4,
        ObjectId::Constraint { .. } => 5,
        ObjectId::Index { .. } => 6,
        // Kinds shale does not rename (schemas, extensions, views, …): refused in hint order.
        _ => 0,
    }
}

/// The current catalog `from` with the renames that `hints` ask for applied, checked
/// against `to` (the desired catalog the hints came with).
///
/// A hint whose old object does not exist in `from`, or whose new object exists there
/// already, is ignored: the rename happened (hints stay in the files), and a new object
/// may have taken the old name since. (Both columns of a column rename existing is the
/// state an expand phase leaves: reported in [`Renamed::both_exist`].) A hint is an error
/// when its old and new objects are of different kinds, when the new name is taken in
/// `from` by an object of another kind, when a column or constraint would move to another
/// table, or when an index would leave its table's schema.
pub fn apply_renames<'a>(
    from: &'a Catalog,
    to: &Catalog,
    hints: &[RenameHint],
) -> Result<Renamed<'a>, RenameError> {
    let mut r = Renamer {
        cat: Cow::Borrowed(from),
        to,
        moved: BTreeMap::new(),
        changes: Vec::new(),
        both_exist: Vec::new(),
        touched: BTreeMap::new(),
    };
    let mut hints: Vec<&RenameHint> = hints.iter().collect();
    hints.sort_by_key(|h| (kind_order(&h.object), h.object.clone()));
    for h in hints {
        r.hint(h)?;
    }
    r.implied();
    Ok(Renamed {
        catalog: r.cat,
        changes: r.changes,
        both_exist: r.both_exist,
    })
}

struct Renamer<'a, 'b> {
    /// Cloned on the first rename only.
    cat: Cow<'a, Catalog>,
    to: &'b Catalog,
    /// Objects that moved (renamed, or moved with their table): old id → id in `cat`.
    moved: BTreeMap<ObjectId, ObjectId>,
    changes: Vec<Change>,
    both_exist: Vec<ColumnPair>,
    /// Tables renamed or with renamed parts (new name → the hinted object that did it):
    /// where implied renames are looked for.
    touched: BTreeMap<QualName, ObjectId>,
}

fn err(object: &ObjectId, reason: impl Into<String>) -> RenameError {
    RenameError {
        object: object.clone(),
        reason: reason.into(),
    }
}

impl Renamer<'_, '_> {
    /// The current name of a table named `q` in `from`.
    fn table_now(&self, q: &QualName) -> QualName {
        match self.moved.get(&ObjectId::Table { name: q.clone() }) {
            Some(ObjectId::Table { name }) => name.clone(),
            _ => q.clone(),
        }
    }

    /// `id` (named as in `from`) as `cat` names it now.
    fn now(&self, id: &ObjectId) -> ObjectId {
        if let Some(n) = self.moved.get(id) {
            return n.clone();
        }
        match id {
            ObjectId::Column { table, column } => ObjectId::Column {
                table: self.table_now(table),
                column: column.clone(),
            },
            ObjectId::Constraint { table, name } => ObjectId::Constraint {
                table: self.table_now(table),
                name: name.clone(),
            },
            _ => id.clone(),
        }
    }

    /// What takes relation/type name `q` in `cat` (tables, indexes, sequences, types and
    /// the indexes of keys share one namespace per schema).
    fn taken_by(&self, q: &QualName) -> Option<ObjectId> {
        if self.cat.tables.contains_key(q) {
            return Some(ObjectId::Table { name: q.clone() });
        }
        if self.cat.indexes.contains_key(q) {
            return Some(ObjectId::Index { name: q.clone() });
        }
        if self.cat.sequences.contains_key(q) {
            return Some(ObjectId::Sequence { name: q.clone() });
        }
        if self.cat.enums.contains_key(q) {
            return Some(ObjectId::Type { name: q.clone() });
        }
        for t in self.cat.tables.values() {
            if t.name.schema != q.schema {
                continue;
            }
            if let Some(c) = t.constraints.get(&q.name) {
                if is_key(c) {
                    return Some(ObjectId::Constraint {
                        table: t.name.clone(),
                        name: c.name.clone(),
                    });
                }
            }
        }
        None
    }

    fn free(&self, new: &ObjectId, q: &QualName) -> Result<(), RenameError> {
        match self.taken_by(q) {
            None => Ok(()),
            Some(o) => Err(err(
                new,
                format!(
                    "the name {q} is taken by {o} in the current schema; drop or rename \
                     that first (in an earlier plan), or remove the hint"
                ),
            )),
        }
    }

    fn schema_exists(&self, new: &ObjectId, schema: &str) -> Result<(), RenameError> {
        if self.cat.schemas.contains_key(schema) || self.to.schemas.contains_key(schema) {
            Ok(())
        } else {
            Err(err(
                new,
                format!("schema {} does not exist", quote_ident(schema)),
            ))
        }
    }

    fn push(&mut self, from: ObjectId, to: ObjectId, implied_by: Option<ObjectId>) {
        self.changes.push(Change::Rename {
            from,
            to,
            implied_by,
        });
    }

    fn touch(&mut self, table: &QualName, by: &ObjectId) {
        self.touched
            .entry(table.clone())
            .or_insert_with(|| by.clone());
    }

    fn hint(&mut self, h: &RenameHint) -> Result<(), RenameError> {
        let new = &h.object;
        if std::mem::discriminant(new) != std::mem::discriminant(&h.from) {
            return Err(err(
                new,
                format!("the hint names {}, which is not a {}", h.from, new.kind()),
            ));
        }
        let old = self.now(&h.from);
        if &old == new {
            return Ok(());
        }
        match (&old, new) {
            (ObjectId::Table { name: q0 }, ObjectId::Table { name: q1 }) => {
                if !self.cat.tables.contains_key(q0) || self.cat.tables.contains_key(q1) {
                    return Ok(());
                }
                self.free(new, q1)?;
                if q0.schema != q1.schema {
                    self.schema_exists(new, &q1.schema)?;
                    let mid = QualName::new(q1.schema.clone(), q0.name.clone());
                    if q0.name != q1.name {
                        self.free(new, &mid)?;
                    }
                }
                self.move_table(q0, q1);
                self.moved.insert(h.from.clone(), new.clone());
                self.touch(q1, new);
                self.push(old, new.clone(), None);
            }
            (ObjectId::Type { name: q0 }, ObjectId::Type { name: q1 }) => {
                if !self.cat.enums.contains_key(q0) || self.cat.enums.contains_key(q1) {
                    return Ok(());
                }
                self.free(new, q1)?;
                self.schema_exists(new, &q1.schema)?;
                self.rename_enum(q0, q1);
                self.moved.insert(h.from.clone(), new.clone());
                self.push(old, new.clone(), None);
            }
            (ObjectId::Sequence { name: q0 }, ObjectId::Sequence { name: q1 }) => {
                if !self.cat.sequences.contains_key(q0) || self.cat.sequences.contains_key(q1) {
                    return Ok(());
                }
                self.free(new, q1)?;
                self.schema_exists(new, &q1.schema)?;
                self.rename_sequence(q0, q1);
                self.moved.insert(h.from.clone(), new.clone());
                self.push(old, new.clone(), None);
            }
            (
                ObjectId::Column {
                    table: t0,
                    column: c0,
                },
                ObjectId::Column {
                    table: t1,
                    column: c1,
                },
            ) => {
                let Some(t) = self.cat.tables.get(t0) else {
                    return Ok(());
                };
                if t.column(c0).is_none() {
                    return Ok(());
                }
                if t0 != t1 {
                    return Err(err(
                        new,
                        format!(
                            "a column cannot move to another table (it is in {t0}); to \
                             rename the table too, hint the table's rename"
                        ),
                    ));
                }
                if t.column(c1).is_some() {
                    self.both_exist.push(ColumnPair {
                        table: t0.clone(),
                        old: c0.clone(),
                        new: c1.clone(),
                    });
                    return Ok(());
                }
                self.rename_column(t0, c0, c1);
                self.touch(t0, new);
                self.push(old, new.clone(), None);
            }
            (
                ObjectId::Constraint {
                    table: t0,
                    name: n0,
                },
                ObjectId::Constraint {
                    table: t1,
                    name: n1,
                },
            ) => {
                let Some(t) = self.cat.tables.get(t0) else {
                    return Ok(());
                };
                let Some(c) = t.constraints.get(n0) else {
                    return Ok(());
                };
                if t0 != t1 {
                    return Err(err(
                        new,
                        format!("a constraint cannot move to another table (it is on {t0})"),
                    ));
                }
                if t.constraints.contains_key(n1) {
                    return Ok(());
                }
                if is_key(c) {
                    // The key's index is renamed with it.
                    self.free(new, &QualName::new(t0.schema.clone(), n1.clone()))?;
                }
                self.rename_constraint(t0, n0, n1);
                self.touch(t0, new);
                self.push(old, new.clone(), None);
            }
            (ObjectId::Index { name: q0 }, ObjectId::Index { name: q1 }) => {
                if !self.cat.indexes.contains_key(q0) || self.cat.indexes.contains_key(q1) {
                    return Ok(());
                }
                if q0.schema != q1.schema {
                    return Err(err(
                        new,
                        format!(
                            "an index lives in its table's schema ({}); to move it, \
                             move its table",
                            quote_ident(&q0.schema)
                        ),
                    ));
                }
                self.free(new, q1)?;
                self.rename_index(q0, q1);
                self.moved.insert(h.from.clone(), new.clone());
                self.push(old, new.clone(), None);
            }
            _ => {
                return Err(err(
                    new,
                    format!("{}s cannot be renamed by shale", new.kind()),
                ));
            }
        }
        Ok(())
    }

    fn move_table(&mut self, q0: &QualName, q1: &QualName) {
        let Some(mut t) = self.cat.to_mut().tables.remove(q0) else {
            return;
        };
        t.name = q1.clone();
        self.cat.to_mut().tables.insert(q1.clone(), t);
        for t in self.cat.to_mut().tables.values_mut() {
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey { ref_table, .. } = &mut c.kind {
                    if ref_table == q0 {
                        *ref_table = q1.clone();
                    }
                }
            }
        }
        let schema_moves = q0.schema != q1.schema;
        let on_table: Vec<QualName> = self
            .cat
            .indexes
            .values()
            .filter(|ix| &ix.table == q0)
            .map(|ix| ix.name.clone())
            .collect();
        for name in on_table {
            let mut ix = self
                .cat
                .to_mut()
                .indexes
                .remove(&name)
                .expect("listed above");
            ix.table = q1.clone();
            if schema_moves {
                ix.name.schema = q1.schema.clone();
                self.moved.insert(
                    ObjectId::Index { name: name.clone() },
                    ObjectId::Index {
                        name: ix.name.clone(),
                    },
                );
            }
            self.cat.to_mut().indexes.insert(ix.name.clone(), ix);
        }
        let owned: Vec<QualName> = self
            .cat
            .sequences
            .values()
            .filter(|s| s.owned_by.as_ref().is_some_and(|o| &o.table == q0))
            .map(|s| s.name.clone())
            .collect();
        for s in owned {
            if let Some(o) = self
                .cat
                .to_mut()
                .sequences
                .get_mut(&s)
                .and_then(|s| s.owned_by.as_mut())
            {
                o.table = q1.clone();
            }
            if schema_moves {
                // `ALTER TABLE … SET SCHEMA` moves the sequences its columns own.
                let moved = QualName::new(q1.schema.clone(), s.name.clone());
                self.rename_sequence(&s, &moved);
                self.moved.insert(
                    ObjectId::Sequence { name: s.clone() },
                    ObjectId::Sequence { name: moved },
                );
            }
        }
        self.rekey_table_parts(q0, q1);
        self.rewrite_exprs(|e| rename_relation_in_expr(e, q0, q1));
    }

    /// Triggers, policies, rewrite rules and extended statistics of table `q0` follow it
    /// to `q1`, as PostgreSQL keeps them (by the table's OID) through `ALTER TABLE …
    /// RENAME`/`SET SCHEMA`: the rest of the diff compares them on the new name instead of
    /// creating them again there.
    fn rekey_table_parts(&mut self, q0: &QualName, q1: &QualName) {
        fn rekey<V>(
            map: &mut BTreeMap<(QualName, String), V>,
            q0: &QualName,
            q1: &QualName,
            set_table: impl Fn(&mut V),
        ) {
            let keys: Vec<(QualName, String)> =
                map.keys().filter(|(t, _)| t == q0).cloned().collect();
            for k in keys {
                let mut v = map.remove(&k).expect("listed above");
                set_table(&mut v);
                map.insert((q1.clone(), k.1), v);
            }
        }
        let cat = self.cat.to_mut();
        rekey(&mut cat.triggers, q0, q1, |t| t.table = q1.clone());
        rekey(&mut cat.policies, q0, q1, |p| p.table = q1.clone());
        rekey(&mut cat.rewrite_rules, q0, q1, |r| r.table = q1.clone());
        for st in cat.statistics.values_mut() {
            if st.table == *q0 {
                st.table = q1.clone();
            }
        }
    }

    fn rename_enum(&mut self, q0: &QualName, q1: &QualName) {
        let Some(mut e) = self.cat.to_mut().enums.remove(q0) else {
            return;
        };
        e.name = q1.clone();
        self.cat.to_mut().enums.insert(q1.clone(), e);
        for t in self.cat.to_mut().tables.values_mut() {
            for c in &mut t.columns {
                if c.ty.user_type().as_ref() == Some(q0) {
                    c.ty.schema = Some(q1.schema.clone());
                    c.ty.name = q1.name.clone();
                }
            }
        }
        self.rewrite_exprs(|e| rename_relation_in_expr(e, q0, q1));
    }

    fn rename_sequence(&mut self, q0: &QualName, q1: &QualName) {
        let Some(mut s) = self.cat.to_mut().sequences.remove(q0) else {
            return;
        };
        s.name = q1.clone();
        self.cat.to_mut().sequences.insert(q1.clone(), s);
        self.rewrite_exprs(|e| rename_relation_in_expr(e, q0, q1));
    }

    fn rename_column(&mut self, table: &QualName, c0: &str, c1: &str) {
        let swap = |v: &mut Vec<String>| {
            for x in v.iter_mut() {
                if x == c0 {
                    *x = c1.to_string();
                }
            }
        };
        for t in self.cat.to_mut().tables.values_mut() {
            let own = &t.name == table;
            if own {
                for c in &mut t.columns {
                    if c.name == c0 {
                        c.name = c1.to_string();
                    }
                    if let Some(g) = &mut c.generated {
                        rename_column_in_expr(g, c0, c1);
                    }
                }
            }
            for c in t.constraints.values_mut() {
                match &mut c.kind {
                    ConstraintKind::PrimaryKey { columns, include }
                    | ConstraintKind::Unique {
                        columns, include, ..
                    } if own => {
                        swap(columns);
                        swap(include);
                    }
                    ConstraintKind::Check { expr, .. } if own => {
                        rename_column_in_expr(expr, c0, c1);
                    }
                    ConstraintKind::ForeignKey {
                        columns,
                        ref_table,
                        ref_columns,
                        ..
                    } => {
                        if own {
                            swap(columns);
                        }
                        if ref_table == table {
                            swap(ref_columns);
                        }
                    }
                    _ => {}
                }
            }
        }
        for ix in self.cat.to_mut().indexes.values_mut() {
            if &ix.table != table {
                continue;
            }
            for k in &mut ix.keys {
                match &mut k.key {
                    IndexKeyExpr::Column(c) if c == c0 => *c = c1.to_string(),
                    IndexKeyExpr::Expr(e) => rename_column_in_expr(e, c0, c1),
                    _ => {}
                }
            }
            swap(&mut ix.include);
            if let Some(p) = &mut ix.predicate {
                rename_column_in_expr(p, c0, c1);
            }
        }
        for s in self.cat.to_mut().sequences.values_mut() {
            if let Some(o) = &mut s.owned_by {
                if &o.table == table && o.column == c0 {
                    o.column = c1.to_string();
                }
            }
        }
    }

    fn rename_constraint(&mut self, table: &QualName, n0: &str, n1: &str) {
        if let Some(t) = self.cat.to_mut().tables.get_mut(table) {
            if let Some(mut c) = t.constraints.remove(n0) {
                c.name = n1.to_string();
                t.constraints.insert(n1.to_string(), c);
            }
        }
    }

    fn rename_index(&mut self, q0: &QualName, q1: &QualName) {
        if let Some(mut ix) = self.cat.to_mut().indexes.remove(q0) {
            ix.name = q1.clone();
            self.cat.to_mut().indexes.insert(q1.clone(), ix);
        }
    }

    /// Every expression of the catalog, rewritten by `f`.
    fn rewrite_exprs(&mut self, f: impl Fn(&mut Expr)) {
        for t in self.cat.to_mut().tables.values_mut() {
            for c in &mut t.columns {
                for e in c.default.iter_mut().chain(c.generated.iter_mut()) {
                    f(e);
                }
            }
            for c in t.constraints.values_mut() {
                if let ConstraintKind::Check { expr, .. } = &mut c.kind {
                    f(expr);
                }
            }
        }
        for ix in self.cat.to_mut().indexes.values_mut() {
            for k in &mut ix.keys {
                if let IndexKeyExpr::Expr(e) = &mut k.key {
                    f(e);
                }
            }
            if let Some(p) = &mut ix.predicate {
                f(p);
            }
        }
        // Rules name the relations they write to (qualified) in their actions.
        for r in self.cat.to_mut().rewrite_rules.values_mut() {
            for e in r.condition.iter_mut().chain(r.actions.iter_mut()) {
                f(e);
            }
        }
    }

    /// Constraints, indexes and owned sequences of the touched tables that the desired
    /// state names differently but defines identically: renamed along.
    fn implied(&mut self) {
        let touched: Vec<(QualName, ObjectId)> = self
            .touched
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (table, by) in touched {
            self.implied_constraints(&table, &by);
            self.implied_indexes(&table, &by);
            self.implied_sequences(&table, &by);
        }
    }

    fn implied_constraints(&mut self, table: &QualName, by: &ObjectId) {
        let (Some(t0), Some(t1)) = (self.cat.tables.get(table), self.to.tables.get(table)) else {
            return;
        };
        let strip = |c: &Constraint| Constraint {
            name: String::new(),
            comment: None,
            validated: true,
            ..c.clone()
        };
        let gone: Vec<&Constraint> = t0
            .constraints
            .values()
            .filter(|c| !t1.constraints.contains_key(&c.name))
            .collect();
        let added: Vec<&Constraint> = t1
            .constraints
            .values()
            .filter(|c| !t0.constraints.contains_key(&c.name))
            .collect();
        let mut pairs = Vec::new();
        let mut used = BTreeSet::new();
        for g in gone {
            let same: Vec<&&Constraint> = added
                .iter()
                .filter(|a| strip(a) == strip(g) && !used.contains(&a.name))
                .collect();
            if let [a] = same.as_slice() {
                used.insert(a.name.clone());
                pairs.push((g.name.clone(), a.name.clone(), is_key(g)));
            }
        }
        for (n0, n1, key) in pairs {
            if key
                && self
                    .taken_by(&QualName::new(table.schema.clone(), n1.clone()))
                    .is_some()
            {
                continue;
            }
            self.rename_constraint(table, &n0, &n1);
            self.push(
                ObjectId::Constraint {
                    table: table.clone(),
                    name: n0,
                },
                ObjectId::Constraint {
                    table: table.clone(),
                    name: n1,
                },
                Some(by.clone()),
            );
        }
    }

    fn implied_indexes(&mut self, table: &QualName, by: &ObjectId) {
        let strip = |ix: &Index| Index {
            name: QualName::new("", ""),
            comment: None,
            ..ix.clone()
        };
        let gone: Vec<&Index> = self
            .cat
            .indexes
            .values()
            .filter(|ix| &ix.table == table && !self.to.indexes.contains_key(&ix.name))
            .collect();
        let added: Vec<&Index> = self
            .to
            .indexes
            .values()
            .filter(|ix| &ix.table == table && !self.cat.indexes.contains_key(&ix.name))
            .collect();
        let mut pairs = Vec::new();
        let mut used = BTreeSet::new();
        for g in gone {
            let same: Vec<&&Index> = added
                .iter()
                .filter(|a| strip(a) == strip(g) && !used.contains(&a.name))
                .collect();
            if let [a] = same.as_slice() {
                used.insert(a.name.clone());
                pairs.push((g.name.clone(), a.name.clone()));
            }
        }
        for (q0, q1) in pairs {
            if q0.schema != q1.schema || self.taken_by(&q1).is_some() {
                continue;
            }
            self.rename_index(&q0, &q1);
            self.push(
                ObjectId::Index { name: q0 },
                ObjectId::Index { name: q1 },
                Some(by.clone()),
            );
        }
    }

    fn implied_sequences(&mut self, table: &QualName, by: &ObjectId) {
        let strip = |s: &Sequence| Sequence {
            name: QualName::new("", ""),
            comment: None,
            ..s.clone()
        };
        let owned_here = |s: &Sequence| s.owned_by.as_ref().is_some_and(|o| &o.table == table);
        let gone: Vec<&Sequence> = self
            .cat
            .sequences
            .values()
            .filter(|s| owned_here(s) && !self.to.sequences.contains_key(&s.name))
            .collect();
        let added: Vec<&Sequence> = self
            .to
            .sequences
            .values()
            .filter(|s| owned_here(s) && !self.cat.sequences.contains_key(&s.name))
            .collect();
        let mut pairs = Vec::new();
        for g in gone {
            let same: Vec<&&Sequence> = added.iter().filter(|a| strip(a) == strip(g)).collect();
            if let [a] = same.as_slice() {
                pairs.push((g.name.clone(), a.name.clone()));
            }
        }
        for (q0, q1) in pairs {
            if self.taken_by(&q1).is_some() {
                continue;
            }
            self.rename_sequence(&q0, &q1);
            self.push(
                ObjectId::Sequence { name: q0 },
                ObjectId::Sequence { name: q1 },
                Some(by.clone()),
            );
        }
    }
}

fn is_key(c: &Constraint) -> bool {
    matches!(
        c.kind,
        ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
    )
}

/// A token of an expression's text, as the rewriters need it.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An identifier, bare (case-folded) or quoted; the text as written.
    Ident { name: String, text: String },
    /// A string literal: its value and the text as written.
    Str { value: String, text: String },
    /// Anything else, one character (or a run of whitespace) at a time.
    Other(String),
}

fn tokens(sql: &str) -> Vec<Tok> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c == '\'' {
            let mut value = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        value.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                value.push(chars[i]);
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.push(Tok::Str {
                value,
                text: chars[start..i].iter().collect(),
            });
        } else if c == '"' {
            let mut name = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        name.push('"');
                        i += 2;
                        continue;
                    }
                    break;
                }
                name.push(chars[i]);
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.push(Tok::Ident {
                name,
                text: chars[start..i].iter().collect(),
            });
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Ident {
                name: text.to_lowercase(),
                text,
            });
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push(Tok::Other(chars[start..i].iter().collect()));
        } else {
            i += 1;
            out.push(Tok::Other(c.to_string()));
        }
    }
    out
}

fn join(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| match t {
            Tok::Ident { text, .. } | Tok::Str { text, .. } | Tok::Other(text) => text.as_str(),
        })
        .collect()
}

/// The index of the nearest non-blank token before / after `i`.
fn prev(toks: &[Tok], i: usize) -> Option<&Tok> {
    toks[..i]
        .iter()
        .rev()
        .find(|t| !matches!(t, Tok::Other(s) if s.trim().is_empty()))
}

fn next(toks: &[Tok], i: usize) -> Option<(usize, &Tok)> {
    toks.iter()
        .enumerate()
        .skip(i + 1)
        .find(|(_, t)| !matches!(t, Tok::Other(s) if s.trim().is_empty()))
}

fn is_other(t: Option<&Tok>, s: &str) -> bool {
    matches!(t, Some(Tok::Other(x)) if x == s)
}

/// Replaces the column reference `c0` by `c1` in an expression's text: an identifier that
/// is not qualified, not a qualifier, not a function name and not a type name (`::x`).
pub fn rename_column_in_sql(sql: &str, c0: &str, c1: &str) -> String {
    let mut toks = tokens(sql);
    for i in 0..toks.len() {
        let Tok::Ident { name, .. } = &toks[i] else {
            continue;
        };
        if name != c0 {
            continue;
        }
        let before = prev(&toks, i);
        if is_other(before, ".") || is_other(before, ":") {
            continue;
        }
        let after = next(&toks, i).map(|(_, t)| t);
        if is_other(after, "(") || is_other(after, ".") {
            continue;
        }
        toks[i] = Tok::Ident {
            name: c1.to_string(),
            text: quote_ident(c1),
        };
    }
    join(&toks)
}

fn rename_column_in_expr(e: &mut Expr, c0: &str, c1: &str) {
    e.sql = rename_column_in_sql(&e.sql, c0, c1);
    e.canon = rename_column_in_sql(&e.canon, c0, c1);
}

/// Replaces the relation or type `q0` by `q1` in an expression's text: as a qualified name
/// (`public.mood`, in casts) and as a string literal holding its qualified name
/// (`nextval('public.users_id_seq'::regclass)`).
pub fn rename_relation_in_sql(sql: &str, q0: &QualName, q1: &QualName) -> String {
    let mut toks = tokens(sql);
    let old_text = q0.to_string();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Str { value, .. } if *value == old_text => {
                let text = quote_literal(&q1.to_string());
                toks[i] = Tok::Str {
                    value: q1.to_string(),
                    text,
                };
            }
            Tok::Ident { name, .. } if *name == q0.schema && !is_other(prev(&toks, i), ".") => {
                // schema . name
                if let Some((dot, t)) = next(&toks, i) {
                    if matches!(t, Tok::Other(s) if s == ".") {
                        if let Some((j, Tok::Ident { name: n, .. })) = next(&toks, dot) {
                            if *n == q0.name {
                                toks[i] = Tok::Ident {
                                    name: q1.schema.clone(),
                                    text: quote_ident(&q1.schema),
                                };
                                toks[j] = Tok::Ident {
                                    name: q1.name.clone(),
                                    text: quote_ident(&q1.name),
                                };
                                i = j;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    join(&toks)
}

fn rename_relation_in_expr(e: &mut Expr, q0: &QualName, q1: &QualName) {
    if !e.refs.contains(q0) && !e.canon.contains(&q0.name) {
        return;
    }
    e.sql = rename_relation_in_sql(&e.sql, q0, q1);
    e.canon = rename_relation_in_sql(&e.canon, q0, q1);
    for r in &mut e.refs {
        if r == q0 {
            *r = q1.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_references_are_renamed_but_not_functions_types_or_literals() {
        assert_eq!(
            rename_column_in_sql(
                "lower(email) <> 'email' AND email IS NOT NULL",
                "email",
                "mail"
            ),
            "lower(mail) <> 'email' AND mail IS NOT NULL"
        );
        assert_eq!(
            rename_column_in_sql("lower(lower) = x::lower", "lower", "Low"),
            "lower(\"Low\") = x::lower"
        );
        assert_eq!(
            rename_column_in_sql("\"Full Name\" <> ''", "Full Name", "name"),
            "name <> ''"
        );
        assert_eq!(rename_column_in_sql("t.a + a", "a", "b"), "t.a + b");
    }

    #[test]
    fn relations_are_renamed_qualified_and_in_regclass_literals() {
        let q0 = QualName::new("public", "users_id_seq");
        let q1 = QualName::new("public", "accounts_id_seq");
        assert_eq!(
            rename_relation_in_sql("nextval('public.users_id_seq'::regclass)", &q0, &q1),
            "nextval('public.accounts_id_seq'::regclass)"
        );
        let m0 = QualName::new("app", "mood");
        let m1 = QualName::new("public", "Mood");
        assert_eq!(
            rename_relation_in_sql("m = 'mood'::app.mood OR x.mood = 1", &m0, &m1),
            "m = 'mood'::public.\"Mood\" OR x.mood = 1"
        );
    }
}
