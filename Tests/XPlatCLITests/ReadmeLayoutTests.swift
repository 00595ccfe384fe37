import Foundation
import Testing
import XPlatTestSupport

/// README's "Layout" section is the tree of the repository a new reader meets first: every folder
/// of Sources/ (targets and their layer subfolders) and every project of Dockerfiles/ it names is
/// there, and it names nothing that is not.
@Suite("README's layout matches the repository")
struct ReadmeLayoutTests {
    /// The fenced block of README's "## Layout" section, line by line.
    static func layoutBlock() throws -> [String] {
        let readme = try String(contentsOfFile: XPlatBinary.packageRoot + "/README.md", encoding: .utf8)
        let sections = readme.components(separatedBy: "\n## Layout\n")
        try #require(sections.count == 2, "README.md has one \"## Layout\" section")
        let fenced = sections[1].components(separatedBy: "```")
        try #require(fenced.count >= 3, "the Layout section holds a fenced block")
        return fenced[1].components(separatedBy: "\n")
    }

    /// The folders the block lists under `Sources/`: `Target/` at two spaces, `Target/Layer/` for a
    /// layer at four, and every `Name/` of a line that lists several (`CArchive/, CIsal/`).
    static func listedSourceFolders(_ block: [String]) -> Set<String> {
        var folders: Set<String> = []
        var target = ""
        var inSources = false
        for line in block {
            if line.hasPrefix("Sources/") {
                inSources = true
                continue
            }
            guard inSources else { continue }
            if !line.hasPrefix(" ") { break }
            let indent = line.prefix { $0 == " " }.count
            let names = line.split(separator: " ", omittingEmptySubsequences: true)
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
                .prefix { $0.hasSuffix("/") }
            for name in names {
                let folder = String(name.dropLast())
                if indent == 2 {
                    target = folder
                    folders.insert(folder)
                } else if indent == 4 {
                    folders.insert(target + "/" + folder)
                }
            }
        }
        return folders
    }

    /// Every folder of Sources/ and its subfolders, as `Target` and `Target/Layer`.
    static func sourceFolders() throws -> Set<String> {
        let root = XPlatBinary.packageRoot + "/Sources"
        let files = FileManager.default
        var folders: Set<String> = []
        for target in try files.contentsOfDirectory(atPath: root) where Self.isFolder(root + "/" + target) {
            folders.insert(target)
            for layer in try files.contentsOfDirectory(atPath: root + "/" + target)
            where Self.isFolder(root + "/" + target + "/" + layer) {
                folders.insert(target + "/" + layer)
            }
        }
        return folders
    }

    static func isFolder(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
    }

    @Test("every folder of Sources/ is in the Layout tree, and the tree names no folder that is not there")
    func sources() throws {
        let listed = Self.listedSourceFolders(try Self.layoutBlock())
        let actual = try Self.sourceFolders()
        #expect(listed.count > 10, "the tree lists the targets: \(listed.sorted())")
        #expect(actual.subtracting(listed).sorted() == [], "in Sources/, missing from README's Layout")
        #expect(listed.subtracting(actual).sorted() == [], "in README's Layout, not in Sources/")
    }

    @Test("every project of Dockerfiles/ is named on the Layout tree's Dockerfiles/ lines, and only those")
    func dockerfiles() throws {
        let block = try Self.layoutBlock()
        let start = try #require(block.firstIndex { $0.hasPrefix("Dockerfiles/") })
        let lines =
            [block[start].dropFirst("Dockerfiles/".count)]
            + block[(start + 1)...].prefix { $0.hasPrefix(" ") }.map { $0[...] }
        // Project names: words of letters, digits and dashes; the prose between them is lower-case
        // English, so a word counts when a folder of that name could exist: it has a dash or is a
        // folder of Dockerfiles/, and "(...)" remarks are dropped.
        let text = lines.joined(separator: " ").replacingOccurrences(
            of: #"\([^)]*\)"#, with: " ", options: .regularExpression)
        let words = Set(
            text.components(separatedBy: CharacterSet(charactersIn: " ,;:")).filter { !$0.isEmpty })
        let root = XPlatBinary.packageRoot + "/Dockerfiles"
        let projects = Set(
            try FileManager.default.contentsOfDirectory(atPath: root).filter { Self.isFolder(root + "/" + $0) })
        #expect(projects.subtracting(words).sorted() == [], "in Dockerfiles/, missing from README's Layout")
        let named = words.filter { $0.contains("-") && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }
        #expect(named.count > 10, "the tree's Dockerfiles/ lines name the projects: \(named.sorted())")
        #expect(named.subtracting(projects).sorted() == [], "in README's Layout, not in Dockerfiles/")
    }
}
