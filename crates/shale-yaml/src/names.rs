//! PostgreSQL's implicit object names (`makeObjectName` in `indexcmds.c`), used by
//! [`crate::to_yaml`] to leave out names that PostgreSQL would choose anyway.

/// PostgreSQL's identifier limit: `NAMEDATALEN - 1` bytes.
const MAX_IDENT: usize = 63;

/// `name1_name2_label`, shortened the way PostgreSQL does it when longer than 63 bytes
/// (take from the longer of the two names first). `None` when the shortening would cut
/// non-ASCII text (PostgreSQL clips at character boundaries in the database encoding;
/// not worth guessing).
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> Option<String> {
    let mut overhead = label.len() + 1;
    if name2.is_some() {
        overhead += 1;
    }
    let avail = MAX_IDENT - overhead;
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    if n1 + n2 > avail {
        if !name1.is_ascii() || !name2.is_none_or(str::is_ascii) {
            return None;
        }
        while n1 + n2 > avail {
            if n1 > n2 {
                n1 -= 1;
            } else {
                n2 -= 1;
            }
        }
    }
    let mut out = name1[..n1].to_string();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(&n[..n2]);
    }
    out.push('_');
    out.push_str(label);
    Some(out)
}

/// Column names joined with `_` as `ChooseIndexNameAddition` and
/// `ChooseForeignKeyConstraintNameAddition` do (they stop once past 63 bytes).
pub fn name_addition(cols: &[String]) -> String {
    let mut buf = String::new();
    for c in cols {
        if !buf.is_empty() {
            buf.push('_');
        }
        buf.push_str(c);
        if buf.len() > MAX_IDENT {
            break;
        }
    }
    // The C code copies at most NAMEDATALEN - 1 bytes of each name into a buffer of
    // 2 * NAMEDATALEN; anything past that is cut by makeObjectName anyway.
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(make_object_name("t", None, "pkey").unwrap(), "t_pkey");
        assert_eq!(
            make_object_name("t", Some("a_b"), "key").unwrap(),
            "t_a_b_key"
        );
        assert_eq!(name_addition(&["a".into(), "b".into()]), "a_b");
    }

    #[test]
    fn truncates_longer_part_first() {
        // Checked on PostgreSQL 15: CREATE TABLE with a 60-character name and a unique
        // column `email` gets
        // `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_email_key`.
        let t = "a".repeat(60);
        let n = make_object_name(&t, Some("email"), "key").unwrap();
        assert_eq!(n.len(), 63);
        assert_eq!(n, format!("{}_email_key", "a".repeat(53)));
        let c = "c".repeat(40);
        let n = make_object_name(&"t".repeat(40), Some(&c), "fkey").unwrap();
        assert_eq!(n, format!("{}_{}_fkey", "t".repeat(29), "c".repeat(28)));
        assert!(make_object_name(&"é".repeat(40), None, "pkey").is_none());
    }
}
