/// Holds the first chunk of another source back, so its first bytes can be looked at.
final class PeekedSource: ArchiveByteSource {
    let upstream: ArchiveByteSource
    private var first: UnsafeRawBufferPointer?

    init(_ upstream: ArchiveByteSource) throws {
        self.upstream = upstream
        first = try upstream.nextChunk()
    }

    /// The first bytes (up to one chunk), before `nextChunk` has returned them.
    var head: UnsafeRawBufferPointer { first ?? UnsafeRawBufferPointer(start: nil, count: 0) }

    func nextChunk() throws -> UnsafeRawBufferPointer {
        if let chunk = first {
            first = nil
            return chunk
        }
        return try upstream.nextChunk()
    }
}
