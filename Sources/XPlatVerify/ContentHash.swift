import Foundation
import XPlatELF
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A 128-bit content hash for finding byte-identical files: two independent multiply-rotate lanes
/// over 8-byte words (not cryptographic; a match is confirmed by size too). Word-at-a-time, since
/// every ELF file of an image is hashed and byte-at-a-time cost ~1 ns a byte.
struct ContentHash: Sendable, Hashable {
    var a: UInt64 = 0xcbf2_9ce4_8422_2325
    var b: UInt64 = 0x6c62_272e_07bb_0142
    var count: UInt64 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        let words = bytes.count / 8
        for index in 0..<words {
            mix(bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
        }
        offset = words * 8
        if offset < bytes.count {
            var tail: UInt64 = 0
            for (shift, byte) in bytes[offset...].enumerated() { tail |= UInt64(byte) << (8 * UInt64(shift)) }
            mix(tail ^ 0xFF00_0000_0000_0000)
        }
        count &+= UInt64(bytes.count)
    }

    private mutating func mix(_ word: UInt64) {
        a = (a ^ word) &* 0x9E37_79B9_7F4A_7C15
        a = (a << 31) | (a >> 33)
        b = (b &+ word) &* 0xC2B2_AE3D_27D4_EB4F
        b ^= b >> 29
    }

    static func ofFile(_ path: String) -> ContentHash? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var h = ContentHash()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { return h }
            buffer.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
        }
    }
}
