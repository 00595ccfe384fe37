// BuildKit's stderr, read for the cause a user can act on.

import XPlatPlatform

/// A failed build's cause, with the action that fixes it.
public struct BuildDiagnosis: Sendable, Hashable, Codable {
    /// Known causes.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A foreign binary ran without a binfmt handler.
        case execFormat
        /// A driver that builds one platform per solve was asked for several.
        case severalPlatformsOneSolve
        /// No engine/daemon/builder answers.
        case noDaemon
        /// The registry does not answer.
        case registryUnreachable
        /// The base image has no manifest for the platform.
        case baseLacksPlatform
        /// RUN needed a network and the engine has no bridge.
        case noNetwork
        /// Anything else: the error lines BuildKit printed.
        case other
    }

    public var kind: Kind
    public var summary: String
    public var action: String
    /// The stderr lines that show the cause (at most 12).
    public var excerpt: String
    /// For `baseLacksPlatform`: the image reference BuildKit could not resolve.
    public var image: String?

    public init(kind: Kind, summary: String, action: String, excerpt: String, image: String? = nil) {
        self.kind = kind
        self.summary = summary
        self.action = action
        self.excerpt = excerpt
        self.image = image
    }

    /// Reads BuildKit/docker stderr from a build of `platform` (nil for a multi-platform solve).
    public static func diagnose(stderr: String, platform: Platform?, registry: String = "127.0.0.1:5000") -> BuildDiagnosis {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let lower = stderr.lowercased()
        func excerpt(_ needle: String) -> String {
            let hits = lines.filter { $0.lowercased().contains(needle) }
            return (hits.isEmpty ? Array(lines.suffix(8)) : Array(hits.suffix(12))).joined(separator: "\n")
        }
        let platformText = platform?.description ?? "the requested platform"
        if lower.contains("exec format error") {
            let qemu = platform?.info?.qemuName ?? "qemu-<arch>"
            return BuildDiagnosis(
                kind: .execFormat,
                summary: "a \(platformText) binary could not execute: the kernel has no binfmt_misc handler for it",
                action: "register QEMU for \(platformText) (\(qemu)-static, flag F) with `xplat doctor --fix`, then build again",
                excerpt: excerpt("exec format error"))
        }
        let several = [
            "multiple platforms feature is currently not supported for docker driver",
            "docker exporter does not currently support exporting manifest lists",
            "multi-platform build is not supported for the docker driver",
        ]
        if let needle = several.first(where: { lower.contains($0) })
            ?? (lower.contains("failed to parse platform") && lower.contains(",") ? "failed to parse platform" : nil) {
            return BuildDiagnosis(
                kind: .severalPlatformsOneSolve,
                summary: "this builder builds one platform per build and was asked for several",
                action: "let xplat fan out one build per platform (`xplat build --driver engine --platform a,b`), or use a buildx builder with the docker-container driver",
                excerpt: excerpt(needle))
        }
        let daemon = ["cannot connect to the docker daemon", "is the docker daemon running", "error during connect",
                      "no builder", "failed to find driver", "connect: no such file or directory"]
        if let needle = daemon.first(where: { lower.contains($0) }) {
            return BuildDiagnosis(
                kind: .noDaemon,
                summary: "no builder answers (the docker engine or buildx builder is not running)",
                action: "start dockerd (for example `sudo systemctl start docker`), or set DOCKER_HOST / --node to a running engine; then check with `xplat doctor`",
                excerpt: excerpt(needle))
        }
        if lower.contains("no match for platform in manifest") || lower.contains("does not provide the specified platform")
            || lower.contains("no matching manifest for") {
            let needle = ["no match for platform in manifest", "does not provide the specified platform", "no matching manifest for"]
                .first { lower.contains($0) }!
            let image = Self.imageReference(in: lines)
            return BuildDiagnosis(
                kind: .baseLacksPlatform,
                summary: "the base image \(image ?? "(unknown)") has no \(platformText) variant",
                action: "build a platform the base provides, pick a base that has \(platformText), or push a base image that has it to the registry the engine pulls from",
                excerpt: excerpt(needle), image: image)
        }
        let registryNeedles = ["\(registry)", "connection refused", "no such host", "server gave http response to https client",
                               "dial tcp", "i/o timeout"]
        if lower.contains("dial tcp") || lower.contains("connection refused") || lower.contains("server gave http response") {
            let needle = registryNeedles.first { lower.contains($0) } ?? "dial tcp"
            return BuildDiagnosis(
                kind: .registryUnreachable,
                summary: "the registry does not answer (\(registry))",
                action: "start the registry or mirror the engine pulls base images from (\(registry)), or set XPLAT_REGISTRY to the one that holds them",
                excerpt: excerpt(needle))
        }
        if lower.contains("network bridge not found") {
            return BuildDiagnosis(
                kind: .noNetwork,
                summary: "a RUN step needed the default bridge network, which this engine does not have",
                action: "build with --network=none (xplat's default) and keep RUN steps offline",
                excerpt: excerpt("network bridge not found"))
        }
        let errors = lines.filter { $0.contains("ERROR") || $0.lowercased().contains("error:") || $0.contains("failed to solve") }
        let summary = errors.last.map { Self.trimmed($0) } ?? (lines.last ?? "the build failed without a message")
        return BuildDiagnosis(
            kind: .other, summary: summary,
            action: "read BuildKit's output above; rerun with --progress plain for every step",
            excerpt: (errors.isEmpty ? Array(lines.suffix(8)) : Array(errors.suffix(12))).joined(separator: "\n"))
    }

    /// The image BuildKit was resolving when it failed: the last `load metadata for REF` line, or a
    /// `REF: no match`/`manifest for REF` in the error itself.
    static func imageReference(in lines: [String]) -> String? {
        for line in lines.reversed() {
            if let r = line.range(of: "load metadata for ") {
                // The error summary repeats the step as `> [internal] load metadata for REF:`.
                var ref = String(line[r.upperBound...].prefix { !$0.isWhitespace })
                while ref.hasSuffix(":") { ref.removeLast() }
                return ref
            }
        }
        for line in lines.reversed() {
            if let r = line.range(of: "manifest for ") {
                return String(line[r.upperBound...].prefix { !$0.isWhitespace })
            }
        }
        return nil
    }

    static func trimmed(_ line: String) -> String {
        var s = Substring(line)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        return String(s)
    }

    /// Adds to `baseLacksPlatform` the platforms the image does have (from the registry's index).
    public func adding(availablePlatforms: [String]) -> BuildDiagnosis {
        guard kind == .baseLacksPlatform else { return self }
        var copy = self
        copy.summary += availablePlatforms.isEmpty ? "" : "; it has: \(availablePlatforms.joined(separator: ", "))"
        return copy
    }
}
