// Scanning a directory tree fast: readdir's d_type (no stat on the common path), the first 64 bytes
// read by hand, libelf only for ELF files, and worker threads sharing a stack of directories so both
// the walk and the reads use every core (measured with Scripts/bench-verify, the README's Benchmarks:
// ~4.5 µs of syscalls per file dominate).

import Foundation
import XPlatELF
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One ELF (or unreadable) file found by a scan.
struct ScannedFile: Sendable {
    var root: Int
    /// Root-relative absolute path (`/usr/bin/ls`).
    var path: String
    var info: ELFInfo?
    var error: ELFError?
    var size: UInt64
    /// Content hash, when already known (tar members).
    var hash: ContentHash?
}

/// Counts of one scan.
struct ScanCounts: Sendable {
    var files = 0
    var elf = 0
    var skipped = 0
    /// ELF files left out by the verifier's `excluded` patterns.
    var excluded = 0

    static func + (a: ScanCounts, b: ScanCounts) -> ScanCounts {
        ScanCounts(
            files: a.files + b.files, elf: a.elf + b.elf, skipped: a.skipped + b.skipped,
            excluded: a.excluded + b.excluded)
    }
}

/// The shared state of the workers: a stack of directories to read and how many are being read.
private final class WalkQueue: @unchecked Sendable {
    let condition = NSCondition()
    var stack: [(root: Int, path: String)]
    var busy = 0
    var found: [ScannedFile] = []
    var counts: [Int: ScanCounts] = [:]

    init(_ start: [(root: Int, path: String)]) { stack = start }

    /// The next directory, or nil when the stack is empty and nobody can add to it any more.
    func next() -> (root: Int, path: String)? {
        condition.lock()
        defer { condition.unlock() }
        while stack.isEmpty && busy > 0 { condition.wait() }
        guard let item = stack.popLast() else {
            condition.broadcast()
            return nil
        }
        busy += 1
        return item
    }

    func finished(adding directories: [(root: Int, path: String)]) {
        condition.lock()
        stack.append(contentsOf: directories)
        busy -= 1
        condition.broadcast()
        condition.unlock()
    }

    func merge(_ files: [ScannedFile], _ counts: [Int: ScanCounts]) {
        condition.lock()
        found.append(contentsOf: files)
        self.counts.merge(counts, uniquingKeysWith: +)
        condition.unlock()
    }
}

enum DirectoryScanner {
    /// Scans `roots` (directories on disk) with `threads` workers; counts per root index.
    static func scan(roots: [String], threads: Int) -> ([ScannedFile], [Int: ScanCounts]) {
        let queue = WalkQueue(roots.indices.map { ($0, "") })
        DispatchQueue.concurrentPerform(iterations: max(1, threads)) { _ in
            var files: [ScannedFile] = []
            var counts: [Int: ScanCounts] = [:]
            var header = [UInt8](repeating: 0, count: 64)
            while let (root, relative) = queue.next() {
                var subdirectories: [(root: Int, path: String)] = []
                readDirectory(
                    root: roots[root], rootIndex: root, relative: relative, header: &header,
                    files: &files, counts: &counts[root, default: ScanCounts()], subdirectories: &subdirectories)
                queue.finished(adding: subdirectories)
            }
            queue.merge(files, counts)
        }
        return (queue.found, queue.counts)
    }

    private static func readDirectory(
        root: String, rootIndex: Int, relative: String, header: inout [UInt8],
        files: inout [ScannedFile], counts: inout ScanCounts, subdirectories: inout [(root: Int, path: String)]
    ) {
        let directory = root + relative
        guard let dir = opendir(directory) else {
            let reason = errorText(errno)
            files.append(
                ScannedFile(
                    root: rootIndex, path: relative.isEmpty ? "/" : relative,
                    error: .unreadable(path: directory, reason: reason), size: 0))
            return
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = relative + "/" + name
            var type = Int32(entry.pointee.d_type)
            if type == DT_UNKNOWN {
                // Some filesystems (overlay on old kernels, some FUSE) do not fill d_type.
                var st = stat()
                guard lstat(directory + "/" + name, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: type = Int32(DT_DIR)
                case S_IFREG: type = Int32(DT_REG)
                default: continue
                }
            }
            if type == DT_DIR {
                subdirectories.append((rootIndex, path))
            } else if type == DT_REG {
                counts.files += 1
                if let file = readFile(root: root, rootIndex: rootIndex, path: path, header: &header) {
                    if file.error == nil { counts.elf += 1 }
                    files.append(file)
                } else {
                    counts.skipped += 1
                }
            }
        }
    }

    /// nil for a non-ELF file; otherwise the inspection (or why it failed).
    static func readFile(root: String, rootIndex: Int, path: String, header: inout [UInt8]) -> ScannedFile? {
        let full = root + path
        let fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW)
        guard fd >= 0 else {
            return ScannedFile(
                root: rootIndex, path: path, error: .unreadable(path: full, reason: errorText(errno)), size: 0)
        }
        defer { close(fd) }
        let n = header.withUnsafeMutableBytes { read(fd, $0.baseAddress, 64) }
        guard n >= 4 else {
            if n < 0 {
                return ScannedFile(
                    root: rootIndex, path: path, error: .unreadable(path: full, reason: errorText(errno)), size: 0)
            }
            return nil
        }
        guard header.withUnsafeBytes({ ELFInspector.hasMagic(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }) else {
            return nil
        }
        var st = stat()
        let size = fstat(fd, &st) == 0 ? UInt64(st.st_size) : 0
        do {
            return ScannedFile(
                root: rootIndex, path: path, info: try ELFInspector.inspect(fileDescriptor: fd, path: full), size: size)
        } catch let error as ELFError {
            return ScannedFile(root: rootIndex, path: path, error: error, size: size)
        } catch {
            return ScannedFile(
                root: rootIndex, path: path, error: .unreadable(path: full, reason: "\(error)"), size: size)
        }
    }
}
