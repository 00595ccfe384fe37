fn main() { println!("rust on {}", std::env::consts::ARCH); }
