//! What a column type change costs: no rewrite, a rewrite, or possible loss of data; and
//! whether `ALTER COLUMN … TYPE` needs a `USING` clause.

use shale_model::TypeRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeChange {
    /// Binary-coercible widening: catalog-only, no rewrite.
    Coercible,
    /// Rewrites the table; every value converts without loss.
    Rewrite,
    /// Values can be truncated, rounded, or fail to convert.
    Lossy,
}

/// A built-in type split into its base name and modifiers: `character varying(20)` →
/// (`character varying`, [20]); `timestamp(3) with time zone` → (`timestamp with time
/// zone`, [3]).
fn split(ty: &TypeRef) -> (String, Vec<i64>) {
    let name = &ty.name;
    let (Some(open), Some(close)) = (name.find('('), name.find(')')) else {
        return (name.clone(), Vec::new());
    };
    if close < open {
        return (name.clone(), Vec::new());
    }
    let mods = name[open + 1..close]
        .split(',')
        .filter_map(|m| m.trim().parse().ok())
        .collect();
    let base = format!("{}{}", &name[..open], &name[close + 1..]);
    (base.trim().to_string(), mods)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Numeric,
    String,
    DateTime,
    Boolean,
    Other,
}

fn category(base: &str) -> Category {
    match base {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => {
            Category::Numeric
        }
        "text" | "character varying" | "character" | "name" => Category::String,
        "date"
        | "timestamp without time zone"
        | "timestamp with time zone"
        | "time without time zone"
        | "time with time zone"
        | "interval" => Category::DateTime,
        "boolean" => Category::Boolean,
        _ => Category::Other,
    }
}

/// `ALTER COLUMN … TYPE` needs `USING col::type` unless both types are built-in scalars of
/// the same category (or arrays of such), where PostgreSQL has an assignment cast.
pub fn needs_using(from: &TypeRef, to: &TypeRef) -> bool {
    if from.array != to.array || from.schema.is_some() || to.schema.is_some() {
        return true;
    }
    let (a, _) = split(from);
    let (b, _) = split(to);
    let (ca, cb) = (category(&a), category(&b));
    ca != cb || ca == Category::Other
}

/// Whether PostgreSQL has a cast (implicit, assignment or explicit) from `from` to `to`,
/// as far as built-in types show it: within a category, to and from the string types (I/O
/// conversion), `integer` ↔ `boolean`, `json` ↔ `jsonb`. An array converts as its element
/// type. User types (other than enums, see [`using`]) are assumed castable: their casts
/// are not modelled.
fn has_cast(from: &TypeRef, to: &TypeRef) -> bool {
    if from.array != to.array {
        return false;
    }
    if from.schema.is_some() || to.schema.is_some() {
        return true;
    }
    let (a, _) = split(from);
    let (b, _) = split(to);
    let (ca, cb) = (category(&a), category(&b));
    if ca == cb && ca != Category::Other {
        return true;
    }
    if ca == Category::String || cb == Category::String {
        return true;
    }
    matches!(
        (a.as_str(), b.as_str()),
        ("integer", "boolean")
            | ("boolean", "integer")
            | ("json", "jsonb")
            | ("jsonb", "json")
            | ("cidr", "inet")
            | ("inet", "cidr")
    ) || ca == Category::Other && cb == Category::Other
}

/// The `USING` clause of `ALTER COLUMN … TYPE`, when one is needed, and whether it
/// converts through the text form because no cast joins the two types (an enum to
/// another enum, `bigint` to `timestamp`): then a value whose text the new type does not
/// accept fails the step, which rolls back. `is_enum` says which user types are enums
/// (an enum converts to and from text only).
pub fn using(
    from: &TypeRef,
    to: &TypeRef,
    column: &str,
    is_enum: &dyn Fn(&TypeRef) -> bool,
) -> Option<(String, bool)> {
    if from == to || !needs_using(from, to) {
        return None;
    }
    let col = shale_model::quote_ident(column);
    let text_to =
        |t: &TypeRef| t.schema.is_none() && !t.array && category(&split(t).0) == Category::String;
    let through_text = if is_enum(from) || is_enum(to) {
        // An enum casts only to and from the string types.
        !(text_to(from) || text_to(to))
    } else {
        !has_cast(from, to)
    };
    if through_text {
        let text = if from.array { "text[]" } else { "text" };
        Some((format!("{col}::{text}::{to}"), true))
    } else {
        Some((format!("{col}::{to}"), false))
    }
}

/// Decimal digits an integer type holds in full.
fn int_digits(base: &str) -> Option<i64> {
    match base {
        "smallint" => Some(5),
        "integer" => Some(10),
        "bigint" => Some(19),
        _ => None,
    }
}

fn int_rank(base: &str) -> Option<u8> {
    match base {
        "smallint" => Some(1),
        "integer" => Some(2),
        "bigint" => Some(3),
        _ => None,
    }
}

/// Classify a type change. Unknown conversions count as lossy: a plan should not
/// under-state risk.
pub fn classify(from: &TypeRef, to: &TypeRef) -> TypeChange {
    use TypeChange::*;
    if from == to {
        return Coercible;
    }
    if from.array != to.array {
        return Lossy;
    }
    // A user type (enum, extension type) to text is a lossless rewrite; anything else
    // involving user types is unknown.
    if from.schema.is_some() || to.schema.is_some() {
        let (b, m) = split(to);
        return if to.schema.is_none() && is_unbounded_string(&b, &m) {
            Rewrite
        } else {
            Lossy
        };
    }
    let (a, am) = split(from);
    let (b, bm) = split(to);
    if a == b {
        return modifier_change(&a, &am, &bm);
    }
    match (a.as_str(), b.as_str()) {
        ("character varying", "text") => Coercible,
        ("text", "character varying") if bm.is_empty() => Coercible,
        ("character", "text") | ("character", "character varying") if bm.is_empty() => Rewrite,
        ("character", "character varying") => {
            if bm[0] >= am.first().copied().unwrap_or(1) {
                Rewrite
            } else {
                Lossy
            }
        }
        ("cidr", "inet") => Coercible,
        ("json", "jsonb") => Rewrite,
        ("date", "timestamp without time zone" | "timestamp with time zone") => Rewrite,
        ("timestamp without time zone", "timestamp with time zone")
        | ("timestamp with time zone", "timestamp without time zone") => {
            // The wall-clock interpretation uses the session's TimeZone; precision may
            // also drop.
            if precision_widens(&am, &bm) {
                Rewrite
            } else {
                Lossy
            }
        }
        ("real", "double precision") => Rewrite,
        ("smallint", "real") => Rewrite,
        ("smallint" | "integer", "double precision") => Rewrite,
        ("real" | "double precision", "numeric") if bm.is_empty() => Rewrite,
        _ => {
            if let (Some(x), Some(y)) = (int_rank(&a), int_rank(&b)) {
                return if y > x { Rewrite } else { Lossy };
            }
            if let (Some(digits), "numeric") = (int_digits(&a), b.as_str()) {
                // numeric(p,s) holds p-s integer digits.
                return match bm.as_slice() {
                    [] => Rewrite,
                    [p] if *p >= digits => Rewrite,
                    [p, s] if p - s >= digits => Rewrite,
                    _ => Lossy,
                };
            }
            if is_unbounded_string(&b, &bm) && category(&a) != Category::String {
                // Every value has a text form.
                return Rewrite;
            }
            Lossy
        }
    }
}

fn is_unbounded_string(base: &str, mods: &[i64]) -> bool {
    base == "text" || (base == "character varying" && mods.is_empty())
}

fn precision_widens(from: &[i64], to: &[i64]) -> bool {
    // No precision means the maximum (6) for time types.
    let f = from.first().copied().unwrap_or(6);
    let t = to.first().copied().unwrap_or(6);
    t >= f
}

/// Same base type, different modifiers.
fn modifier_change(base: &str, from: &[i64], to: &[i64]) -> TypeChange {
    use TypeChange::*;
    match base {
        "character varying" | "bit varying" => match (from.first(), to.first()) {
            (_, None) => Coercible,
            (Some(f), Some(t)) if t >= f => Coercible,
            _ => Lossy,
        },
        "character" | "bit" => match (from.first(), to.first()) {
            (Some(f), Some(t)) if t > f => Rewrite,
            _ => Lossy,
        },
        "numeric" => match (from, to) {
            (_, []) => Coercible,
            ([], _) => Lossy,
            _ => {
                let (p0, s0) = (from[0], from.get(1).copied().unwrap_or(0));
                let (p1, s1) = (to[0], to.get(1).copied().unwrap_or(0));
                if s1 == s0 && p1 >= p0 {
                    Coercible
                } else if s1 >= s0 && p1 - s1 >= p0 - s0 {
                    Rewrite
                } else {
                    Lossy
                }
            }
        },
        "timestamp without time zone"
        | "timestamp with time zone"
        | "time without time zone"
        | "time with time zone"
        | "interval" => {
            if precision_widens(from, to) {
                Coercible
            } else {
                Lossy
            }
        }
        _ => Lossy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::QualName;

    fn t(n: &str) -> TypeRef {
        TypeRef::builtin(n)
    }

    #[test]
    fn widenings_and_narrowings() {
        use TypeChange::*;
        let cases = [
            ("character varying(50)", "character varying(200)", Coercible),
            ("character varying(50)", "character varying", Coercible),
            ("character varying(20)", "text", Coercible),
            ("text", "character varying", Coercible),
            ("numeric(10,2)", "numeric(12,2)", Coercible),
            ("numeric(10,2)", "numeric", Coercible),
            (
                "timestamp(3) with time zone",
                "timestamp with time zone",
                Coercible,
            ),
            ("integer", "bigint", Rewrite),
            ("smallint", "integer", Rewrite),
            ("real", "double precision", Rewrite),
            ("integer", "numeric(10,2)", Lossy),
            ("integer", "numeric(12,2)", Rewrite),
            ("integer", "numeric", Rewrite),
            ("character(2)", "character(3)", Rewrite),
            ("date", "timestamp with time zone", Rewrite),
            ("integer", "text", Rewrite),
            ("character varying(200)", "character varying(50)", Lossy),
            ("text", "character varying(10)", Lossy),
            ("bigint", "integer", Lossy),
            ("double precision", "real", Lossy),
            ("numeric(10,2)", "numeric(10,1)", Lossy),
            ("numeric(10,2)", "integer", Lossy),
            ("text", "date", Lossy),
            ("timestamp with time zone", "date", Lossy),
            ("text", "integer", Lossy),
            ("character(3)", "character(2)", Lossy),
        ];
        for (a, b, want) in cases {
            assert_eq!(classify(&t(a), &t(b)), want, "{a} -> {b}");
        }
        assert_eq!(
            classify(&t("integer").array_of(), &t("bigint").array_of()),
            Rewrite
        );
        assert_eq!(classify(&t("integer").array_of(), &t("integer")), Lossy);
        let mood = TypeRef::user(QualName::new("public", "mood"));
        assert_eq!(classify(&mood, &t("text")), Rewrite);
        assert_eq!(classify(&t("text"), &mood), Lossy);
    }

    #[test]
    fn using_when_the_category_changes() {
        assert!(!needs_using(&t("integer"), &t("bigint")));
        let no_enum = |_: &TypeRef| false;
        assert_eq!(
            using(
                &t("bigint"),
                &t("timestamp without time zone"),
                "at",
                &no_enum
            ),
            Some(("at::text::timestamp without time zone".into(), true))
        );
        assert_eq!(
            using(&t("text"), &t("integer"), "n", &no_enum),
            Some(("n::integer".into(), false))
        );
        let mood = TypeRef::user(shale_model::QualName::new("public", "mood"));
        let mood2 = TypeRef::user(shale_model::QualName::new("public", "mood2"));
        let enums = |t: &TypeRef| t.schema.is_some();
        assert_eq!(
            using(&mood, &mood2, "m", &enums),
            Some(("m::text::public.mood2".into(), true))
        );
        assert_eq!(
            using(&t("text"), &mood2, "m", &enums),
            Some(("m::public.mood2".into(), false))
        );
        assert!(!needs_using(&t("character varying(5)"), &t("text")));
        assert!(!needs_using(&t("date"), &t("timestamp with time zone")));
        assert!(needs_using(&t("text"), &t("date")));
        assert!(needs_using(&t("text"), &t("integer")));
        assert!(needs_using(&t("json"), &t("jsonb")));
        assert!(needs_using(&t("integer"), &t("integer").array_of()));
        assert!(!needs_using(
            &t("integer").array_of(),
            &t("bigint").array_of()
        ));
        assert!(needs_using(
            &t("text"),
            &TypeRef::user(QualName::new("public", "mood"))
        ));
    }
}
