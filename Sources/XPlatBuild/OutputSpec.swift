import Foundation
import XPlatPlatform
import XPlatSupport

/// Where the result goes (buildx's `-o`, `--push`, `--load`).
public enum OutputSpec: Sendable, Hashable, CustomStringConvertible {
    /// A folder; with several platforms (or `platform-split=true`) one `DEST/linux_arm64` each.
    case local(dest: String, split: Bool?)
    /// One tar file; per-platform folders inside when several platforms.
    case tar(dest: String)
    /// An OCI image layout holding an image index: a directory (`tar=false`) or a tar file.
    case oci(dest: String, tar: Bool)
    /// Push to the registry under `-t` tags, with an image index for all platforms.
    case push
    /// Load one platform's image into the engine under `-t` tags.
    case load
    /// Build only (cache, verification skipped: there is nothing to verify).
    case none

    /// Parses one `-o` value: `type=local,dest=DIR`, `type=tar,dest=F`, `type=oci,dest=X[,tar=false]`,
    /// `type=registry`, `type=image,push=true`, `type=docker`, `type=cacheonly`, or a bare path (local);
    /// `-`, and `tar`/`oci` without dest or with `dest=-`: standard output, as buildx.
    public static func parse(_ text: String) throws -> OutputSpec {
        guard text.contains("=") else {
            guard !text.isEmpty else { throw BuildError.badOutput(text, "expected a folder, - or type=...") }
            // `-o -`: a tar of the result on standard output, as buildx writes it.
            return text == OutputSpec.standardOutput ? .tar(dest: text) : .local(dest: text, split: nil)
        }
        let attrs = try attributes(text)
        let type = attrs["type"] ?? "local"
        try checkAttributes(attrs, type: type, text: text)
        func dest() throws -> String {
            guard let d = attrs["dest"], !d.isEmpty else {
                throw BuildError.badOutput(text, "type=\(type) needs dest=PATH")
            }
            guard d != OutputSpec.standardOutput else {
                throw BuildError.badOutput(text, "dest cannot be stdout for \(type) exporter (as buildx)")
            }
            return d
        }
        // A file exporter without dest, or with dest=-, writes to standard output (buildx).
        func file() -> String { attrs["dest"].flatMap { $0.isEmpty ? nil : $0 } ?? OutputSpec.standardOutput }
        // BuildKit's exporters read these with Go's `strconv.ParseBool` (checked: buildx 0.10.5 and
        // BuildKit 0.11.6 take `tar=f`, refuse `tar=tRuE`).
        func bool(_ key: String) throws -> Bool? {
            guard let v = attrs[key] else { return nil }
            guard let b = OptionFields.bool(v) else {
                throw BuildError.badOutput(text, "\(key)=\(v): expected true or false")
            }
            return b
        }
        switch type {
        case "local": return .local(dest: try dest(), split: try bool("platform-split"))
        case "tar": return .tar(dest: file())
        case "oci":
            let tar = try bool("tar") ?? true
            return .oci(dest: tar ? file() : try dest(), tar: tar)
        case "registry": return .push
        case "image": return try bool("push") == true ? .push : .load
        case "docker": return .load
        case "cacheonly": return .none
        default:
            throw BuildError.badOutput(
                text, "unknown type \"\(type)\" (local, tar, oci, registry, image, docker, cacheonly)")
        }
    }

    /// The exporter type of an `-o` value as buildx reads it (`local` for a bare folder, `tar`
    /// for `-`); `registry` stays `registry`.
    public static func exporterType(_ text: String) throws -> String {
        guard text.contains("=") else { return text == standardOutput ? "tar" : "local" }
        return try attributes(text)["type"] ?? "local"
    }

    /// The `key=value` fields of an `-o` value (CSV, as buildx reads them), keys lower-case.
    private static func attributes(_ text: String) throws -> [String: String] {
        let fields: [String]
        do { fields = try CSVFields.split(text) } catch let error as CSVFieldsError {
            throw BuildError.badOutput(text, error.reason)
        }
        var attrs: [String: String] = [:]
        for field in fields {
            guard let kv = KeyValue(field), let value = kv.value else {
                throw BuildError.badOutput(text, "\"\(field)\" is not key=value")
            }
            attrs[kv.key.trimmingCharacters(in: .whitespaces).lowercased()] = value
        }
        return attrs
    }

    /// The attributes xplat takes for each exporter type: what it does with any other would be
    /// to drop it silently, so another is refused, named.
    private static let known: [String: Set<String>] = [
        "local": ["dest", "platform-split"], "tar": ["dest"], "oci": ["dest", "tar", "name"],
        "registry": ["name", "push"], "image": ["name", "push"], "docker": ["name"], "cacheonly": [],
    ]

    private static func checkAttributes(_ attrs: [String: String], type: String, text: String) throws {
        guard let allowed = known[type] else { return }
        if type == "docker", attrs["dest"] != nil {
            throw BuildError.badOutput(
                text,
                "type=docker,dest=FILE (a tar for docker load) is not made by xplat: use --load, or -o "
                    + "type=oci,dest=FILE for a file"
            )
        }
        for key in attrs.keys.sorted() where key.hasPrefix("annotation") {
            guard type != "local", type != "tar", type != "cacheonly" else {
                throw BuildError.badOutput(text, "\"\(key)\": a \(type) output has no image to annotate")
            }
            _ = try AnnotationSpec(exporterAttribute: key, value: attrs[key] ?? "", output: text)
        }
        for key in attrs.keys.sorted() where key != "type" && !allowed.contains(key) && !key.hasPrefix("annotation") {
            throw BuildError.badOutput(
                text,
                "xplat does not take \"\(key)\" for type=\(type) (it takes "
                    + "\(allowed.sorted().joined(separator: ", ")), annotation.KEY=VALUE)"
            )
        }
    }

    /// What an image output's attributes add to the request: `name=` (more `-t` names, comma
    /// separated) and buildx 0.10's way to annotate, `annotation[-TYPE][[PLATFORM]].KEY=VALUE`.
    public static func imageAttributes(_ text: String) throws -> (names: [String], annotations: [AnnotationSpec]) {
        guard text.contains("=") else { return ([], []) }
        let attrs = try attributes(text)
        let names = attrs["name"].map { $0.split(separator: ",").map(String.init) } ?? []
        var annotations: [AnnotationSpec] = []
        for (key, value) in attrs.sorted(by: { $0.key < $1.key }) where key.hasPrefix("annotation") {
            annotations.append(try AnnotationSpec(exporterAttribute: key, value: value, output: text))
        }
        return (names, annotations)
    }

    /// `-` as a destination: standard output (a tar, or an OCI layout's tar).
    public static let standardOutput = "-"

    /// True when the output goes to standard output (`-o -`, `type=tar`/`type=oci` to `-`).
    public var isStandardOutput: Bool {
        switch self {
        case .tar(let dest), .oci(let dest, _): return dest == Self.standardOutput
        default: return false
        }
    }

    /// The output mode's name, part of every cache key.
    public var mode: String {
        switch self {
        case .local: return "local"
        case .tar: return "tar"
        case .oci: return "oci"
        case .push: return "push"
        case .load: return "load"
        case .none: return "none"
        }
    }

    public var description: String {
        switch self {
        case .local(let d, _): return "type=local,dest=\(d)"
        case .tar(let d): return "type=tar,dest=\(d)"
        case .oci(let d, let t): return "type=oci,dest=\(d)\(t ? "" : ",tar=false")"
        case .push: return "push"
        case .load: return "load"
        case .none: return "cacheonly"
        }
    }
}
