//! rust-openssl links OpenSSL (Debian's libssl3) through the openssl-sys crate and
//! prints the library's own version string and a SHA-256 computed by it: only a binary linked
//! with the target's libcrypto can.

use std::ffi::CStr;

fn main() {
    openssl_sys::init();
    let version = unsafe { CStr::from_ptr(openssl_sys::OpenSSL_version(openssl_sys::OPENSSL_VERSION)) };
    let mut digest = [0u8; 32];
    let message = b"xplat";
    unsafe { openssl_sys::SHA256(message.as_ptr(), message.len(), digest.as_mut_ptr()) };
    let hex: String = digest.iter().map(|b| format!("{:02x}", b)).collect();
    println!("{} on {}: sha256(xplat) = {}", version.to_string_lossy(), std::env::consts::ARCH, hex);
}
