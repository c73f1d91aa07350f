//! Facts about PostgreSQL 15's built-in catalog that the offline front end needs:
//! default operator classes and the operator classes living in `pg_catalog`.

use crate::types::base_name;
use shale_model::TypeRef;

/// `(access method, format_type of the input type, default opclass)` from `pg_opclass`
/// (`opcdefault`) of PostgreSQL 15.
const DEFAULT_OPCLASSES: &str = "\
brin \"char\" char_minmax_ops;brin anyrange range_inclusion_ops;brin bigint int8_minmax_ops;\
brin bit bit_minmax_ops;brin bit varying varbit_minmax_ops;brin box box_inclusion_ops;\
brin bytea bytea_minmax_ops;brin character bpchar_minmax_ops;brin date date_minmax_ops;\
brin double precision float8_minmax_ops;brin inet inet_inclusion_ops;brin integer int4_minmax_ops;\
brin interval interval_minmax_ops;brin macaddr macaddr_minmax_ops;brin macaddr8 macaddr8_minmax_ops;\
brin name name_minmax_ops;brin numeric numeric_minmax_ops;brin oid oid_minmax_ops;\
brin pg_lsn pg_lsn_minmax_ops;brin real float4_minmax_ops;brin smallint int2_minmax_ops;\
brin text text_minmax_ops;brin tid tid_minmax_ops;brin time with time zone timetz_minmax_ops;\
brin time without time zone time_minmax_ops;brin timestamp with time zone timestamptz_minmax_ops;\
brin timestamp without time zone timestamp_minmax_ops;brin uuid uuid_minmax_ops;\
btree \"char\" char_ops;btree anyarray array_ops;btree anyenum enum_ops;\
btree anymultirange multirange_ops;btree anyrange range_ops;btree bigint int8_ops;btree bit bit_ops;\
btree bit varying varbit_ops;btree boolean bool_ops;btree bytea bytea_ops;btree character bpchar_ops;\
btree date date_ops;btree double precision float8_ops;btree inet inet_ops;btree integer int4_ops;\
btree interval interval_ops;btree jsonb jsonb_ops;btree macaddr macaddr_ops;btree macaddr8 macaddr8_ops;\
btree money money_ops;btree name name_ops;btree numeric numeric_ops;btree oid oid_ops;\
btree oidvector oidvector_ops;btree pg_lsn pg_lsn_ops;btree real float4_ops;btree record record_ops;\
btree smallint int2_ops;btree text text_ops;btree tid tid_ops;btree time with time zone timetz_ops;\
btree time without time zone time_ops;btree timestamp with time zone timestamptz_ops;\
btree timestamp without time zone timestamp_ops;btree tsquery tsquery_ops;btree tsvector tsvector_ops;\
btree uuid uuid_ops;btree xid8 xid8_ops;gin anyarray array_ops;gin jsonb jsonb_ops;\
gin tsvector tsvector_ops;gist anymultirange multirange_ops;gist anyrange range_ops;gist box box_ops;\
gist circle circle_ops;gist point point_ops;gist polygon poly_ops;gist tsquery tsquery_ops;\
gist tsvector tsvector_ops;hash \"char\" char_ops;hash aclitem aclitem_ops;hash anyarray array_ops;\
hash anyenum enum_ops;hash anymultirange multirange_ops;hash anyrange range_ops;hash bigint int8_ops;\
hash boolean bool_ops;hash bytea bytea_ops;hash character bpchar_ops;hash cid cid_ops;hash date date_ops;\
hash double precision float8_ops;hash inet inet_ops;hash integer int4_ops;hash interval interval_ops;\
hash jsonb jsonb_ops;hash macaddr macaddr_ops;hash macaddr8 macaddr8_ops;hash name name_ops;\
hash numeric numeric_ops;hash oid oid_ops;hash oidvector oidvector_ops;hash pg_lsn pg_lsn_ops;\
hash real float4_ops;hash record record_ops;hash smallint int2_ops;hash text text_ops;hash tid tid_ops;\
hash time with time zone timetz_ops;hash time without time zone time_ops;\
hash timestamp with time zone timestamptz_ops;hash timestamp without time zone timestamp_ops;\
hash uuid uuid_ops;hash xid xid_ops;hash xid8 xid8_ops;spgist anyrange range_ops;spgist box box_ops;\
spgist inet inet_ops;spgist point quad_point_ops;spgist polygon poly_ops;spgist text text_ops";

/// Operator classes defined in `pg_catalog` (PostgreSQL 15).
const CATALOG_OPCLASSES: &[&str] = &[
    "aclitem_ops",
    "array_ops",
    "bit_minmax_ops",
    "bit_ops",
    "bool_ops",
    "box_inclusion_ops",
    "box_ops",
    "bpchar_bloom_ops",
    "bpchar_minmax_ops",
    "bpchar_ops",
    "bpchar_pattern_ops",
    "bytea_bloom_ops",
    "bytea_minmax_ops",
    "bytea_ops",
    "char_bloom_ops",
    "char_minmax_ops",
    "char_ops",
    "cid_ops",
    "cidr_ops",
    "circle_ops",
    "date_bloom_ops",
    "date_minmax_multi_ops",
    "date_minmax_ops",
    "date_ops",
    "enum_ops",
    "float4_bloom_ops",
    "float4_minmax_multi_ops",
    "float4_minmax_ops",
    "float4_ops",
    "float8_bloom_ops",
    "float8_minmax_multi_ops",
    "float8_minmax_ops",
    "float8_ops",
    "inet_bloom_ops",
    "inet_inclusion_ops",
    "inet_minmax_multi_ops",
    "inet_minmax_ops",
    "inet_ops",
    "int2_bloom_ops",
    "int2_minmax_multi_ops",
    "int2_minmax_ops",
    "int2_ops",
    "int4_bloom_ops",
    "int4_minmax_multi_ops",
    "int4_minmax_ops",
    "int4_ops",
    "int8_bloom_ops",
    "int8_minmax_multi_ops",
    "int8_minmax_ops",
    "int8_ops",
    "interval_bloom_ops",
    "interval_minmax_multi_ops",
    "interval_minmax_ops",
    "interval_ops",
    "jsonb_ops",
    "jsonb_path_ops",
    "kd_point_ops",
    "macaddr8_bloom_ops",
    "macaddr8_minmax_multi_ops",
    "macaddr8_minmax_ops",
    "macaddr8_ops",
    "macaddr_bloom_ops",
    "macaddr_minmax_multi_ops",
    "macaddr_minmax_ops",
    "macaddr_ops",
    "money_ops",
    "multirange_ops",
    "name_bloom_ops",
    "name_minmax_ops",
    "name_ops",
    "numeric_bloom_ops",
    "numeric_minmax_multi_ops",
    "numeric_minmax_ops",
    "numeric_ops",
    "oid_bloom_ops",
    "oid_minmax_multi_ops",
    "oid_minmax_ops",
    "oid_ops",
    "oidvector_ops",
    "pg_lsn_bloom_ops",
    "pg_lsn_minmax_multi_ops",
    "pg_lsn_minmax_ops",
    "pg_lsn_ops",
    "point_ops",
    "poly_ops",
    "quad_point_ops",
    "range_inclusion_ops",
    "range_ops",
    "record_image_ops",
    "record_ops",
    "text_bloom_ops",
    "text_minmax_ops",
    "text_ops",
    "text_pattern_ops",
    "tid_bloom_ops",
    "tid_minmax_multi_ops",
    "tid_minmax_ops",
    "tid_ops",
    "time_bloom_ops",
    "time_minmax_multi_ops",
    "time_minmax_ops",
    "time_ops",
    "timestamp_bloom_ops",
    "timestamp_minmax_multi_ops",
    "timestamp_minmax_ops",
    "timestamp_ops",
    "timestamptz_bloom_ops",
    "timestamptz_minmax_multi_ops",
    "timestamptz_minmax_ops",
    "timestamptz_ops",
    "timetz_bloom_ops",
    "timetz_minmax_multi_ops",
    "timetz_minmax_ops",
    "timetz_ops",
    "tsquery_ops",
    "tsvector_ops",
    "uuid_bloom_ops",
    "uuid_minmax_multi_ops",
    "uuid_minmax_ops",
    "uuid_ops",
    "varbit_minmax_ops",
    "varbit_ops",
    "varchar_ops",
    "varchar_pattern_ops",
    "xid8_ops",
    "xid_ops",
];

/// Is `name` an operator class of `pg_catalog`?
pub fn is_catalog_opclass(name: &str) -> bool {
    CATALOG_OPCLASSES.binary_search(&name).is_ok()
}

/// The default operator class of `method` for a key of type `ty` (`is_enum` for user
/// enum types), when known.
pub fn default_opclass(method: &str, ty: &TypeRef, is_enum: bool) -> Option<&'static str> {
    let key: String = if ty.array {
        "anyarray".into()
    } else if ty.schema.is_some() {
        if is_enum {
            "anyenum".into()
        } else {
            return None;
        }
    } else {
        match base_name(&ty.name).as_str() {
            // binary-coercible to text: text's opclasses are the defaults
            "character varying" => "text".into(),
            "bpchar" => "character".into(),
            n => n.to_string(),
        }
    };
    DEFAULT_OPCLASSES.split(';').find_map(|entry| {
        let (m, rest) = entry.split_once(' ')?;
        let (t, opc) = rest.rsplit_once(' ')?;
        (m == method && t == key).then_some(opc)
    })
}

/// Is `name` the default operator class of `method` for some type (used for expression
/// keys, whose type the offline front end does not infer)?
pub fn is_some_default(method: &str, name: &str) -> bool {
    DEFAULT_OPCLASSES.split(';').any(|entry| {
        entry.split_once(' ').is_some_and(|(m, rest)| {
            m == method && rest.rsplit_once(' ').is_some_and(|(_, o)| o == name)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted() {
        let mut v = CATALOG_OPCLASSES.to_vec();
        v.sort_unstable();
        assert_eq!(v, CATALOG_OPCLASSES);
    }

    #[test]
    fn defaults() {
        let int = TypeRef::builtin("integer");
        assert_eq!(default_opclass("btree", &int, false), Some("int4_ops"));
        assert_eq!(
            default_opclass("btree", &TypeRef::builtin("character varying(3)"), false),
            Some("text_ops")
        );
        assert_eq!(
            default_opclass("gin", &TypeRef::builtin("jsonb"), false),
            Some("jsonb_ops")
        );
        assert_eq!(
            default_opclass("gin", &TypeRef::builtin("text").array_of(), false),
            Some("array_ops")
        );
        assert_eq!(
            default_opclass(
                "btree",
                &TypeRef::builtin("timestamp(3) with time zone"),
                false
            ),
            Some("timestamptz_ops")
        );
        assert_eq!(default_opclass("gist", &int, false), None);
        assert!(is_catalog_opclass("text_pattern_ops"));
        assert!(is_some_default("btree", "text_ops"));
        assert!(!is_some_default("btree", "text_pattern_ops"));
        assert!(!is_catalog_opclass("gin_trgm_ops"));
    }
}
