// The build context as evidence for the rewriter: the files that say which toolchain a build stage
// wraps and what it links (go.mod, `import "C"`, Cargo.toml/Cargo.lock, Makefile, CMakeLists.txt,
// configure.ac). Reading is the one I/O step (`BuildContext.load`); the rewriter only sees the value,
// so tests build contexts in memory.

import Foundation
import XPlatSystem

/// The evidence files of a build context, by path relative to its root.
public struct BuildContext: Sendable, Hashable {
    /// Where the files came from (for messages).
    public var root: String
    /// Relative path -> text (only the file kinds `isEvidence` selects; a `.go` file only when it imports "C").
    public var files: [String: String]
    /// Relative path of each non-test `.go` file -> the import paths it names.
    public var goImports: [String: [String]]

    public init(root: String, files: [String: String], goImports: [String: [String]] = [:]) {
        self.root = root
        self.files = files
        self.goImports = goImports
    }

    /// Entries walked at most, and bytes read per file: a context is a source tree, not a disk.
    public static let maxFiles = 20_000
    static let maxBytes = 256 * 1024
    /// Lists that name every dependency (Cargo.lock, go.sum, vendor/modules.txt) are read whole up to this size.
    private static let maxListBytes = 16 * 1024 * 1024

    /// Reads the evidence files under `directory` (skipping `.git`, `node_modules`, `target`, ... and
    /// what `.dockerignore` excludes: the builder never sends those).
    /// A folder that cannot be read, or holds more than `maxEntries` entries, gives an empty context:
    /// no evidence, so nothing is proven by it (part of a tree, in the file system's order, would
    /// prove what the rest contradicts). A build file longer than its limit is left out whole rather
    /// than cut (a cut Cargo.lock lists only some crates): it is then missing, which proves nothing.
    public static func load(directory: String, maxEntries: Int = maxFiles) -> BuildContext {
        var files: [String: String] = [:]
        var imports: [String: [String]] = [:]
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: directory) else { return BuildContext(root: directory, files: [:]) }
        let ignore = DockerIgnore(
            text: (try? String(contentsOfFile: directory + "/.dockerignore", encoding: .utf8)) ?? "")
        var seen = 0
        while let path = walker.nextObject() as? String {
            seen += 1
            if seen > maxEntries { return BuildContext(root: directory, files: [:]) }
            let name = Paths.base(path)
            let folder = PathText.parent(of: path)
            let parent = folder.isEmpty ? directory : directory + "/" + folder
            if Self.isToolOutput(name, in: parent, fileManager: fm) {
                walker.skipDescendants(); continue
            }
            if ignore.excludes(path) { continue }
            guard isEvidence(path), let handle = FileHandle(forReadingAtPath: directory + "/" + path) else { continue }
            let limit = ["Cargo.lock", "go.sum", "modules.txt"].contains(name) ? maxListBytes : maxBytes
            let data = (try? handle.read(upToCount: limit + 1)) ?? nil
            try? handle.close()
            // A Go file's imports come first, so its head is enough; any other file is whole or not at all.
            guard var data, data.count <= limit || path.hasSuffix(".go") else { continue }
            data = data.prefix(limit)
            let text = String(decoding: data, as: UTF8.self)
            if path.hasSuffix(".go") {
                imports[path] = GoEvidence.imports(text)
                if GoEvidence.cgoImportLine(text) == nil { continue }
            }
            files[path] = text
        }
        return BuildContext(root: directory, files: files, goImports: imports)
    }

    /// Folders no build reads sources from: `.git`, `node_modules`, and a tool's output folder beside
    /// the file that makes it (`target` beside Cargo.toml, `.build` beside Package.swift, `dist` beside
    /// package.json). A Go package called `target` or `dist` is source, and is read.
    private static func isToolOutput(_ name: String, in parent: String, fileManager fm: FileManager) -> Bool {
        switch name {
        case ".git", "node_modules": return true
        case "target": return fm.fileExists(atPath: parent + "/Cargo.toml")
        case ".build": return fm.fileExists(atPath: parent + "/Package.swift")
        case "dist": return fm.fileExists(atPath: parent + "/package.json")
        default: return false
        }
    }

    /// File kinds the rewriter reads.
    private static func isEvidence(_ path: String) -> Bool {
        let name = Paths.base(path)
        if path.hasSuffix(".go") { return !path.hasSuffix("_test.go") }
        if path.hasSuffix(".sh") || path == "vendor/modules.txt" || path.hasSuffix("/vendor/modules.txt") {
            return true
        }
        return [
            "go.mod", "go.sum", "Cargo.toml", "Cargo.lock", "Makefile", "makefile", "GNUmakefile",
            "CMakeLists.txt", "configure.ac", "configure.in", "meson.build",
        ].contains(name)
    }
}

/// `.dockerignore` patterns: a path is excluded when the last pattern matching it (or a folder above
/// it) is not a `!` exception.
struct DockerIgnore {
    private var patterns: [(negated: Bool, pattern: String)] = []

    init(text: String) {
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let negated = line.hasPrefix("!")
            if negated { line = String(line.dropFirst()).trimmingCharacters(in: .whitespaces) }
            if !Paths.clean(line).isEmpty { patterns.append((negated, line)) }
        }
    }

    func excludes(_ path: String) -> Bool {
        var excluded = false
        for p in patterns where Paths.matchesIgnore(path, p.pattern) { excluded = !p.negated }
        return excluded
    }
}
