// Images in a registry, through XPlatRegistry's client (TLS, docker credentials, token auth): the
// reference's manifest or index, small blobs in memory, and layers streamed from the HTTP body into
// libarchive (LayerChannel: the download and the decompression overlap; nothing is written to disk).

import Foundation
import NIOCore
import XPlatArchive
import XPlatRegistry

/// One image reference in a registry.
struct RegistryContent: ImageContent {
    var name: String
    var reference: RegistryReference
    var client: RegistryClient
    var threads: Int

    func roots() async throws -> [ContentRoot] {
        let top = try await client.manifest(reference)
        return [
            ContentRoot(
                name: name,
                descriptor: Descriptor(mediaType: top.mediaType, digest: top.digest, size: Int64(top.data.count)))
        ]
    }

    func data(_ descriptor: Descriptor) async throws -> Data {
        if MediaType.isIndex(descriptor.mediaType) || MediaType.isManifest(descriptor.mediaType) {
            return try await client.manifest(reference.with(reference: descriptor.digest)).data
        }
        return try await client.blob(reference, digest: descriptor.digest)
    }

    /// Each layer streamed: the HTTP body's chunks go through a `LayerChannel` to libarchive on a
    /// worker thread (the download, its digest check and the reading overlap; nothing is written to
    /// disk). The largest layers start first, so the longest read is not left for last.
    func layers(_ descriptors: [Descriptor]) async throws -> [String: LayerSummary] {
        try await concurrentLayers(descriptors, threads: threads) { index in try await stream(descriptors[index]) }
    }

    func stream(_ descriptor: Descriptor) async throws -> LayerSummary {
        let channel = LayerChannel()
        let display = "\(name)@\(descriptor.digest)"
        let reading = Task { () async throws -> LayerSummary in
            try await onThread { () throws -> LayerSummary in
                defer { channel.stop() }
                let summary = try LayerReader.read(
                    try ArchiveReader(source: channel, name: display), display: display, whiteouts: true)
                // The tar ends before the blob does (padding): read on so the whole blob's digest is checked.
                while try channel.nextChunk().count > 0 {}
                return summary
            }
        }
        var downloadError: Error?
        do {
            try await client.fetchBlob(reference, digest: descriptor.digest) { chunk in try await channel.send(chunk) }
            channel.finish()
        } catch {
            channel.finish(error)
            downloadError = error
        }
        let summary = await reading.result
        // A reader that stopped early explains itself; a failed download (or digest) comes first otherwise.
        if let downloadError, !(downloadError is LayerReaderStopped) { throw VerifyError(display, "\(downloadError)") }
        return try summary.get()
    }
}
