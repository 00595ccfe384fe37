// `docker buildx bake --print` as real buildx answered it, for machines without buildx (CI).
//
// `BakeRecordings` names the recorded cases (bake files in Dockerfiles/bake and
// Dockerfiles/bake-project, the command line, the environment); the transcripts in
// Tests/XPlatBuildTests/Recordings/bake/ were written by BakeRecordingTests with real buildx.
// `FakeBuildxDocker` is a `docker` (for XPLAT_DOCKER) that answers `buildx ...` from one
// transcript, fails loudly on a buildx command the transcript does not hold, and hands every other
// command to the real client (/usr/bin/docker): builds run on the real engine.

import Foundation
import XPlatSupport

/// One recorded `bake --print` case.
public struct BakeCase: Sendable {
    /// The transcript's name (`Recordings/bake/NAME.json`).
    public var name: String
    /// The folder it runs in, relative to the package root.
    public var directory: String
    /// `bake --print`'s arguments after `buildx bake --print`.
    public var arguments: [String]
    /// Variables set for buildx (bake variables read from the environment).
    public var environment: [String: String]

    public init(
        _ name: String, directory: String = "Dockerfiles/bake", _ arguments: [String],
        environment: [String: String] = [:]
    ) {
        self.name = name
        self.directory = directory
        self.arguments = arguments
        self.environment = environment
    }

    /// The full command line after `docker`.
    public var commandLine: [String] { ["buildx", "bake", "--print"] + arguments }

    /// The folder, absolute.
    public var absoluteDirectory: String { "\(XPlatBinary.packageRoot)/\(directory)" }

    /// The transcript's path in the source tree.
    public var transcriptPath: String { "\(BakeRecordings.folder)/\(name).json" }
}

/// The recorded cases.
public enum BakeRecordings {
    public static var folder: String { "\(XPlatBinary.packageRoot)/Tests/XPlatBuildTests/Recordings/bake" }

    /// The default group: three targets from one Dockerfile, three platform sets.
    public static let group = BakeCase("group", ["--file", "docker-bake.hcl"])
    /// `derived` built on `base` through a `target:` context.
    public static let linked = BakeCase("linked", ["--file", "docker-bake.hcl", "linked"])
    /// `--set *.platform=...` and `--push`, the registry and tag from the environment.
    public static let setPlatformPush = BakeCase(
        "set-platform-push",
        ["--file", "docker-bake.hcl", "--set", "*.platform=linux/amd64,linux/arm64", "--push", "tool", "app"],
        environment: ["REGISTRY": "xplat-registry.test:5443", "TAG": "set"])
    /// A compose file: `build.platforms` (which buildx does not read) and `x-bake.platforms`.
    public static let compose = BakeCase("compose", ["--file", "compose.yaml"])
    /// A good target and one with an amd64 binary in every platform.
    public static let wrong = BakeCase("wrong", ["--file", "wrong.hcl"], environment: ["OUT": "/tmp/xplat-bake-wrong"])
    /// A matrix target: buildx 0.10.5 does not know `matrix`.
    public static let matrix = BakeCase("matrix", ["--file", "matrix.hcl"])
    /// A target that no file defines.
    public static let missingTarget = BakeCase("missing-target", ["--file", "docker-bake.hcl", "nosuch"])
    /// The project-shaped bake file: a binaries target and an image target.
    public static let project = BakeCase(
        "project", directory: "Dockerfiles/bake-project", ["--file", "docker-bake.hcl"],
        environment: ["OUT": "/tmp/xplat-bake-project"])

    /// Tiny images, `uses` built on `probe` through a `target:` context (its build on a remote
    /// builder is recorded too: `linkedBuildTranscript`).
    public static let linkedSmall = BakeCase(
        "linked-small", ["--file", "linked.hcl", "uses"], environment: ["OUT": "/tmp/xplat-bake-linked"])

    public static let all = [
        group, linked, setPlatformPush, compose, wrong, matrix, missingTarget, project, linkedSmall,
    ]

    /// `linked.hcl`'s tiny `probe` (two platforms) pushed to the TLS registry with a login, by real
    /// `docker buildx bake --push` and by xplat, side by side (`pushTranscript`); the tag is
    /// given with `--set probe.tags=REGISTRY/WHO/probe:rec`, WHO `buildx` or `xplat`.
    public static let push = BakeCase("push", ["--file", "linked.hcl", "--push", "probe"])
    /// Where `push` pushed.
    public static let pushRegistry = "xplat-registry.test:5443/xplat-bake-rec"

    /// `push` on a one-node `remote` builder (real buildx v0.10.5, BuildKit v0.11.6): buildx's own
    /// bake and `skopeo inspect --raw` of its index, then xplat's bake (its commands as the tools
    /// answered) and of its index.
    public static var pushTranscript: String { "\(folder)/push-remote.json" }

    /// xplat's own bake of `linkedSmall` on a one-node `remote` builder (real buildx v0.10.5,
    /// BuildKit v0.11.6), every command as the tools answered it.
    public static var linkedBuildTranscript: String { "\(folder)/linked-small-remote-build.json" }
}

/// A fake `docker` answering `buildx` from a transcript and passing everything else to the real
/// client. Every call is logged (one line, tab-separated) to `log`.
public struct FakeBuildxDocker: Sendable {
    public let dir: String
    public var path: String { dir + "/docker" }
    public var log: String { dir + "/calls.log" }

    /// - Parameters:
    ///   - transcript: the recording to answer from.
    ///   - realDocker: where other commands go (the engine's client).
    public init(transcript: String, realDocker: String = "/usr/bin/docker") throws {
        dir = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-fakebuildx")
        let script = """
            #!/usr/bin/env python3
            # Answers `docker buildx ...` from a transcript of real buildx; other commands go to the real client.
            import json, os, sys
            args = sys.argv[1:]
            with open(\(pythonString(log)), "a") as log:
                log.write("\\t".join(args) + "\\n")
            if args[:1] == ["buildx"]:
                with open(\(pythonString(transcript))) as f:
                    transcript = json.load(f)
                for entry in transcript["entries"]:
                    if entry["arguments"] == ["docker"] + args and all(os.environ.get(k) == v for k, v in entry["environment"].items()):
                        sys.stdout.write(entry["stdout"])
                        sys.stderr.write(entry["stderr"])
                        sys.exit(entry["exitCode"])
                sys.stderr.write("fake docker: no recording of docker " + " ".join(args) + "\\n")
                sys.exit(127)
            os.execv(\(pythonString(realDocker)), [\(pythonString(realDocker))] + args)
            """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    /// The calls made, each as its argument list.
    public var calls: [[String]] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    public func remove() { try? FileManager.default.removeItem(atPath: dir) }
}

private func pythonString(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
}
