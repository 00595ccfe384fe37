// `.go.buildinfo`, as Go 1.18+ writes it (cmd/go/internal/version, debug/buildinfo):
//
//   16-byte header: "\xff Go buildinf:" (14 bytes), pointer size, flags.
//   flags & 2 ("version inline"): at offset 32, the Go version and then the module info, each as a
//   uvarint length and bytes. The module info is wrapped in 16-byte sentinels and holds lines such as
//   "build\tGOARCH=arm" and "build\tGOARM=7".
// Before Go 1.18 the header holds pointers instead and there are no build settings: such files give
// nil here and their platform comes from the ELF facts alone.

enum GoBuildInfoParser {

    static func parse(_ raw: UnsafeRawBufferPointer) -> GoBuildInfo? {
        // "\xff" is not valid UTF-8 in a Swift literal: build the magic byte by byte.
        let expected: [UInt8] = [0xFF] + Array(" Go buildinf:".utf8)
        guard raw.count >= 32, raw.prefix(14).elementsEqual(expected) else { return nil }
        let flags = raw[15]
        guard flags & 2 != 0 else { return nil }
        var at = 32
        func uvarint() -> Int? {
            var value = 0
            var shift = 0
            while at < raw.count, shift < 63 {
                let byte = raw[at]
                at += 1
                value |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        func string() -> String? {
            guard let length = uvarint(), length <= raw.count - at else { return nil }
            defer { at += length }
            return String(decoding: raw[at..<(at + length)], as: UTF8.self)
        }
        guard let version = string(), let modinfo = string() else { return nil }
        var settings: [String: String] = [:]
        for line in modinfo.split(separator: "\n") {
            guard line.hasPrefix("build\t") else { continue }
            let pair = line.dropFirst("build\t".count)
            guard let equals = pair.firstIndex(of: "=") else { continue }
            settings[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return GoBuildInfo(version: version, settings: settings)
    }
}
