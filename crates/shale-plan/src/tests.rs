use super::*;
use crate::fixtures::*;

#[test]
fn smoke_print() {
    let s = create_script(&shop()).unwrap();
    std::fs::write("/tmp/shop.sql", &s).unwrap();
}
