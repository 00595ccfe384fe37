// Real ELF binaries for the tests, built once by Scripts/make-test-binaries (cached across runs in
// ${XPLAT_CACHE:-$HOME/.cache/xplat}/testbins) and shared by every test in this process.
// Shared by every test target through the XPlatTestSupport target.

import Foundation
import XPlatSupport

/// One row of the manifest the script writes.
public struct TestBinary: Sendable, CustomStringConvertible {
    public var file: String
    public var path: String
    public var platform: String
    public var floatABI: String?
    public var linkage: String
    public var interpreter: String?
    public var kind: String
    public var description: String { file }
}

/// The set of test binaries.
public struct TestBinarySet: Sendable {
    public var directory: String
    public var binaries: [TestBinary]

    public subscript(_ file: String) -> TestBinary {
        guard let binary = binaries.first(where: { $0.file == file }) else {
            fatalError("test binary \(file) is not in \(directory)/manifest.tsv: edit Scripts/make-test-binaries")
        }
        return binary
    }

    /// Runs the script at most once per test process.
    public static func load() async throws -> TestBinarySet { try await shared.value }

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
    public static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

public struct TestBinaryError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A fresh temporary directory, removed by the caller with `removeTree`.
public func makeTemporaryDirectory(_ name: String = "xplat-test") throws -> String {
    try TemporaryDirectory.make(prefix: name)
}

public func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}
