// Real ELF binaries for the tests, built once by Scripts/make-test-binaries (cached across runs in
// ${XPLAT_CACHE:-$HOME/.cache/xplat}/testbins) and shared by every test in this process.
// (A copy of Tests/XPlatELFTests/TestBinaries.swift: test targets cannot share sources.)

import Foundation
import XPlatSupport

/// One row of the manifest the script writes.
struct TestBinary: Sendable, CustomStringConvertible {
    var file: String
    var path: String
    var platform: String
    var floatABI: String?
    var linkage: String
    var interpreter: String?
    var kind: String
    var description: String { file }
}

/// The set of test binaries.
struct TestBinarySet: Sendable {
    var directory: String
    var binaries: [TestBinary]

    subscript(_ file: String) -> TestBinary {
        guard let binary = binaries.first(where: { $0.file == file }) else {
            fatalError("test binary \(file) is not in \(directory)/manifest.tsv: edit Scripts/make-test-binaries")
        }
        return binary
    }

    /// Runs the script at most once per test process.
    static func load() async throws -> TestBinarySet { try await shared.value }

    private static let shared = Task<TestBinarySet, Error> {
        let script = packageRoot + "/Scripts/make-test-binaries"
        let output = try await SubprocessRunner().run(Command(script))
        guard output.succeeded else {
            throw TestBinaryError(message: "\(script) failed (\(output.exitCode)):\n\(output.stderr)")
        }
        let directory = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let manifest = try String(contentsOfFile: directory + "/manifest.tsv", encoding: .utf8)
        let binaries = manifest.split(separator: "\n").map { line -> TestBinary in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return TestBinary(
                file: f[0], path: directory + "/" + f[0], platform: f[1], floatABI: f[2] == "-" ? nil : f[2],
                linkage: f[3], interpreter: f[4] == "-" ? nil : f[4], kind: f[5])
        }
        return TestBinarySet(directory: directory, binaries: binaries)
    }

    /// The package root, from this file's place in Tests/<target>/.
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

struct TestBinaryError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A fresh temporary directory, removed by the caller with `removeTree`.
func makeTemporaryDirectory(_ name: String = "xplat-test") throws -> String {
    var template = Array((NSTemporaryDirectory() + "/\(name)-XXXXXX").utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw TestBinaryError(message: "mkdtemp failed")
    }
    return String(cString: made)
}

func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}
