// One pass over a tar stream (a plain tar, or one image layer) with XPlatArchive: every member's
// header is kept (path, kind, link target); only regular files that start with the ELF magic are read
// beyond their first bytes, and those are inspected from memory and hashed. Whiteouts (`.wh.NAME`,
// `.wh..wh..opq`) are recorded for image layers, where they delete what lower layers hold; in a plain
// tar they are ordinary files.

import XPlatArchive
import XPlatELF

/// What one member of a layer is.
enum LayerNode: Sendable {
    /// A regular file; the scan when it is ELF (or unreadable ELF), nil otherwise.
    case file(ScannedFile?)
    case directory
    case symlink(String)
    /// A hard link to another path (normalized, absolute).
    case hardlink(String)
    case other
}

/// A layer's headers in archive order, with its whiteouts.
struct LayerSummary: Sendable {
    var entries: [(path: String, node: LayerNode)] = []
    /// Paths a `.wh.NAME` member deletes from the layers below (`/etc/app` for `/etc/.wh.app`).
    var whiteouts: [String] = []
    /// Directories whose lower content an opaque whiteout (`.wh..wh..opq`) hides.
    var opaque: [String] = []
}

enum LayerReader {
    private static let whiteoutPrefix = ".wh."
    private static let opaqueMarker = ".wh..wh..opq"

    /// Reads every member of `reader`. `whiteouts`: image layer semantics; `display`: how ELF files
    /// are named in errors (`image.tar:/usr/bin/app`).
    static func read(_ reader: ArchiveReader, display: String, whiteouts: Bool) throws(ArchiveError) -> LayerSummary {
        var summary = LayerSummary()
        let buffer = FileBuffer()
        while let entry = try reader.next() {
            let path = entry.normalizedPath
            if path == "/" { continue }
            let name = path.split(separator: "/").last.map(String.init) ?? ""
            if whiteouts, name.hasPrefix(whiteoutPrefix) {
                let parent = String(path.dropLast(name.count + 1))
                if name == opaqueMarker {
                    summary.opaque.append(parent.isEmpty ? "/" : parent)
                } else {
                    summary.whiteouts.append(parent + "/" + name.dropFirst(whiteoutPrefix.count))
                }
                continue
            }
            let node: LayerNode
            switch entry.kind {
            case .file: node = .file(try scan(reader, entry: entry, path: path, display: display, into: buffer))
            case .directory: node = .directory
            case .symlink: node = .symlink(entry.link ?? "")
            case .hardlink: node = .hardlink(ArchiveEntry.normalize(entry.link ?? ""))
            case .other: node = .other
            }
            summary.entries.append((path, node))
        }
        return summary
    }

    /// The largest ELF file read into memory (2 GiB): a bigger header size is an error, not an allocation.
    private static let elfLimit: Int64 = 1 << 31

    /// nil for a file that is not ELF (only its first bytes are read). An ELF file is read into
    /// `buffer` (reused from file to file), hashed, then inspected in place.
    static func scan(
        _ reader: ArchiveReader, entry: ArchiveEntry, path: String, display: String,
        into buffer: FileBuffer
    ) throws(ArchiveError) -> ScannedFile? {
        guard entry.size >= 4 else { return nil }
        var head: UInt32 = 0
        let got = try withUnsafeMutableBytes(of: &head) { (raw) throws(ArchiveError) -> Int in
            try reader.read(into: raw)
        }
        guard got == 4, withUnsafeBytes(of: head, { ELFInspector.hasMagic($0) }) else { return nil }
        // Only an ELF file is read whole: any other file of any size costs its first 4 bytes.
        guard entry.size <= elfLimit else {
            throw ArchiveError(
                archive: display, entry: path,
                reason: "ELF file of \(entry.size) bytes is over the \(elfLimit)-byte limit")
        }
        let memory = buffer.reserve(Int(entry.size))
        memory.storeBytes(of: head, as: UInt32.self)
        let count = 4 + (try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: memory[4...])))
        let bytes = UnsafeMutableRawBufferPointer(rebasing: memory[0..<count])
        var hash = ContentHash()
        hash.update(UnsafeRawBufferPointer(bytes))
        var scanned = ScannedFile(root: 0, path: path, size: UInt64(count), hash: hash)
        do {
            scanned.info = try ELFInspector.inspect(memory: bytes, path: display + ":" + path)
        } catch let error as ELFError {
            scanned.error = error
        } catch {
            scanned.error = .unreadable(path: display + ":" + path, reason: "\(error)")
        }
        return scanned
    }
}

/// Memory for one file at a time, kept between files so a layer's ELF files do not each cost a
/// fresh allocation (and its page faults).
final class FileBuffer {
    private var memory = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    deinit { memory.deallocate() }

    /// At least `count` bytes (a minimum of 4); the content is undefined.
    func reserve(_ count: Int) -> UnsafeMutableRawBufferPointer {
        let needed = max(count, 4)
        if memory.count < needed {
            memory.deallocate()
            memory = .allocate(byteCount: needed, alignment: 16)
        }
        return UnsafeMutableRawBufferPointer(rebasing: memory[0..<needed])
    }
}
