// Verifying published images, and any mix of images and paths, in one run:
//
//     import XPlatVerify
//     let report = try await ImageVerifier().verify("127.0.0.1:5000/team/app:1",
//                                                   platforms: [try Platform(parsing: "linux/arm64")])
//     #expect(report.ok, "\(report.problemLines)")
//
// Per platform of an index: the config's os/architecture/variant must agree with the index entry
// (`arm64/v8` is `arm64`); the layers are applied in order (whiteouts, opaque directories, hard
// links, symlinks) into the final filesystem, streamed and never written to disk; every ELF in it is
// held to the entry's platform with `Verifier`'s rules, its interpreter resolved inside that
// filesystem. Attestation manifests (`vnd.docker.reference.type: attestation-manifest`) are listed;
// any other `unknown/unknown` entry is a finding. `platforms` lists exactly what must be there:
// a missing one fails, an extra one is a note.

import Foundation
import XPlatPlatform
import XPlatRegistry

/// Verifies images (registry references, OCI layouts and archives, `docker save` archives) and
/// paths. A value: make one, call `verify` as often as you like.
public struct ImageVerifier: Sendable {
    /// The rules for files (static executables, 32-bit compatibility, threads).
    public var rules: Verifier
    /// How image references reach their registry (TLS, credentials, insecure registries).
    public var registry: RegistryAccess

    public init(rules: Verifier = Verifier(), registry: RegistryAccess = RegistryAccess()) {
        self.rules = rules
        self.registry = registry
    }

    /// Verifies one source (a path, an OCI layout or archive, a `docker save` archive or an image
    /// reference) against `platforms` (empty: each root against its own platform, no set check).
    public func verify(_ source: String, platforms: [Platform] = []) async throws -> VerifyReport {
        try await verify(sources: [source], platforms: platforms)
    }

    /// Verifies every source in one report; a binary byte-identical across platforms of any of
    /// them is named. Throws `VerifyError` only when a source cannot be read at all.
    public func verify(sources: [String], platforms: [Platform] = []) async throws -> VerifyReport {
        let start = DispatchTime.now().uptimeNanoseconds
        guard !sources.isEmpty else { throw VerifyError("", "no source to verify") }
        var pathRules = rules
        if platforms.count == 1 { pathRules.platform = platforms[0] }
        var roots: [Verifier.PlannedRoot] = []
        var findings: [SourceFinding] = []
        for argument in sources {
            var found: [Verifier.PlannedRoot] = []
            var sourceFindings: [SourceFinding] = []
            switch try VerifySource.classify(argument) {
            case .path(let path):
                found = try pathRules.plannedRoots(paths: [path])
            case .ociLayout(let folder):
                (found, sourceFindings) = try await imageRoots(
                    OCILayoutContent(name: argument, folder: folder, threads: rules.threads))
            case .ociArchive(let path):
                (found, sourceFindings) = try await imageRoots(try ArchiveContent(path: path, kind: .oci))
            case .dockerArchive(let path):
                (found, sourceFindings) = try await imageRoots(try ArchiveContent(path: path, kind: .docker))
            case .reference(let reference):
                (found, sourceFindings) = try await registry.withContent(reference, threads: rules.threads) { content in
                    try await imageRoots(content)
                }
            }
            findings += sourceFindings.map {
                var f = $0; f.source = argument; return f
            }
            for index in found.indices {
                found[index].root.source = argument
                for file in found[index].scanned.indices { found[index].scanned[file].root = roots.count + index }
            }
            findings += platformFindings(found, argument: argument, platforms: platforms)
            roots += found
        }
        return rules.evaluate(roots, start: start, findings: findings)
    }

    /// `platforms` against what a source has: each missing one is an error, each extra one a note.
    /// Sources without any platform (a plain folder) are left alone.
    private func platformFindings(_ roots: [Verifier.PlannedRoot], argument: String, platforms: [Platform])
        -> [SourceFinding]
    {
        guard platforms.count > 1 || roots.contains(where: { $0.root.kind == .image }), !platforms.isEmpty else {
            return []
        }
        let have = roots.filter { $0.root.kind != .attestation }.compactMap(\.root.platform)
        guard !have.isEmpty else { return [] }
        var findings: [SourceFinding] = []
        for platform in platforms where !have.contains(platform) {
            findings.append(
                SourceFinding(
                    .missingPlatform, source: argument, platform: platform.description,
                    message:
                        "\(platform) is missing (has \(Set(have).map(\.description).sorted().joined(separator: ", ")))")
            )
        }
        for platform in Set(have) where !platforms.contains(platform) {
            findings.append(
                SourceFinding(
                    .extraPlatform, source: argument, platform: platform.description,
                    message: "\(platform) is there but was not asked for"))
        }
        return findings.sorted { ($0.kind.rawValue, $0.platform ?? "") < ($1.kind.rawValue, $1.platform ?? "") }
    }
}
