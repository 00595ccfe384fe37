//! rust-hello prints the architecture it was compiled for (a compile-time constant), so a build's
//! output can be checked against the platform that was asked for.

fn main() {
    println!("hello from Rust on {}-{}", std::env::consts::ARCH, std::env::consts::OS);
}
