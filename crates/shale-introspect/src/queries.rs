//! The catalog queries: one per object kind, for the whole database.
//!
//! Every query reads `pg_catalog` only and skips the system schemas (`pg_catalog`,
//! `information_schema`, and every `pg_*` schema — `pg_toast*`, `pg_temp*`; PostgreSQL
//! reserves the `pg_` prefix so no user schema can match) and every object an extension
//! owns (`pg_depend.deptype = 'e'`). Rows are joined in memory by `lib.rs`.
//!
//! Columns that differ between PostgreSQL 13 and 18 are chosen by [`Version`].

use crate::IntrospectError;
use postgres::Transaction;

/// The server's `server_version_num` (e.g. `150004`).
#[derive(Debug, Clone, Copy)]
pub struct Version(pub i32);

impl Version {
    /// `NULLS NOT DISTINCT` (`pg_index.indnullsnotdistinct`) exists from 15 on.
    pub fn has_nulls_not_distinct(self) -> bool {
        self.0 >= 150000
    }

    /// Before 15, `initdb` gives `PUBLIC` `CREATE` on the `public` schema too.
    pub fn public_schema_creatable_by_default(self) -> bool {
        self.0 < 150000
    }

    /// The `MAINTAIN` table privilege (part of `GRANT ALL`) exists from 17 on.
    pub fn has_maintain_privilege(self) -> bool {
        self.0 >= 170000
    }

    /// Per-column compression (`pg_attribute.attcompression`) exists from 14 on.
    pub fn has_column_compression(self) -> bool {
        self.0 >= 140000
    }
}

// The SQL fragments and row access every catalog query of this crate shares
// (`routines.rs`, `user_types.rs` and `table_options.rs` use them too).

/// `alias.nspname` is a user schema.
pub(crate) fn user_schema(ns: &str) -> String {
    format!("{ns}.nspname <> 'information_schema' AND {ns}.nspname NOT LIKE 'pg\\_%'")
}

/// The object `oid_expr` of catalog `catalog` has no `pg_depend` row of a type in
/// `deptypes` (a SQL list such as `'e'` or `'e', 'i'`).
fn no_dependency(catalog: &str, oid_expr: &str, deptypes: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep \
         WHERE dep.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass \
         AND dep.objid = {oid_expr} AND dep.deptype IN ({deptypes}))"
    )
}

/// The object `oid_expr` of catalog `catalog` is not a member of an extension.
pub(crate) fn not_extension_member(catalog: &str, oid_expr: &str) -> String {
    no_dependency(catalog, oid_expr, "'e'")
}

/// Neither a member of an extension nor internal to another object (range type
/// constructors, internal triggers). Not for relations: a partitioned table depends
/// internally on itself.
pub(crate) fn not_member_or_internal(catalog: &str, oid_expr: &str) -> String {
    no_dependency(catalog, oid_expr, "'e', 'i'")
}

/// The comment on `oid_expr` (of catalog `catalog`, sub-object `subid`).
pub(crate) fn comment(catalog: &str, oid_expr: &str, subid: &str) -> String {
    format!(
        "(SELECT d.description FROM pg_catalog.pg_description d \
         WHERE d.classoid = 'pg_catalog.{catalog}'::pg_catalog.regclass \
         AND d.objoid = {oid_expr} AND d.objsubid = {subid})"
    )
}

/// `LEFT JOIN pg_description {alias}`: the comment on `oid_expr` (of catalog `catalog`,
/// sub-object `subid`) as `{alias}.description`, joined once for the whole query instead of
/// looked up per row ([`comment`]). At most one row matches (pg_description's key).
pub(crate) fn comment_join(alias: &str, catalog: &str, oid_expr: &str, subid: &str) -> String {
    format!(
        "LEFT JOIN pg_catalog.pg_description {alias} \
           ON {alias}.objoid = {oid_expr} \
          AND {alias}.classoid = 'pg_catalog.{catalog}'::pg_catalog.regclass \
          AND {alias}.objsubid = {subid}"
    )
}

/// One catalog query of an introspection, as [`crate::introspect_with_stats`] reports it.
#[derive(Debug, Clone)]
pub struct QueryStat {
    /// The object kind read (as in [`IntrospectError::Query`]).
    pub what: &'static str,
    /// The SQL sent (to `EXPLAIN` it, for instance).
    pub sql: String,
    /// From sending it to the last row decoded by the driver (server time and transfer).
    pub elapsed: std::time::Duration,
    pub rows: usize,
}

thread_local! {
    /// The queries of the introspection running on this thread (introspection reads on
    /// the calling thread; `introspect_with_stats` empties it before and takes it after).
    static QUERIES: std::cell::RefCell<Vec<QueryStat>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The catalog queries recorded on this thread since the last call, emptying the record.
pub(crate) fn take_query_stats() -> Vec<QueryStat> {
    QUERIES.with(|q| std::mem::take(&mut *q.borrow_mut()))
}

/// Run a catalog query; a failure names what was being read. Every catalog query of the
/// crate goes through here, so that it is recorded.
pub(crate) fn query(
    tx: &mut Transaction<'_>,
    what: &'static str,
    sql: &str,
) -> Result<Vec<postgres::Row>, IntrospectError> {
    let start = std::time::Instant::now();
    let rows = tx
        .query(sql, &[])
        .map_err(|source| IntrospectError::Query { what, source })?;
    let elapsed = start.elapsed();
    QUERIES.with(|q| {
        q.borrow_mut().push(QueryStat {
            what,
            sql: sql.to_string(),
            elapsed,
            rows: rows.len(),
        })
    });
    Ok(rows)
}

/// `get` (by column name or position) that reports a column-type mismatch as an error
/// instead of panicking.
pub(crate) fn get<'a, T: postgres::types::FromSql<'a>>(
    row: &'a postgres::Row,
    what: &'static str,
    col: impl postgres::row::RowIndex + std::fmt::Display,
) -> Result<T, IntrospectError> {
    row.try_get(col)
        .map_err(|source| IntrospectError::Query { what, source })
}

// -------------------------------------------------------------------------------------

pub fn server_version(tx: &mut Transaction<'_>) -> Result<(Version, String), IntrospectError> {
    let rows = query(
        tx,
        "server version",
        "SELECT pg_catalog.current_setting('server_version_num')::int AS num, \
                pg_catalog.current_setting('server_version') AS text",
    )?;
    let row = rows.first().ok_or(IntrospectError::Inconsistent {
        object: "server version".into(),
        message: "no row".into(),
    })?;
    Ok((
        Version(get(row, "server version", "num")?),
        get(row, "server version", "text")?,
    ))
}

// -------------------------------------------------------------------------------------

pub struct SchemaRow {
    pub name: String,
}

pub fn schemas(tx: &mut Transaction<'_>) -> Result<Vec<SchemaRow>, IntrospectError> {
    const WHAT: &str = "schemas";
    let sql = format!(
        "SELECT n.nspname::text AS name FROM pg_catalog.pg_namespace n \
         WHERE {} AND {} ORDER BY 1",
        user_schema("n"),
        not_extension_member("pg_namespace", "n.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(SchemaRow {
                name: get(r, WHAT, "name")?,
            })
        })
        .collect()
}

// -------------------------------------------------------------------------------------

pub struct ExtensionRow {
    pub name: String,
    pub schema: String,
    pub version: String,
}

/// Extensions installed in `pg_catalog` (`plpgsql`, present in every database) are
/// system objects like the rest of `pg_catalog` and are skipped.
pub fn extensions(tx: &mut Transaction<'_>) -> Result<Vec<ExtensionRow>, IntrospectError> {
    const WHAT: &str = "extensions";
    let sql = "SELECT e.extname::text AS name, n.nspname::text AS schema, \
                      e.extversion AS version \
               FROM pg_catalog.pg_extension e \
               JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
               WHERE n.nspname <> 'pg_catalog' ORDER BY 1";
    query(tx, WHAT, sql)?
        .iter()
        .map(|r| {
            Ok(ExtensionRow {
                name: get(r, WHAT, "name")?,
                schema: get(r, WHAT, "schema")?,
                version: get(r, WHAT, "version")?,
            })
        })
        .collect()
}

// -------------------------------------------------------------------------------------

pub struct EnumRow {
    pub schema: String,
    pub name: String,
    pub labels: Vec<String>,
    pub comment: Option<String>,
}

pub fn enums(tx: &mut Transaction<'_>) -> Result<Vec<EnumRow>, IntrospectError> {
    const WHAT: &str = "enums";
    let sql = format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name, \
                ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e \
                      WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels, \
                {} AS comment \
         FROM pg_catalog.pg_type t \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         WHERE t.typtype = 'e' AND {} AND {} ORDER BY 1, 2",
        comment("pg_type", "t.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_type", "t.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(EnumRow {
                schema: get(r, WHAT, "schema")?,
                name: get(r, WHAT, "name")?,
                labels: get(r, WHAT, "labels")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect()
}

// -------------------------------------------------------------------------------------

pub struct SequenceRow {
    pub schema: String,
    pub name: String,
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
    /// The table and column this sequence belongs to: `OWNED BY` (deptype `a`) or an
    /// identity column's sequence (deptype `i`).
    pub owner_table_oid: Option<u32>,
    pub owner_column: Option<String>,
    /// `a` (owned by) or `i` (identity).
    pub owner_deptype: Option<String>,
    pub comment: Option<String>,
}

pub fn sequences(tx: &mut Transaction<'_>) -> Result<Vec<SequenceRow>, IntrospectError> {
    const WHAT: &str = "sequences";
    let sql = format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name, \
                pg_catalog.format_type(s.seqtypid, NULL) AS data_type, \
                s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value, \
                s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle, \
                own.refobjid AS owner_table_oid, a.attname::text AS owner_column, \
                own.deptype::text AS owner_deptype, \
                {} AS comment \
         FROM pg_catalog.pg_sequence s \
         JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_depend own \
                ON own.classid = 'pg_catalog.pg_class'::pg_catalog.regclass \
               AND own.objid = c.oid \
               AND own.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
               AND own.refobjsubid > 0 AND own.deptype IN ('a', 'i') \
         LEFT JOIN pg_catalog.pg_attribute a \
                ON a.attrelid = own.refobjid AND a.attnum = own.refobjsubid \
         WHERE {} AND {} ORDER BY 1, 2",
        comment("pg_class", "c.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_class", "c.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(SequenceRow {
                schema: get(r, WHAT, "schema")?,
                name: get(r, WHAT, "name")?,
                data_type: get(r, WHAT, "data_type")?,
                start: get(r, WHAT, "start")?,
                increment: get(r, WHAT, "increment")?,
                min_value: get(r, WHAT, "min_value")?,
                max_value: get(r, WHAT, "max_value")?,
                cache: get(r, WHAT, "cache")?,
                cycle: get(r, WHAT, "cycle")?,
                owner_table_oid: get(r, WHAT, "owner_table_oid")?,
                owner_column: get(r, WHAT, "owner_column")?,
                owner_deptype: get(r, WHAT, "owner_deptype")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect()
}

// -------------------------------------------------------------------------------------

pub struct TableRow {
    pub oid: u32,
    pub schema: String,
    pub name: String,
    pub comment: Option<String>,
}

/// Ordinary and partitioned tables.
pub fn tables(tx: &mut Transaction<'_>) -> Result<Vec<TableRow>, IntrospectError> {
    const WHAT: &str = "tables";
    let sql = format!(
        "SELECT c.oid, n.nspname::text AS schema, c.relname::text AS name, \
                d.description AS comment \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         {} \
         WHERE c.relkind IN ('r', 'p') AND {} AND {} ORDER BY 2, 3",
        comment_join("d", "pg_class", "c.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_class", "c.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(TableRow {
                oid: get(r, WHAT, "oid")?,
                schema: get(r, WHAT, "schema")?,
                name: get(r, WHAT, "name")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect()
}

// -------------------------------------------------------------------------------------

/// SQL for the modifiers of a type outside `pg_catalog` (`{elem}`, in namespace `{ns}`) with
/// modifier `typmod`, as `format_type` prints them after the type's name: whatever the
/// type's `typmodout` prints (PostGIS: `(Polygon,4326)`), or `(N)` without one. NULL for
/// built-ins, whose `format_type` name already carries them.
pub(crate) fn typmod_text(ns: &str, elem: &str, typmod: &str) -> String {
    format!(
        "CASE WHEN {ns}.nspname <> 'pg_catalog' AND {typmod} >= 0 \
              THEN pg_catalog.substr(pg_catalog.format_type({elem}.oid, {typmod}), \
                   pg_catalog.length(pg_catalog.format_type({elem}.oid, NULL)) + 1) END"
    )
}

pub struct ColumnRow {
    pub table_oid: u32,
    pub attnum: i16,
    pub name: String,
    /// `format_type(atttypid, atttypmod)`, e.g. `character varying(20)[]`.
    pub formatted_type: String,
    /// Whether the type is an array type.
    pub is_array: bool,
    /// Schema and name of the type, or of the element type for an array.
    pub elem_schema: String,
    pub elem_name: String,
    /// The modifiers of a non-built-in type as `format_type` prints them (`(Point,4326)`).
    pub elem_typmod: Option<String>,
    pub not_null: bool,
    /// `pg_get_expr(adbin, adrelid)`: the default, or the generation expression.
    pub default_expr: Option<String>,
    /// `attidentity`: empty, `a` (always) or `d` (by default).
    pub identity: String,
    /// `attgenerated`: empty, `s` (stored) or `v` (virtual, 18+).
    pub generated: String,
    /// The column's collation when it differs from its type's default.
    pub collation_schema: Option<String>,
    pub collation_name: Option<String>,
    pub comment: Option<String>,
}

/// Columns of every ordinary and partitioned table in user schemas, in attnum order.
pub fn columns(tx: &mut Transaction<'_>) -> Result<Vec<ColumnRow>, IntrospectError> {
    const WHAT: &str = "columns";
    let sql = format!(
        "SELECT a.attrelid AS table_oid, a.attnum, a.attname::text AS name, \
                pg_catalog.format_type(a.atttypid, a.atttypmod) AS formatted_type, \
                (et.oid IS NOT NULL) AS is_array, \
                en.nspname::text AS elem_schema, e.typname::text AS elem_name, \
                {} AS elem_typmod, \
                a.attnotnull AS not_null, \
                pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr, \
                a.attidentity::text AS identity, a.attgenerated::text AS generated, \
                CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
                     THEN cn.nspname::text END AS collation_schema, \
                CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
                     THEN co.collname::text END AS collation_name, \
                d.description AS comment \
         FROM pg_catalog.pg_attribute a \
         JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND et.typarray = t.oid \
         JOIN pg_catalog.pg_type e ON e.oid = COALESCE(et.oid, t.oid) \
         JOIN pg_catalog.pg_namespace en ON en.oid = e.typnamespace \
         LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         {} \
         WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND {}",
        typmod_text("en", "e", "a.atttypmod"),
        comment_join("d", "pg_class", "a.attrelid", "a.attnum"),
        user_schema("n"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(ColumnRow {
                table_oid: get(r, WHAT, "table_oid")?,
                attnum: get(r, WHAT, "attnum")?,
                name: get(r, WHAT, "name")?,
                formatted_type: get(r, WHAT, "formatted_type")?,
                is_array: get(r, WHAT, "is_array")?,
                elem_schema: get(r, WHAT, "elem_schema")?,
                elem_name: get(r, WHAT, "elem_name")?,
                elem_typmod: get(r, WHAT, "elem_typmod")?,
                not_null: get(r, WHAT, "not_null")?,
                default_expr: get(r, WHAT, "default_expr")?,
                identity: get(r, WHAT, "identity")?,
                generated: get(r, WHAT, "generated")?,
                collation_schema: get(r, WHAT, "collation_schema")?,
                collation_name: get(r, WHAT, "collation_name")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|mut rows| {
            // Ordered here rather than by the server: an ORDER BY made it sort the wide
            // rows (default expressions' node trees) on disk at 2,000 tables.
            rows.sort_unstable_by_key(|c| (c.table_oid, c.attnum));
            rows
        })
}

// -------------------------------------------------------------------------------------

pub struct ConstraintRow {
    pub table_oid: u32,
    pub name: String,
    /// `p`, `u`, `c` or `f`.
    pub kind: String,
    pub deferrable: bool,
    pub deferred: bool,
    pub validated: bool,
    /// Constrained columns, in constraint order (primary keys, uniques and foreign keys;
    /// named by [`name_constraint_columns`] from `key_attnums`).
    pub columns: Vec<String>,
    /// Foreign keys: the referenced table and columns (named from `ref_attnums`).
    pub ref_schema: Option<String>,
    pub ref_table: Option<String>,
    pub ref_columns: Vec<String>,
    /// `conkey`, `confrelid`, `confkey`, and the backing index's `indkey` after its key
    /// columns (the INCLUDE columns): attribute numbers, named from the column rows.
    pub key_attnums: Vec<i16>,
    pub ref_table_oid: u32,
    pub ref_attnums: Vec<i16>,
    pub include_attnums: Vec<i16>,
    pub on_update: String,
    pub on_delete: String,
    pub match_type: String,
    pub no_inherit: bool,
    /// Checks: `pg_get_expr(conbin, conrelid)`.
    pub check_expr: Option<String>,
    /// Primary keys and uniques: the backing index's INCLUDE columns.
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    pub comment: Option<String>,
    /// Primary keys and uniques: the comment on the backing index.
    pub index_comment: Option<String>,
    pub index_invalid: bool,
}

pub fn constraints(
    tx: &mut Transaction<'_>,
    v: Version,
) -> Result<Vec<ConstraintRow>, IntrospectError> {
    const WHAT: &str = "constraints";
    let nnd = if v.has_nulls_not_distinct() {
        "COALESCE(i.indnullsnotdistinct, false)"
    } else {
        "false"
    };
    let sql = format!(
        // Key, referenced and INCLUDE columns come as attribute numbers and are named
        // from the column rows (`name_constraint_columns`): joining pg_attribute here cost
        // more than the rest of the query (2,000 tables: 167 ms of backend CPU before,
        // 58 ms after).
        "SELECT con.conrelid AS table_oid, con.conname::text AS name, \
                con.contype::text AS kind, con.condeferrable AS deferrable, \
                con.condeferred AS deferred, con.convalidated AS validated, \
                COALESCE(con.conkey, '{{}}') AS key_attnums, \
                rn.nspname::text AS ref_schema, rc.relname::text AS ref_table, \
                con.confrelid AS ref_table_oid, \
                COALESCE(con.confkey, '{{}}') AS ref_attnums, \
                con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete, \
                con.confmatchtype::text AS match_type, con.connoinherit AS no_inherit, \
                pg_catalog.pg_get_expr(con.conbin, con.conrelid) AS check_expr, \
                COALESCE(i.indkey::pg_catalog.int2[], '{{}}') AS index_attnums, \
                COALESCE(i.indnkeyatts, 0::pg_catalog.int2) AS index_key_count, \
                {nnd} AS nulls_not_distinct, \
                d.description AS comment, \
                CASE WHEN con.contype IN ('p', 'u') THEN di.description END AS index_comment, \
                COALESCE(NOT i.indisvalid, false) AS index_invalid \
         FROM pg_catalog.pg_constraint con \
         JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
         LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
         LEFT JOIN pg_catalog.pg_index i \
                ON con.contype IN ('p', 'u') AND i.indexrelid = con.conindid \
         {} {} \
         WHERE con.contype IN ('p', 'u', 'c', 'f') AND con.conrelid <> 0 AND {} \
           AND con.conparentid = 0 \
         ORDER BY con.conrelid, con.conname",
        comment_join("d", "pg_constraint", "con.oid", "0"),
        comment_join("di", "pg_class", "con.conindid", "0"),
        user_schema("n"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(ConstraintRow {
                table_oid: get(r, WHAT, "table_oid")?,
                name: get(r, WHAT, "name")?,
                kind: get(r, WHAT, "kind")?,
                deferrable: get(r, WHAT, "deferrable")?,
                deferred: get(r, WHAT, "deferred")?,
                validated: get(r, WHAT, "validated")?,
                columns: Vec::new(),
                ref_schema: get(r, WHAT, "ref_schema")?,
                ref_table: get(r, WHAT, "ref_table")?,
                ref_columns: Vec::new(),
                key_attnums: get(r, WHAT, "key_attnums")?,
                ref_table_oid: get(r, WHAT, "ref_table_oid")?,
                ref_attnums: get(r, WHAT, "ref_attnums")?,
                include_attnums: {
                    let all: Vec<i16> = get(r, WHAT, "index_attnums")?;
                    let keys: i16 = get(r, WHAT, "index_key_count")?;
                    all.get(keys.max(0) as usize..).unwrap_or_default().to_vec()
                },
                on_update: get(r, WHAT, "on_update")?,
                on_delete: get(r, WHAT, "on_delete")?,
                match_type: get(r, WHAT, "match_type")?,
                no_inherit: get(r, WHAT, "no_inherit")?,
                check_expr: get(r, WHAT, "check_expr")?,
                include: Vec::new(),
                nulls_not_distinct: get(r, WHAT, "nulls_not_distinct")?,
                comment: get(r, WHAT, "comment")?,
                index_comment: get(r, WHAT, "index_comment")?,
                index_invalid: get(r, WHAT, "index_invalid")?,
            })
        })
        .collect()
}

/// Name the key, referenced and INCLUDE columns of primary keys, uniques and foreign
/// keys from the column rows (every column of every table in a user schema: a key's
/// table, and a foreign key's referenced table, which PostgreSQL only allows to be a
/// table outside the system catalogs). A number no column row has is reported, not
/// skipped. Checks keep no columns (the model reads their expression only).
pub fn name_constraint_columns(
    constraints: &mut [ConstraintRow],
    columns: &[ColumnRow],
) -> Result<(), IntrospectError> {
    let names: std::collections::HashMap<(u32, i16), &str> = columns
        .iter()
        .map(|c| ((c.table_oid, c.attnum), c.name.as_str()))
        .collect();
    for con in constraints.iter_mut() {
        if con.kind == "c" {
            continue;
        }
        let name = |table: u32, attnum: i16| {
            names
                .get(&(table, attnum))
                .map(|n| n.to_string())
                .ok_or_else(|| IntrospectError::Inconsistent {
                    object: format!("constraint {}", shale_model::quote_ident(&con.name)),
                    message: format!("column number {attnum} of table oid {table} not read"),
                })
        };
        let table = con.table_oid;
        let columns = con
            .key_attnums
            .iter()
            .map(|&a| name(table, a))
            .collect::<Result<Vec<_>, _>>()?;
        let ref_columns = con
            .ref_attnums
            .iter()
            .map(|&a| name(con.ref_table_oid, a))
            .collect::<Result<Vec<_>, _>>()?;
        let include = con
            .include_attnums
            .iter()
            .map(|&a| name(table, a))
            .collect::<Result<Vec<_>, _>>()?;
        con.columns = columns;
        con.ref_columns = ref_columns;
        con.include = include;
    }
    Ok(())
}

// -------------------------------------------------------------------------------------

pub struct IndexRow {
    pub oid: u32,
    pub table_oid: u32,
    pub schema: String,
    pub name: String,
    pub unique: bool,
    pub method: String,
    pub n_key_columns: i16,
    pub predicate: Option<String>,
    pub nulls_not_distinct: bool,
    pub comment: Option<String>,
    /// `NOT pg_index.indisvalid`: left by a failed `CREATE INDEX CONCURRENTLY`.
    pub invalid: bool,
}

/// Indexes of user tables that do not back a primary key, unique or exclusion
/// constraint of their own table. (A foreign key's `conindid` names the *referenced*
/// table's index, so only constraints on the index's own table count.)
pub fn indexes(tx: &mut Transaction<'_>, v: Version) -> Result<Vec<IndexRow>, IntrospectError> {
    const WHAT: &str = "indexes";
    let nnd = if v.has_nulls_not_distinct() {
        "i.indnullsnotdistinct"
    } else {
        "false"
    };
    let sql = format!(
        "SELECT ic.oid, i.indrelid AS table_oid, n.nspname::text AS schema, \
                ic.relname::text AS name, i.indisunique AS is_unique, \
                am.amname::text AS method, i.indnkeyatts AS n_key_columns, \
                pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate, \
                {nnd} AS nulls_not_distinct, \
                d.description AS comment, NOT i.indisvalid AS invalid \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace \
         JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
         {} \
         WHERE tc.relkind IN ('r', 'p') AND {} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con \
                           WHERE con.conindid = i.indexrelid \
                             AND con.conrelid = i.indrelid \
                             AND con.contype IN ('p', 'u', 'x')) \
         ORDER BY 3, 4",
        comment_join("d", "pg_class", "ic.oid", "0"),
        user_schema("n"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(IndexRow {
                oid: get(r, WHAT, "oid")?,
                table_oid: get(r, WHAT, "table_oid")?,
                schema: get(r, WHAT, "schema")?,
                name: get(r, WHAT, "name")?,
                unique: get(r, WHAT, "is_unique")?,
                method: get(r, WHAT, "method")?,
                n_key_columns: get(r, WHAT, "n_key_columns")?,
                predicate: get(r, WHAT, "predicate")?,
                nulls_not_distinct: get(r, WHAT, "nulls_not_distinct")?,
                comment: get(r, WHAT, "comment")?,
                invalid: get(r, WHAT, "invalid")?,
            })
        })
        .collect()
}

pub struct IndexColumnRow {
    pub index_oid: u32,
    /// 1-based position in the index; key columns first, then INCLUDE columns.
    pub position: i64,
    /// The table column, or `None` for an expression key.
    pub column: Option<String>,
    /// `pg_get_indexdef(index, position, true)`: the key's expression.
    pub expr: Option<String>,
    /// `indoption` bits (key columns only): 1 = DESC, 2 = NULLS FIRST.
    pub option: i16,
    /// The operator class when it is not the default for its type and method.
    pub opclass_schema: Option<String>,
    pub opclass_name: Option<String>,
    /// The collation when it differs from the column's (or, for an expression, from its
    /// type's default).
    pub collation_schema: Option<String>,
    pub collation_name: Option<String>,
}

/// Every position of every user-table index (`pg_index.indkey` unnested with the
/// per-key `indclass`, `indcollation` and `indoption`, which cover key columns only).
pub fn index_columns(tx: &mut Transaction<'_>) -> Result<Vec<IndexColumnRow>, IntrospectError> {
    const WHAT: &str = "index columns";
    let sql = format!(
        "WITH k AS ( \
           SELECT i.indexrelid, i.indrelid, k.attnum, k.opclass, k.coll, k.opt, k.ord \
           FROM pg_catalog.pg_index i \
           JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = tc.relnamespace \
           CROSS JOIN LATERAL ROWS FROM ( \
                pg_catalog.unnest(i.indkey::pg_catalog.int2[]), \
                pg_catalog.unnest(i.indclass::pg_catalog.oid[]), \
                pg_catalog.unnest(i.indcollation::pg_catalog.oid[]), \
                pg_catalog.unnest(i.indoption::pg_catalog.int2[]) \
           ) WITH ORDINALITY k(attnum, opclass, coll, opt, ord) \
           WHERE tc.relkind IN ('r', 'p') AND {} \
         ) \
         SELECT k.indexrelid AS index_oid, k.ord AS position, \
                a.attname::text AS column_name, \
                CASE WHEN k.attnum = 0 \
                     THEN pg_catalog.pg_get_indexdef(k.indexrelid, k.ord::int, true) \
                END AS expr, \
                COALESCE(k.opt, 0::int2) AS option, \
                CASE WHEN NOT oc.opcdefault THEN ocn.nspname::text END AS opclass_schema, \
                CASE WHEN NOT oc.opcdefault THEN oc.opcname::text END AS opclass_name, \
                CASE WHEN k.coll <> 0 AND k.coll <> COALESCE(a.attcollation, CASE WHEN oc.opckeytype <> 0 THEN COALESCE(NULLIF(it.typcollation, 0), 100::pg_catalog.oid) ELSE kt.typcollation END) \
                     THEN cn.nspname::text END AS collation_schema, \
                CASE WHEN k.coll <> 0 AND k.coll <> COALESCE(a.attcollation, CASE WHEN oc.opckeytype <> 0 THEN COALESCE(NULLIF(it.typcollation, 0), 100::pg_catalog.oid) ELSE kt.typcollation END) \
                     THEN co.collname::text END AS collation_name \
         FROM k \
         LEFT JOIN pg_catalog.pg_attribute a \
                ON k.attnum <> 0 AND a.attrelid = k.indrelid AND a.attnum = k.attnum \
         LEFT JOIN pg_catalog.pg_attribute ia \
                ON ia.attrelid = k.indexrelid AND ia.attnum = k.ord \
         LEFT JOIN pg_catalog.pg_type kt ON kt.oid = ia.atttypid \
         LEFT JOIN pg_catalog.pg_opclass oc ON oc.oid = k.opclass \
         LEFT JOIN pg_catalog.pg_type it ON it.oid = oc.opcintype \
         LEFT JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = k.coll \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         ORDER BY k.indexrelid, k.ord",
        user_schema("n"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(IndexColumnRow {
                index_oid: get(r, WHAT, "index_oid")?,
                position: get(r, WHAT, "position")?,
                column: get(r, WHAT, "column_name")?,
                expr: get(r, WHAT, "expr")?,
                option: get(r, WHAT, "option")?,
                opclass_schema: get(r, WHAT, "opclass_schema")?,
                opclass_name: get(r, WHAT, "opclass_name")?,
                collation_schema: get(r, WHAT, "collation_schema")?,
                collation_name: get(r, WHAT, "collation_name")?,
            })
        })
        .collect()
}
