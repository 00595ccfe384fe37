// Where an image is, decided once at the edge: a SOURCE argument is classified (`VerifySource`), and
// everything after that reads through one content protocol (`ImageContent`): manifests, indexes
// and configs as small blobs by descriptor, layers as `LayerSummary`s (each layer read once, even
// when several platforms share it). Implemented for an OCI layout folder, an OCI archive, a
// `docker save` archive (here) and a registry (RegistryContent.swift).

import Foundation
import XPlatArchive
import XPlatRegistry
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// What a SOURCE argument is.
public enum VerifySource: Sendable, Hashable, CustomStringConvertible {
    /// A directory tree, a plain tar (any compression) or a single file.
    case path(String)
    /// A folder holding `oci-layout` and `index.json`.
    case ociLayout(String)
    /// A tar holding `oci-layout` and `index.json` (`-o type=oci`, `skopeo copy ... oci-archive:`).
    case ociArchive(String)
    /// A `docker save` tar (`manifest.json`); every image in it is checked.
    case dockerArchive(String)
    /// An image in a registry: `host/repo:tag`, `repo@sha256:...`, `docker://` accepted.
    case reference(String)

    public var description: String {
        switch self {
        case .path(let p), .ociLayout(let p), .ociArchive(let p), .dockerArchive(let p), .reference(let p): return p
        }
    }

    /// Decides what `argument` is: `docker://` is a reference; an existing folder with `oci-layout`
    /// and `index.json` is a layout; an archive whose top holds them (or `manifest.json`) is an
    /// image archive, never a plain tar; another existing path is a path; a name with a `/`, `:` or
    /// `@` that is not on disk is a reference.
    public static func classify(_ argument: String) throws -> VerifySource {
        if argument.hasPrefix("docker://") { return .reference(String(argument.dropFirst("docker://".count))) }
        var st = stat()
        guard stat(argument, &st) == 0 else {
            let looksLocal = argument.hasPrefix("/") || argument.hasPrefix(".") || argument.hasPrefix("~")
            if !looksLocal, argument.contains(where: { "/:@".contains($0) }) { return .reference(argument) }
            let hint =
                looksLocal || argument.contains("/") ? "" : " (for an image in a registry write docker://\(argument))"
            throw VerifyError(argument, "cannot open: \(errorText(errno))\(hint)")
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            let layout =
                FileManager.default.fileExists(atPath: argument + "/oci-layout")
                && FileManager.default.fileExists(atPath: argument + "/index.json")
            return layout ? .ociLayout(argument) : .path(argument)
        }
        guard st.st_mode & S_IFMT == S_IFREG, try SourceKind.isArchive(argument) else { return .path(argument) }
        switch try SourceKind.imageArchive(argument) {
        case .oci?: return .ociArchive(argument)
        case .docker?: return .dockerArchive(argument)
        case nil: return .path(argument)
        }
    }
}

/// Sniffing files: is it an archive, and is it an image archive.
enum SourceKind {
    enum ImageArchive { case oci, docker }

    /// True for a tar (ustar magic) or a compressed file libarchive reads (gzip, zstd, xz, bzip2).
    static func isArchive(_ path: String) throws -> Bool {
        let head: [UInt8]
        do { head = try UserFile.firstBytes(of: path, count: 512) } catch let error as FileReadError {
            throw VerifyError(path, "cannot open: \(error.reason)")
        }
        let magics: [[UInt8]] = [
            [0x1F, 0x8B], [0x28, 0xB5, 0x2F, 0xFD], [0xFD, 0x37, 0x7A, 0x58, 0x5A], [0x42, 0x5A, 0x68],
        ]
        if magics.contains(where: { head.starts(with: $0) }) { return true }
        return head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }

    /// Reads member headers until it is clear: `oci-layout` + `index.json` is an OCI archive,
    /// `manifest.json` a docker archive; a member no image archive has (a rootfs path) ends the
    /// search early: a plain tar.
    static func imageArchive(_ path: String) throws -> ImageArchive? {
        var names: Set<String> = []
        do {
            let reader = try ArchiveReader(path: path)
            while let entry = try reader.next() {
                let name = String(entry.normalizedPath.dropFirst())
                guard isImageArchiveMember(name) else { break }
                names.insert(name)
            }
        } catch {
            throw VerifyError(path, error.reason)
        }
        if names.contains("oci-layout"), names.contains("index.json") { return .oci }
        if names.contains("manifest.json") { return .docker }
        return nil
    }

    /// Names found in OCI and `docker save` archives: `oci-layout`, `index.json`, `manifest.json`,
    /// `repositories`, `blobs/...`, `<id>.json`, `<id>/layer.tar`, `<id>/json`, `<id>/VERSION`.
    static func isImageArchiveMember(_ name: String) -> Bool {
        if ["", "oci-layout", "index.json", "manifest.json", "repositories", "blobs"].contains(name) { return true }
        if name.hasPrefix("blobs/") { return true }
        let first = name.split(separator: "/").first.map(String.init) ?? ""
        let id = first.hasSuffix(".json") ? String(first.dropLast(5)) : first
        return id.count == 64 && id.allSatisfy(\.isHexDigit)
    }
}

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

/// An OCI archive or a `docker save` archive: one pass keeps the small JSON members (index,
/// manifests, configs) in memory; a second reads the wanted layers, each nested tar streamed from
/// the outer one.
struct ArchiveContent: ImageContent {
    var name: String
    var path: String
    var kind: SourceKind.ImageArchive
    /// Members of at most this size that start with `{` are kept.
    static let jsonLimit = 8 << 20
    private let json: [String: Data]
    /// Members that are symlinks (`docker save` links a layer shared by two images), to their targets.
    private let links: [String: String]

    init(path: String, kind: SourceKind.ImageArchive) throws {
        self.name = path
        self.path = path
        self.kind = kind
        var json: [String: Data] = [:]
        var links: [String: String] = [:]
        do {
            let reader = try ArchiveReader(path: path)
            while let entry = try reader.next() {
                let memberPath = entry.normalizedPath
                if entry.kind == .symlink, let link = entry.link {
                    let parent = PathText.parent(of: memberPath)
                    links[String(memberPath.dropFirst())] = String(
                        ArchiveEntry.normalize(link.hasPrefix("/") ? link : parent + "/" + link).dropFirst())
                }
                guard entry.kind == .file, entry.size <= Self.jsonLimit else { continue }
                let head = try reader.read(upTo: 1)
                guard head == [UInt8(ascii: "{")] || head == [UInt8(ascii: "[")] else { continue }
                json[String(entry.normalizedPath.dropFirst())] = Data(
                    head + (try reader.readAll(limit: Self.jsonLimit)))
            }
        } catch {
            throw VerifyError(path, error.reason)
        }
        self.json = json
        self.links = links
    }

    /// The member holding the blob `digest`, symlinks followed (at most 8).
    func member(_ digest: String) -> String {
        // Docker archives name members, not digests.
        var name = kind == .docker ? digest : "blobs/" + digest.replacingOccurrences(of: ":", with: "/")
        for _ in 0..<8 {
            guard let target = links[name] else { break }
            name = target
        }
        return name
    }

    func roots() async throws -> [ContentRoot] {
        switch kind {
        case .oci:
            return [ContentRoot.layoutIndex(path)]
        case .docker:
            let entries: [DockerArchiveEntry] = try decode(try jsonMember("manifest.json"), path + ":manifest.json")
            return entries.enumerated().map { index, entry in
                let tag = entry.RepoTags?.first ?? "image \(index + 1)"
                return ContentRoot(
                    name: "\(path):\(tag)",
                    descriptor: Descriptor(
                        mediaType: DockerArchiveEntry.mediaType, digest: "docker-archive:\(index)", size: 0))
            }
        }
    }

    func jsonMember(_ name: String) throws -> Data {
        guard let data = json[name] else { throw VerifyError(path, "\(name) is missing from the archive") }
        return data
    }

    func data(_ descriptor: Descriptor) async throws -> Data {
        if kind == .docker, descriptor.digest.hasPrefix("docker-archive:") {
            // The image's manifest, translated from manifest.json into an OCI manifest.
            let entries: [DockerArchiveEntry] = try decode(try jsonMember("manifest.json"), path + ":manifest.json")
            guard let index = Int(descriptor.digest.dropFirst("docker-archive:".count)), entries.indices.contains(index)
            else {
                throw VerifyError(path, "manifest.json has no image \(descriptor.digest)")
            }
            return try entries[index].manifest()
        }
        if descriptor == ContentRoot.layoutIndex(path).descriptor { return try jsonMember("index.json") }
        return try jsonMember(member(descriptor.digest))
    }

    func layers(_ descriptors: [Descriptor]) async throws -> [String: LayerSummary] {
        // Several descriptors may be one member (a docker save symlink).
        let wanted = Dictionary(grouping: descriptors.map(\.digest), by: member)
        let path = self.path
        return try await onThread { () throws -> [String: LayerSummary] in
            var results: [String: LayerSummary] = [:]
            let outer = try ArchiveReader(path: path)
            while let entry = try outer.next() {
                let memberName = String(entry.normalizedPath.dropFirst())
                guard entry.kind == .file, let digests = wanted[memberName], results[digests[0]] == nil else {
                    continue
                }
                let inner = try ArchiveReader(source: EntryByteSource(outer), name: "\(path):\(memberName)")
                let summary = try LayerReader.read(inner, display: "\(path):\(memberName)", whiteouts: true)
                for digest in digests { results[digest] = summary }
            }
            for (member, digests) in wanted where results[digests[0]] == nil {
                throw ArchiveError(archive: path, entry: member, reason: "layer is missing from the archive")
            }
            return results
        }
    }
}

/// One image of a `docker save` archive's manifest.json.
struct DockerArchiveEntry: Decodable {
    static let mediaType = "application/vnd.docker.distribution.manifest.v2+json"
    var Config: String
    var RepoTags: [String]?
    var Layers: [String]

    /// An OCI-shaped manifest whose "digests" are the archive's member names.
    func manifest() throws -> Data {
        let config = Descriptor(mediaType: MediaType.dockerConfig, digest: Config, size: 0)
        let layers = Layers.map { Descriptor(mediaType: MediaType.ociLayer, digest: $0, size: 0) }
        return try JSONEncoder().encode(Manifest(mediaType: Self.mediaType, config: config, layers: layers))
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
