// The typed values of `docker buildx build`'s options (buildx 0.10 to 0.12), parsed as buildx
// parses them: same syntax, same defaults, same refusals. Each type renders the value back in the
// form buildx and docker 20.10's `docker build` take (`flagValue`).

import Foundation
import XPlatPlatform
import XPlatSupport

/// `--network`: the network of RUN steps. buildx takes `default`, `host` and `none` and refuses
/// any other name ("network mode ... not supported by buildkit").
public enum NetworkMode: String, Sendable, Hashable, CaseIterable {
    /// The builder's own default (buildx's default: no flag is passed).
    case `default`
    /// The host's network (buildx also allows the `network.host` entitlement for it).
    case host
    /// No network (hermetic).
    case none

    /// Parses `--network VALUE` (an empty value is the default, as buildx reads it).
    public init(parsing text: String) throws {
        if text.isEmpty { self = .default; return }
        guard let mode = NetworkMode(rawValue: text) else {
            throw BuildError.badOption(
                option: "--network", value: text,
                reason:
                    "BuildKit runs RUN steps with default, host or none (a named network needs a builder created "
                    + "on it: docker buildx create --driver-opt network=NAME)"
            )
        }
        self = mode
    }
}

/// `--secret id=ID[,src=PATH|,env=NAME][,type=file|env]`: a secret a RUN step mounts
/// (`RUN --mount=type=secret,id=ID`). As BuildKit: without `src`/`env` the secret is the
/// environment variable named ID when it is set, else the file named ID.
public struct SecretSpec: Sendable, Hashable {
    /// Where the secret's value comes from.
    public enum Source: Sendable, Hashable {
        case file(String)
        case environment(String)
    }

    public var id: String
    public var source: Source

    public init(id: String, source: Source) {
        self.id = id
        self.source = source
    }

    /// Parses one `--secret` value; `environment` decides the source of a bare `id=ID`.
    public init(parsing text: String, environment: [String: String]) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--secret", value: text, reason: why) }
        var id: String?, file: String?, env: String?, type: String?
        for field in try OptionFields.split(text, option: "--secret") {
            guard let kv = KeyValue(field), let value = kv.value else { throw fail("\"\(field)\" is not key=value") }
            switch kv.key.lowercased() {
            case "type":
                guard value == "file" || value == "env" else {
                    throw fail("type=\(value): a secret is type=file or type=env")
                }
                type = value
            case "id": id = value
            case "src", "source": file = value
            case "env": env = value
            default: throw fail("unknown key \"\(kv.key)\" (id, src, env, type)")
            }
        }
        if type == "env", env == nil { (env, file) = (file, nil) }
        guard let id, !id.isEmpty else { throw fail("needs id=ID") }
        self.id = id
        if let env {
            source = .environment(env)
        } else if let file {
            source = .file(file)
        } else {
            source = environment[id] != nil ? .environment(id) : .file(id)
        }
        if case .file(let path) = source, !FileManager.default.isReadableFile(atPath: path) {
            throw fail("no readable file \(path)")
        }
        if case .environment(let name) = source, environment[name] == nil {
            throw fail("the environment variable \(name) is not set")
        }
    }

    /// buildx's form: `id=ID,src=PATH` or `id=ID,env=NAME`.
    public var flagValue: String {
        switch source {
        case .file(let path): return CSVFields.join(["id=\(id)", "src=\(path)"])
        case .environment(let name): return CSVFields.join(["id=\(id)", "env=\(name)"])
        }
    }
}

/// `--ssh default|ID[=SOCKET|KEY[,KEY...]]`: an ssh agent (or keys) a RUN step reaches
/// (`RUN --mount=type=ssh`). Without paths, the agent of `$SSH_AUTH_SOCK`, as BuildKit reads it.
public struct SSHSpec: Sendable, Hashable {
    public var id: String
    /// Agent sockets or private key files; never empty after parsing.
    public var paths: [String]

    public init(id: String, paths: [String]) {
        self.id = id
        self.paths = paths
    }

    /// Parses one `--ssh` value; `environment` gives `SSH_AUTH_SOCK` for an id without paths.
    public init(parsing text: String, environment: [String: String]) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--ssh", value: text, reason: why) }
        let kv = KeyValue(text)
        guard let kv else { throw fail("needs an id (default, or ID=SOCKET)") }
        id = kv.key
        if let value = kv.value {
            paths = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !paths.contains(where: \.isEmpty) else { throw fail("an empty socket or key path") }
        } else {
            guard let socket = environment["SSH_AUTH_SOCK"], !socket.isEmpty else {
                throw fail("no path given and SSH_AUTH_SOCK is not set (start ssh-agent, or give ID=SOCKET)")
            }
            paths = [socket]
        }
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw fail("\(path) does not exist")
        }
    }

    /// The form buildx and `docker build` take: `ID=PATH[,PATH]`.
    public var flagValue: String { "\(id)=\(paths.joined(separator: ","))" }
}

/// `--build-context NAME=VALUE`: a named context a Dockerfile reads as `FROM NAME` or
/// `COPY --from=NAME`. NAME is normalised as buildx does (`docker.io/library/alpine:latest` is
/// `alpine`).
public struct NamedContext: Sendable, Hashable {
    /// What a named context is.
    public enum Source: Sendable, Hashable {
        /// A local folder.
        case directory(String)
        /// `docker-image://REF`: an image from a registry.
        case image(String)
        /// `oci-layout://PATH[:TAG][@DIGEST]`: an image in a local OCI layout.
        case ociLayout(String)
        /// A git or https URL, fetched by the builder.
        case url(String)
        /// `target:STAGE` (bake's form).
        case target(String)
    }

    public var name: String
    public var source: Source

    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    /// Parses one `--build-context` value.
    public init(parsing text: String) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--build-context", value: text, reason: why) }
        guard let kv = KeyValue(text), let value = kv.value else { throw fail("expected NAME=VALUE") }
        guard let name = Self.normalizedName(kv.key) else {
            throw fail("\"\(kv.key)\" is not a valid context name (an image name: lower case, digits, . _ - /)")
        }
        self.name = name
        if value.hasPrefix("docker-image://") {
            source = .image(String(value.dropFirst("docker-image://".count)))
        } else if value.hasPrefix("oci-layout://") {
            source = .ociLayout(String(value.dropFirst("oci-layout://".count)))
        } else if value.hasPrefix("target:") {
            source = .target(String(value.dropFirst("target:".count)))
        } else if Self.isURL(value) {
            source = .url(value)
        } else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: value, isDirectory: &isDir), isDir.boolValue else {
                throw fail("\(value) is not a folder (nor docker-image://, oci-layout://, a git or https URL)")
            }
            source = .directory(value)
        }
    }

    /// The value buildx takes after `NAME=`.
    public var flagValue: String {
        switch source {
        case .directory(let path): return "\(name)=\(path)"
        case .image(let ref): return "\(name)=docker-image://\(ref)"
        case .ociLayout(let path): return "\(name)=oci-layout://\(path)"
        case .url(let url): return "\(name)=\(url)"
        case .target(let stage): return "\(name)=target:\(stage)"
        }
    }

    /// buildx's name normalisation: a valid image name, in its familiar form without `:latest`.
    static func normalizedName(_ raw: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-/:@")
        guard !raw.isEmpty, raw.allSatisfy({ allowed.contains($0) }), let first = raw.first,
            first.isLetter || first.isNumber
        else { return nil }
        var name = raw
        for prefix in ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"]
        where name.hasPrefix(prefix) {
            name = String(name.dropFirst(prefix.count))
            break
        }
        if name.hasSuffix(":latest") { name = String(name.dropLast(":latest".count)) }
        return name
    }

    private static func isURL(_ value: String) -> Bool {
        ["http://", "https://", "git://", "git@", "ssh://"].contains { value.hasPrefix($0) } || value.hasSuffix(".git")
    }
}

/// `--add-host HOST:IP`: an `/etc/hosts` line for RUN steps. IP is an IPv4 or IPv6 address, or
/// `host-gateway` (the builder's host).
public struct ExtraHost: Sendable, Hashable {
    public var host: String
    public var ip: String

    public init(host: String, ip: String) {
        self.host = host
        self.ip = ip
    }

    /// Parses one `HOST:IP` (the first `:` separates, so `h:::1` is IPv6 `::1`).
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw BuildError.badOption(option: "--add-host", value: text, reason: "expected HOST:IP")
        }
        host = String(text[..<colon])
        ip = String(text[text.index(after: colon)...])
        guard !host.isEmpty, ip == "host-gateway" || Self.isIPAddress(ip) else {
            throw BuildError.badOption(
                option: "--add-host", value: text,
                reason: "expected HOST:IP with an IPv4 or IPv6 address (or host-gateway)")
        }
    }

    /// The value buildx and `docker build` take.
    public var flagValue: String { "\(host):\(ip)" }

    private static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

/// `--allow`: an extra privileged entitlement for the build.
public enum Entitlement: String, Sendable, Hashable, CaseIterable {
    case networkHost = "network.host"
    case securityInsecure = "security.insecure"

    public init(parsing text: String) throws {
        guard let e = Entitlement(rawValue: text) else {
            throw BuildError.badOption(
                option: "--allow", value: text, reason: "invalid entitlement (network.host, security.insecure)")
        }
        self = e
    }
}

/// `--ulimit NAME=SOFT[:HARD]` (docker's syntax): a resource limit of RUN steps.
public struct Ulimit: Sendable, Hashable {
    /// The names docker knows.
    public static let names: Set<String> = [
        "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
        "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
    ]
    public var name: String
    public var soft: Int64
    public var hard: Int64

    public init(name: String, soft: Int64, hard: Int64) {
        self.name = name
        self.soft = soft
        self.hard = hard
    }

    /// Parses one `--ulimit` value; HARD defaults to SOFT.
    public init(parsing text: String) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--ulimit", value: text, reason: why) }
        guard let kv = KeyValue(text), let value = kv.value else { throw fail("expected NAME=SOFT[:HARD]") }
        guard Self.names.contains(kv.key) else {
            throw fail("unknown limit \"\(kv.key)\" (\(Self.names.sorted().joined(separator: ", ")))")
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let soft = Int64(parts[0]), let hard = parts.count == 2 ? Int64(parts[1]) : soft else {
            throw fail("limits are integers: NAME=SOFT[:HARD]")
        }
        guard soft <= hard else { throw fail("the soft limit \(soft) is above the hard limit \(hard)") }
        name = kv.key
        self.soft = soft
        self.hard = hard
    }

    /// docker's form `NAME=SOFT:HARD`.
    public var flagValue: String { "\(name)=\(soft):\(hard)" }
}

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

/// Shared helpers of the option parsers.
enum OptionFields {
    /// The CSV fields of a value, a malformed one reported against `option`.
    static func split(_ text: String, option: String) throws -> [String] {
        do { return try CSVFields.split(text) } catch let error as CSVFieldsError {
            throw BuildError.badOption(option: option, value: text, reason: error.reason)
        }
    }

    /// Go's `strconv.ParseBool`.
    static func bool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: return nil
        }
    }
}
