import Foundation
import XPlatPlatform

/// A size in bytes as docker reads `--shm-size` (`64m`, `1g`, `1.5GiB`, `67108864`; units of 1024).
public enum ByteSize {
    /// Parses a docker memory size; nil when it is not one.
    public static func parse(_ text: String) -> UInt64? {
        var s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s.hasSuffix("b") { s.removeLast() }
        if s.hasSuffix("i") { s.removeLast() }
        let units: [Character: UInt64] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50]
        var multiplier: UInt64 = 1
        if let last = s.last, let unit = units[last] {
            multiplier = unit
            s.removeLast()
        }
        s = s.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty, s.allSatisfy({ $0.isNumber || $0 == "." }), s.first != ".", let number = Double(s) else {
            return nil
        }
        let bytes = number * Double(multiplier)
        guard bytes < Double(UInt64.max) else { return nil }
        return UInt64(bytes)
    }
}
