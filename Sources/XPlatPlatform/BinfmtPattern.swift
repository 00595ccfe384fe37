/// A binfmt_misc registration pattern: the first bytes of a file, compared under a mask.
public struct BinfmtPattern: Sendable, Hashable, Codable {
    enum CodingKeys: String, CodingKey { case offset, magic, mask }

    public init(offset: Int, magic: [UInt8], mask: [UInt8]) {
        self.offset = offset
        self.magic = magic
        self.mask = mask
    }

    /// JSON form: `{"offset": 0, "magic": "\\x7f...", "mask": "\\xff..."}`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(offset, forKey: .offset)
        try c.encode(magicString, forKey: .magic)
        try c.encode(maskString, forKey: .mask)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        offset = try c.decode(Int.self, forKey: .offset)
        let magicText = try c.decode(String.self, forKey: .magic)
        let maskText = try c.decode(String.self, forKey: .mask)
        guard let magic = Self.unescape(magicText), let mask = Self.unescape(maskText), magic.count == mask.count else {
            throw DecodingError.dataCorruptedError(forKey: .magic, in: c, debugDescription: "bad binfmt pattern")
        }
        self.magic = magic
        self.mask = mask
    }

    /// Offset of the magic in the file.
    public var offset: Int
    public var magic: [UInt8]
    public var mask: [UInt8]

    /// `\x7f\x45...`, the form binfmt_misc's register file and `/usr/share/binfmts` use.
    public var magicString: String { Self.escape(magic) }
    public var maskString: String { Self.escape(mask) }

    /// True when `header` (the file's first bytes) matches this pattern.
    public func matches(_ header: [UInt8]) -> Bool {
        guard header.count >= offset + magic.count else { return false }
        for i in 0..<magic.count where header[offset + i] & mask[i] != magic[i] & mask[i] {
            return false
        }
        return true
    }

    static func escape(_ bytes: [UInt8]) -> String {
        bytes.map { "\\x" + (($0 < 16 ? "0" : "") + String($0, radix: 16)) }.joined()
    }

    /// Parses `\x7fELF\x02...` (escaped bytes mixed with literal characters).
    public static func unescape(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let c = bytes.first {
            if c == UInt8(ascii: "\\"), bytes.count >= 4, bytes.dropFirst().first == UInt8(ascii: "x") {
                let hex = String(decoding: bytes.dropFirst(2).prefix(2), as: UTF8.self)
                guard let value = UInt8(hex, radix: 16) else { return nil }
                out.append(value)
                bytes = bytes.dropFirst(4)
            } else {
                out.append(c)
                bytes = bytes.dropFirst()
            }
        }
        return out
    }
}
