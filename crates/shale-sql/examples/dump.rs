//! Print the catalog parsed from the files given (a development aid).
fn main() {
    let files: Vec<shale_sql::SourceFile> = std::env::args()
        .skip(1)
        .map(|p| shale_sql::SourceFile {
            text: std::fs::read_to_string(&p).unwrap_or_default(),
            path: p,
        })
        .collect();
    match shale_sql::parse_sources(&files) {
        Ok(c) => println!("{c:#?}"),
        Err(e) => println!("error: {e}"),
    }
}
