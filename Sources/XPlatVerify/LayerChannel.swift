// A layer's bytes handed from the HTTP body (async, on the client's tasks) to the layer reader
// (a blocking thread running libarchive), without a pipe: the chunks the client received are read
// in place, so they are not copied through the kernel twice, and the async side waits without
// blocking a thread when the reader falls behind. At most `capacity` bytes wait at any time.

import Foundation
import NIOCore
import XPlatArchive

/// The reader stopped (it finished the tar, or failed) while the body was still coming.
struct LayerReaderStopped: Error {}

final class LayerChannel: ArchiveByteSource, @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    // Guarded by `condition`.
    private var chunks: [ByteBuffer] = []
    private var head = 0
    private var waiting = 0
    private var finished = false
    private var failure: Error?
    private var stopped = false
    private var sender: CheckedContinuation<Void, Error>?
    private var parked = 0
    // The reader's own: the chunk it is reading, kept alive until it asks for the next.
    private var current: (bytes: Int, storage: Unmanaged<AnyObject>)?

    init(capacity: Int = 4 << 20) {
        self.capacity = capacity
    }

    deinit {
        current?.storage.release()
    }

    // MARK: The body's side

    /// Queues `chunk`; waits (without blocking a thread) while `capacity` bytes are waiting.
    /// Throws `LayerReaderStopped` once the reader has stopped.
    func send(_ chunk: ByteBuffer) async throws {
        guard chunk.readableBytes > 0 else { return }
        if try enqueue(chunk) { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            condition.lock()
            defer { condition.unlock() }
            if stopped {
                continuation.resume(throwing: LayerReaderStopped())
            } else if waiting < capacity {
                continuation.resume()
            } else {
                sender = continuation
                parked += 1
            }
        }
    }

    /// True when there is room for more.
    private func enqueue(_ chunk: ByteBuffer) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if stopped { throw LayerReaderStopped() }
        chunks.append(chunk)
        waiting += chunk.readableBytes
        condition.signal()
        return waiting < capacity
    }

    /// How many times a `send` has waited for room (the reader was behind).
    var parkedSends: Int {
        condition.lock()
        defer { condition.unlock() }
        return parked
    }

    /// No more chunks: the body ended, or failed with `error`.
    func finish(_ error: Error? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.signal()
        condition.unlock()
    }

    // MARK: The reader's side

    /// The next chunk, waiting for the body; empty at its end. A failed body is the reader's error.
    func nextChunk() throws -> UnsafeRawBufferPointer {
        condition.lock()
        defer { condition.unlock() }
        release()
        while head == chunks.count, !finished { condition.wait() }
        guard head < chunks.count else {
            if let failure { throw ArchiveError(archive: "layer", reason: "download failed: \(failure)") }
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        let chunk = chunks[head]
        chunks[head] = ByteBuffer()  // the reader holds it now; `release` gives it back
        head += 1
        if head > 64 {
            chunks.removeFirst(head)
            head = 0
        }
        return chunk.withUnsafeReadableBytesWithStorageManagement { bytes, storage in
            current = (bytes.count, storage.retain())
            return bytes
        }
    }

    /// The reader is done: whatever comes after is dropped and the body's side is told.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        release()
        stopped = true
        chunks.removeAll()
        head = 0
        sender?.resume(throwing: LayerReaderStopped())
        sender = nil
    }

    /// Gives back the chunk the reader held; wakes the body's side when there is room again.
    private func release() {
        guard let held = current else { return }
        held.storage.release()
        current = nil
        waiting -= held.bytes
        if waiting < capacity, let sender {
            self.sender = nil
            sender.resume()
        }
    }
}
