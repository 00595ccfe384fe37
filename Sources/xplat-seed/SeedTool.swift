// `xplat-seed`: the image half of Scripts/seed-images. The script makes each platform's root file
// system from Debian packages and packs it as a gzip layer (GNU tar, pigz); this tool writes the
// image configs, manifests and the index into the OCI layout, checks whether the registry already
// has the image, and pushes it, all through XPlatRegistry (the client `xplat build --push` uses).

import ArgumentParser
import Foundation
import XPlatRegistry

@main
struct SeedTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xplat-seed",
        abstract: "Packs and pushes the base images of Scripts/seed-images.",
        subcommands: [AddImage.self, WriteIndex.self, Present.self, Push.self]
    )
}

/// `xplat-seed manifest LAYOUT --platform P --config JSON --history TEXT < LAYERS`
private struct AddImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Writes one platform's config and manifest into LAYOUT; prints the manifest digest.",
        discussion:
            "Reads the layers from standard input, lowest first, one `DIFF_ID DIGEST SIZE` line each (hexadecimal "
            + "digests); their blobs must already be in LAYOUT."
    )

    @Argument(help: "The OCI layout folder.") var layout: String
    @Option(help: "The platform, e.g. linux/arm/v7.") var platform: String
    @Option(help: "The config's container defaults as a JSON object (Env, Cmd, Entrypoint, WorkingDir).")
    var config: String
    @Option(help: "The history entry's created_by.") var history: String
    @Option(help: "The creation time (RFC 3339); default: now.") var created: String?

    func run() throws {
        let platform = try parsePlatform(platform)
        let defaults = try decodeDefaults(config)
        let layers = try readLayers()
        let created = created ?? Self.now()
        let imageConfig = ImageConfig(
            platform: platform, created: created, config: defaults,
            history: [.init(created: created, createdBy: history)], diffIDs: [])
        let image = try OCILayout.addImage(config: imageConfig, layers: layers, in: layout)
        print(image.manifest.digest)
    }

    private func decodeDefaults(_ json: String) throws -> ImageConfig.ContainerConfig {
        do { return try JSONDecoder().decode(ImageConfig.ContainerConfig.self, from: Data(json.utf8)) } catch {
            throw ValidationError("--config \(json): not a JSON object of container defaults")
        }
    }

    private func readLayers() throws -> [LayerBlob] {
        var layers: [LayerBlob] = []
        var number = 0
        while let line = readLine() {
            number += 1
            guard !line.isEmpty else { continue }
            guard let layer = LayerBlob(line: line) else {
                throw ValidationError("standard input, line \(number): '\(line)' is not 'DIFF_ID DIGEST SIZE'")
            }
            layers.append(layer)
        }
        guard !layers.isEmpty else { throw ValidationError("standard input: no layer lines") }
        return layers
    }

    /// Seconds precision, UTC, as `date -u +%Y-%m-%dT%H:%M:%SZ`.
    private static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}

/// `xplat-seed index LAYOUT --tag TAG [--annotation K=V]... MANIFEST...`
private struct WriteIndex: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Writes the index over the given manifests of LAYOUT, and index.json naming it TAG."
    )

    @Argument(help: "The OCI layout folder.") var layout: String
    @Argument(help: "Manifest digests (sha256:...) in LAYOUT, in index order.") var manifests: [String]
    @Option(help: "The tag index.json names the index by.") var tag: String
    @Option(help: "An annotation of the index, KEY=VALUE (repeatable).") var annotation: [String] = []

    func run() throws {
        let images = try manifests.map { try OCILayout.storedImage(manifest: $0, in: layout) }
        let digest = try OCILayout.write(
            images, refName: tag, to: layout, indexAnnotations: try parseAnnotations(annotation))
        print(digest)
    }
}

/// `xplat-seed present REF [--annotation K=V]... [--platform P]...`: exit 0 when present.
private struct Present: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "present",
        abstract: "Exit 0 when REF is an index with every annotation and platform given, else 1 (the reason on stderr)."
    )

    @Argument(help: "The image, REGISTRY/REPOSITORY:TAG.") var reference: String
    @Option(help: "An annotation the index must carry, KEY=VALUE (repeatable).") var annotation: [String] = []
    @Option(help: "A platform the index must list (repeatable).") var platform: [String] = []

    func run() async throws {
        let reference = try parseReference(reference)
        let wanted = try parseAnnotations(annotation) ?? [:]
        let platforms = try platform.map(parsePlatform)
        let missing = try await RegistryClient.with(configuration: seedConfiguration(reference)) { client -> String? in
            let fetched: FetchedManifest
            do { fetched = try await client.manifest(reference) } catch RegistryError.notFound {
                return "not in the registry"
            }
            guard fetched.isIndex else { return "not an index" }
            let index = try client.decodeIndex(fetched, of: reference)
            return index.lacking(annotations: wanted, platforms: platforms)
        }
        if let missing {
            FileHandle.standardError.write(Data("xplat-seed: \(reference): \(missing)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `xplat-seed push LAYOUT REF`
struct Push: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Pushes the image index of LAYOUT (every platform, the index's annotations kept) to REF."
    )

    @Argument(help: "The OCI layout folder.") var layout: String
    @Argument(help: "The target, REGISTRY/REPOSITORY:TAG.") var reference: String

    func run() async throws {
        let reference = try parseReference(reference)
        let images = try OCILayout.read(layout)
        let annotations = try OCILayout.indexAnnotations(layout)
        let result = try await RegistryClient.with(configuration: seedConfiguration(reference)) { client in
            try await client.publish(images, to: [reference], indexAnnotations: annotations)
        }
        print(result.indexDigest)
    }
}

// MARK: - Parsing shared by the subcommands

/// `linux/arm/v7` -> os, architecture, variant.
private func parsePlatform(_ text: String) throws -> OCIPlatform {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard (2...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
        throw ValidationError("platform '\(text)': not OS/ARCH[/VARIANT]")
    }
    return OCIPlatform(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
}

/// `KEY=VALUE`... -> a dictionary; nil for none.
private func parseAnnotations(_ pairs: [String]) throws -> [String: String]? {
    guard !pairs.isEmpty else { return nil }
    var annotations: [String: String] = [:]
    for pair in pairs {
        guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
            throw ValidationError("annotation '\(pair)': not KEY=VALUE")
        }
        annotations[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return annotations
}

private func parseReference(_ text: String) throws -> RegistryReference {
    do { return try RegistryReference(parsing: text) } catch { throw ValidationError("\(error)") }
}

/// The seeding registry may be a plain-HTTP one outside loopback too (as `skopeo --tls-verify=false`).
private func seedConfiguration(_ reference: RegistryReference) -> RegistryConfiguration {
    RegistryConfiguration(insecureRegistries: [reference.registry])
}
