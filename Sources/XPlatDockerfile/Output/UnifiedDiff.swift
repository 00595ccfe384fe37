// Unified diffs (`diff -u` format) of two texts, line by line, for `xplat rewrite`'s default output.

/// Renders unified diffs.
public enum UnifiedDiff {
    /// Colours for the coloured variant; each closure wraps a line.
    public struct Colors: Sendable {
        public var header: @Sendable (String) -> String
        public var hunk: @Sendable (String) -> String
        public var added: @Sendable (String) -> String
        public var removed: @Sendable (String) -> String

        public init(
            header: @escaping @Sendable (String) -> String, hunk: @escaping @Sendable (String) -> String,
            added: @escaping @Sendable (String) -> String, removed: @escaping @Sendable (String) -> String
        ) {
            self.header = header
            self.hunk = hunk
            self.added = added
            self.removed = removed
        }

        /// No colour.
        public static let plain = Colors(header: { $0 }, hunk: { $0 }, added: { $0 }, removed: { $0 })
    }

    /// A diff of `old` and `new` with 3 lines of context, headed `--- a/<fileName>` / `+++ b/<fileName>`
    /// (an absolute `fileName` is used as is on both lines);
    /// empty when the texts are equal.
    public static func render(old: String, new: String, fileName: String, context: Int = 3, colors: Colors = .plain)
        -> String
    {
        if old == new { return "" }
        let a = lines(old), b = lines(new)
        let ops = script(a, b)
        // git-style a/ b/ prefixes for relative names (`patch -p1`); absolute paths as they are.
        let (oldName, newName) = fileName.hasPrefix("/") ? (fileName, fileName) : ("a/" + fileName, "b/" + fileName)
        var out = colors.header("--- " + oldName) + "\n" + colors.header("+++ " + newName) + "\n"
        // Group changes into hunks with context.
        var i = 0
        while i < ops.count {
            guard ops[i].kind != .same else { i += 1; continue }
            var start = i
            var ctx = 0
            while start > 0 && ops[start - 1].kind == .same && ctx < context { start -= 1; ctx += 1 }
            let stop = min(ops.count, lastChange(in: ops, from: i, context: context) + 1 + context)
            out += hunk(ops[start..<stop], old: a, new: b, colors: colors)
            i = stop
        }
        return out
    }

    /// The last change of the hunk that starts with the change at `first`: changes closer than
    /// `2 * context` unchanged lines share a hunk.
    private static func lastChange(in ops: [Op], from first: Int, context: Int) -> Int {
        var end = first
        var sameRun = 0
        var j = first
        while j < ops.count {
            if ops[j].kind == .same {
                sameRun += 1
                if sameRun > 2 * context { break }
            } else {
                sameRun = 0
                end = j
            }
            j += 1
        }
        return end
    }

    /// One hunk: its `@@ -old +new @@` header, then its lines.
    private static func hunk(_ slice: ArraySlice<Op>, old: [Line], new: [Line], colors: Colors) -> String {
        let oldStart = (slice.first { $0.kind != .insert }?.a ?? (slice.first?.a ?? 0))
        let newStart = (slice.first { $0.kind != .delete }?.b ?? (slice.first?.b ?? 0))
        let oldCount = slice.filter { $0.kind != .insert }.count
        let newCount = slice.filter { $0.kind != .delete }.count
        var out = colors.hunk("@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@") + "\n"
        for op in slice {
            switch op.kind {
            case .same: out += " " + old[op.a].text + "\n"
            case .delete: out += colors.removed("-" + old[op.a].text) + "\n"
            case .insert: out += colors.added("+" + new[op.b].text) + "\n"
            }
            if op.kind == .delete && !old[op.a].newline || op.kind == .insert && !new[op.b].newline
                || op.kind == .same && !old[op.a].newline
            {
                out += "\\ No newline at end of file\n"
            }
        }
        return out
    }

    static func range(_ start: Int, _ count: Int) -> String {
        let first = count == 0 ? start : start + 1
        return count == 1 ? "\(first)" : "\(first),\(count)"
    }

    struct Line: Equatable { var text: String; var newline: Bool }

    static func lines(_ text: String) -> [Line] {
        var out: [Line] = []
        let b = Array(text.utf8)
        var start = 0
        for (i, c) in b.enumerated() where c == ASCII.newline {
            out.append(Line(text: Bytes.string(b[start..<i]), newline: true))
            start = i + 1
        }
        if start < b.count { out.append(Line(text: Bytes.string(b[start...]), newline: false)) }
        return out
    }

    enum Kind { case same, delete, insert }
    struct Op { var kind: Kind; var a: Int; var b: Int }

    /// An edit script: common prefix and suffix, LCS in between.
    static func script(_ old: [Line], _ new: [Line]) -> [Op] {
        var p = 0
        while p < old.count && p < new.count && old[p] == new[p] { p += 1 }
        var s = 0
        while s < old.count - p && s < new.count - p && old[old.count - 1 - s] == new[new.count - 1 - s] { s += 1 }
        let n = old.count - p - s, m = new.count - p - s
        var ops: [Op] = (0..<p).map { Op(kind: .same, a: $0, b: $0) }
        var dp = [Int](repeating: 0, count: (n + 1) * (m + 1))
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    dp[i * (m + 1) + j] =
                        old[p + i] == new[p + j]
                        ? dp[(i + 1) * (m + 1) + j + 1] + 1
                        : max(dp[(i + 1) * (m + 1) + j], dp[i * (m + 1) + j + 1])
                }
            }
        }
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && old[p + i] == new[p + j] {
                ops.append(Op(kind: .same, a: p + i, b: p + j)); i += 1; j += 1
            } else if j < m && (i == n || dp[i * (m + 1) + j + 1] >= dp[(i + 1) * (m + 1) + j]) {
                ops.append(Op(kind: .insert, a: p + i, b: p + j)); j += 1
            } else {
                ops.append(Op(kind: .delete, a: p + i, b: p + j)); i += 1
            }
        }
        // Deletions before insertions inside a change block, as diff -u prints them.
        var k = p
        var sorted: [Op] = Array(ops[..<p])
        while k < ops.count {
            if ops[k].kind == .same { sorted.append(ops[k]); k += 1; continue }
            var block: [Op] = []
            while k < ops.count && ops[k].kind != .same { block.append(ops[k]); k += 1 }
            sorted += block.filter { $0.kind == .delete } + block.filter { $0.kind == .insert }
        }
        for t in 0..<s { sorted.append(Op(kind: .same, a: old.count - s + t, b: new.count - s + t)) }
        return sorted
    }

    /// 1-based line numbers of `old` that the diff removes or changes (for checking that only
    /// rewritten instructions changed).
    public static func changedOldLines(old: String, new: String) -> [Int] {
        script(lines(old), lines(new)).compactMap { $0.kind == .delete ? $0.a + 1 : nil }
    }
}
