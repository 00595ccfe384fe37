// In-process timing of parse + rewrite, for `Scripts/bench-rewrite` (speed is measured by
// benchmarks that print figures, never by timed tests). Not part of xplat's command line.

import XPlatDockerfile
import XPlatSupport

/// Figures from `RewriteBenchmark.run`.
struct RewriteBenchmarkReport: Sendable, CustomStringConvertible {
    var files: Int
    var iterations: Int
    var bytes: Int
    var seconds: Double
    /// Time for parsing alone (same files, same iterations).
    var parseSeconds: Double
    /// Files that failed to parse (counted, not timed differently).
    var rejected: Int

    var filesPerSecond: Double { Double(files * iterations) / seconds }
    var millisecondsPerFile: Double { seconds * 1000 / Double(files * iterations) }

    var description: String {
        let mb = Double(bytes * iterations) / 1_048_576 / seconds
        return "parse+rewrite: \(files) files x \(iterations) = \(files * iterations) in "
            + fmt(seconds, digits: 3) + " s: " + fmt(filesPerSecond, digits: 0) + " files/s, "
            + fmt(millisecondsPerFile, digits: 4)
            + " ms/file, " + fmt(mb, digits: 1) + " MiB/s; parse alone "
            + fmt(parseSeconds * 1000 / Double(files * iterations), digits: 4)
            + " ms/file (\(rejected) rejected: negative parser cases and parser cases without FROM)"
    }

    func fmt(_ value: Double, digits: Int) -> String {
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (value * p).rounded() / p
        var s = String(r)
        if digits == 0, s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
}

/// Times parse + rewrite over a set of files.
enum RewriteBenchmark {
    /// Parses and rewrites every file `iterations` times; files the parser rejects are counted in the report.
    static func run(files: [(name: String, bytes: [UInt8])], iterations: Int) -> RewriteBenchmarkReport {
        var rejected = 0
        var sink = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<iterations {
                rejected = 0
                for f in files {
                    do {
                        let df = try DockerfileParser.parse(bytes: f.bytes, fileName: f.name)
                        let r = try Rewriter.rewrite(df)
                        sink &+= r.edits.count &+ r.findings.count
                    } catch {
                        rejected += 1
                    }
                }
            }
        }
        let parseElapsed = clock.measure {
            for _ in 0..<iterations {
                for f in files {
                    if let df = try? DockerfileParser.parse(bytes: f.bytes, fileName: f.name) {
                        sink &+= df.instructions.count
                    }
                }
            }
        }
        let seconds = elapsed.seconds
        precondition(sink >= 0)
        return RewriteBenchmarkReport(
            files: files.count, iterations: iterations, bytes: files.reduce(0) { $0 + $1.bytes.count },
            seconds: seconds, parseSeconds: parseElapsed.seconds, rejected: rejected)
    }
}
