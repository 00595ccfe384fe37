// XPlatArchive: reading tar archives and image layers through libarchive (Debian libarchive-dev).
//
// One reader for everything xplat opens: a plain tar (`docker export`, `-o type=tar`), a compressed
// one (gzip, zstd, xz, bzip2: libarchive decompresses as it reads, never to a temporary file), an
// image layer blob, and a tar nested inside another tar (a layer inside an OCI or `docker save`
// archive) read straight from the outer entry's data.
//
//     let reader = try ArchiveReader(path: "layer.tar.gz")
//     while let entry = try reader.next() {
//         if entry.kind == .file, try reader.read(upTo: 4) == [0x7F, 0x45, 0x4C, 0x46] { ... }
//     }
//
// Entries stream: `next()` moves past whatever of the current entry's data was not read, so reading
// only a header's worth of a file costs nothing more. Every libarchive return code goes through one
// helper (`check`), which turns a failure into an `ArchiveError` carrying libarchive's own message
// and the archive's name; a truncated or corrupt archive is an error, never a crash.

import CArchive
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Why an archive could not be read. The description names the archive and, when known, the entry.
public struct ArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The archive as the user knows it (a path, `image.tar:blobs/sha256/ab12...`).
    public var archive: String
    /// The entry being read, when the failure is inside one.
    public var entry: String?
    /// libarchive's message (or ours), e.g. "Truncated tar archive".
    public var reason: String

    public init(archive: String, entry: String? = nil, reason: String) {
        self.archive = archive
        self.entry = entry
        self.reason = reason
    }

    public var description: String {
        entry.map { "\(archive): \($0): \(reason)" } ?? "\(archive): \(reason)"
    }
}

/// One member of an archive, as its header describes it.
public struct ArchiveEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case file, directory, symlink, hardlink, other
    }

    /// The path as stored (`./usr/bin/ls`, `usr/bin/`); see `normalizedPath`.
    public var path: String
    public var kind: Kind
    /// Symlink target as stored, or the hardlink's target path.
    public var link: String?
    /// Size of the entry's data in bytes (0 for links and directories).
    public var size: Int64

    /// The path made absolute and clean: `./a/../b/` is `/b`; ".." never climbs above `/`.
    public var normalizedPath: String { ArchiveEntry.normalize(path) }

    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// Where an `ArchiveReader` gets its bytes from when it is not a file or memory: each call returns
/// the next chunk, or an empty buffer at the end. Chunks stay valid until the next call.
public protocol ArchiveByteSource: AnyObject {
    func nextChunk() throws -> UnsafeRawBufferPointer
}

/// A streaming reader over one archive. Not thread-safe; one reader per thread.
public final class ArchiveReader {
    /// The name used in errors.
    public let name: String
    private let handle: OpaquePointer
    private var current: ArchiveEntry?
    private var source: SourceBox?
    private var sourceError: Error?

    /// Opens the file at `path` (any supported compression, detected from its content).
    public convenience init(path: String) throws(ArchiveError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError(archive: path, reason: "cannot open: \(errorText(errno))") }
        try self.init(fileDescriptor: fd, name: path, owned: true)
    }

    /// Reads from an open descriptor (a file or a pipe). With `owned`, the reader closes it.
    public convenience init(fileDescriptor: Int32, name: String, owned: Bool = false) throws(ArchiveError) {
        try self.init(source: FileByteSource(fd: fileDescriptor, owned: owned, name: name), name: name)
    }

    /// Reads from chunks supplied by `source`, e.g. the data of an entry of another archive. A gzip
    /// stream is inflated by ISA-L; anything else goes to libarchive as it is.
    public init(source: ArchiveByteSource, name: String) throws(ArchiveError) {
        self.name = name
        handle = try Self.makeHandle(name)
        let box: SourceBox
        do {
            let peeked = try PeekedSource(source)
            box = SourceBox(peeked.head.starts(with: GzipInflater.magic) ? GzipInflater(peeked, name: name) : peeked)
        } catch let error as ArchiveError {
            archive_read_free(handle)
            throw error
        } catch {
            archive_read_free(handle)
            throw ArchiveError(archive: name, reason: "\(error)")
        }
        self.source = box
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        try check(
            archive_read_open(
                handle, opaque, nil,
                { _, client, buffer in
                    let reader = Unmanaged<ArchiveReader>.fromOpaque(client!).takeUnretainedValue()
                    return reader.supply(buffer)
                }, nil), entry: nil)
    }

    deinit {
        archive_read_free(handle)
    }

    private static func makeHandle(_ name: String) throws(ArchiveError) -> OpaquePointer {
        guard let handle = archive_read_new() else {
            throw ArchiveError(archive: name, reason: "libarchive could not allocate a reader")
        }
        // Tar only (what images and exports are); every compression filter libarchive has.
        archive_read_support_format_tar(handle)
        archive_read_support_format_gnutar(handle)
        archive_read_support_filter_all(handle)
        return handle
    }

    private func supply(_ buffer: UnsafeMutablePointer<UnsafeRawPointer?>?) -> Int {
        do {
            let chunk = try source!.source.nextChunk()
            buffer?.pointee = chunk.baseAddress
            return chunk.count
        } catch {
            sourceError = error
            return -1
        }
    }

    /// Turns a libarchive return code into an error; warnings (e.g. an unknown pax keyword) pass.
    @discardableResult
    private func check(_ code: Int32, entry: String?) throws(ArchiveError) -> Int32 {
        guard code < ARCHIVE_WARN else { return code }
        if let error = sourceError as? ArchiveError { throw error }
        if let sourceError { throw ArchiveError(archive: name, entry: entry, reason: "\(sourceError)") }
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "libarchive error \(code)"
        throw ArchiveError(archive: name, entry: entry, reason: message)
    }

    /// The next entry's header, or nil at the end of the archive. Skips the rest of the current
    /// entry's data (without decompressing more than the format needs).
    public func next() throws(ArchiveError) -> ArchiveEntry? {
        var raw: OpaquePointer?
        let code = try check(archive_read_next_header(handle, &raw), entry: current?.path)
        guard code != ARCHIVE_EOF, let raw else { current = nil; return nil }
        let path = Self.string(archive_entry_pathname_utf8(raw)) ?? Self.string(archive_entry_pathname(raw)) ?? ""
        var entry = ArchiveEntry(path: path, kind: .other, link: nil, size: archive_entry_size(raw))
        if let hardlink = Self.string(archive_entry_hardlink_utf8(raw)) ?? Self.string(archive_entry_hardlink(raw)) {
            entry.kind = .hardlink
            entry.link = hardlink
            entry.size = 0
        } else {
            // AE_IFMT, AE_IFREG, AE_IFDIR, AE_IFLNK (macros with casts, not imported into Swift).
            switch archive_entry_filetype(raw) & 0o170000 {
            case 0o100000: entry.kind = .file
            case 0o040000: entry.kind = .directory
            case 0o120000:
                entry.kind = .symlink
                entry.link =
                    Self.string(archive_entry_symlink_utf8(raw)) ?? Self.string(archive_entry_symlink(raw)) ?? ""
            default: entry.kind = .other
            }
        }
        current = entry
        return entry
    }

    /// Reads up to `count` more bytes of the current entry (fewer only at its end).
    public func read(upTo count: Int) throws(ArchiveError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let done: Result<Int, ArchiveError> = bytes.withUnsafeMutableBytes { raw in
            do throws(ArchiveError) { return .success(try read(into: raw)) } catch { return .failure(error) }
        }
        let n = try done.get()
        return n == count ? bytes : Array(bytes.prefix(n))
    }

    /// Fills `buffer` with the next bytes of the current entry, without an intermediate copy;
    /// returns how many it holds (fewer than its size only at the entry's end).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = archive_read_data(handle, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                try check(Int32(clamping: n), entry: current?.path)
                continue  // a warning: the data goes on
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads the rest of the current entry; `limit` guards against a header that lies about its size.
    public func readAll(limit: Int = 1 << 31) throws(ArchiveError) -> [UInt8] {
        let expected = Int(clamping: max(0, current?.size ?? 0))
        guard expected <= limit else {
            throw ArchiveError(
                archive: name, entry: current?.path,
                reason: "entry of \(expected) bytes is over the \(limit)-byte limit")
        }
        var bytes = try read(upTo: expected)
        // The header's size is what tar stores; read on in case the data is longer (never in tar).
        while bytes.count == expected {
            let more = try read(upTo: 1 << 16)
            if more.isEmpty { break }
            bytes += more
            guard bytes.count <= limit else {
                throw ArchiveError(archive: name, entry: current?.path, reason: "entry is over the \(limit)-byte limit")
            }
        }
        return bytes
    }

    /// The current entry's data block by block, without copying: each block is valid until the
    /// next call. Empty at the end of the entry.
    public func nextBlock() throws(ArchiveError) -> UnsafeRawBufferPointer {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        let code = try check(archive_read_data_block(handle, &buffer, &size, &offset), entry: current?.path)
        if code == ARCHIVE_EOF || buffer == nil { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: buffer, count: size)
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

/// Holds the byte source strongly while libarchive holds only a raw pointer to the reader.
private final class SourceBox {
    let source: ArchiveByteSource
    init(_ source: ArchiveByteSource) { self.source = source }
}

/// The data of the current entry of `outer`, as a byte source for a nested `ArchiveReader`.
public final class EntryByteSource: ArchiveByteSource {
    let outer: ArchiveReader

    public init(_ outer: ArchiveReader) { self.outer = outer }

    public func nextChunk() throws -> UnsafeRawBufferPointer { try outer.nextBlock() }
}
