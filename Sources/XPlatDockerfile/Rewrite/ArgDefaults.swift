// Defaults given to the automatic platform ARGs, removed by the rewriter.

/// `ARG TARGETARCH=amd64` -> `ARG TARGETARCH`, `ARG BUILDPLATFORM=linux/amd64` -> `ARG BUILDPLATFORM`,
/// `--platform=${BUILDPLATFORM:-linux/amd64}` -> `--platform=$BUILDPLATFORM`: BuildKit uses such a
/// default instead of the value it would set (seen with dockerd 20.10: an amd64 build for linux/arm64).
enum ArgDefaults {
    static func edits(_ df: Dockerfile) -> [TextEdit] {
        var out: [TextEdit] = []
        func edit(_ range: Range<Int>, _ text: String) -> TextEdit {
            TextEdit(
                range: range, replacement: text, startLine: df.position(of: range.lowerBound).line,
                endLine: df.position(of: max(range.lowerBound, range.upperBound - 1)).line,
                stage: stageIndex(df, range.lowerBound),
                kind: .argDefault)
        }
        for ins in df.instructions {
            let text = df.bytes[ins.sourceRange]
            if ins.command == "arg" {
                for name in StageGraph.automaticArgs.sorted() {
                    for a in Text.assignments(of: name, in: text) {
                        let start = ins.sourceRange.lowerBound + a.offset + name.utf8.count
                        out.append(edit(start..<(start + 1 + a.value.utf8.count), ""))
                    }
                }
            }
            if ins.command == "from", let flag = ins.flag("platform"), let value = flag.value,
                value.hasPrefix("${BUILDPLATFORM:-") || value.hasPrefix("${BUILDPLATFORM-")
            {
                out.append(edit(flag.sourceRange, "--platform=$BUILDPLATFORM"))
            }
        }
        return out
    }

    /// Index of the stage holding `offset` (-1 before the first FROM).
    private static func stageIndex(_ df: Dockerfile, _ offset: Int) -> Int {
        df.instructions.filter { $0.command == "from" && $0.sourceRange.lowerBound <= offset }.count - 1
    }
}
