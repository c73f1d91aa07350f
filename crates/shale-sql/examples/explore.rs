fn main() {
    let verbose = std::env::var("V").is_ok();
    for a in std::env::args().skip(1) {
        match pg_query::parse(&a, 0) {
            Ok(r) => {
                if verbose {
                    let s = format!("{:?}", r.protobuf.stmts);
                    println!(
                        "{}",
                        s.replace("Node { node: Some(", "(")
                            .replace(", location: ", " @")
                    );
                }
                println!("deparse: {:?}", r.protobuf.deparse(Default::default()));
                if !r.warnings.is_empty() {
                    println!("warnings: {:?}", r.warnings);
                }
            }
            Err(e) => println!("ERR {e:?}"),
        }
    }
}
