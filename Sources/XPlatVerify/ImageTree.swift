import XPlatArchive
import XPlatELF

/// A root's final filesystem, built from layers applied in order (or from one plain tar): what the
/// interpreter check resolves against and which files are checked.
struct ImageTree: Sendable {
    enum Entry: Sendable {
        case file(ScannedFile?), directory, symlink(String), other
    }

    private(set) var entries: [String: Entry] = [:]

    /// Applies `layer` on top: its whiteouts and opaque directories remove lower content first,
    /// then its members are added in order (a hard link takes its target's content).
    mutating func apply(_ layer: LayerSummary) {
        if !layer.whiteouts.isEmpty || !layer.opaque.isEmpty {
            let removed = Set(layer.whiteouts)
            let hidden = Set(layer.opaque)
            entries = entries.filter { path, _ in !Self.isRemoved(path, removed: removed, hidden: hidden) }
        }
        for (path, node) in layer.entries {
            switch node {
            case .file(let scanned): entries[path] = .file(scanned)
            case .directory:
                // A directory entry over an existing directory keeps what is below it.
                if case .directory? = entries[path] { continue }
                entries[path] = .directory
            case .symlink(let target): entries[path] = .symlink(target)
            case .hardlink(let target):
                if case .file(let scanned)? = entries[target] {
                    entries[path] = .file(
                        scanned.map {
                            var copy = $0; copy.path = path; return copy
                        })
                } else {
                    entries[path] = .file(nil)
                }
            case .other: entries[path] = .other
            }
        }
    }

    /// True when `path` or a directory above it is whited out, or it lies below an opaque directory.
    private static func isRemoved(_ path: String, removed: Set<String>, hidden: Set<String>) -> Bool {
        var current = Substring(path)
        var first = true
        while !current.isEmpty {
            if removed.contains(String(current)) { return true }
            if !first, hidden.contains(String(current)) { return true }
            first = false
            guard let slash = current.lastIndex(of: "/") else { break }
            current = current[..<slash]
        }
        return !first && hidden.contains("/")
    }

    /// Regular files (hard links included).
    var fileCount: Int { entries.values.reduce(0) { if case .file = $1 { return $0 + 1 } else { return $0 } } }

    /// The ELF (and unreadable ELF) files, with `root` set.
    func scanned(root: Int) -> [ScannedFile] {
        entries.values.compactMap { entry in
            guard case .file(let scanned?) = entry else { return nil }
            var copy = scanned
            copy.root = root
            return copy
        }
    }

    /// The lookup the path resolver uses; directories implied by their members count as directories.
    func lookup() -> @Sendable (String) -> Node {
        var directories: Set<String> = ["/"]
        for path in entries.keys {
            var current = Substring(path)
            while let slash = current.lastIndex(of: "/"), slash != current.startIndex {
                current = current[..<slash]
                if !directories.insert(String(current)).inserted { break }
            }
        }
        let entries = self.entries
        let implied = directories
        return { path in
            switch entries[path] {
            case .file?: return .file
            case .directory?: return .directory
            case .symlink(let target)?: return .symlink(target)
            case .other?: return .other
            case nil: return implied.contains(path) ? .directory : .missing
            }
        }
    }
}
