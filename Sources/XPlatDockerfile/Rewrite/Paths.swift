import Foundation

/// Slash paths as COPY and the shell use them.
enum Paths {
    /// `a/./b/../c` -> `a/c`; leading `/` and `./` and trailing `/` removed; "." -> "".
    static func clean(_ path: String) -> String {
        var out: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(part)
        }
        return out.joined(separator: "/")
    }

    /// `path` resolved against absolute folder `dir`: absolute, clean.
    static func join(_ dir: String, _ path: String) -> String {
        "/" + clean(path.hasPrefix("/") ? path : dir + "/" + path)
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    static func base(_ path: String) -> String { String(path.split(separator: "/").last ?? "") }

    private static func isGlob(_ path: String) -> Bool { path.contains { "*?[".contains($0) } }

    /// What lies below `pattern` in relative `path`: "" when they are equal, the rest when `path` is
    /// inside it, nil otherwise; `pattern`'s components may be globs.
    static func below(_ path: String, _ pattern: String) -> String? {
        let p = path.split(separator: "/"), q = pattern.split(separator: "/")
        guard p.count >= q.count else { return nil }
        for (a, b) in zip(p, q) where !matches(String(a), String(b)) { return nil }
        return p.dropFirst(q.count).joined(separator: "/")
    }

    /// One path component against one glob component (`*`, `?`, `[...]`).
    static func matches(_ name: String, _ glob: String) -> Bool {
        guard isGlob(glob) else { return name == glob }
        return fnmatch(glob, name, 0) == 0
    }

    /// True when relative `path` matches `pattern` as .dockerignore reads it (`**` any folders).
    static func matchesIgnore(_ path: String, _ pattern: String) -> Bool {
        func go(_ names: ArraySlice<Substring>, _ globs: ArraySlice<Substring>) -> Bool {
            guard let first = globs.first else { return true }  // a folder matched: everything in it
            if first == "**" {
                return (names.startIndex...names.endIndex).contains { go(names[$0...], globs.dropFirst()) }
            }
            guard let name = names.first, matches(String(name), String(first)) else { return false }
            return go(names.dropFirst(), globs.dropFirst())
        }
        return go(ArraySlice(path.split(separator: "/")), ArraySlice(clean(pattern).split(separator: "/")))
    }
}
