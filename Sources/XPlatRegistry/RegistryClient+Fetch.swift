// Pulling: manifests and indexes by tag or digest, configs, and blobs by digest (streamed,
// checked against their digest as they arrive).

import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

/// A manifest or index as the registry served it: the exact bytes (their digest is the content's
/// identity) and the media type.
public struct FetchedManifest: Sendable, Hashable {
    public var mediaType: String
    public var digest: String
    public var data: Data

    public init(mediaType: String, digest: String, data: Data) {
        self.mediaType = mediaType
        self.digest = digest
        self.data = data
    }

    /// True for an index or manifest list.
    public var isIndex: Bool { MediaType.isIndex(mediaType) }

    /// The descriptor that points at these bytes.
    public func descriptor(platform: OCIPlatform? = nil) -> Descriptor {
        Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count), platform: platform)
    }
}

/// One platform's image of a reference: the index entry (nil for a single-manifest reference),
/// the manifest and its config.
public struct PlatformImage: Sendable, Hashable {
    public var platform: OCIPlatform
    public var entry: Descriptor?
    public var manifest: FetchedManifest
    public var decoded: Manifest
    public var config: ImageConfig
}

/// `sha256:` and the hex SHA-256 of `bytes`: `DigestHasher` over bytes held whole.
public func sha256Digest<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    var hasher = DigestHasher()
    hasher.update(Array(bytes))
    return hasher.finalize()
}

/// The SHA-256 digest of content (`sha256:` and 64 hex digits), fed whole or in chunks as it streams.
public struct DigestHasher {
    var hasher = SHA256()
    public init() {}
    public mutating func update(_ buffer: NIOCore.ByteBuffer) {
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
    }
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
    public func finalize() -> String { "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}

extension RegistryClient {
    /// Fetches the manifest or index `reference` names; the bytes are checked against the digest
    /// when the reference names one.
    public func manifest(_ reference: RegistryReference) async throws -> FetchedManifest {
        let op = RegistryOperation(
            registry: reference.registry, repository: reference.repository,
            reference: reference.reference, action: "pull")
        let response = try await send(
            Call(
                operation: op, target: "/v2/\(reference.repository)/manifests/\(reference.reference)",
                headers: [("Accept", MediaType.manifestAccept.joined(separator: ", "))],
                scopes: [Self.scope(reference.repository, "pull")], expected: [200]))
        let data = Data(try await collect(response, limit: 8 << 20, op).readableBytesView)
        let digest = sha256Digest(data)
        if let wanted = reference.digest, wanted != digest {
            throw RegistryError.digestMismatch(op, expected: wanted, actual: digest)
        }
        var mediaType = response.headers.first(name: "Content-Type")?.split(separator: ";").first.map(String.init) ?? ""
        if !MediaType.isIndex(mediaType) && !MediaType.isManifest(mediaType) {
            struct Probe: Decodable { var mediaType: String?; var manifests: [Descriptor]? }
            let probe = try? JSONDecoder().decode(Probe.self, from: data)
            mediaType = probe?.mediaType ?? (probe?.manifests != nil ? MediaType.ociIndex : MediaType.ociManifest)
        }
        return FetchedManifest(mediaType: mediaType, digest: digest, data: data)
    }

    /// True when the manifest exists (HEAD), without fetching it.
    public func manifestExists(_ reference: RegistryReference) async throws -> Bool {
        let op = RegistryOperation(
            registry: reference.registry, repository: reference.repository,
            reference: reference.reference, action: "look up")
        let response = try await send(
            Call(
                operation: op, method: .HEAD, target: "/v2/\(reference.repository)/manifests/\(reference.reference)",
                headers: [("Accept", MediaType.manifestAccept.joined(separator: ", "))],
                scopes: [Self.scope(reference.repository, "pull")], expected: [200, 404]))
        return response.status.code == 200
    }

    /// Decodes `fetched` as an index; a typed error naming the image when it is not one.
    public func decodeIndex(_ fetched: FetchedManifest, of reference: RegistryReference) throws -> Index {
        try decode(Index.self, fetched.data, reference.with(reference: fetched.digest), what: "an image index")
    }

    /// Decodes `fetched` as an image manifest.
    public func decodeManifest(_ fetched: FetchedManifest, of reference: RegistryReference) throws -> Manifest {
        try decode(Manifest.self, fetched.data, reference.with(reference: fetched.digest), what: "an image manifest")
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ reference: RegistryReference, what: String) throws -> T {
        try decode(
            type, data,
            RegistryOperation(
                registry: reference.registry, repository: reference.repository,
                reference: reference.reference, action: "read"), what: what)
    }

    /// Decodes what `op` fetched; content that is not `what` is the registry's `badContent`.
    func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ op: RegistryOperation, what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw RegistryError.badContent(op, "not \(what) (\(Self.decodingReason(error)))")
        }
    }

    /// A decoding error in a few words (the missing key or the bad value's path), never Foundation's text.
    static func decodingReason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .keyNotFound(let key, let context):
            return "no `\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))`"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "bad `\(context.codingPath.map(\.stringValue).joined(separator: "."))`"
        case .dataCorrupted: return "not JSON"
        @unknown default: return "not JSON"
        }
    }

    /// A blob small enough to hold in memory (configs), checked against its digest.
    public func blob(_ reference: RegistryReference, digest: String, limit: Int = 64 << 20) async throws -> Data {
        var data = Data()
        _ = try await fetchBlob(reference, digest: digest) { chunk in
            guard data.count + chunk.readableBytes <= limit else {
                throw RegistryError.badContent(
                    RegistryOperation(
                        registry: reference.registry, repository: reference.repository,
                        reference: digest, action: "pull"), "larger than \(limit) bytes")
            }
            data.append(contentsOf: chunk.readableBytesView)
        }
        return data
    }

    /// Streams blob `digest` of `reference`'s repository to `body`, chunk by chunk, following the
    /// registry's redirect to its storage (without credentials); throws `digestMismatch` at the end
    /// when the bytes do not hash to `digest`. Returns the byte count.
    @discardableResult
    public func fetchBlob(
        _ reference: RegistryReference, digest: String,
        _ body: (NIOCore.ByteBuffer) async throws -> Void
    ) async throws -> Int64 {
        let op = RegistryOperation(
            registry: reference.registry, repository: reference.repository, reference: digest, action: "pull blob")
        var response = try await send(
            Call(
                operation: op, target: "/v2/\(reference.repository)/blobs/\(digest)",
                scopes: [Self.scope(reference.repository, "pull")], expected: [200, 301, 302, 303, 307, 308]))
        var hops = 0
        while (300...399).contains(Int(response.status.code)) {
            hops += 1
            guard hops <= 5, let location = response.headers.first(name: "Location") else {
                throw RegistryError.status(
                    op, code: Int(response.status.code), detail: "a redirect without a usable Location")
            }
            response = try await followBlobRedirect(to: location, reference, digest: digest, operation: op)
        }
        var hasher = DigestHasher()
        var count: Int64 = 0
        var chunks = response.body.makeAsyncIterator()
        while true {
            let next: NIOCore.ByteBuffer?
            do { next = try await chunks.next() } catch is CancellationError { throw CancellationError() } catch {
                throw Self.classify(error, op)
            }
            guard let chunk = next else { break }
            hasher.update(chunk)
            count += Int64(chunk.readableBytes)
            try await body(chunk)
        }
        let actual = hasher.finalize()
        guard actual == digest else { throw RegistryError.digestMismatch(op, expected: digest, actual: actual) }
        return count
    }

    /// One hop of a blob's redirect to its storage: `location` (relative to the blob's URL) fetched without
    /// credentials; the answer must be the blob or another redirect.
    private func followBlobRedirect(
        to location: String, _ reference: RegistryReference, digest: String, operation op: RegistryOperation
    ) async throws -> HTTPClientResponse {
        let base = URL(
            string: "https://\(Self.apiHost(reference.registry))/v2/\(reference.repository)/blobs/\(digest)")
        let target = URL(string: location, relativeTo: base)?.absoluteURL.absoluteString ?? location
        var request = HTTPClientRequest(url: target)
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let host = URL(string: target)?.host, target.hasPrefix("https://") {
            let port = URL(string: target)?.port.map { ":\($0)" } ?? ""
            request.tlsConfiguration = try tlsConfiguration(for: host + port)
        }
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .hours(6)) } catch {
            throw Self.classify(error, op)
        }
        let code = Int(response.status.code)
        guard code == 200 || (300...399).contains(code) else {
            let body = (try? await response.body.collect(upTo: 1 << 16)).map { Array(buffer: $0) } ?? []
            throw RegistryError.status(
                op, code: code, detail: "from the blob storage: " + RegistryError.detail(from: body))
        }
        return response
    }

    /// Writes blob `digest` to `path` (through a temporary file in the same folder, renamed once
    /// complete and checked).
    @discardableResult
    public func fetchBlob(_ reference: RegistryReference, digest: String, to path: String) async throws -> Int64 {
        let temp = path + ".partial-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temp, contents: nil),
            let handle = FileHandle(forWritingAtPath: temp)
        else {
            throw RegistryError.badContent(
                RegistryOperation(
                    registry: reference.registry, repository: reference.repository,
                    reference: digest, action: "pull blob"), "cannot write \(path)")
        }
        do {
            let count = try await fetchBlob(reference, digest: digest) { chunk in
                try handle.write(contentsOf: Data(chunk.readableBytesView))
            }
            try handle.close()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temp, toPath: path)
            return count
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temp)
            if let error = error as? RegistryError { throw error }
            if error is CancellationError { throw error }
            throw RegistryError.badContent(
                RegistryOperation(
                    registry: reference.registry, repository: reference.repository,
                    reference: digest, action: "pull blob"), "cannot write \(path)")
        }
    }

    /// Every platform image of `reference`: each platform entry of an index (attestations left
    /// out), or the one image a plain manifest is, with manifest and config.
    public func platformImages(_ reference: RegistryReference) async throws -> [PlatformImage] {
        let top = try await manifest(reference)
        if top.isIndex {
            let index = try decodeIndex(top, of: reference)
            var images: [PlatformImage] = []
            for entry in index.platformManifests {
                let fetched = try await manifest(reference.with(reference: entry.digest))
                images.append(try await image(reference, fetched, entry: entry))
            }
            return images
        }
        return [try await image(reference, top, entry: nil)]
    }

    func image(_ reference: RegistryReference, _ fetched: FetchedManifest, entry: Descriptor?) async throws
        -> PlatformImage
    {
        let manifest = try decodeManifest(fetched, of: reference)
        let data = try await blob(reference, digest: manifest.config.digest)
        let config = try decode(
            ImageConfig.self, data, reference.with(reference: manifest.config.digest), what: "an image config")
        return PlatformImage(
            platform: entry?.platform ?? config.platform, entry: entry, manifest: fetched, decoded: manifest,
            config: config)
    }

    /// The platforms `reference` offers (an index's platform entries, or the config's platform).
    public func platforms(of reference: RegistryReference) async throws -> [OCIPlatform] {
        let top = try await manifest(reference)
        if top.isIndex { return try decodeIndex(top, of: reference).platformManifests.compactMap(\.platform) }
        let manifest = try decodeManifest(top, of: reference)
        let data = try await blob(reference, digest: manifest.config.digest)
        return [try decode(ImageConfig.self, data, reference, what: "an image config").platform]
    }

    /// The registry's answer to `GET /v2/` (200, or 401 for one that needs a login), without
    /// authenticating: how doctor tells a registry from something else.
    public func ping(_ registry: String) async throws -> Int {
        let op = RegistryOperation(registry: registry, repository: "", reference: "", action: "ping")
        let response = try await send(Call(operation: op, target: "/v2/", scopes: [], expected: [200, 401]))
        _ = try? await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }

    /// The repositories the registry lists (`GET /v2/_catalog`), all pages.
    public func repositories(_ registry: String) async throws -> [String] {
        let op = RegistryOperation(registry: registry, repository: "", reference: "", action: "list repositories of")
        var result: [String] = []
        var target = "/v2/_catalog?n=1000"
        while true {
            let response = try await send(
                Call(operation: op, target: target, scopes: ["registry:catalog:*"], expected: [200]))
            let data = Data(try await collect(response, limit: 16 << 20, op).readableBytesView)
            struct Catalog: Decodable { var repositories: [String]? }
            // A page that is not a catalog is the registry's fault to report, not an empty list.
            let page = try decode(Catalog.self, data, op, what: "a repository catalog")
            result += page.repositories ?? []
            guard let link = response.headers.first(name: "Link"), let open = link.firstIndex(of: "<"),
                let close = link.firstIndex(of: ">"), open < close
            else { return result }
            target = String(link[link.index(after: open)..<close])
        }
    }

    func collect(_ response: HTTPClientResponse, limit: Int, _ op: RegistryOperation) async throws -> NIOCore.ByteBuffer
    {
        do { return try await response.body.collect(upTo: limit) } catch let error as NIOTooManyBytesError {
            _ = error
            throw RegistryError.badContent(op, "the answer is larger than \(limit) bytes")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.classify(error, op)
        }
    }
}
