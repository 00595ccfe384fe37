// Writing OCI image layouts for tests: layers made by GNU tar from real folders (gzip, zstd, xz,
// or plain), a config and a manifest per platform, an index; blobs named by their sha256.

import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

/// An OCI layout folder being written.
struct OCIFixture {
    let folder: String

    init(_ folder: String) throws {
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder + "/blobs/sha256", withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: folder + "/oci-layout"))
    }

    /// Stores `data` as a blob; returns its descriptor as JSON-ready values.
    func blob(_ data: Data, mediaType: String, annotations: [String: String]? = nil, platform: [String: String]? = nil)
        async throws -> [String: Any]
    {
        let temp = folder + "/blobs/incoming"
        try data.write(to: URL(fileURLWithPath: temp))
        let sum = try await SubprocessRunner().run(Command("sha256sum", [temp]))
        let hex = String(sum.stdout.prefix(64))
        try FileManager.default.moveItem(atPath: temp, toPath: folder + "/blobs/sha256/" + hex)
        var descriptor: [String: Any] = ["mediaType": mediaType, "digest": "sha256:" + hex, "size": data.count]
        if let annotations { descriptor["annotations"] = annotations }
        if let platform { descriptor["platform"] = platform }
        return descriptor
    }

    /// A layer: `tar` of `source` (a folder, its content at the layer's root), compressed as asked.
    func layer(from source: String, compression: String? = "gzip") async throws -> [String: Any] {
        let archive = folder + "/layer.tmp"
        var arguments = ["--format=pax", "-cf", archive, "-C", source, "."]
        if let compression { arguments.insert("--\(compression)", at: 0) }
        let out = try await SubprocessRunner().run(Command("tar", arguments))
        #expect(out.succeeded, "tar: \(out.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: archive))
        try FileManager.default.removeItem(atPath: archive)
        let suffix = compression.map { ["gzip": "+gzip", "zstd": "+zstd", "xz": "+xz"][$0] ?? "" } ?? ""
        return try await blob(data, mediaType: "application/vnd.oci.image.layer.v1.tar" + suffix)
    }

    /// A config and manifest for `platform` (`os/arch[/variant]`, as the config should say it).
    func image(platform: String, layers: [[String: Any]]) async throws -> [String: Any] {
        let parts = platform.split(separator: "/").map(String.init)
        var config: [String: Any] = [
            "os": parts[0], "architecture": parts[1],
            "rootfs": ["type": "layers", "diff_ids": layers.map { $0["digest"]! }],
        ]
        if parts.count > 2 { config["variant"] = parts[2] }
        let configBlob = try await blob(try json(config), mediaType: "application/vnd.oci.image.config.v1+json")
        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": configBlob, "layers": layers,
        ]
        var platformObject = ["os": parts[0], "architecture": parts[1]]
        if parts.count > 2 { platformObject["variant"] = parts[2] }
        return try await blob(
            try json(manifest), mediaType: "application/vnd.oci.image.manifest.v1+json", platform: platformObject)
    }

    /// Writes `index.json` listing `manifests` (directly, as `-o type=oci` does).
    func index(_ manifests: [[String: Any]]) throws {
        let index: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests,
        ]
        try json(index).write(to: URL(fileURLWithPath: folder + "/index.json"))
    }

    func json(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
