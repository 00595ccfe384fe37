// Transcripts of real tool runs (buildx, BuildKit), recorded once on a machine that has the tools
// and replayed in CI, which has not. `TranscriptRecorder` wraps the real runner: each command's
// arguments, environment, exit code, stdout, stderr, and the files it wrote (`--output
// type=local,dest=`, `--metadata-file`) go into a JSON transcript, with machine-specific paths
// replaced by placeholders. `TranscriptReplayer` answers the same commands from the transcript and
// writes the same files where the new run asked for them. A command the transcript does not hold
// is answered with exit 127 and recorded as unmatched, so a test sees any drift.

import Foundation
import Synchronization
import XPlatSupport

/// One recorded command.
public struct TranscriptEntry: Codable, Sendable, Hashable {
    public var arguments: [String]
    public var environment: [String: String]
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    /// Files written, keyed by placeholder path (`$OUT/linux_amd64/arch`); a folder ends in `/`.
    public var files: [String: String]

    public init(
        arguments: [String], environment: [String: String], exitCode: Int32, stdout: String, stderr: String,
        files: [String: String]
    ) {
        self.arguments = arguments
        self.environment = environment
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.files = files
    }
}

/// A recorded session: the tools' versions and the commands in order.
public struct Transcript: Codable, Sendable, Hashable {
    /// `docker buildx version` and BuildKit's version on the builder, as the tools printed them.
    public var tools: String
    public var entries: [TranscriptEntry]

    public init(tools: String, entries: [TranscriptEntry] = []) {
        self.tools = tools
        self.entries = entries
    }

    /// Reads a transcript file.
    public static func load(_ path: String) throws -> Transcript {
        try JSONDecoder().decode(Transcript.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes it, keys sorted (stable diffs).
    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try (encoder.encode(self) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
    }
}

/// Machine-specific strings and their placeholders (`/tmp/xplat-build-Ab12` -> `$WORK`).
public struct Placeholders: Sendable {
    /// (placeholder, real), longest real value first when substituting.
    public var pairs: [(String, String)]

    public init(_ pairs: [(String, String)]) { self.pairs = pairs }

    /// Replaces real values with placeholders; a build's random folder name (`xplat-build-Ab12Cd`)
    /// becomes `$RUN`, and its lower-cased form (temporary builder names) `$run`.
    public func abstract(_ text: String) -> String {
        var out = text
        for (name, real) in pairs.sorted(by: { $0.1.count > $1.1.count }) where !real.isEmpty {
            out = out.replacingOccurrences(of: real, with: name)
        }
        for prefix in ["xplat-build-", "xplat-rewrite-"] {
            while let r = out.range(of: prefix + "[A-Za-z0-9]{6}", options: .regularExpression) {
                let run = String(out[r].dropFirst(prefix.count))
                out = out.replacingOccurrences(of: prefix + run, with: prefix + "$RUN")
            }
        }
        // Temporary builders `xplat-ab12cd-0`, temporary image tags `xplat-ab12cd:linux_arm64`.
        return out.replacingOccurrences(
            of: "xplat-[a-z0-9]{6}-([0-9]+)", with: "xplat-\\$run-$1", options: .regularExpression
        )
        .replacingOccurrences(of: "xplat-[a-z0-9]{6}:", with: "xplat-\\$run:", options: .regularExpression)
    }

    /// Replaces placeholders with real values (the files of a replayed command).
    public func concrete(_ text: String, run: String) -> String {
        var out = text.replacingOccurrences(of: "$RUN", with: run).replacingOccurrences(
            of: "$run", with: run.lowercased())
        for (name, real) in pairs { out = out.replacingOccurrences(of: name, with: real) }
        return out
    }
}

/// Wraps a real runner and records what each command did.
public final class TranscriptRecorder: CommandRunner {
    let inner: any CommandRunner
    let placeholders: Placeholders
    let state: Mutex<Transcript>

    public init(_ inner: any CommandRunner, tools: String, placeholders: Placeholders) {
        self.inner = inner
        self.placeholders = placeholders
        self.state = Mutex(Transcript(tools: tools))
    }

    /// The transcript so far.
    public var transcript: Transcript { state.withLock { $0 } }

    public func run(_ command: Command) async throws -> CommandOutput {
        let out = try await inner.run(command)
        record(command, out)
        return out
    }

    public func stream(_ command: Command, onLine: @escaping @Sendable (OutputStreamKind, String) -> Void) async throws
        -> CommandOutput
    {
        let out = try await inner.stream(command, onLine: onLine)
        record(command, out)
        return out
    }

    /// `tar` and `gzip` on this machine's own files are not the tools under record: a replay runs
    /// them for real on the files the replayed commands wrote.
    public static let localTools: Set<String> = ["tar", "gzip"]

    func record(_ command: Command, _ out: CommandOutput) {
        guard !Self.localTools.contains(command.executable) else { return }
        var files: [String: String] = [:]
        for path in TranscriptFiles.written(by: command.arguments) {
            for (file, content) in TranscriptFiles.snapshot(path) { files[placeholders.abstract(file)] = content }
        }
        var environment: [String: String] = [:]
        for (key, value) in command.environment { environment[key] = value.map(placeholders.abstract) ?? "" }
        let entry = TranscriptEntry(
            arguments: ([command.executable] + command.arguments).map(placeholders.abstract), environment: environment,
            exitCode: out.exitCode, stdout: placeholders.abstract(out.stdout),
            stderr: placeholders.abstract(out.stderr),
            files: files)
        state.withLock { $0.entries.append(entry) }
    }
}

/// Answers commands from a transcript.
public final class TranscriptReplayer: CommandRunner {
    let transcript: Transcript
    let placeholders: Placeholders
    let state = Mutex<(used: Set<Int>, commands: [Command], unmatched: [String])>(([], [], []))
    /// The executable the transcript's `docker` stands for in this run.
    let docker: String

    public init(_ transcript: Transcript, placeholders: Placeholders, docker: String = "docker") {
        self.transcript = transcript
        self.placeholders = placeholders
        self.docker = docker
    }

    /// Every command run, in order.
    public var commands: [Command] { state.withLock { $0.commands } }
    /// Commands the transcript did not hold (abstracted argument lines).
    public var unmatched: [String] { state.withLock { $0.unmatched } }

    public func run(_ command: Command) async throws -> CommandOutput {
        if TranscriptRecorder.localTools.contains(command.executable) {
            state.withLock { $0.commands.append(command) }
            return try await SubprocessRunner().run(command)
        }
        let line = ([command.executable == docker ? "docker" : command.executable] + command.arguments).map(
            placeholders.abstract)
        let run = Self.runName(in: command.arguments)
        let index: Int? = state.withLock { s in
            s.commands.append(command)
            // The first unused entry with these arguments: a command run twice is recorded twice.
            guard
                let i = transcript.entries.indices.first(where: {
                    !s.used.contains($0) && transcript.entries[$0].arguments == line
                })
                    ?? transcript.entries.indices.last(where: { transcript.entries[$0].arguments == line })
            else {
                s.unmatched.append(line.joined(separator: " "))
                return nil
            }
            s.used.insert(i)
            return i
        }
        guard let index else {
            return CommandOutput(exitCode: 127, stderr: "not in the transcript: \(line.joined(separator: " "))\n")
        }
        let entry = transcript.entries[index]
        try TranscriptFiles.write(entry.files.map { (placeholders.concrete($0.key, run: run), $0.value) })
        return CommandOutput(
            exitCode: entry.exitCode, stdout: placeholders.concrete(entry.stdout, run: run),
            stderr: placeholders.concrete(entry.stderr, run: run))
    }

    public func stream(_ command: Command, onLine: @escaping @Sendable (OutputStreamKind, String) -> Void) async throws
        -> CommandOutput
    {
        let out = try await run(command)
        for line in out.stdout.split(separator: "\n") { onLine(.stdout, String(line)) }
        for line in out.stderr.split(separator: "\n") { onLine(.stderr, String(line)) }
        return out
    }

    /// The run id in a command (`Ab12Cd` of `xplat-build-Ab12Cd`, or `ab12cd` of a temporary builder
    /// `xplat-ab12cd-0` or image `xplat-ab12cd:linux_arm64`), so replayed files and names land in
    /// this run's folders.
    static func runName(in arguments: [String]) -> String {
        for (pattern, skip) in [
            ("xplat-build-[A-Za-z0-9]{6}", 12), ("xplat-[a-z0-9]{6}-[0-9]", 6), ("xplat-[a-z0-9]{6}:", 6),
        ] {
            for argument in arguments {
                if let r = argument.range(of: pattern, options: .regularExpression) {
                    return String(argument[r].dropFirst(skip).prefix(6))
                }
            }
        }
        return ""
    }
}

/// The files a command writes, read and written back.
public enum TranscriptFiles {
    /// `--output type=local,dest=D`, `--cache-to type=local,dest=D`, `--metadata-file F` and
    /// `--iidfile F` paths of an argument list.
    public static func written(by arguments: [String]) -> [String] {
        var paths: [String] = []
        for (i, argument) in arguments.enumerated() {
            if argument == "--metadata-file" || argument == "--iidfile", i + 1 < arguments.count {
                paths.append(arguments[i + 1])
            }
            if argument == "--cache-to", i + 1 < arguments.count {
                for field in arguments[i + 1].split(separator: ",") where field.hasPrefix("dest=") {
                    paths.append(String(field.dropFirst(5)))
                }
            }
            if argument == "--output" || argument == "-o", i + 1 < arguments.count {
                let value = arguments[i + 1]
                // `docker save --output FILE` names the file itself; buildx's `--output` is `key=value,...`.
                guard value.contains("=") else { paths.append(value); continue }
                for field in value.split(separator: ",") where field.hasPrefix("dest=") {
                    paths.append(String(field.dropFirst(5)))
                }
            }
        }
        return paths
    }

    /// Every file and folder under `path` (or the file itself): text content for text files up to
    /// 64 KiB, `base64:...` for other files up to 1 MiB, else `<N bytes>`; folders as `path/`
    /// with an empty value.
    public static func snapshot(_ path: String) -> [(String, String)] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else { return [(path, content(path))] }
        var out: [(String, String)] = [(path + "/", "")]
        for relative in (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted() {
            let full = "\(path)/\(relative)"
            var sub: ObjCBool = false
            FileManager.default.fileExists(atPath: full, isDirectory: &sub)
            out.append(sub.boolValue ? (full + "/", "") : (full, content(full)))
        }
        return out
    }

    static func content(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        if data.count <= 65536, !data.contains(0), let text = String(data: data, encoding: .utf8),
            !text.hasPrefix(base64Mark)
        {
            return text
        }
        // Binary files a replay must give back byte for byte (an OCI export, a `docker save` tar).
        guard data.count <= 1 << 20 else { return "<\(data.count) bytes>" }
        return base64Mark + data.base64EncodedString()
    }

    /// Marks a file's content recorded as base64.
    static let base64Mark = "base64:"

    /// Writes the snapshot back (a `<N bytes>` file becomes N zero bytes).
    public static func write(_ files: [(String, String)]) throws {
        for (path, content) in files.sorted(by: { $0.0 < $1.0 }) {
            if path.hasSuffix("/") {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                continue
            }
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var data = Data(content.utf8)
            if content.hasPrefix("<"), content.hasSuffix(" bytes>"), let n = Int(content.dropFirst().dropLast(7)) {
                data = Data(count: n)
            } else if content.hasPrefix(base64Mark),
                let decoded = Data(base64Encoded: String(content.dropFirst(base64Mark.count)))
            {
                data = decoded
            }
            try data.write(to: URL(fileURLWithPath: path))
        }
    }
}
