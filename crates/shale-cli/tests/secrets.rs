//! Secrets of user mappings, foreign servers and subscriptions never appear in review
//! output (text, markdown, JSON), creating or altering them; the SQL script carries them.

mod common;

use common::{shale, stderr, stdout, Scratch};

const SECRETS: &[&str] = &["hunter2", "srv-Secret-9", "sub-Pass-7", "old-um-pw"];

const CURRENT: &str = "CREATE FOREIGN DATA WRAPPER w;\n\
    CREATE SERVER kept FOREIGN DATA WRAPPER w;\n\
    CREATE USER MAPPING FOR PUBLIC SERVER kept OPTIONS (user 'app', password 'old-um-pw');\n";

const DESIRED: &str = "CREATE FOREIGN DATA WRAPPER w;\n\
    CREATE SERVER kept FOREIGN DATA WRAPPER w;\n\
    CREATE USER MAPPING FOR PUBLIC SERVER kept OPTIONS (user 'app', password 'hunter2');\n\
    CREATE SERVER remote FOREIGN DATA WRAPPER w OPTIONS (host 'db', password 'srv-Secret-9');\n\
    CREATE USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS (user 'bob', password 'hunter2');\n\
    CREATE SUBSCRIPTION feed CONNECTION 'host=pub dbname=app user=rep password=sub-Pass-7' \
    PUBLICATION p WITH (connect = false, slot_name = NONE);\n";

#[test]
fn review_output_masks_secrets_and_the_sql_script_carries_them() {
    let s = Scratch::new(&[("current.sql", CURRENT), ("desired.sql", DESIRED)]);
    let (from, to) = (s.path("current.sql"), s.path("desired.sql"));
    for format in ["text", "markdown", "json"] {
        let o = shale(&["plan", "--from", &from, "--to", &to, "--format", format]);
        assert_eq!(o.status.code(), Some(2), "{format}: {}", stderr(&o));
        let out = stdout(&o) + &stderr(&o);
        // The steps are there, with their secrets masked.
        assert!(
            out.contains("CREATE USER MAPPING FOR CURRENT_USER SERVER remote"),
            "{format}: {out}"
        );
        assert!(out.contains("CREATE SUBSCRIPTION feed"), "{format}: {out}");
        assert!(out.contains("***"), "{format}: {out}");
        for secret in SECRETS {
            assert!(!out.contains(secret), "{format} shows {secret}:\n{out}");
        }
        // The rollback (shown by default) sets the old password back: masked too.
        assert!(out.to_lowercase().contains("rollback"), "{format}: {out}");
    }
    let o = shale(&["plan", "--from", &from, "--to", &to, "--format", "sql"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let sql = stdout(&o);
    for secret in ["hunter2", "srv-Secret-9", "sub-Pass-7"] {
        assert!(
            sql.contains(secret),
            "the SQL script lacks {secret}:\n{sql}"
        );
    }
    assert!(
        sql.contains("ALTER USER MAPPING FOR PUBLIC SERVER kept OPTIONS (SET password 'hunter2')"),
        "{sql}"
    );
}
