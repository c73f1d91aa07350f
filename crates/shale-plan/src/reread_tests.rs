//! `create_script` output is read back by the SQL front end as the same catalog, for every
//! schema of the fixture suite.

use crate::create_script;
use shale_sql::{parse_sources, SourceFile};
use std::path::Path;

fn parse(path: &str, text: &str) -> shale_model::Catalog {
    parse_sources(&[SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    }])
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn create_script_is_read_back_as_the_same_catalog() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/ exists")
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    let mut checked = 0;
    for case in cases {
        for file in ["current.sql", "desired.sql"] {
            let path = case.join(file);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let name = path.display().to_string();
            let cat = parse(&name, &text);
            let script = create_script(&cat).unwrap_or_else(|e| panic!("{name}: {e}"));
            let again = parse(&format!("create_script({name})"), &script);
            if again != cat {
                let a = serde_json::to_string_pretty(&cat).unwrap();
                let b = serde_json::to_string_pretty(&again).unwrap();
                let diff: Vec<String> = a
                    .lines()
                    .zip(b.lines())
                    .filter(|(x, y)| x != y)
                    .take(8)
                    .map(|(x, y)| format!("- {x}\n+ {y}"))
                    .collect();
                panic!(
                    "{name}: script read back differs:\n{}\n--- script ---\n{script}",
                    diff.join("\n")
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} schemas checked");
}
