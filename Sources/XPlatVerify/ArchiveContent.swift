import Foundation
import XPlatArchive
import XPlatRegistry
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// An OCI archive or a `docker save` archive: one pass keeps the small JSON members (index,
/// manifests, configs) in memory; a second reads the wanted layers, each nested tar streamed from
/// the outer one.
struct ArchiveContent: ImageContent {
    var name: String
    var path: String
    var kind: SourceKind.ImageArchive
    /// Members of at most this size that start with `{` are kept.
    private static let jsonLimit = 8 << 20
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

    private func jsonMember(_ name: String) throws -> Data {
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
