// Images in a registry, through XPlatRegistry's client (TLS, docker credentials, token auth): the
// reference's manifest or index, small blobs in memory, and layers streamed from the HTTP body into
// libarchive through a pipe (the download and the decompression overlap; nothing is written to disk).

import Foundation
import NIOCore
import XPlatArchive
import XPlatRegistry

#if canImport(Glibc)
import Glibc
#endif

/// How `ImageVerifier` reaches registries: XPlatRegistry's configuration (certificates, insecure
/// registries, credentials).
public struct RegistryAccess: Sendable {
    public var configuration: RegistryConfiguration
    /// A client the caller owns and keeps alive (a build's publisher, after its push): used instead
    /// of a new one, so its tokens and connections serve the verification too.
    public var client: RegistryClient?

    public init(configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.configuration = configuration
    }

    /// Reads through `client`, whose lifetime the caller owns.
    public init(client: RegistryClient) {
        self.configuration = client.configuration
        self.client = client
    }

    /// Runs `body` with the content of `reference` and a client that lives exactly as long.
    func withContent<T: Sendable>(_ reference: String, threads: Int,
                                  _ body: (RegistryContent) async throws -> T) async throws -> T {
        let parsed: RegistryReference
        do {
            parsed = try RegistryReference(parsing: reference)
        } catch {
            throw VerifyError(reference, "not an image reference: \(error)")
        }
        do {
            if let client { return try await body(RegistryContent(name: reference, reference: parsed, client: client, threads: threads)) }
            return try await RegistryClient.with(configuration: configuration) { client in
                try await body(RegistryContent(name: reference, reference: parsed, client: client, threads: threads))
            }
        } catch let error as VerifyError {
            throw error
        } catch {
            throw VerifyError(reference, "\(error)")
        }
    }
}

/// One image reference in a registry.
struct RegistryContent: ImageContent {
    var name: String
    var reference: RegistryReference
    var client: RegistryClient
    var threads: Int

    func roots() async throws -> [ContentRoot] {
        let top = try await client.manifest(reference)
        return [ContentRoot(name: name, descriptor: Descriptor(mediaType: top.mediaType, digest: top.digest, size: Int64(top.data.count)))]
    }

    func data(_ descriptor: Descriptor) async throws -> Data {
        if MediaType.isIndex(descriptor.mediaType) || MediaType.isManifest(descriptor.mediaType) {
            return try await client.manifest(reference.with(reference: descriptor.digest)).data
        }
        return try await client.blob(reference, digest: descriptor.digest)
    }

    /// Each layer streamed: the HTTP body is written into a pipe whose other end libarchive reads
    /// on a worker thread, `threads` layers at a time.
    func layers(_ descriptors: [Descriptor]) async throws -> [String: LayerSummary] {
        // A reader that stops early closes its end; the writer then gets EPIPE instead of a signal.
        signal(SIGPIPE, SIG_IGN)
        return try await concurrentLayers(descriptors, threads: threads) { index in try await stream(descriptors[index]) }
    }

    func stream(_ descriptor: Descriptor) async throws -> LayerSummary {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw VerifyError(name, "cannot make a pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // The blob's chunks are written from the HTTP client's event loop: a 1 MiB pipe (Linux's
        // default limit for it) lets the loop move on instead of waiting on the reader every 64 KiB.
        _ = fcntl(writeEnd, 1031 /* F_SETPIPE_SZ, not exported without _GNU_SOURCE */, Int32(1 << 20))
        let display = "\(name)@\(descriptor.digest)"
        let reading = Task { () async throws -> LayerSummary in
            try await onThread { () throws -> LayerSummary in
                defer { close(readEnd) }
                let summary = try LayerReader.read(try ArchiveReader(fileDescriptor: readEnd, name: display), display: display, whiteouts: true)
                // The tar ends before the blob does (padding): drain it so the writer finishes.
                var sink = [UInt8](repeating: 0, count: 1 << 16)
                while sink.withUnsafeMutableBytes({ read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
                return summary
            }
        }
        var writeError: Error?
        do {
            try await client.fetchBlob(reference, digest: descriptor.digest) { chunk in
                try chunk.withUnsafeReadableBytes { bytes in try Self.writeAll(writeEnd, bytes, display) }
            }
        } catch {
            writeError = error
        }
        close(writeEnd)
        let summary = await reading.result
        // The reader's error explains a broken pipe better than the pipe does.
        if case .failure(let error) = summary { throw error }
        if let writeError { throw VerifyError(display, "\(writeError)") }
        return try summary.get()
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ display: String) throws {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw VerifyError(display, "the layer reader stopped: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
