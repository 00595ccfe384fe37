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
        /// buildx's `docker` driver lacks an exporter the build asked for (OCI, cache export).
        case driverLacksFeature
        /// No engine/daemon/builder answers.
        case noDaemon
        /// The registry does not answer.
        case registryUnreachable
        /// An image (a base, or the `# syntax` frontend) is neither in the registry the engine pulls
        /// from nor reachable at its own registry.
        case imageUnavailable
        /// The base image has no manifest for the platform.
        case baseLacksPlatform
        /// RUN needed a network and the engine has no bridge.
        case noNetwork
        /// The builder does not grant an entitlement (`--network host`, `--allow`).
        case entitlementRefused
        /// `--sbom`: the builder could not pull the SBOM scanner image BuildKit runs.
        case sbomScanner
        /// The docker client (23 or newer) has no buildx, so its `docker build` cannot use BuildKit.
        case clientWithoutBuildx
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
    /// The steps that failed: their own last lines of output and the Dockerfile lines they come from.
    public var steps: [FailedStep]

    /// A diagnosis; `diagnose(stderr:platform:registry:)` makes them from a failed build's stderr.
    public init(
        kind: Kind, summary: String, action: String, excerpt: String, image: String? = nil, steps: [FailedStep] = []
    ) {
        self.kind = kind
        self.summary = summary
        self.action = action
        self.excerpt = excerpt
        self.image = image
        self.steps = steps
    }

    /// Reads BuildKit/docker stderr from a build of `platform` (nil for a multi-platform solve):
    /// the first rule that recognises it, else BuildKit's own error lines.
    public static func diagnose(stderr: String, platform: Platform?, registry: String = "127.0.0.1:5000")
        -> BuildDiagnosis
    {
        let text = Text(stderr: stderr, platform: platform, registry: registry)
        for rule in rules { if let found = rule(text) { return found } }
        return other(text)
    }

    /// The failed build's stderr, as the rules read it.
    private struct Text {
        var lines: [String]
        var lower: String
        var platform: Platform?
        var registry: String

        init(stderr: String, platform: Platform?, registry: String) {
            lines = stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            lower = stderr.lowercased()
            self.platform = platform
            self.registry = registry
        }

        /// `linux/arm64`, or "the requested platform" for a multi-platform solve.
        var platformText: String { platform?.description ?? "the requested platform" }

        /// The first of `needles` the text holds.
        func first(_ needles: [String]) -> String? { needles.first { lower.contains($0) } }

        /// The lines holding `needle` (at most 12), else the last 8 lines.
        func excerpt(_ needle: String) -> String {
            let hits = lines.filter { $0.lowercased().contains(needle) }
            return (hits.isEmpty ? Array(lines.suffix(8)) : Array(hits.suffix(12))).joined(separator: "\n")
        }
    }

    /// The known causes, most specific first.
    private static let rules: [@Sendable (Text) -> BuildDiagnosis?] = [
        clientWithoutBuildx, execFormat, severalPlatforms, driverLacksFeature, noDaemon,
        baseLacksPlatform, sbomScanner, imageUnavailable, registryUnreachable, noNetwork,
        entitlementRefused,
    ]

    /// A foreign binary ran without a binfmt handler.
    private static func execFormat(_ output: Text) -> BuildDiagnosis? {
        guard output.lower.contains("exec format error") else { return nil }
        let qemu = output.platform?.info?.qemuName ?? "qemu-<arch>"
        return BuildDiagnosis(
            kind: .execFormat,
            summary:
                "a \(output.platformText) binary could not execute: the kernel has no binfmt_misc handler for it",
            action:
                "register QEMU for \(output.platformText) (\(qemu)-static, flag F) with `xplat doctor --fix`, then "
                + "build again",
            excerpt: output.excerpt("exec format error"))
    }

    /// buildx's `docker` driver (or an old engine) asked for several platforms at once.
    private static func severalPlatforms(_ output: Text) -> BuildDiagnosis? {
        let needles = [
            "multiple platforms feature is currently not supported for docker driver",
            "docker exporter does not currently support exporting manifest lists",
            "multi-platform build is not supported for the docker driver",
        ]
        guard
            let needle = output.first(needles)
                ?? (output.lower.contains("failed to parse platform") && output.lower.contains(",")
                    ? "failed to parse platform" : nil)
        else { return nil }
        return BuildDiagnosis(
            kind: .severalPlatformsOneSolve,
            summary: "this builder builds one platform per build and was asked for several",
            action:
                "let xplat fan out one build per platform (`xplat build --platform a,b` on this builder), or use a "
                + "buildx builder with the docker-container or remote driver",
            excerpt: output.excerpt(needle))
    }

    /// `OCI exporter feature is currently not supported for docker driver` (and the same for cache
    /// export): the engine's BuildKit behind buildx has no such exporter. `attestations are not
    /// supported by the current buildkitd`: a BuildKit older than 0.11 (dockerd 20.10's) asked
    /// for `--provenance`/`--sbom`.
    private static func driverLacksFeature(_ output: Text) -> BuildDiagnosis? {
        if let line = output.lines.first(where: {
            $0.lowercased().contains("attestations are not supported by the current buildkitd")
        }) {
            return BuildDiagnosis(
                kind: .driverLacksFeature,
                summary: "this builder's BuildKit makes no attestations: \(Self.trimmed(line))",
                action:
                    "build on a builder with BuildKit 0.11 or newer (`docker buildx create` with the docker-container "
                    + "or remote driver), or drop --provenance/--sbom",
                excerpt: output.excerpt("attestations are not supported"))
        }
        guard
            let line = output.lines.first(where: {
                $0.lowercased().contains("feature is currently not supported for docker driver")
            })
        else {
            return nil
        }
        return BuildDiagnosis(
            kind: .driverLacksFeature,
            summary: "buildx's docker driver (the engine's own BuildKit) cannot do this: \(Self.trimmed(line))",
            action:
                "build on a buildx builder with the docker-container or remote driver (`docker buildx create`), or "
                + "choose another output",
            excerpt: output.excerpt("feature is currently not supported for docker driver"))
    }

    private static func noDaemon(_ output: Text) -> BuildDiagnosis? {
        guard
            let needle = output.first([
                "cannot connect to the docker daemon", "is the docker daemon running", "error during connect",
                "no builder", "failed to find driver", "connect: no such file or directory",
            ])
        else { return nil }
        return BuildDiagnosis(
            kind: .noDaemon,
            summary: "no builder answers (the docker engine or buildx builder is not running)",
            action:
                "start dockerd (for example `sudo systemctl start docker`), or set DOCKER_HOST / --node to a running "
                + "engine; then check with `xplat doctor`",
            excerpt: output.excerpt(needle))
    }

    private static func baseLacksPlatform(_ output: Text) -> BuildDiagnosis? {
        guard
            let needle = output.first([
                "no match for platform in manifest", "does not provide the specified platform",
                "no matching manifest for",
            ])
        else { return nil }
        let image = Self.imageReference(in: output.lines)
        return BuildDiagnosis(
            kind: .baseLacksPlatform,
            summary: "the base image \(image ?? "(unknown)") has no \(output.platformText) variant",
            action:
                "build a platform the base provides, pick a base that has \(output.platformText), or push a base "
                + "image that has it to the registry the engine pulls from",
            excerpt: output.excerpt(needle), image: image)
    }

    /// A pull of a docker.io image that fell through to Docker Hub, which does not answer (offline):
    /// the registry the engine pulls from (its mirror, which stands in for docker.io only) did not
    /// provide the image. The Dockerfile's `# syntax=` frontend is pulled like a base. An image that
    /// names another registry never asked the mirror: that registry not answering is `registryUnreachable`.
    private static func imageUnavailable(_ output: Text) -> BuildDiagnosis? {
        guard let (host, image) = unansweredRequest(output, needles: ["no such host", "dial tcp", "i/o timeout"]),
            dockerHubHosts.contains(host.lowercased())
        else { return nil }
        let frontend = image.hasPrefix("docker/dockerfile:")
        let what = frontend ? "\(image) (the Dockerfile's `# syntax` frontend)" : image
        let dropSyntax = ", or drop the `# syntax=` line (the engine's built-in Dockerfile frontend then reads it)"
        return BuildDiagnosis(
            kind: .imageUnavailable,
            summary: "cannot pull \(what): \(host) does not answer, and the registry the engine pulls from "
                + "(\(output.registry)) did not provide it",
            action: "push \(image) to \(output.registry)\(frontend ? dropSyntax : ""), or build where \(host) can be "
                + "reached",
            excerpt: output.excerpt(host))
    }

    /// The hosts BuildKit pulls docker.io's images from when no mirror provides them.
    private static let dockerHubHosts: Set<String> = ["registry-1.docker.io", "index.docker.io", "docker.io"]

    /// The manifest request that failed on a line holding one of `needles` (BuildKit puts the request
    /// and why it failed on one line), nil when no failed request is named.
    private static func unansweredRequest(_ output: Text, needles: [String]) -> (host: String, image: String)? {
        output.lines.lazy.filter { line in needles.contains { line.lowercased().contains($0) } }
            .compactMap(Self.manifestRequest).first
    }

    /// The registry host and the image (`repo:tag`, Docker Hub's `library/` dropped) of a manifest request BuildKit
    /// names in an error: `Head "https://HOST/v2/REPO/manifests/TAG"`.
    private static func manifestRequest(_ line: String) -> (host: String, image: String)? {
        guard let scheme = line.range(of: "://"),
            let v2 = line.range(of: "/v2/", range: scheme.upperBound..<line.endIndex),
            let manifests = line.range(of: "/manifests/", range: v2.upperBound..<line.endIndex)
        else { return nil }
        let host = line[scheme.upperBound..<v2.lowerBound]
        let repository = line[v2.upperBound..<manifests.lowerBound]
        let reference = line[manifests.upperBound...].prefix { $0 != "\"" && !$0.isWhitespace }
        guard !host.isEmpty, !host.contains("/"), !repository.isEmpty, !reference.isEmpty else { return nil }
        let official = dockerHubHosts.contains(host.lowercased()) && repository.hasPrefix("library/")
        let name = official ? repository.dropFirst("library/".count) : repository
        return (String(host), name + (reference.hasPrefix("sha256:") ? "@" : ":") + reference)
    }

    /// The registry does not answer: the one the engine pulls from, or another one an image names
    /// (`FROM HOST/IMAGE`), which is named with the registry that does answer.
    private static func registryUnreachable(_ output: Text) -> BuildDiagnosis? {
        let needles = ["dial tcp", "connection refused", "server gave http response"]
        guard output.first(needles) != nil else { return nil }
        if let (host, image) = unansweredRequest(output, needles: needles + ["no such host", "i/o timeout"]),
            host.lowercased() != output.registry.lowercased()
        {
            return BuildDiagnosis(
                kind: .registryUnreachable,
                summary: "the registry \(host) does not answer (the image \(host)/\(image) names it)",
                action: "start the registry at \(host), or name an image the engine can pull (for example one pushed "
                    + "to \(output.registry))",
                excerpt: output.excerpt(host.lowercased()))
        }
        let needle =
            output.first([
                output.registry.lowercased(), "connection refused", "no such host",
                "server gave http response to https client",
                "dial tcp", "i/o timeout",
            ]) ?? "dial tcp"
        return BuildDiagnosis(
            kind: .registryUnreachable,
            summary: "the registry does not answer (\(output.registry))",
            action:
                "start the registry or mirror the engine pulls base images from (\(output.registry)), or set "
                + "XPLAT_REGISTRY to the one that holds them",
            excerpt: output.excerpt(needle))
    }

    /// `--sbom` makes BuildKit run a scanner image (`docker/buildkit-syft-scanner` by default),
    /// pulled by the builder like a base image: offline, or through a mirror that lacks it, the
    /// solve fails on that image, not on the Dockerfile's. Every `--sbom` build prints
    /// `resolve image config for …buildkit-syft-scanner…`: only a failure of that step counts.
    private static func sbomScanner(_ output: Text) -> BuildDiagnosis? {
        guard let line = scannerFailure(output.lines) else { return nil }
        return BuildDiagnosis(
            kind: .sbomScanner,
            summary:
                "--sbom: the builder cannot pull BuildKit's SBOM scanner image docker/buildkit-syft-scanner "
                + "(\(Self.trimmed(line)))",
            action:
                "put that image where the builder pulls from (its docker.io mirror), or name one it can pull with "
                + "`--sbom generator=IMAGE`, or drop --sbom",
            excerpt: output.excerpt("buildkit-syft-scanner"))
    }

    /// The line saying a step of the scanner failed: an `ERROR` line naming the scanner, the
    /// ` > STEP:` line of BuildKit's failed-step summary, or `#N ERROR` of a step `#N` naming it.
    private static func scannerFailure(_ lines: [String]) -> String? {
        let scanner = "buildkit-syft-scanner"
        if let line = lines.first(where: { $0.contains(scanner) && $0.contains("ERROR") }) { return line }
        if let line = lines.first(where: {
            $0.trimmingCharacters(in: .whitespaces).hasPrefix("> ") && $0.contains(scanner)
        }) {
            return line
        }
        let steps = Set(
            lines.filter { $0.hasPrefix("#") && $0.contains(scanner) }.compactMap { $0.split(separator: " ").first })
        return lines.first { line in
            line.contains(" ERROR") && line.split(separator: " ").first.map(steps.contains) == true
        }
    }

    /// `XPLAT_DOCKER` naming a Docker 23+ client without buildx (docker 28.2.2:
    /// "ERROR: BuildKit is enabled but the buildx component is missing or broken.").
    private static func clientWithoutBuildx(_ output: Text) -> BuildDiagnosis? {
        let needle = "buildkit is enabled but the buildx component is missing or broken"
        guard output.lower.contains(needle) else { return nil }
        return BuildDiagnosis(
            kind: .clientWithoutBuildx,
            summary:
                "the docker client has no buildx plugin, and a Docker 23+ client's `docker build` cannot use BuildKit "
                + "without it",
            action:
                "install the docker-buildx plugin (docker-buildx-plugin, or into ~/.docker/cli-plugins), or set "
                + "XPLAT_DOCKER to a client that has it or is older than 23 (unset, xplat takes the first such client "
                + "on PATH; `xplat doctor` lists them)",
            excerpt: output.excerpt(needle))
    }

    private static func noNetwork(_ output: Text) -> BuildDiagnosis? {
        guard output.lower.contains("network bridge not found") else { return nil }
        return BuildDiagnosis(
            kind: .noNetwork,
            summary: "a RUN step needed the default bridge network, which this engine does not have",
            action: "build with --network host (RUN steps use the host's network) or --network none (RUN steps offline)"
                + "; without --network they get the builder's default network, which here is the missing bridge",
            excerpt: output.excerpt("network bridge not found"))
    }

    /// `--network host` or `--allow` on a BuildKit that does not grant the entitlement (buildx
    /// 0.10.5 on a buildkitd without `--allow-insecure-entitlement`: "granting entitlement
    /// network.host is not allowed by build daemon configuration").
    private static func entitlementRefused(_ output: Text) -> BuildDiagnosis? {
        guard let line = output.lines.first(where: { $0.contains("is not allowed by build daemon configuration") })
        else {
            return nil
        }
        let entitlement = ["network.host", "security.insecure"].first { line.contains($0) } ?? "the entitlement"
        let flag = entitlement == "network.host" ? "--network host" : "--allow \(entitlement)"
        return BuildDiagnosis(
            kind: .entitlementRefused,
            summary: "the builder does not grant \(entitlement), which \(flag) needs (\(Self.trimmed(line)))",
            action:
                "start its buildkitd with --allow-insecure-entitlement \(entitlement) (docker buildx create "
                + "--buildkitd-flags for a docker-container builder), or build without \(flag)",
            excerpt: output.excerpt("is not allowed by build daemon configuration"))
    }

    /// Anything else: the last error lines BuildKit printed.
    private static func other(_ output: Text) -> BuildDiagnosis {
        let errors = output.lines.filter {
            $0.contains("ERROR") || $0.lowercased().contains("error:") || $0.contains("failed to solve")
        }
        let summary =
            errors.last.map { Self.trimmed($0) } ?? (output.lines.last ?? "the build failed without a message")
        return BuildDiagnosis(
            kind: .other, summary: summary,
            action: "read BuildKit's output above; rerun with --progress plain for every step",
            excerpt: (errors.isEmpty ? Array(output.lines.suffix(8)) : Array(errors.suffix(12))).joined(separator: "\n")
        )
    }

    /// The image BuildKit was resolving when it failed: the last `load metadata for REF` line, or a
    /// `REF: no match`/`manifest for REF` in the error itself.
    private static func imageReference(in lines: [String]) -> String? {
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

    private static func trimmed(_ line: String) -> String {
        var s = Substring(line)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        return String(s)
    }

    /// The diagnosis with the steps that failed. When no rule knew the cause, the steps' own
    /// output is the cause: the action points at the step's Dockerfile line, and BuildKit's error
    /// lines (which the steps' boxes repeat) are left out.
    public func adding(failedSteps: [FailedStep]) -> BuildDiagnosis {
        guard !failedSteps.isEmpty else { return self }
        var copy = self
        copy.steps += failedSteps
        guard kind == .other, let first = failedSteps.first else { return copy }
        copy.summary = first.error
        let place = first.source.map { "\($0.file):\($0.lines.lowerBound)" } ?? first.name
        copy.action =
            "the step's own output above says why it failed: fix \(place) or the code it builds, then build again"
        copy.excerpt = ""
        return copy
    }

    /// Adds to `baseLacksPlatform` the platforms the image does have (from the registry's index).
    public func adding(availablePlatforms: [String]) -> BuildDiagnosis {
        guard kind == .baseLacksPlatform else { return self }
        var copy = self
        copy.summary += availablePlatforms.isEmpty ? "" : "; it has: \(availablePlatforms.joined(separator: ", "))"
        return copy
    }
}
