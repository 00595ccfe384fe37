import Foundation
import XPlatSupport

/// Runs the built `xplat` executable end to end, as a user would.
public enum XPlatBinary {
    /// The `xplat` binary SwiftPM built beside this test bundle.
    public static let path: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("xplat").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/xplat").path
    }()

    /// The package root, for paths to Dockerfiles/ and Scripts/.
    public static var packageRoot: String { TestBinarySet.packageRoot }

    /// Runs `xplat ARGS` with NO_COLOR set; returns exit code, stdout and stderr.
    public static func run(_ arguments: [String], environment: [String: String?] = [:], in directory: String? = nil)
        async throws -> CommandOutput
    {
        var env = environment
        env["NO_COLOR"] = env["NO_COLOR"] ?? "1"
        return try await SubprocessRunner().run(
            Command(path, arguments, environment: env, workingDirectory: directory))
    }
}
