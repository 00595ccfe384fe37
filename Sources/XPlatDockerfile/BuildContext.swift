// The build context as evidence for the rewriter: the files that say which toolchain a build stage
// wraps and what it links (go.mod, `import "C"`, Cargo.toml/Cargo.lock, Makefile, CMakeLists.txt,
// configure.ac). Reading is the one I/O step (`BuildContext.load`); the rewriter only sees the value,
// so tests build contexts in memory.

import Foundation

/// The evidence files of a build context, by path relative to its root.
public struct BuildContext: Sendable, Hashable {
    /// Where the files came from (for messages).
    public var root: String
    /// Relative path -> text (only the file kinds `isEvidence` selects; a `.go` file only when it imports "C").
    public var files: [String: String]

    public init(root: String, files: [String: String]) {
        self.root = root
        self.files = files
    }

    /// Files read at most, and bytes read per file: a context is a source tree, not a disk.
    static let maxFiles = 20_000
    static let maxBytes = 256 * 1024

    /// Reads the evidence files under `directory` (skipping `.git`, `node_modules`, `target`, ...).
    /// A folder that cannot be read gives an empty context: no evidence, so nothing is proven by it.
    public static func load(directory: String) -> BuildContext {
        var files: [String: String] = [:]
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: directory) else { return BuildContext(root: directory, files: [:]) }
        var seen = 0
        while let path = walker.nextObject() as? String, seen < maxFiles {
            seen += 1
            let name = (path as NSString).lastPathComponent
            if [".git", "node_modules", "target", ".build", "dist"].contains(name) { walker.skipDescendants(); continue }
            guard isEvidence(path), let handle = FileHandle(forReadingAtPath: directory + "/" + path) else { continue }
            let data = (try? handle.read(upToCount: maxBytes)) ?? nil
            try? handle.close()
            guard let data else { continue }
            let text = String(decoding: data, as: UTF8.self)
            if path.hasSuffix(".go") && GoEvidence.cgoImportLine(text) == nil { continue }
            files[path] = text
        }
        return BuildContext(root: directory, files: files)
    }

    /// File kinds the rewriter reads.
    static func isEvidence(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        if path.hasSuffix(".go") { return !path.hasSuffix("_test.go") }
        return ["go.mod", "go.sum", "Cargo.toml", "Cargo.lock", "Makefile", "makefile", "GNUmakefile",
                "CMakeLists.txt", "configure.ac", "configure.in", "meson.build"].contains(name)
    }

    /// True when a file named `name` (go.mod, Cargo.toml, ...) is anywhere in the context.
    func has(_ name: String) -> Bool { files.keys.contains { ($0 as NSString).lastPathComponent == name } }

    /// Files named `name`, shallowest first.
    func named(_ name: String) -> [(path: String, text: String)] {
        files.filter { ($0.key as NSString).lastPathComponent == name }
            .sorted { ($0.key.split(separator: "/").count, $0.key) < ($1.key.split(separator: "/").count, $1.key) }
            .map { ($0.key, $0.value) }
    }
}
