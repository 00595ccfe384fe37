fn main() { println!("keyring"); }
