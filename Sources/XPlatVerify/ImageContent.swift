// Where an image is, decided once at the edge: a SOURCE argument is classified (`VerifySource`), and
// everything after that reads through one content protocol (`ImageContent`): manifests, indexes
// and configs as small blobs by descriptor, layers as `LayerSummary`s (each layer read once, even
// when several platforms share it). Implemented for an OCI layout folder (here), an OCI archive and
// a `docker save` archive (ArchiveContent.swift) and a registry (RegistryContent.swift).

import Foundation
import XPlatArchive
import XPlatRegistry
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One top-level image of a source: a tag of a layout or archive, or the reference itself.
struct ContentRoot: Sendable {
    /// How the image is named in output: the reference, `archive.tar:repo:tag`, a layout's ref name.
    var name: String
    var descriptor: Descriptor
}

extension ContentRoot {
    /// An OCI layout's `index.json`, as the index every image of the layout hangs from.
    static func layoutIndex(_ name: String) -> ContentRoot {
        ContentRoot(name: name, descriptor: Descriptor(mediaType: MediaType.ociIndex, digest: "index.json", size: 0))
    }
}

/// The content protocol every image source implements.
protocol ImageContent: Sendable {
    /// The source as given.
    var name: String { get }
    /// The images at the top of the source (an index or a manifest each).
    func roots() async throws -> [ContentRoot]
    /// A manifest, index or config: small, held in memory.
    func data(_ descriptor: Descriptor) async throws -> Data
    /// Every layer read once into its summary, keyed by digest.
    func layers(_ descriptors: [Descriptor]) async throws -> [String: LayerSummary]
}

/// A folder in the OCI image layout: `index.json`, `blobs/<alg>/<hex>`.
struct OCILayoutContent: ImageContent {
    var name: String
    var folder: String
    var threads: Int

    func roots() async throws -> [ContentRoot] { [ContentRoot.layoutIndex(name)] }

    func data(_ descriptor: Descriptor) async throws -> Data {
        try read(descriptor == ContentRoot.layoutIndex(name).descriptor ? folder + "/index.json" : blobPath(descriptor))
    }

    func blobPath(_ descriptor: Descriptor) throws -> String {
        let parts = descriptor.digest.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, !parts[1].contains("/"), !parts[0].contains("/") else {
            throw VerifyError(name, "malformed digest \"\(descriptor.digest)\"")
        }
        return "\(folder)/blobs/\(parts[0])/\(parts[1])"
    }

    func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VerifyError(path, "cannot read: \(errorText(errno))")
        }
        return data
    }

    func layers(_ descriptors: [Descriptor]) async throws -> [String: LayerSummary] {
        let paths = try descriptors.map { try blobPath($0) }
        return try await concurrentLayers(descriptors, threads: threads) { index in
            try await onThread {
                try LayerReader.read(try ArchiveReader(path: paths[index]), display: paths[index], whiteouts: true)
            }
        }
    }
}

/// Reads layers `threads + 1` at a time, largest first (`read` gets the index of a descriptor),
/// keyed by digest. Largest first: the longest read starts at once instead of after the small ones
/// (in digest order, golang:1.19's 1.26 GB amd64 layer was still being read alone at the end); one
/// more than the threads keeps a core busy while another layer waits for the network.
func concurrentLayers(
    _ descriptors: [Descriptor], threads: Int,
    _ read: @escaping @Sendable (Int) async throws -> LayerSummary
) async throws -> [String: LayerSummary] {
    try await withThrowingTaskGroup(of: (String, LayerSummary).self) { group in
        var results: [String: LayerSummary] = [:]
        var next = 0
        let order = descriptors.indices.sorted { descriptors[$0].size > descriptors[$1].size }
        func start() {
            let index = order[next]
            next += 1
            let digest = descriptors[index].digest
            group.addTask { (digest, try await read(index)) }
        }
        while next < min(max(1, threads + 1), descriptors.count) { start() }
        while let (digest, summary) = try await group.next() {
            results[digest] = summary
            if next < descriptors.count { start() }
        }
        return results
    }
}

/// Runs blocking work on a thread of its own, off Swift's cooperative pool and off Dispatch's: a
/// layer reader blocks while it waits for the download, and blocked Dispatch workers made Linux's
/// libdispatch hold new work back for about a second each time (the layers' first bytes arrived
/// 1.9 s late). An `ArchiveError` comes back as a `VerifyError` naming the archive.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do {
                continuation.resume(returning: try work())
            } catch let error as ArchiveError {
                continuation.resume(
                    throwing: VerifyError(error.entry.map { "\(error.archive): \($0)" } ?? error.archive, error.reason))
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.name = "xplat-layer"
        thread.start()
    }
}

func decode<T: Decodable>(_ data: Data, _ what: String) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch let error as DecodingError {
        throw VerifyError(what, "not a valid \(T.self): \(describe(error))")
    }
}

/// A decoding error in words: which key, what was wrong; never Foundation's raw text.
func describe(_ error: DecodingError) -> String {
    func at(_ path: [CodingKey]) -> String {
        path.isEmpty ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context): return "missing \"\(key.stringValue)\"\(at(context.codingPath))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type\(at(context.codingPath))"
    case .dataCorrupted(let context):
        return context.codingPath.isEmpty ? "not JSON" : "bad value\(at(context.codingPath))"
    @unknown default: return "cannot decode"
    }
}
