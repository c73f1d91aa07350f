//! The password file (`~/.pgpass`, or `passfile` / `PGPASSFILE`), read as libpq reads it:
//! lines of `hostname:port:database:username:password`, `*` matching anything in the
//! first four fields, `\:` and `\\` escaping, `#` lines ignored, the first matching line
//! winning. A file that group or others can read is ignored with a warning, as in libpq.

use std::path::{Path, PathBuf};

/// What a connection attempt looks up in the password file.
pub struct Lookup<'a> {
    /// `localhost` for Unix-domain sockets, as libpq matches them.
    pub host: &'a str,
    pub port: &'a str,
    pub dbname: &'a str,
    pub user: &'a str,
}

/// The password file libpq would read: `passfile`, else `PGPASSFILE` (already folded
/// into `passfile` by the environment step), else `~/.pgpass`.
pub fn default_path(home: Option<&Path>) -> Option<PathBuf> {
    home.map(|h| h.join(".pgpass"))
}

/// The password for `lookup` from the file at `path`, or `None` when the file is absent,
/// unsafe (a warning is returned), or has no matching line.
pub fn lookup(path: &Path, lookup: &Lookup<'_>) -> (Option<String>, Option<String>) {
    let Ok(meta) = std::fs::metadata(path) else {
        return (None, None);
    };
    if !meta.is_file() {
        return (
            None,
            Some(format!(
                "WARNING: password file \"{}\" is not a plain file",
                path.display()
            )),
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return (
                None,
                Some(format!(
                    "WARNING: password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
                    path.display()
                )),
            );
        }
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return (None, None);
    };
    (find(&text, lookup), None)
}

/// The password of the first line of `text` that matches `l`.
pub fn find(text: &str, l: &Lookup<'_>) -> Option<String> {
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = split(line);
        if fields.len() < 5 {
            continue;
        }
        let matches = |field: &str, want: &str| field == "*" || field == want;
        if matches(&fields[0], l.host)
            && matches(&fields[1], l.port)
            && matches(&fields[2], l.dbname)
            && matches(&fields[3], l.user)
        {
            // The password is the rest of the line (it may hold unescaped colons).
            return Some(fields[4..].join(":"));
        }
    }
    None
}

/// The colon-separated fields of a line, with `\` escapes resolved.
fn split(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut().expect("one field at least").push(n);
                }
            }
            ':' => fields.push(String::new()),
            c => fields.last_mut().expect("one field at least").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l<'a>(host: &'a str, port: &'a str, dbname: &'a str, user: &'a str) -> Lookup<'a> {
        Lookup {
            host,
            port,
            dbname,
            user,
        }
    }

    #[test]
    fn first_matching_line_wins() {
        let text = "# comment\n\
                    db.example:5432:app:alice:first\n\
                    *:*:*:alice:wild\n\
                    localhost:*:*:*:local\n\
                    h\\:x:5432:a\\\\b:u:esc\\:aped\n";
        assert_eq!(
            find(text, &l("db.example", "5432", "app", "alice")).as_deref(),
            Some("first")
        );
        assert_eq!(
            find(text, &l("other", "1", "x", "alice")).as_deref(),
            Some("wild")
        );
        assert_eq!(
            find(text, &l("localhost", "5433", "x", "bob")).as_deref(),
            Some("local")
        );
        assert_eq!(
            find(text, &l("h:x", "5432", "a\\b", "u")).as_deref(),
            Some("esc:aped")
        );
        assert_eq!(find(text, &l("nope", "5432", "x", "bob")), None);
        assert_eq!(find("a:b:c\n", &l("a", "b", "c", "d")), None);
    }

    #[test]
    fn unsafe_files_are_ignored_with_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("shale-pgpass-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("pgpass");
        std::fs::write(&p, "*:*:*:*:pw\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (pw, warning) = lookup(&p, &l("h", "1", "d", "u"));
        assert_eq!(pw, None);
        assert!(warning.unwrap().contains("group or world access"));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let (pw, warning) = lookup(&p, &l("h", "1", "d", "u"));
        assert_eq!(pw.as_deref(), Some("pw"));
        assert_eq!(warning, None);
        let (pw, warning) = lookup(&dir.join("absent"), &l("h", "1", "d", "u"));
        assert_eq!((pw, warning), (None, None));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
