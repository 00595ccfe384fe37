// Publishing a build's images: `--push` into the registries of the `-t` names, `-o type=oci` into
// an OCI layout (folder or tar). The images come as files from the builder (see ImageExport); the
// registry sees only the blobs, the per-platform manifests by digest and one index per tag.

import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// Publishes images with one registry client, whose lifetime the caller owns.
struct ImagePublisher: Sendable {
    var client: RegistryClient
    /// The `-t` names.
    var targets: [RegistryReference]

    /// The `-t` names as registry references; each must name a tag.
    static func targets(_ tags: [String]) throws -> [RegistryReference] {
        try tags.map { tag in
            let reference: RegistryReference
            do { reference = try RegistryReference(parsing: tag) } catch let error as RegistryError {
                throw BuildError.conflict("-t \"\(tag)\": \(error)")
            }
            guard reference.digest == nil else {
                throw BuildError.conflict("-t \"\(tag)\": a tag names no digest (use NAME:TAG)")
            }
            return reference
        }
    }

    /// Checks, before anything is built, that every target registry answers and accepts the
    /// login for pushing to its repository (a wrong password fails in a second, not after the build).
    func checkAccess() async throws {
        var seen = Set<String>()
        for target in targets where seen.insert("\(target.registry)/\(target.repository)").inserted {
            do {
                try await client.checkPushAccess(target)
            } catch let error as RegistryError {
                throw BuildError.assemblyFailed("cannot push: \(error.message)", cause: ErrorCause(error))
            }
        }
    }

    /// The images in `platforms` order, then the attestation manifests of each (in the same
    /// order, as buildx orders an index): what an assembled index lists.
    static func ordered(
        _ images: [Platform: LocalImage], attestations: [String: [LocalImage]],
        platforms: [Platform]
    ) throws -> [LocalImage] {
        let ordered = try platforms.map { p -> LocalImage in
            guard let image = images[p] else { throw BuildError.assemblyFailed("no image was built for \(p)") }
            return image
        }
        return ordered + ordered.flatMap { attestations[$0.manifest.digest] ?? [] }
    }

    /// Pushes one image per platform (in `platforms` order) and the attestation manifests about
    /// them under every target tag; returns the index digest and each platform's manifest digest.
    func push(
        _ images: [Platform: LocalImage], attestations: [String: [LocalImage]], platforms: [Platform],
        indexAnnotations: [String: String]? = nil
    ) async throws -> (index: PublishResult, manifests: [Platform: String]) {
        let ordered = try Self.ordered(images, attestations: attestations, platforms: platforms)
        do {
            let result = try await client.publish(ordered, to: targets, indexAnnotations: indexAnnotations)
            return (result, Dictionary(uniqueKeysWithValues: zip(platforms, result.manifestDigests)))
        } catch let error as RegistryError {
            throw BuildError.assemblyFailed("push failed: \(error.message)", cause: ErrorCause(error))
        }
    }

    /// Writes an OCI layout of the images and their attestations (one index named `refName`) to
    /// `dest`, as a folder or a tar, staged beside it and renamed into place. Returns the index's descriptor.
    static func writeOCI(
        _ images: [Platform: LocalImage], attestations: [String: [LocalImage]], platforms: [Platform], dest: String,
        asTar: Bool, refName: String, work: String, runner: any CommandRunner,
        indexAnnotations: [String: String]? = nil, descriptorAnnotations: [String: String] = [:]
    ) async throws -> Descriptor {
        let ordered = try Self.ordered(images, attestations: attestations, platforms: platforms)
        let layout = "\(work)/oci-layout"
        let digest: String
        do {
            digest = try OCILayout.write(
                ordered, refName: refName, to: layout, indexAnnotations: indexAnnotations,
                descriptorAnnotations: descriptorAnnotations)
        } catch let error as LocalImageError {
            throw BuildError.assemblyFailed("cannot write the OCI layout: \(error)")
        }
        let indexJSON = FileManager.default.contents(atPath: "\(layout)/index.json") ?? Data()
        guard let top = (try? JSONDecoder().decode(Index.self, from: indexJSON))?.manifests.first, top.digest == digest
        else {
            throw BuildError.assemblyFailed(
                "cannot write the OCI layout: its index.json does not name the index \(digest)")
        }
        let staging =
            dest == OutputSpec.standardOutput ? "\(work)/oci-layout.tar" : try OutputAssembler.stagingPath(for: dest)
        try await OutputAssembler.removingOnFailure(staging) {
            if asTar {
                let out = try await runner.run(Command("tar", ["-C", layout, "-cf", staging, "."]))
                guard out.succeeded else {
                    throw BuildError.assemblyFailed("\(dest): tar failed: \(ImageExport.firstLine(out.stderr))")
                }
            } else {
                do { try FileManager.default.moveItem(atPath: layout, toPath: staging) } catch {
                    throw BuildError.assemblyFailed("\(dest): cannot write the output")
                }
            }
            try OutputAssembler.swapIntoPlace(staging, dest)
        }
        return Descriptor(mediaType: top.mediaType, digest: top.digest, size: top.size)
    }

    /// The registries treated as insecure by the engine that `--load` and pushes of this build's
    /// builder go through: engine nodes carry them from discovery's `docker info`; for buildx,
    /// one `docker info` of the engine its builder reaches (`EngineAccess`).
    static func insecureRegistries(runner: any CommandRunner, docker: String, nodes: [BuilderNode]) async -> Set<String>
    {
        let probed = nodes.compactMap(\.insecureRegistries)
        if !probed.isEmpty { return Set(probed.joined()) }
        guard let node = nodes.first, node.driver.kind == .buildx else { return [] }
        let engine = EngineAccess.of(node)
        guard
            let out = try? await runner.run(
                Command(
                    docker, engine.options + ["info", "--format", "{{json .RegistryConfig.IndexConfigs}}"],
                    environment: engine.environment)), out.succeeded
        else { return [] }
        return Set(EngineInfo.insecureRegistries(indexConfigs: out.stdout))
    }
}
