// Packing an image into an OCI layout from layer blobs already there (xplat-seed's part of
// Scripts/seed-images): the exact bytes of config, manifest and index, and the round trip.

import Foundation
import Testing
import XPlatRegistry

struct PackTests {
    static let diffID = String(repeating: "d", count: 64)

    @Test(
        "a `DIFF_ID DIGEST SIZE` line is a layer; anything else is not",
        arguments: [
            ("\(String(repeating: "d", count: 64)) \(String(repeating: "a", count: 64)) 12", true),
            ("\(String(repeating: "d", count: 64)) \(String(repeating: "a", count: 64))", false),
            ("\(String(repeating: "D", count: 64)) \(String(repeating: "a", count: 64)) 12", false),
            ("\(String(repeating: "d", count: 63)) \(String(repeating: "a", count: 64)) 12", false),
            ("\(String(repeating: "d", count: 64)) \(String(repeating: "a", count: 64)) -1", false),
        ])
    func layerLine(_ line: String, _ valid: Bool) {
        #expect((LayerBlob(line: line) != nil) == valid, "\(line)")
    }

    @Test("config, manifest and index are canonical JSON; the index keeps its annotations and every platform")
    func packs() throws {
        let folder = try temporaryLayout()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var digests: [String] = []
        for (platform, byte) in [
            (OCIPlatform(os: "linux", architecture: "amd64"), UInt8(1)),
            (OCIPlatform(os: "linux", architecture: "arm", variant: "v7"), UInt8(2)),
        ] {
            let layer = try storeLayer([byte, byte], in: folder)
            let defaults = try JSONDecoder().decode(
                ImageConfig.ContainerConfig.self, from: Data(#"{"Env":["PATH=/bin"],"Cmd":["sh"]}"#.utf8))
            let config = ImageConfig(
                platform: platform, created: "2026-01-02T03:04:05Z", config: defaults,
                history: [.init(created: "2026-01-02T03:04:05Z", createdBy: "test")], diffIDs: [])
            let image = try OCILayout.addImage(config: config, layers: [layer], in: folder)
            #expect(image.platform == platform)
            digests.append(image.manifest.digest)
            let manifest = String(decoding: image.manifest.data, as: UTF8.self)
            let configDescriptor =
                #""config":{"digest":"\#(image.decoded.config.digest)","#
                + #""mediaType":"\#(MediaType.ociConfig)","size":\#(image.decoded.config.size)}"#
            let layers = #""layers":[{"digest":"\#(layer.digest)","mediaType":"\#(MediaType.ociLayerGzip)","size":2}]"#
            #expect(
                manifest
                    == #"{\#(configDescriptor),\#(layers),"mediaType":"\#(MediaType.ociManifest)","schemaVersion":2}"#)
            let configText = try String(
                contentsOfFile: "\(folder)/blobs/sha256/\(image.decoded.config.digest.dropFirst(7))", encoding: .utf8)
            let variant = platform.variant.map { #","variant":"\#($0)""# } ?? ""
            let history = #""history":[{"created":"2026-01-02T03:04:05Z","created_by":"test"}]"#
            #expect(
                configText
                    == #"{"architecture":"\#(platform.architecture)","config":{"Cmd":["sh"],"Env":["PATH=/bin"]},"#
                    + #""created":"2026-01-02T03:04:05Z","#
                    + #"\#(history),"os":"linux","#
                    + #""rootfs":{"diff_ids":["\#(layer.diffID)"],"type":"layers"}\#(variant)}"#
            )
        }
        let images = try digests.map { try OCILayout.storedImage(manifest: $0, in: folder) }
        let indexDigest = try OCILayout.write(
            images, refName: "12", to: folder, indexAnnotations: ["io.xplat.seed.recipe": "abc"])
        #expect(try OCILayout.indexAnnotations(folder) == ["io.xplat.seed.recipe": "abc"])
        let read = try OCILayout.read(folder)
        #expect(read.map(\.platform.description) == ["linux/amd64", "linux/arm/v7"])
        #expect(
            makeIndex(read, annotations: ["io.xplat.seed.recipe": "abc"]).data
                == makeIndex(images, annotations: ["io.xplat.seed.recipe": "abc"]).data)
        #expect(sha256Digest(makeIndex(read, annotations: ["io.xplat.seed.recipe": "abc"]).data) == indexDigest)
    }

    @Test("a layer whose blob is not in the layout is refused, naming it")
    func missingLayer() throws {
        let folder = try temporaryLayout()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let layer = LayerBlob(
            digest: "sha256:" + String(repeating: "e", count: 64), size: 1, diffID: "sha256:" + Self.diffID)
        let config = ImageConfig(platform: OCIPlatform(os: "linux", architecture: "amd64"), diffIDs: [])
        #expect(throws: LocalImageError.malformed(folder, "no blob for layer \(layer.digest)")) {
            try OCILayout.addImage(config: config, layers: [layer], in: folder)
        }
    }

    @Test(
        "an index lacks an annotation with another value, or a platform",
        arguments: [
            (["k": "v"], ["linux/amd64"], nil as String?),
            (["k": "w"], ["linux/amd64"], "annotation k is 'v', not 'w'"),
            (["j": "v"], [], "annotation j is absent, not 'v'"),
            ([:], ["linux/amd64", "linux/arm64"], "no linux/arm64 image"),
        ])
    func lacking(_ annotations: [String: String], _ platforms: [String], _ expected: String?) {
        let entry = Descriptor(
            mediaType: MediaType.ociManifest, digest: "sha256:" + Self.diffID, size: 1,
            platform: OCIPlatform(os: "linux", architecture: "amd64"))
        let index = Index(manifests: [entry], annotations: ["k": "v"])
        let wanted = platforms.map { text -> OCIPlatform in
            let parts = text.split(separator: "/").map(String.init)
            return OCIPlatform(os: parts[0], architecture: parts[1])
        }
        #expect(index.lacking(annotations: annotations, platforms: wanted) == expected)
    }

    private func temporaryLayout() throws -> String {
        let folder = NSTemporaryDirectory() + "xplat-pack-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/blobs/sha256", withIntermediateDirectories: true)
        return folder
    }

    private func storeLayer(_ bytes: [UInt8], in folder: String) throws -> LayerBlob {
        let digest = sha256Digest(bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/blobs/sha256/\(digest.dropFirst(7))"))
        return LayerBlob(digest: digest, size: Int64(bytes.count), diffID: "sha256:" + Self.diffID)
    }
}
