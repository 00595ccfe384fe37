// `.ARM.attributes`: the build attributes section of the ARM ELF ABI ("Addenda to, and errata in,
// the ABI for the Arm architecture", section "Build attributes").
//
// Layout: 'A', then subsections of { uint32 length (itself included), NUL-terminated vendor name,
// sub-subsections }. In the "aeabi" subsection each sub-subsection is { ULEB128 tag (1 = file,
// 2 = section, 3 = symbol), uint32 size, attributes }, and each attribute is a ULEB128 tag followed
// by a ULEB128 or a NUL-terminated string: string for tags 4, 5 and 67, ULEB128 + string for 32,
// and above 32 by parity (odd: string, even: ULEB128).

import XPlatPlatform

/// The attributes xplat uses from `.ARM.attributes`.
struct ARMAttributes: Sendable, Hashable {
    /// `Tag_CPU_arch` (6).
    var cpuArch: Int?
    /// `Tag_ABI_VFP_args` (28): 0 base (soft) ABI, 1 VFP registers (hard), 2 toolchain, 3 both.
    var vfpArgs: Int?

    private static let tagCPUArch = 6
    private static let tagABIVFPArgs = 28

    /// Parses the section bytes; any overrun is `ELFError.malformed`, never a trap.
    static func parse(_ raw: UnsafeRawBufferPointer, order: ByteOrder, path: String) throws -> ARMAttributes {
        var result = ARMAttributes()
        guard raw.count > 0 else { return result }
        let reader = Reader(raw: raw, order: order, path: path)
        guard raw[0] == UInt8(ascii: "A") else { throw reader.bad("format version \(raw[0]), expected 'A'") }
        var offset = 1
        while offset < raw.count {
            offset = try reader.readSubsection(at: offset, into: &result)
        }
        return result
    }

    /// Reads the section's layout (see the top of the file), each read bounded by the end of the part
    /// it is in.
    struct Reader {
        let raw: UnsafeRawBufferPointer
        let order: ByteOrder
        let path: String

        func bad(_ why: String) -> ELFError { .malformed(path: path, reason: ".ARM.attributes: \(why)") }

        /// One vendor subsection at `offset`, with the "aeabi" one's file attributes read into
        /// `result`; returns where the next subsection starts.
        func readSubsection(at offset: Int, into result: inout ARMAttributes) throws -> Int {
            guard raw.count - offset >= 4 else { throw bad("truncated subsection header at \(offset)") }
            let length = u32(offset)
            guard length >= 5, length <= raw.count - offset else {
                throw bad("subsection length \(length) at \(offset)")
            }
            let end = offset + length
            var at = offset + 4
            let vendorStart = at
            try skipString(&at, end)
            let vendor = String(decoding: raw[vendorStart..<(at - 1)], as: UTF8.self)
            if vendor == "aeabi" {
                while at < end { at = try readSubSubsection(at: at, end: end, into: &result) }
            }
            return end
        }

        /// One sub-subsection of the "aeabi" subsection; only the file-scoped one (tag 1) is read,
        /// section and symbol scoped ones are not the file's. Returns where the next one starts.
        func readSubSubsection(at start: Int, end: Int, into result: inout ARMAttributes) throws -> Int {
            var at = start
            let kind = try uleb(&at, end)
            guard end - at >= 4 else { throw bad("truncated sub-subsection") }
            let size = u32(at)
            let tagStart = at - 1
            guard size >= 5, size <= end - tagStart else { throw bad("sub-subsection size \(size)") }
            at += 4
            let subEnd = tagStart + size
            guard kind == 1 else { return subEnd }
            while at < subEnd { try readAttribute(&at, subEnd, into: &result) }
            return subEnd
        }

        /// One attribute: its tag, then a string or a ULEB128 by the tag's rule; keeps the ones xplat uses.
        func readAttribute(_ at: inout Int, _ end: Int, into result: inout ARMAttributes) throws {
            let tag = try uleb(&at, end)
            switch tag {
            case 4, 5, 67:
                try skipString(&at, end)
            case 32:
                _ = try uleb(&at, end)
                try skipString(&at, end)
            case let t where t > 32 && t % 2 == 1:
                try skipString(&at, end)
            default:
                let value = try uleb(&at, end)
                if tag == ARMAttributes.tagCPUArch { result.cpuArch = value }
                if tag == ARMAttributes.tagABIVFPArgs { result.vfpArgs = value }
            }
        }

        func u32(_ at: Int) -> Int {
            let b = (Int(raw[at]), Int(raw[at + 1]), Int(raw[at + 2]), Int(raw[at + 3]))
            return order == .little ? b.0 | b.1 << 8 | b.2 << 16 | b.3 << 24 : b.3 | b.2 << 8 | b.1 << 16 | b.0 << 24
        }

        func uleb(_ at: inout Int, _ end: Int) throws -> Int {
            var value = 0
            var shift = 0
            while true {
                guard at < end else { throw bad("ULEB128 runs past the end") }
                let byte = raw[at]
                at += 1
                if shift < 63 { value |= Int(byte & 0x7F) << shift }
                guard byte & 0x80 != 0 else { return value }
                shift += 7
                guard shift < 70 else { throw bad("ULEB128 too long") }
            }
        }

        func skipString(_ at: inout Int, _ end: Int) throws {
            while at < end, raw[at] != 0 { at += 1 }
            guard at < end else { throw bad("string runs past the end") }
            at += 1
        }
    }
}
