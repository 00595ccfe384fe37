// Pushing: blobs (skipped when present, mounted from another repository of the same registry when
// the registry allows, else uploaded in one PUT), manifests by digest (untagged), indexes under tags.

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

/// Where a blob's bytes come from when it must be uploaded.
public enum BlobSource: Sendable, Hashable {
    case data(Data)
    /// A whole file, streamed.
    case file(String)
}

/// What happened to one blob during a push.
public enum BlobPushOutcome: Sendable, Hashable {
    case alreadyThere, mounted, uploaded
}

extension RegistryClient {
    /// True when the repository has the blob (HEAD).
    public func blobExists(_ repository: RegistryReference, digest: String) async throws -> Bool {
        let op = RegistryOperation(
            registry: repository.registry, repository: repository.repository, reference: digest, action: "look up blob")
        let response = try await send(
            Call(
                operation: op, method: .HEAD, target: "/v2/\(repository.repository)/blobs/\(digest)",
                scopes: [Self.scope(repository.repository, "pull,push")], expected: [200, 404]))
        return response.status.code == 200
    }

    /// Checks, without changing anything, that the login may push to `repository`: a Bearer
    /// realm is asked for a `pull,push` token, a Basic registry for the password (a HEAD of the
    /// empty blob, which needs no such blob to exist).
    public func checkPushAccess(_ repository: RegistryReference) async throws {
        let op = RegistryOperation(
            registry: repository.registry, repository: repository.repository, reference: "", action: "push to")
        let empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        let response = try await send(
            Call(
                operation: op, method: .HEAD, target: "/v2/\(repository.repository)/blobs/\(empty)",
                scopes: [Self.scope(repository.repository, "pull,push")], expected: [200, 404]))
        _ = try? await response.body.collect(upTo: 1 << 16)
    }

    /// Makes `descriptor`'s blob present in `repository`: nothing when it is there, a mount from
    /// one of `mountFrom` (repositories of the same registry) when the registry has it there, else
    /// an upload from `source`.
    @discardableResult
    public func pushBlob(
        _ repository: RegistryReference, descriptor: Descriptor, source: @autoclosure () throws -> BlobSource,
        mountFrom: [String] = []
    ) async throws -> BlobPushOutcome {
        if try await blobExists(repository, digest: descriptor.digest) {
            counts.withLock { $0.blobsAlreadyThere += 1 }
            return .alreadyThere
        }
        // Every session a mount (202) or a POST opened is DELETEd on every way out but success:
        // a later mount that fails, a refused or interrupted upload (Ctrl-C cancels the task).
        var location: String?
        do {
            for sourceRepository in mountFrom where sourceRepository != repository.repository {
                switch try await mount(repository, digest: descriptor.digest, from: sourceRepository) {
                case .mounted:
                    if let location { await discardUpload(repository, location: location) }
                    counts.withLock { $0.blobsMounted += 1 }
                    return .mounted
                case .uploadOpened(let url):
                    if location == nil { location = url } else { await discardUpload(repository, location: url) }
                }
            }
            let uploadURL: String
            if let location { uploadURL = location } else { uploadURL = try await startUpload(repository) }
            location = uploadURL
            try await upload(repository, descriptor: descriptor, source: try source(), location: uploadURL)
        } catch {
            if let location { await discardUpload(repository, location: location) }
            throw error
        }
        counts.withLock {
            $0.blobsUploaded += 1
            $0.bytesUploaded += descriptor.size
        }
        return .uploaded
    }

    private enum MountAnswer { case mounted, uploadOpened(String) }

    /// `POST /v2/REPO/blobs/uploads/?mount=DIGEST&from=SOURCE`: 201 mounted; 202 opened an upload
    /// instead (the blob is not in the source, or the registry does not mount).
    private func mount(_ repository: RegistryReference, digest: String, from source: String) async throws -> MountAnswer
    {
        let op = RegistryOperation(
            registry: repository.registry, repository: repository.repository, reference: digest,
            action: "mount blob from \(source) into")
        let response = try await send(
            Call(
                operation: op, method: .POST,
                target: "/v2/\(repository.repository)/blobs/uploads/?mount=\(digest)&from=\(source)",
                headers: [("Content-Length", "0")],
                scopes: [Self.scope(repository.repository, "pull,push"), Self.scope(source, "pull")],
                expected: [201, 202]))
        _ = try? await response.body.collect(upTo: 1 << 16)
        if response.status.code == 201 { return .mounted }
        return .uploadOpened(try location(response, repository, op))
    }

    /// Opens an upload session; returns its URL.
    private func startUpload(_ repository: RegistryReference) async throws -> String {
        let op = RegistryOperation(
            registry: repository.registry, repository: repository.repository, reference: "", action: "push to")
        let response = try await send(
            Call(
                operation: op, method: .POST, target: "/v2/\(repository.repository)/blobs/uploads/",
                headers: [("Content-Length", "0")],
                scopes: [Self.scope(repository.repository, "pull,push")], expected: [202]))
        _ = try? await response.body.collect(upTo: 1 << 16)
        return try location(response, repository, op)
    }

    /// The absolute upload URL from a `Location` header (registries may answer with a path).
    func location(_ response: HTTPClientResponse, _ repository: RegistryReference, _ op: RegistryOperation) throws
        -> String
    {
        guard let location = response.headers.first(name: "Location"), !location.isEmpty else {
            throw RegistryError.status(
                op, code: Int(response.status.code), detail: "an upload answer without a Location")
        }
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        let scheme = schemes.withLock { $0[repository.registry] } ?? "https"
        return "\(scheme)://\(Self.apiHost(repository.registry))\(location.hasPrefix("/") ? "" : "/")\(location)"
    }

    /// Completes an upload session with the whole blob in one PUT.
    func upload(_ repository: RegistryReference, descriptor: Descriptor, source: BlobSource, location: String)
        async throws
    {
        let op = RegistryOperation(
            registry: repository.registry, repository: repository.repository, reference: descriptor.digest,
            action: "push blob to")
        let separator = location.contains("?") ? "&" : "?"
        let size = descriptor.size
        let body: @Sendable () throws -> HTTPClientRequest.Body = {
            switch source {
            case .data(let data): return .bytes(ByteBuffer(bytes: data))
            case .file(let path): return .stream(FileChunks(path: path), length: .known(size))
            }
        }
        let response = try await send(
            Call(
                operation: op, method: .PUT, target: location + separator + "digest=\(descriptor.digest)",
                headers: [("Content-Type", "application/octet-stream"), ("Content-Length", String(size))],
                body: body, scopes: [Self.scope(repository.repository, "pull,push")], expected: [201, 204]))
        _ = try? await response.body.collect(upTo: 1 << 16)
    }

    /// DELETEs an upload session from an unstructured task: when the push's own task is cancelled
    /// (Ctrl-C), `send` in that task would stop before sending anything.
    private func discardUpload(_ repository: RegistryReference, location: String) async {
        await Task { await cancelUpload(repository, location: location) }.value
    }

    private func cancelUpload(_ repository: RegistryReference, location: String) async {
        let op = RegistryOperation(
            registry: repository.registry, repository: repository.repository, reference: "", action: "cancel upload to")
        let response = try? await send(
            Call(
                operation: op, method: .DELETE, target: location,
                scopes: [Self.scope(repository.repository, "pull,push")], expected: [204, 404, 200]))
        _ = try? await response?.body.collect(upTo: 1 << 16)
    }

    /// PUTs a manifest or index under `reference` (a tag, or its own digest for an untagged
    /// manifest); returns the digest, checked against the bytes.
    @discardableResult
    public func putManifest(_ reference: RegistryReference, mediaType: String, data: Data) async throws -> String {
        let digest = sha256Digest(data)
        let op = RegistryOperation(
            registry: reference.registry, repository: reference.repository, reference: reference.reference,
            action: "push")
        let response = try await send(
            Call(
                operation: op, method: .PUT, target: "/v2/\(reference.repository)/manifests/\(reference.reference)",
                headers: [("Content-Type", mediaType)], body: { .bytes(ByteBuffer(bytes: data)) },
                scopes: [Self.scope(reference.repository, "pull,push")], expected: [200, 201]))
        _ = try? await response.body.collect(upTo: 1 << 16)
        if let answered = response.headers.first(name: "Docker-Content-Digest"), !answered.isEmpty, answered != digest {
            throw RegistryError.digestMismatch(op, expected: digest, actual: answered)
        }
        return digest
    }

    /// Deletes a manifest by digest; false when the registry does not allow deletion (405) or lacks it.
    @discardableResult
    public func deleteManifest(_ repository: RegistryReference, digest: String) async throws -> Bool {
        let op = RegistryOperation(
            registry: repository.registry, repository: repository.repository, reference: digest, action: "delete")
        let response = try await send(
            Call(
                operation: op, method: .DELETE, target: "/v2/\(repository.repository)/manifests/\(digest)",
                scopes: [Self.scope(repository.repository, "pull,push,delete")], expected: [200, 202, 404, 405]))
        _ = try? await response.body.collect(upTo: 1 << 16)
        return response.status.code == 200 || response.status.code == 202
    }
}

/// A file read in 1 MiB chunks, as an upload body; each iteration opens the file anew (retries).
private struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    func makeAsyncIterator() -> Iterator { Iterator(path: path) }

    final class Iterator: AsyncIteratorProtocol {
        let fd: Int32
        init(path: String) { fd = open(path, O_RDONLY | O_CLOEXEC) }
        deinit { if fd >= 0 { close(fd) } }

        func next() async throws -> ByteBuffer? {
            guard fd >= 0 else { throw FileChunksError.unreadable }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 20)
            let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 1 << 20) { raw in
                var got = -1
                repeat { got = read(fd, raw.baseAddress, raw.count) } while got < 0 && errno == EINTR
                return Swift.max(got, 0)
            }
            return n == 0 ? nil : buffer
        }
    }

    enum FileChunksError: Error { case unreadable }
}
