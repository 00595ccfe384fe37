import Foundation
import XPlatPlatform
import XPlatSupport

/// `--attest type=TYPE[,KEY=VALUE...]` (and `--provenance`/`--sbom`, its shorthands): an
/// attestation BuildKit adds beside each image.
public struct AttestSpec: Sendable, Hashable {
    /// `provenance` or `sbom`.
    public var type: String
    /// False for `enabled=false` (buildx 0.10), `disabled=true` (0.11+) or `--provenance=false`:
    /// none of this type.
    public var enabled: Bool
    /// The value as buildx passes it on.
    public var text: String

    public init(type: String, enabled: Bool, text: String) {
        self.type = type
        self.enabled = enabled
        self.text = text
    }

    /// Parses one `--attest` value.
    public init(parsing text: String) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--attest", value: text, reason: why) }
        var type: String?
        var enabled = true
        for field in try OptionFields.split(text, option: "--attest") {
            guard let kv = KeyValue(field), let value = kv.value else { throw fail("\"\(field)\" is not key=value") }
            switch kv.key.trimmingCharacters(in: .whitespaces).lowercased() {
            case "type": type = value
            case "enabled":
                guard let b = OptionFields.bool(value) else { throw fail("enabled=\(value): expected true or false") }
                enabled = b
            case "disabled":
                // buildx 0.11 and newer spell it `disabled=` (0.10: `enabled=`).
                guard let b = OptionFields.bool(value) else { throw fail("disabled=\(value): expected true or false") }
                enabled = !b
            default: break
            }
        }
        guard let type, !type.isEmpty else { throw fail("needs type=provenance or type=sbom") }
        guard type == "provenance" || type == "sbom" else {
            throw fail("type=\(type): BuildKit makes provenance and sbom attestations")
        }
        self.type = type
        self.enabled = enabled
        self.text = text
    }

    /// buildx's shorthand: `--provenance VALUE` is `--attest type=provenance,VALUE`
    /// (`true`/`false` become `enabled=`).
    public init(shorthand type: String, value: String) throws {
        if let b = OptionFields.bool(value) {
            try self.init(parsing: "type=\(type),enabled=\(b)")
        } else {
            try self.init(parsing: "type=\(type),\(value)")
        }
    }
}
