// The text form of a report: a table per source (platform, manifest digest, files, ELF files,
// verdict), then one line per problem (platform, path, expected, found, why), notes, and a summary.

import Foundation

extension VerifyReport {
    /// The text report. `mark` styles the leading `FAIL` of problem lines (colour in a terminal).
    ///
    ///     127.0.0.1:5000/app:1
    ///       PLATFORM         MANIFEST              FILES  ELF  VERDICT
    ///       linux/amd64      sha256:1f0c5e2a9b3d     412    3  ok
    ///       linux/arm64      sha256:77a0d1c4e8f2     412    3  FAIL
    ///     FAIL linux/arm64 /app: expected linux/arm64, found linux/amd64 (EM_X86_64)
    ///     verify: 1 file with 1 problem; 2 roots, 824 files, 6 ELF, 818 skipped, 0.412 s
    public func text(mark: (String) -> String = { $0 }) -> String {
        var out = ""
        var sources: [String] = []
        for root in roots where !sources.contains(root.source) { sources.append(root.source) }
        for source in sources {
            out += table(source, roots.enumerated().filter { $0.element.source == source })
        }
        out += fileLines(mark: mark)
        for finding in findings {
            let where_ = [finding.source, finding.platform].compactMap { $0 }.joined(separator: " ")
            out +=
                finding.isError
                ? "\(mark("FAIL")) \(where_): \(finding.message)\n" : "note: \(where_): \(finding.message)\n"
        }
        out += summaryLine
        return out
    }

    private func table(_ source: String, _ rows: [(offset: Int, element: VerifiedRoot)]) -> String {
        let cells = rows.map { index, root -> [String] in
            let verdict: String
            switch root.kind {
            case .attestation: verdict = "attestation" + (root.subject.map { " for \($0)" } ?? "")
            default:
                let failed = files.filter { $0.rootIndex == index && !$0.ok }.count
                verdict = failed == 0 ? "ok" : "FAIL (\(failed) file\(failed == 1 ? "" : "s"))"
            }
            let platform = root.kind == .attestation ? "unknown/unknown" : root.platform?.description ?? "-"
            let manifest = root.manifest.map { String($0.prefix(19)) } ?? (rows.count > 1 ? root.path : "-")
            let counts = root.kind == .attestation ? ["-", "-"] : [String(root.files), String(root.elf)]
            return [platform, manifest] + counts + [verdict]
        }
        let header = ["PLATFORM", "MANIFEST", "FILES", "ELF", "VERDICT"]
        let all = [header] + cells
        let widths = (0..<4).map { column in all.map { $0[column].count }.max() ?? 0 }
        var out = "\(source)\n"
        for row in all {
            let line =
                "  " + row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
                + "  " + row[1].padding(toLength: widths[1], withPad: " ", startingAt: 0)
                + "  " + String(repeating: " ", count: widths[2] - row[2].count) + row[2]
                + "  " + String(repeating: " ", count: widths[3] - row[3].count) + row[3]
                + "  " + row[4]
            out += line + "\n"
        }
        return out
    }

    /// Without an expected platform, a line saying what each ELF file is; then one line per problem
    /// and per note.
    private func fileLines(mark: (String) -> String) -> String {
        var out = ""
        for file in files {
            let image = roots.indices.contains(file.rootIndex) && roots[file.rootIndex].kind == .image
            let name = image ? "\(roots[file.rootIndex].platform?.description ?? "-") \(file.path)" : file.displayPath
            if file.expected == nil, let elf = file.elf {
                var parts = [file.platform?.description ?? "unknown platform"]
                if let kind = elf.kind { parts.append(kind.rawValue) }
                if let linkage = elf.linkage { parts.append(linkage.rawValue) }
                if let interpreter = elf.interpreter { parts.append(interpreter) }
                let because = [elf.evidence.variant ?? elf.evidence.architecture, elf.evidence.floatABI]
                    .compactMap { $0 }.joined(separator: "; ")
                out += "\(name): \(parts.joined(separator: " ")) (\(because))\n"
            }
            for problem in file.problems {
                out += "\(mark("FAIL")) \(name): \(problem.message)\n"
            }
            for note in file.notes {
                out += "note: \(name): \(note)\n"
            }
        }
        return out
    }

    private var summaryLine: String {
        let s = summary
        let failedFindings = findings.filter(\.isError).count
        var verdict = "ok"
        if !ok {
            var parts: [String] = []
            if s.failed > 0 {
                let fileProblems = s.problems - failedFindings
                parts.append(
                    "\(s.failed) file\(s.failed == 1 ? "" : "s") with \(fileProblems) "
                        + "problem\(fileProblems == 1 ? "" : "s")"
                )
            }
            if failedFindings > 0 { parts.append("\(failedFindings) source finding\(failedFindings == 1 ? "" : "s")") }
            verdict = parts.joined(separator: ", ")
        }
        let checked = roots.filter { $0.kind != .attestation }.count
        return "verify: \(verdict); \(checked) root\(checked == 1 ? "" : "s"), \(s.files) files, \(s.elf) ELF, "
            + "\(s.skipped) skipped, "
            + "\(s.excluded > 0 ? "\(s.excluded) excluded, " : "")\(String(format: "%.3f", s.seconds)) s\n"
    }
}
