// Architecture words as they appear in image names, download URLs and shell code.
//
// Every word comes from the architecture table: the architecture's names and aliases, its Go, Debian,
// Alpine and `uname -m` names, and the first part of its GNU and Rust triples. The linter uses them
// to see that a URL, an image or a `case` arm names one architecture.

import XPlatPlatform

/// One architecture word found in a text.
struct ArchitectureWordMatch: Hashable {
    /// Offset of the word, relative to the searched text.
    var offset: Int
    /// The word as written (lower case).
    var word: String
    /// The normalized architecture it names (`amd64`, `arm64`, `arm`).
    var architecture: String

    /// `x86_64 (amd64)`, or `amd64` when the word is the architecture's own name.
    var described: String { word == architecture ? word : "\(word) (\(architecture))" }
}

enum ArchitectureWords {
    /// Every word with its architecture, longest first (so `x86_64` wins over `x86`).
    static let all: [(word: String, architecture: String)] = {
        var owner: [String: String] = [:]
        for row in ArchitectureTable.entries {
            let triples = [row.gnuTriplet, row.rustTarget, row.rustMuslTarget].compactMap {
                $0.split(separator: "-").first.map(String.init)
            }
            let words =
                row.architectureNames + row.aliases + [row.goarch, row.unameMachine] + triples
                + [row.debianArch, row.alpineArch].compactMap { $0 }
            for word in words where owner[word.lowercased()] == nil {
                owner[word.lowercased()] = row.platform.architecture
            }
        }
        return owner.map { ($0.key, $0.value) }.sorted { ($0.word.count, $1.word) > ($1.word.count, $0.word) }
    }()

    /// The architecture of the build machines most builders have, whose names are the usual wrong
    /// default: the table's architecture with x86-64 levels (amd64).
    static let x86_64: String = ArchitectureTable.entries.first { $0.x86Level != nil }!.platform.architecture
    /// Its `uname -m` name, for messages (`x86_64`).
    static let x86_64Machine: String = ArchitectureTable.entries.first { $0.x86Level != nil }!.unameMachine

    /// Rust targets of every row (`x86_64-unknown-linux-gnu`, `aarch64-unknown-linux-musl`), longest first.
    static let rustTargets: [(target: String, architecture: String)] = {
        var seen = Set<String>()
        return ArchitectureTable.entries.flatMap { row in
            [row.rustTarget, row.rustMuslTarget].map { ($0, row.platform.architecture) }
        }.filter { seen.insert($0.0).inserted }.sorted { $0.0.count > $1.0.count }
    }()

    /// Architecture words in `hay`, as whole words: the bytes around a match are not letters or
    /// digits. Case-insensitive; overlapping shorter words are dropped (`x86` inside `x86_64`).
    static func find(in hay: ArraySlice<UInt8>) -> [ArchitectureWordMatch] {
        let lower = hay.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }[...]
        var taken = Set<Int>()
        var out: [ArchitectureWordMatch] = []
        for (word, architecture) in all {
            let needle = Array(word.utf8)
            var from = lower.startIndex
            while let at = Bytes.find(needle, in: lower[from...]) {
                let start = from + at, end = start + needle.count
                from = start + 1
                let before = start > lower.startIndex ? lower[start - 1] : ASCII.space
                let after = end < lower.endIndex ? lower[end] : ASCII.space
                guard !isAlphanumeric(before), !isAlphanumeric(after), taken.isDisjoint(with: start..<end) else {
                    continue
                }
                taken.formUnion(start..<end)
                out.append(
                    ArchitectureWordMatch(offset: start - lower.startIndex, word: word, architecture: architecture))
            }
        }
        return out.sorted { $0.offset < $1.offset }
    }

    /// Architecture words in an image reference (`amd64/alpine`, `app:1.2-arm64`,
    /// `ghcr.io/x/tool-amd64:1`), before any digest.
    static func inImageReference(_ reference: String) -> [ArchitectureWordMatch] {
        let name = reference.split(separator: "@", maxSplits: 1).first.map(String.init) ?? reference
        return find(in: Array(name.utf8)[...])
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool { byte.isASCIILetter || byte.isASCIIDigit }
}
