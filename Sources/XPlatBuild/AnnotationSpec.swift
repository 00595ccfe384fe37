import Foundation
import XPlatPlatform
import XPlatSupport

/// `--annotation [TYPE[PLATFORM]:]KEY=VALUE` (buildx 0.12): an OCI annotation on the image.
/// Without a type it goes on each platform's manifest (BuildKit's default); `index:` on the image
/// index, `manifest-descriptor:` on the index's descriptor of each manifest, `index-descriptor:`
/// on the OCI layout's descriptor of the index. `[linux/arm64]` limits it to one platform.
public struct AnnotationSpec: Sendable, Hashable {
    /// Where an annotation goes.
    public enum Level: String, Sendable, Hashable, CaseIterable {
        case manifest
        case index
        case manifestDescriptor = "manifest-descriptor"
        case indexDescriptor = "index-descriptor"
    }

    /// Nil: buildx's default placement (the manifests).
    public var level: Level?
    public var platform: Platform?
    public var key: String
    public var value: String

    public init(level: Level?, platform: Platform?, key: String, value: String) {
        self.level = level
        self.platform = platform
        self.key = key
        self.value = value
    }

    /// Parses one `--annotation` value.
    public init(parsing text: String) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--annotation", value: text, reason: why) }
        guard let equals = text.firstIndex(of: "=") else { throw fail("expected [TYPE:]KEY=VALUE") }
        var left = Substring(text[..<equals])
        value = String(text[text.index(after: equals)...])
        level = nil
        platform = nil
        if let colon = left.firstIndex(of: ":"), Self.isTypePrefix(left[..<colon]) {
            var typePart = left[..<colon]
            if let open = typePart.firstIndex(of: "["), typePart.last == "]" {
                let inside = String(typePart[typePart.index(after: open)..<typePart.index(before: typePart.endIndex)])
                // containerd's platforms.Parse, which buildx uses, lower-cases what it reads.
                do { platform = try Platform(parsing: inside.lowercased()) } catch {
                    throw fail("invalid platform \"\(inside)\"")
                }
                typePart = typePart[..<open]
            }
            guard let l = Level(rawValue: String(typePart)) else {
                throw fail(
                    "unknown annotation type \"\(typePart)\" (manifest, index, manifest-descriptor, index-descriptor)")
            }
            level = l
            left = left[left.index(after: colon)...]
        }
        guard !left.isEmpty, !left.contains(where: \.isWhitespace) else {
            throw fail("expected [TYPE:]KEY=VALUE with a key")
        }
        key = String(left)
    }

    /// True when `text` (what precedes the first `:`) is a TYPE[PLATFORM] as buildx 0.12's
    /// pattern reads it: `[a-z-]+`, then optionally `[` `[A-Za-z0-9_/-]+` `]`. Anything else
    /// before a `:` is part of the key (`com.example:k`, `v2_1:k`).
    private static func isTypePrefix(_ text: Substring) -> Bool {
        let name = text.prefix { $0 != "[" }
        guard !name.isEmpty, name.allSatisfy({ ("a"..."z").contains($0) || $0 == "-" }) else { return false }
        let rest = text.dropFirst(name.count)
        guard !rest.isEmpty else { return true }
        guard rest.count > 2, rest.first == "[", rest.last == "]" else { return false }
        return rest.dropFirst().dropLast().allSatisfy {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "/" || $0 == "-")
        }
    }

    /// An exporter attribute (`annotation-index.KEY`, `annotation-manifest[linux/arm64].KEY`,
    /// `annotation.KEY`) of an `-o` value, as BuildKit reads it.
    public init(exporterAttribute key: String, value: String, output: String) throws {
        let fail = BuildError.badOutput(
            output, "\"\(key)\" is not an annotation attribute (annotation[-TYPE][[PLATFORM]].KEY)")
        guard let dot = key.firstIndex(of: ".") else { throw fail }
        var head = key[..<dot]
        self.key = String(key[key.index(after: dot)...])
        self.value = value
        platform = nil
        if let open = head.firstIndex(of: "["), head.last == "]" {
            let inside = String(head[head.index(after: open)..<head.index(before: head.endIndex)])
            guard let p = try? Platform(parsing: inside) else { throw fail }
            platform = p
            head = head[..<open]
        }
        if head == "annotation" {
            level = nil
        } else if head.hasPrefix("annotation-"), let l = Level(rawValue: String(head.dropFirst("annotation-".count))) {
            level = l
        } else {
            throw fail
        }
        guard !self.key.isEmpty else { throw fail }
    }

    /// The level this annotation lands on (its own, else the manifests).
    public var placement: Level { level ?? .manifest }

    /// True when it applies to `platform`'s manifest or descriptor.
    public func applies(to platform: Platform) -> Bool { self.platform == nil || self.platform == platform }

    /// The form buildx 0.12 takes.
    public var flagValue: String {
        let prefix = level.map { l in platform.map { "\(l.rawValue)[\($0)]:" } ?? "\(l.rawValue):" } ?? ""
        return "\(prefix)\(key)=\(value)"
    }

    /// BuildKit's exporter attribute (`annotation.KEY`, `annotation-index.KEY`,
    /// `annotation-manifest[linux/arm64].KEY`): how buildx 0.10 and 0.11, which have no
    /// `--annotation`, take it in `-o`.
    public var exporterAttribute: String {
        let type = level.map { "annotation-\($0.rawValue)" } ?? "annotation"
        return "\(type)\(platform.map { "[\($0)]" } ?? "").\(key)"
    }
}
