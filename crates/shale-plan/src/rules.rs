//! The risk rules registry: one table, one row per kind of step.
//!
//! Every step of a plan carries exactly one rule. A rule has a stable code (`SH…`, never
//! reused or renumbered), a level, a one-line reason template, a mitigation, the lock the
//! statement takes, and flags (rewrites / scans the table, can lose data). Templates name
//! the object through placeholders filled by the planner:
//!
//! - `{object}`: the object's name (`public.users.email`, `users_pkey on public.users`);
//! - `{table}`: its table; `{ref}`: the table a foreign key references;
//! - `{detail}`: a phrase specific to the step (a type change, why an object is re-created).
//!
//! The product's safety table (README) is the first seven rules.

use crate::model::{Risk, RiskLevel};

/// Identifies a rule; the planner picks one per step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    AddColumnNullable,
    AddColumnNotNull,
    DropColumn,
    RenameColumn,
    AddIndexConcurrently,
    DropIndex,
    AddForeignKey,
    AddColumnNotNullDefault,
    AddColumnRewrite,
    CreateSchema,
    DropSchema,
    CreateExtension,
    DropExtension,
    UpdateExtension,
    MoveExtension,
    CreateEnum,
    DropEnum,
    AddEnumValue,
    CreateSequence,
    DropSequence,
    AlterSequence,
    AlterSequenceRange,
    SetSequenceOwner,
    CreateTable,
    DropTable,
    AlterTypeCoercible,
    AlterTypeRewrite,
    AlterTypeLossy,
    SetCollation,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropDefault,
    AddIdentity,
    DropIdentity,
    AlterIdentity,
    DropExpression,
    RecreateGeneratedColumn,
    ReplaceWithGeneratedColumn,
    AddPrimaryKey,
    AddUnique,
    AddCheck,
    AddCheckNotValid,
    AddForeignKeyNotValid,
    ValidateConstraint,
    DropConstraint,
    DropKey,
    AddForeignKeyNewTable,
    AddConstraintNewTable,
    AddIndexBlocking,
    AddIndexNewTable,
    AddUniqueIndex,
    DropIndexConcurrently,
    AddKeyIndexConcurrently,
    AttachKeyIndex,
    Comment,
}

/// One row of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: RuleId,
    /// Stable code, e.g. `SH003`.
    pub code: &'static str,
    /// What kind of change the rule covers, for documentation and listings.
    pub title: &'static str,
    pub level: RiskLevel,
    /// One line; placeholders `{object}`, `{table}`, `{ref}`, `{detail}`.
    pub reason: &'static str,
    pub mitigation: Option<&'static str>,
    /// Lock template, e.g. `ACCESS EXCLUSIVE on {table}`.
    pub lock: Option<&'static str>,
    pub rewrites_table: bool,
    pub scans_table: bool,
    pub data_loss: bool,
}

#[allow(clippy::too_many_arguments)] // one row of the table, positionally
const fn rule(
    id: RuleId,
    code: &'static str,
    title: &'static str,
    level: RiskLevel,
    reason: &'static str,
    mitigation: Option<&'static str>,
    lock: Option<&'static str>,
    flags: (bool, bool, bool),
) -> Rule {
    Rule {
        id,
        code,
        title,
        level,
        reason,
        mitigation,
        lock,
        rewrites_table: flags.0,
        scans_table: flags.1,
        data_loss: flags.2,
    }
}

use RiskLevel::{High, Low, Medium};
use RuleId as R;

/// (rewrites_table, scans_table, data_loss)
const NONE: (bool, bool, bool) = (false, false, false);
const REWRITE: (bool, bool, bool) = (true, true, false);
const SCAN: (bool, bool, bool) = (false, true, false);
const LOSS: (bool, bool, bool) = (false, false, true);
const REWRITE_LOSS: (bool, bool, bool) = (true, true, true);

const AX: Option<&str> = Some("ACCESS EXCLUSIVE on {table}");

/// The registry. Codes are stable: add new rules with new codes, never renumber.
pub static RULES: &[Rule] = &[
    // The safety table.
    rule(R::AddColumnNullable, "SH001", "Add column (nullable)", Low,
        "adds nullable column {object}{detail}; existing rows are not rewritten",
        None, AX, NONE),
    rule(R::AddColumnNotNull, "SH002", "Add column NOT NULL", Medium,
        "adds NOT NULL column {object} without a DEFAULT: fails if {table} has any row",
        Some("add a DEFAULT or backfill: add the column nullable, backfill it, then SET NOT NULL"),
        AX, NONE),
    rule(R::DropColumn, "SH003", "Drop column", High,
        "drops column {object} and all its data",
        Some("needs explicit approval; back up first and verify no code reads or writes the column"),
        AX, LOSS),
    rule(R::RenameColumn, "SH004", "Rename column", High,
        "renames column {object}{detail}: running code that uses the old name breaks",
        Some("use a rename hint, or dual-write (expand/contract): add the new column, write both, move reads, then drop the old one"),
        AX, NONE),
    rule(R::AddIndexConcurrently, "SH005", "Add index", Low,
        "builds index {object} on existing table {table} CONCURRENTLY{detail}",
        Some("may lock briefly: built with CREATE INDEX CONCURRENTLY outside a transaction; if it fails, drop the INVALID index and re-run"),
        Some("SHARE UPDATE EXCLUSIVE on {table} (reads and writes continue)"), SCAN),
    rule(R::DropIndex, "SH006", "Drop index", Medium,
        "drops index {object} on {table}{detail}: queries that used it may slow down",
        Some("verify query plans (EXPLAIN) no longer need it; online mode drops it CONCURRENTLY"),
        AX, NONE),
    rule(R::AddForeignKey, "SH007", "Add foreign key", Medium,
        "adds foreign key {object} referencing {ref}{detail}: every existing row of {table} is checked while writes wait",
        Some("validate existing data separately: add it NOT VALID, then VALIDATE CONSTRAINT (online mode does this)"),
        Some("SHARE ROW EXCLUSIVE on {table} and {ref}"), SCAN),
    // Columns.
    rule(R::AddColumnNotNullDefault, "SH008", "Add column NOT NULL with a constant DEFAULT", Low,
        "adds NOT NULL column {object} with a DEFAULT; existing rows get the default without a rewrite",
        None, AX, NONE),
    rule(R::AddColumnRewrite, "SH009", "Add column computed for every row", Medium,
        "adds column {object}{detail}: every existing row of {table} gets a computed value, rewriting the table",
        Some("on a big table, add the column plain, backfill in batches, then attach the default or expression"),
        AX, REWRITE),
    // Schemas and extensions.
    rule(R::CreateSchema, "SH010", "Create schema", Low,
        "creates schema {object}", None, None, NONE),
    rule(R::DropSchema, "SH011", "Drop schema", High,
        "drops schema {object}",
        Some("needs explicit approval; every object in it is dropped by earlier steps"),
        None, LOSS),
    rule(R::CreateExtension, "SH012", "Create extension", Low,
        "installs extension {object}{detail}",
        Some("the extension must be available on the server, and some need superuser rights"),
        None, NONE),
    rule(R::DropExtension, "SH013", "Drop extension", High,
        "drops extension {object} and every function, type and operator it provides",
        Some("needs explicit approval; verify no code calls its functions"),
        None, LOSS),
    rule(R::UpdateExtension, "SH014", "Update extension", Medium,
        "updates extension {object}{detail}",
        Some("read the extension's release notes: its upgrade script may rewrite objects or take locks"),
        None, NONE),
    rule(R::MoveExtension, "SH015", "Move extension", Medium,
        "moves extension {object}{detail}: code that qualifies its objects with the old schema breaks",
        Some("check search_path and schema-qualified references"),
        None, NONE),
    // Types.
    rule(R::CreateEnum, "SH020", "Create enum", Low,
        "creates enum type {object}", None, None, NONE),
    rule(R::DropEnum, "SH021", "Drop enum", High,
        "drops enum type {object}",
        Some("needs explicit approval; verify no code casts to it"),
        None, LOSS),
    rule(R::AddEnumValue, "SH022", "Add enum value", Low,
        "adds value {detail} to enum type {object}; the value is usable once committed",
        Some("commits right after: a new enum value cannot be used in the transaction that adds it"),
        None, NONE),
    // Sequences.
    rule(R::CreateSequence, "SH030", "Create sequence", Low,
        "creates sequence {object}", None, None, NONE),
    rule(R::DropSequence, "SH031", "Drop sequence", High,
        "drops sequence {object} and its current value",
        Some("needs explicit approval; verify no default or code calls nextval on it"),
        None, LOSS),
    rule(R::AlterSequence, "SH032", "Alter sequence options", Low,
        "changes sequence {object}{detail}", None, None, NONE),
    rule(R::AlterSequenceRange, "SH033", "Alter sequence type or bounds", Medium,
        "changes the type or bounds of sequence {object}{detail}: nextval fails once past the new bound",
        Some("check the sequence's current value (SELECT last_value) fits the new range"),
        None, NONE),
    rule(R::SetSequenceOwner, "SH034", "Set sequence owner", Low,
        "sets sequence {object} to be owned by {detail}", None, None, NONE),
    // Tables.
    rule(R::CreateTable, "SH040", "Create table", Low,
        "creates table {object}", None, None, NONE),
    rule(R::DropTable, "SH041", "Drop table", High,
        "drops table {object} and all its rows{detail}",
        Some("needs explicit approval; back up first and verify nothing reads or writes it"),
        AX, LOSS),
    // Column changes.
    rule(R::AlterTypeCoercible, "SH050", "Change column type (binary-coercible)", Low,
        "changes the type of {object}{detail} without a rewrite (binary-coercible widening)",
        None, Some("ACCESS EXCLUSIVE on {table} (brief)"), NONE),
    rule(R::AlterTypeRewrite, "SH051", "Change column type (rewrite)", Medium,
        "changes the type of {object}{detail}: rewrites {table} and rebuilds its indexes while reads and writes wait",
        Some("on a big table, add a new column, backfill it in batches, then swap (expand/contract)"),
        AX, REWRITE),
    rule(R::AlterTypeLossy, "SH052", "Change column type (narrowing)", High,
        "changes the type of {object}{detail}: values can be truncated or rounded, or fail to convert, and {table} is rewritten",
        Some("needs explicit approval; check every existing value fits the new type first"),
        AX, REWRITE_LOSS),
    rule(R::SetCollation, "SH053", "Change column collation", Medium,
        "changes the collation of {object}{detail}: sort order changes and indexes on it are rebuilt",
        Some("check queries and unique constraints that depend on the ordering or equality of the column"),
        AX, REWRITE),
    rule(R::SetNotNull, "SH054", "Set NOT NULL", Medium,
        "sets NOT NULL on {object}: scans all of {table} while reads and writes wait; fails if a row holds NULL",
        Some("backfill NULLs first; on a big table add CHECK (col IS NOT NULL) NOT VALID, validate it, then SET NOT NULL (no scan)"),
        AX, SCAN),
    rule(R::DropNotNull, "SH055", "Drop NOT NULL", Low,
        "allows NULL in {object}; code reading it must handle NULL", None,
        Some("ACCESS EXCLUSIVE on {table} (brief)"), NONE),
    rule(R::SetDefault, "SH056", "Set default", Low,
        "sets the default of {object}{detail}; existing rows keep their values", None,
        Some("ACCESS EXCLUSIVE on {table} (brief)"), NONE),
    rule(R::DropDefault, "SH057", "Drop default", Low,
        "drops the default of {object}{detail}; inserts that omit the column get NULL", None,
        Some("ACCESS EXCLUSIVE on {table} (brief)"), NONE),
    rule(R::AddIdentity, "SH058", "Add identity", Medium,
        "makes {object} an identity column{detail}; its sequence starts at its START value even if the column already holds values",
        Some("make sure START WITH is above the column's current maximum, or inserts will collide"),
        Some("ACCESS EXCLUSIVE on {table} (brief)"), NONE),
    rule(R::DropIdentity, "SH059", "Drop identity", Medium,
        "removes identity from {object}: inserts that omit it no longer get a value",
        Some("verify every insert supplies the column, or set a DEFAULT"),
        Some("ACCESS EXCLUSIVE on {table} (brief)"), NONE),
    rule(R::AlterIdentity, "SH060", "Alter identity", Low,
        "changes identity column {object}{detail}", None,
        Some("ACCESS EXCLUSIVE on {table} (brief)"), NONE),
    rule(R::DropExpression, "SH061", "Drop generation expression", Low,
        "makes generated column {object} a plain column: it keeps its values but is no longer computed",
        None, AX, NONE),
    rule(R::RecreateGeneratedColumn, "SH062", "Re-create generated column", Medium,
        "drops generated column {object} to add it again because {detail}; values are recomputed, rewriting {table}",
        Some("on a big table, plan a maintenance window; indexes and constraints on the column are re-created"),
        AX, REWRITE),
    rule(R::ReplaceWithGeneratedColumn, "SH063", "Replace column by a generated column", High,
        "drops column {object} and its data to add it again because {detail}",
        Some("needs explicit approval; back up the column's values first"),
        AX, REWRITE_LOSS),
    // Constraints.
    rule(R::AddPrimaryKey, "SH070", "Add primary key", Medium,
        "adds primary key {object}{detail}: builds a unique index and checks NOT NULL while reads and writes on {table} wait; fails on duplicates",
        Some("on a big table, build a unique index CONCURRENTLY first, then ADD PRIMARY KEY USING INDEX (online mode does this)"),
        AX, SCAN),
    rule(R::AddUnique, "SH071", "Add unique constraint", Medium,
        "adds unique constraint {object}{detail}: builds an index while writes on {table} wait; fails on duplicates",
        Some("check for duplicates first; on a big table, build a unique index CONCURRENTLY, then ADD CONSTRAINT USING INDEX (online mode does this)"),
        AX, SCAN),
    rule(R::AddCheck, "SH072", "Add check constraint", Medium,
        "adds check {object}{detail}: scans all of {table} while reads and writes wait",
        Some("add it NOT VALID, then VALIDATE CONSTRAINT (online mode does this)"),
        AX, SCAN),
    rule(R::AddCheckNotValid, "SH073", "Add check constraint NOT VALID", Low,
        "adds check {object} NOT VALID{detail}: new and updated rows are checked, existing rows not yet",
        None, Some("ACCESS EXCLUSIVE on {table} (brief, no scan)"), NONE),
    rule(R::AddForeignKeyNotValid, "SH074", "Add foreign key NOT VALID", Medium,
        "adds foreign key {object} referencing {ref} NOT VALID{detail}: new rows are checked, existing rows not yet",
        Some("validate existing data: NOT VALID, then VALIDATE CONSTRAINT as its own step"),
        Some("SHARE ROW EXCLUSIVE on {table} and {ref} (brief, no scan)"), NONE),
    rule(R::ValidateConstraint, "SH075", "Validate constraint", Low,
        "validates {object}: scans {table} while reads and writes continue; fails if an existing row violates it",
        Some("on failure, fix the offending rows and re-run"),
        Some("SHARE UPDATE EXCLUSIVE on {table}"), SCAN),
    rule(R::DropConstraint, "SH076", "Drop constraint", Low,
        "drops constraint {object}{detail}; the rule is no longer enforced", None,
        Some("ACCESS EXCLUSIVE on {table} (brief)"), NONE),
    rule(R::DropKey, "SH077", "Drop primary key or unique constraint", Medium,
        "drops {object} and its index{detail}: uniqueness is no longer enforced and queries that used the index may slow down",
        Some("verify no foreign key or query relies on it"),
        AX, NONE),
    rule(R::AddForeignKeyNewTable, "SH078", "Add foreign key to a new table", Low,
        "adds foreign key {object} referencing {ref} to new table {table}", None,
        Some("SHARE ROW EXCLUSIVE on {ref} (brief)"), NONE),
    rule(R::AddConstraintNewTable, "SH079", "Add constraint to a new table", Low,
        "adds constraint {object}{detail} to new table {table}", None, None, NONE),
    // Indexes.
    rule(R::AddIndexBlocking, "SH080", "Add index (blocking)", Low,
        "builds index {object} on existing table {table}{detail}; writes wait until it is built",
        Some("may lock briefly: use CREATE INDEX CONCURRENTLY on existing tables (online mode)"),
        Some("SHARE on {table} (blocks writes)"), SCAN),
    rule(R::AddIndexNewTable, "SH081", "Add index to a new table", Low,
        "creates index {object} on new table {table}", None, None, NONE),
    rule(R::AddUniqueIndex, "SH082", "Add unique index", Medium,
        "builds unique index {object} on existing table {table}{detail}: fails if existing rows hold duplicates",
        Some("check for duplicates first; online mode builds it CONCURRENTLY (drop the INVALID index if it fails)"),
        Some("{detail_lock} on {table}"), SCAN),
    rule(R::DropIndexConcurrently, "SH083", "Drop index concurrently", Medium,
        "drops index {object} on {table} CONCURRENTLY{detail}: queries that used it may slow down",
        Some("verify query plans (EXPLAIN) no longer need it"),
        Some("SHARE UPDATE EXCLUSIVE on {table} (reads and writes continue)"), NONE),
    rule(R::AddKeyIndexConcurrently, "SH084", "Build the index of a key concurrently", Medium,
        "builds the unique index of {detail} {object} CONCURRENTLY: fails if existing rows hold duplicates",
        Some("check for duplicates first; if it fails, drop the INVALID index and re-run"),
        Some("SHARE UPDATE EXCLUSIVE on {table} (reads and writes continue)"), SCAN),
    rule(R::AttachKeyIndex, "SH085", "Attach a unique index as a key", Low,
        "makes the index just built into {detail} {object} (USING INDEX, no rebuild)",
        None, Some("ACCESS EXCLUSIVE on {table} (brief)"), NONE),
    // Comments.
    rule(R::Comment, "SH090", "Comment", Low,
        "{detail} comment on {object}", None, None, NONE),
];

/// The rule for `id`.
pub fn rule_for(id: RuleId) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.id == id)
        .expect("every RuleId has a row in RULES (checked by a test)")
}

/// The rule with this code, if any.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// Values for a rule's placeholders.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    pub object: String,
    pub table: String,
    pub reference: String,
    pub detail: String,
    /// Lock mode for rules whose lock depends on the statement (`{detail_lock}`).
    pub detail_lock: String,
}

impl Rule {
    /// The risk of one step, with the placeholders filled.
    pub fn risk(&self, vars: &Vars) -> Risk {
        Risk {
            level: self.level,
            code: self.code.to_string(),
            reason: fill(self.reason, vars),
            mitigation: self.mitigation.map(|m| fill(m, vars)),
            lock: self.lock.map(|l| fill(l, vars)),
            rewrites_table: self.rewrites_table,
            scans_table: self.scans_table,
            data_loss: self.data_loss,
        }
    }
}

fn fill(template: &str, v: &Vars) -> String {
    template
        .replace("{object}", &v.object)
        .replace("{table}", &v.table)
        .replace("{ref}", &v.reference)
        .replace("{detail_lock}", &v.detail_lock)
        .replace("{detail}", &v.detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "duplicate code {}", r.code);
            assert!(
                r.code.len() == 5
                    && r.code.starts_with("SH")
                    && r.code[2..].chars().all(|c| c.is_ascii_digit()),
                "{}",
                r.code
            );
            let ids = RULES.iter().filter(|x| x.id == r.id).count();
            assert_eq!(ids, 1, "{:?} has {ids} rows", r.id);
        }
    }

    #[test]
    fn safety_table_rules() {
        let expect = [
            (RuleId::AddColumnNullable, "SH001", Low),
            (RuleId::AddColumnNotNull, "SH002", Medium),
            (RuleId::DropColumn, "SH003", High),
            (RuleId::RenameColumn, "SH004", High),
            (RuleId::AddIndexConcurrently, "SH005", Low),
            (RuleId::DropIndex, "SH006", Medium),
            (RuleId::AddForeignKey, "SH007", Medium),
        ];
        for (id, code, level) in expect {
            let r = rule_for(id);
            assert_eq!((r.code, r.level), (code, level), "{id:?}");
            assert_eq!(by_code(code).unwrap().id, id);
        }
        assert!(rule_for(RuleId::DropColumn).data_loss);
        assert!(rule_for(RuleId::AddColumnNotNull)
            .mitigation
            .unwrap()
            .contains("DEFAULT or backfill"));
        assert!(rule_for(RuleId::AddForeignKeyNotValid)
            .mitigation
            .unwrap()
            .contains("NOT VALID, then VALIDATE"));
    }

    #[test]
    fn drops_that_lose_data_are_high() {
        for id in [
            RuleId::DropTable,
            RuleId::DropSchema,
            RuleId::DropSequence,
            RuleId::DropEnum,
            RuleId::DropExtension,
            RuleId::DropColumn,
            RuleId::AlterTypeLossy,
        ] {
            let r = rule_for(id);
            assert_eq!(r.level, High, "{id:?}");
            assert!(r.data_loss, "{id:?}");
        }
        for r in RULES {
            if r.data_loss {
                assert_eq!(r.level, High, "{} loses data but is {}", r.code, r.level);
            }
        }
    }

    #[test]
    fn every_template_is_filled() {
        let v = Vars {
            object: "public.t.c".into(),
            table: "public.t".into(),
            reference: "public.u".into(),
            detail: " (x)".into(),
            detail_lock: "SHARE".into(),
        };
        for r in RULES {
            let risk = r.risk(&v);
            for text in [
                Some(&risk.reason),
                risk.mitigation.as_ref(),
                risk.lock.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                assert!(
                    !text.contains('{') && !text.contains('}'),
                    "{}: {text}",
                    r.code
                );
                assert!(!text.contains('\n'), "{}: one line", r.code);
            }
            assert!(
                risk.reason.contains("public.t.c"),
                "{} names the object",
                r.code
            );
        }
    }
}
