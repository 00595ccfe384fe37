/// Go's cgo, as the evidence shows it.
enum GoEvidence {
    /// Modules whose packages need cgo (some build a stub without it, which compiles and fails at run time).
    static let cgoModules = [
        "github.com/mattn/go-sqlite3", "github.com/google/gopacket", "github.com/miekg/pkcs11",
        "github.com/confluentinc/confluent-kafka-go", "github.com/DataDog/zstd", "github.com/linxGnu/grocksdb",
        "github.com/tecbot/gorocksdb", "github.com/godror/godror", "github.com/mattn/go-oci8",
        "github.com/ceph/go-ceph", "github.com/libgit2/git2go", "github.com/go-gl/", "github.com/gen2brain/",
        "github.com/mutecomm/go-sqlcipher", "github.com/xeodou/go-sqlcipher", "github.com/cockroachdb/c-",
    ]
    /// Build tags that select cgo code (`TAGS=sqlite`, `-tags "sqlite sqlite_unlock_notify"`).
    private static let cgoTags = ["sqlite", "cgo", "pcap", "libsqlite3", "sqlcipher", "rocksdb", "pkcs11"]

    /// 1-based line of `import "C"` (alone or inside an import block), if any.
    static func cgoImportLine(_ text: String) -> Int? {
        guard text.contains("\"C\"") else { return nil }
        var inBlock = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if line == "import \"C\"" || inBlock && line == "\"C\"" { return n + 1 }
            if line.hasPrefix("import (") { inBlock = true } else if inBlock && line.hasPrefix(")") { inBlock = false }
        }
        return nil
    }

    /// The `module` path of a go.mod.
    static func modulePath(_ text: String) -> String? {
        for raw in text.split(separator: "\n") {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if line.hasPrefix("module ") { return String(line.dropFirst(7)).trimmingCharacters(in: " \t\"") }
        }
        return nil
    }

    /// Required modules of a go.mod that are not `// indirect`, with their 1-based lines.
    static func directRequirements(_ text: String) -> [(line: Int, module: String)] {
        var out: [(Int, String)] = []
        var inBlock = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw).trimmingCharacters(in: " \t\r")
            if inBlock && line.hasPrefix(")") { inBlock = false; continue }
            if line.hasPrefix("require (") { inBlock = true; continue }
            if line.hasPrefix("require ") { line = String(line.dropFirst(8)) } else if !inBlock { continue }
            if line.contains("// indirect") || line.hasPrefix("//") { continue }
            if let name = line.split(separator: " ").first { out.append((n + 1, String(name))) }
        }
        return out
    }

    /// Import paths of a Go file (single imports and import blocks, aliases dropped).
    static func imports(_ text: String) -> [String] {
        var out: [String] = []
        var inBlock = false
        for raw in text.split(separator: "\n") {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if inBlock {
                if line.hasPrefix(")") { inBlock = false; continue }
            } else if line.hasPrefix("import (") {
                inBlock = true; continue
            } else if !line.hasPrefix("import ") {
                if line.hasPrefix("func ") || line.hasPrefix("type ") || line.hasPrefix("var ") { break }
                continue
            }
            if let q = line.firstIndex(of: "\""), let e = line[line.index(after: q)...].firstIndex(of: "\"") {
                out.append(String(line[line.index(after: q)..<e]))
            }
        }
        return out
    }

    /// True when `value` (a -tags list or TAGS value) names a cgo tag.
    static func hasCgoTag(_ value: String) -> Bool {
        value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\"" || $0 == "'" })
            .contains { tag in cgoTags.contains { tag.lowercased().hasPrefix($0) } }
    }
}
