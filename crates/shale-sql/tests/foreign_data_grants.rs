//! Privileges on foreign-data wrappers and servers, user mappings for the running role,
//! and subscription options written as bare words, in the SQL front end.

use shale_model::security::Grant;
use shale_model::ObjectId;
use shale_sql::{parse_sources, SourceFile};

fn parse(sql: &str) -> Result<shale_model::Catalog, String> {
    parse_sources(&[SourceFile {
        path: "t.sql".into(),
        text: sql.into(),
    }])
    .map_err(|e| e.to_string())
}

#[test]
fn usage_on_wrappers_and_servers_is_modelled() {
    let cat = parse(
        "CREATE FOREIGN DATA WRAPPER w;
         CREATE SERVER s FOREIGN DATA WRAPPER w;
         GRANT USAGE ON FOREIGN DATA WRAPPER w TO app WITH GRANT OPTION;
         GRANT ALL ON FOREIGN SERVER s TO app, PUBLIC;
         REVOKE USAGE ON FOREIGN SERVER s FROM PUBLIC;",
    )
    .unwrap();
    let w = ObjectId::ForeignDataWrapper { name: "w".into() };
    let s = ObjectId::ForeignServer { name: "s".into() };
    assert_eq!(
        cat.grants_on(&w).into_iter().collect::<Vec<_>>(),
        [Grant::new("app", "USAGE", true)]
    );
    assert_eq!(
        cat.grants_on(&s).into_iter().collect::<Vec<_>>(),
        [Grant::new("app", "USAGE", false)]
    );
    // Dropped with the server.
    let cat = parse(
        "CREATE FOREIGN DATA WRAPPER w; CREATE SERVER s FOREIGN DATA WRAPPER w;
         GRANT USAGE ON FOREIGN SERVER s TO app; DROP SERVER s;",
    )
    .unwrap();
    assert!(cat.privileges.is_empty());
}

#[test]
fn grants_on_what_the_files_lack_are_errors_unless_an_extension_may_make_it() {
    let e = parse("GRANT USAGE ON FOREIGN SERVER nope TO app;").unwrap_err();
    assert!(e.contains("server \"nope\" does not exist"), "{e}");
    let e = parse("GRANT SELECT ON FOREIGN DATA WRAPPER w TO app;");
    assert!(e.unwrap_err().contains("does not exist"));
    let e = parse("CREATE FOREIGN DATA WRAPPER w; GRANT SELECT ON FOREIGN DATA WRAPPER w TO app;")
        .unwrap_err();
    assert!(e.contains("invalid privilege type SELECT"), "{e}");
    // postgres_fdw's wrapper is the extension's, not the model's (nor are its grants).
    let cat = parse(
        "CREATE EXTENSION postgres_fdw;
         GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO app;",
    )
    .unwrap();
    assert!(cat.privileges.is_empty());
}

#[test]
fn every_spelling_of_the_running_role_maps_as_current_user() {
    let cat = parse(
        "CREATE FOREIGN DATA WRAPPER w;
         CREATE SERVER a FOREIGN DATA WRAPPER w; CREATE SERVER b FOREIGN DATA WRAPPER w;
         CREATE SERVER c FOREIGN DATA WRAPPER w; CREATE SERVER d FOREIGN DATA WRAPPER w;
         CREATE USER MAPPING FOR USER SERVER a;
         CREATE USER MAPPING FOR CURRENT_ROLE SERVER b;
         CREATE USER MAPPING FOR SESSION_USER SERVER c;
         CREATE USER MAPPING FOR \"public\" SERVER d;
         CREATE USER MAPPING FOR postgres SERVER d;",
    )
    .unwrap();
    let users: Vec<(&str, &str)> = cat
        .user_mappings
        .keys()
        .map(|(s, u)| (s.as_str(), u.as_str()))
        .collect();
    assert_eq!(
        users,
        [
            ("a", "CURRENT_USER"),
            ("b", "CURRENT_USER"),
            ("c", "CURRENT_USER"),
            ("d", "PUBLIC"),
            ("d", "postgres")
        ]
    );
    let mut cat = cat;
    cat.user_mappings_as("postgres");
    assert!(cat
        .user_mappings
        .contains_key(&("d".to_string(), "CURRENT_USER".to_string())));
}

#[test]
fn subscription_options_written_as_bare_words() {
    // As pg_dump writes them.
    let cat = parse(
        "CREATE SUBSCRIPTION a CONNECTION 'host=x' PUBLICATION p
           WITH (connect = false, slot_name = 'a', streaming = parallel, binary = true);
         CREATE SUBSCRIPTION b CONNECTION 'host=x' PUBLICATION p
           WITH (connect = false, slot_name = NONE, streaming = off);
         CREATE SUBSCRIPTION c CONNECTION 'host=x' PUBLICATION p
           WITH (connect = false, slot_name = NONE, streaming = on);",
    )
    .unwrap();
    let s: Vec<&str> = cat
        .subscriptions
        .values()
        .map(|s| s.streaming.as_str())
        .collect();
    assert_eq!(s, ["parallel", "off", "on"]);
    let e = parse(
        "CREATE SUBSCRIPTION a CONNECTION 'host=x' PUBLICATION p WITH (connect = false, slot_name = NONE, streaming = sometimes);",
    )
    .unwrap_err();
    assert!(e.contains("streaming requires a Boolean value"), "{e}");
}
