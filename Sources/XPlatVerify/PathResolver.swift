// Resolving a path inside a root the way the kernel would inside a chroot: absolute symlink
// targets start again at the root, ".." never climbs above it, and a chain of more than 40 links
// (the kernel's limit) is a loop. Nothing outside the root is ever looked at.

#if canImport(Glibc)
    import Glibc
#endif

/// What one path component is, as a root's lookup reports it.
enum Node: Sendable, Hashable {
    case file, directory, other, missing
    case symlink(String)
}

/// Where a path inside a root leads.
enum Resolution: Sendable, Hashable {
    /// A regular file at this (root-relative, absolute) path.
    case file(String)
    case missing(String)
    case notRegular(String)
    case loop
}

enum PathResolver {
    static let maxLinks = 40

    /// Resolves `path` with `lookup` (which answers for root-relative absolute paths such as `/lib/x`).
    static func resolve(_ path: String, lookup: (String) -> Node) -> Resolution {
        var pending = path.split(separator: "/").map(String.init)
        pending.reverse()  // a stack: next component last
        var resolved: [String] = []
        var links = 0
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                _ = resolved.popLast()
                continue
            }
            let candidate = "/" + (resolved + [component]).joined(separator: "/")
            switch lookup(candidate) {
            case .missing:
                return .missing(candidate)
            case .symlink(let target):
                links += 1
                if links > maxLinks { return .loop }
                if target.hasPrefix("/") { resolved.removeAll() }
                pending.append(contentsOf: target.split(separator: "/").map(String.init).reversed())
            case .directory:
                resolved.append(component)
            case .file, .other:
                if pending.contains(where: { !$0.isEmpty && $0 != "." }) {
                    return .missing(candidate + " (not a directory)")
                }
                resolved.append(component)
            }
        }
        let final = "/" + resolved.joined(separator: "/")
        switch lookup(final) {
        case .file: return .file(final)
        case .missing: return .missing(final)
        default: return .notRegular(final)
        }
    }

    /// A lookup into a directory on disk, with `lstat` (never following a link by itself).
    static func directoryLookup(root: String) -> @Sendable (String) -> Node {
        return { relative in
            let full = root + relative
            var st = stat()
            guard lstat(full, &st) == 0 else { return .missing }
            switch st.st_mode & S_IFMT {
            case S_IFREG: return .file
            case S_IFDIR: return .directory
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(full, &buffer, Int(PATH_MAX))
                guard n >= 0 else { return .missing }
                return .symlink(String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
            default: return .other
            }
        }
    }
}
