import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a file descriptor in 256 KiB chunks. With `owned`, closes it when done.
final class FileByteSource: ArchiveByteSource {
    let fd: Int32
    let owned: Bool
    let name: String
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)

    init(fd: Int32, owned: Bool, name: String) {
        self.fd = fd
        self.owned = owned
        self.name = name
    }

    deinit {
        buffer.deallocate()
        if owned { close(fd) }
    }

    func nextChunk() throws -> UnsafeRawBufferPointer {
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return UnsafeRawBufferPointer(rebasing: buffer[0..<n]) }
            if errno != EINTR { throw ArchiveError(archive: name, reason: "read error: \(errorText(errno))") }
        }
    }
}
