//! Sign-in in a real browser (written next).

fn main() {}
