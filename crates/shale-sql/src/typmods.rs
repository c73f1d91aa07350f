//! Modifiers of non-built-in types, spelled as the catalog's `format_type` prints them.
//!
//! PostgreSQL hands a type's modifiers (`geometry(Polygon, 4326)`) to the type's `typmodin`
//! function, stores the integer it returns in `atttypmod`, and prints it back through
//! `typmodout` (or as `(N)` when the type has none). Files cannot call those functions, so
//! the modifiers of the types whose functions are known are canonicalized here to what
//! `typmodout` prints; any other type's modifiers are kept as written, `(a,b)`, which is
//! what `format_type` prints for the common case of integer modifiers stored as given
//! (pgvector's `vector(3)`). `--dev-url` reads files exactly for every other type.

/// One type modifier as written: a number, or a word (a bare name, case-folded by the
/// parser unless quoted, or a string constant), as PostgreSQL passes them to `typmodin`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Modifier {
    Int(i64),
    Word(String),
}

impl std::fmt::Display for Modifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Modifier::Int(i) => write!(f, "{i}"),
            Modifier::Word(w) => f.write_str(w),
        }
    }
}

/// The modifier text `format_type` prints after the type's name (`(Polygon,4326)`), or
/// `None` when it prints none.
pub(crate) fn canonical(type_name: &str, mods: &[Modifier]) -> Result<Option<String>, String> {
    if mods.is_empty() {
        return Ok(None);
    }
    match type_name {
        "geometry" => postgis(mods, false),
        "geography" => postgis(mods, true),
        _ => Ok(Some(format!(
            "({})",
            mods.iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ))),
    }
}

/// PostGIS's geometry type names, as its `typmodout` prints them (`lwtype_name`), in
/// type-number order (0 is the generic `Geometry`).
const POSTGIS_TYPES: &[&str] = &[
    "Geometry",
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
    "CircularString",
    "CompoundCurve",
    "CurvePolygon",
    "MultiCurve",
    "MultiSurface",
    "PolyhedralSurface",
    "Triangle",
    "Tin",
];

/// PostGIS's SRID limits (liblwgeom): larger SRIDs are folded into the reserved range
/// above `SRID_USER_MAXIMUM`, negative ones become 0 (unknown), both with a NOTICE.
const SRID_MAXIMUM: i64 = 999_999;
const SRID_USER_MAXIMUM: i64 = 998_999;
/// geography's SRID when none (or 0) is given: WGS 84.
const SRID_GEOGRAPHY_DEFAULT: i64 = 4326;

/// `geometry(type[, srid])` and `geography(type[, srid])` as `postgis_typmod_out` prints
/// them: the type name in PostGIS's own case with `Z`/`M`/`ZM` appended, then the SRID
/// unless it is 0; nothing at all for `geometry(Geometry)`. geography's SRID defaults to
/// 4326. (Checked against PostGIS 3.3's `format_type`.)
fn postgis(mods: &[Modifier], geography: bool) -> Result<Option<String>, String> {
    let which = if geography { "geography" } else { "geometry" };
    let (kind, srid) = match mods {
        [Modifier::Word(k)] => (k, None),
        [Modifier::Word(k), Modifier::Int(s)] => (k, Some(*s)),
        [Modifier::Word(_), Modifier::Word(s)] => match s.trim().parse::<i64>() {
            Ok(_) => {
                return postgis(
                    &[
                        mods[0].clone(),
                        Modifier::Int(s.trim().parse().unwrap_or(0)),
                    ],
                    geography,
                )
            }
            Err(_) => return Err(format!("invalid input syntax for type integer: \"{s}\"")),
        },
        [m, ..] if !matches!(m, Modifier::Word(_)) => {
            return Err(format!("Invalid geometry type modifier: {m}"))
        }
        _ => return Err(format!("Invalid {which} type modifier")),
    };
    let upper = kind.to_ascii_uppercase();
    let (base, z, m) = if let Some(b) = upper.strip_suffix("ZM") {
        (b, true, true)
    } else if let Some(b) = upper.strip_suffix('Z') {
        (b, true, false)
    } else if let Some(b) = upper.strip_suffix('M') {
        (b, false, true)
    } else {
        (upper.as_str(), false, false)
    };
    // A name ending in M or Z may be a type of its own before the suffix is split off
    // (none of PostGIS's names does, but match the whole word first anyway).
    let found = POSTGIS_TYPES
        .iter()
        .position(|t| t.eq_ignore_ascii_case(&upper))
        .map(|i| (i, false, false))
        .or_else(|| {
            POSTGIS_TYPES
                .iter()
                .position(|t| t.eq_ignore_ascii_case(base))
                .map(|i| (i, z, m))
        });
    let Some((ty, z, m)) = found else {
        return Err(format!("Invalid geometry type modifier: {kind}"));
    };
    let mut srid = match srid {
        None => 0,
        Some(s) if s <= 0 => 0,
        Some(s) if s > SRID_MAXIMUM => {
            SRID_USER_MAXIMUM + 1 + s % (SRID_MAXIMUM - SRID_USER_MAXIMUM - 1)
        }
        Some(s) => s,
    };
    if geography && srid == 0 {
        srid = SRID_GEOGRAPHY_DEFAULT;
    }
    if ty == 0 && !z && !m && srid == 0 {
        return Ok(None);
    }
    let mut out = format!("({}", POSTGIS_TYPES[ty]);
    if z {
        out.push('Z');
    }
    if m {
        out.push('M');
    }
    if srid != 0 {
        out.push_str(&format!(",{srid}"));
    }
    out.push(')');
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use crate::parse_type;

    fn t(sql: &str) -> String {
        parse_type(sql, &["public".to_string()])
            .unwrap()
            .to_string()
    }

    /// Each pair was checked against PostGIS 3.3's `format_type(atttypid, atttypmod)`.
    #[test]
    fn postgis_modifiers_as_format_type_prints_them() {
        for (written, printed) in [
            ("geometry(Polygon,4326)", "public.geometry(Polygon,4326)"),
            ("geometry(pointzm)", "public.geometry(PointZM)"),
            ("geography(Point)", "public.geography(Point,4326)"),
            ("geometry(Geometry,3857)", "public.geometry(Geometry,3857)"),
            ("geography", "public.geography"),
            ("geometry(\"POINTZ\", 4326)", "public.geometry(PointZ,4326)"),
            ("geometry(MultiPolygon,0)", "public.geometry(MultiPolygon)"),
            (
                "geography(Polygon,4326)[]",
                "public.geography(Polygon,4326)[]",
            ),
            (
                "public.geometry('LINESTRING', 2000)",
                "public.geometry(LineString,2000)",
            ),
            ("geometry(geometry)", "public.geometry"),
            ("geography(geometry)", "public.geography(Geometry,4326)"),
            (
                "geometry(geometrycollectionm, 4326)",
                "public.geometry(GeometryCollectionM,4326)",
            ),
            ("geometry(tin)", "public.geometry(Tin)"),
            (
                "geometry(Point, 999999999)",
                "public.geometry(Point,999000)",
            ),
            ("geometry(Point, -1)", "public.geometry(Point)"),
            (
                "geometry(GeometryZ, 4326)",
                "public.geometry(GeometryZ,4326)",
            ),
            ("geometry(geometrym)", "public.geometry(GeometryM)"),
            ("geography(Point, 0)", "public.geography(Point,4326)"),
            ("geography(Point, 4269)", "public.geography(Point,4269)"),
            ("geometry(polygon, '4326')", "public.geometry(Polygon,4326)"),
            (
                "extensions.geometry(Point,4326)",
                "extensions.geometry(Point,4326)",
            ),
        ] {
            assert_eq!(t(written), printed, "{written}");
        }
    }

    #[test]
    fn postgis_modifiers_postgis_refuses() {
        for bad in [
            "geometry(4326)",
            "geometry('foo')",
            "geometry('POINT Z', 4326)",
            "geometry(Point, 4326.0)",
            "geometry(Point, 1, 2)",
        ] {
            assert!(parse_type(bad, &["public".into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn other_types_keep_their_modifiers() {
        assert_eq!(t("vector(3)"), "public.vector(3)");
        assert_eq!(t("app.thing(1, 2)"), "app.thing(1,2)");
    }
}
