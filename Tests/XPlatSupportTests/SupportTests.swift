import Foundation
import Testing
import XPlatTestSupport

@testable import XPlatSupport

@Suite("Atomic file writes")
struct AtomicFileTests {
    func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-atomic-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("replaces the content and keeps the file's permission bits")
    func replacesKeepingMode() throws {
        let dir = try tempDir()
        let path = dir + "/Dockerfile"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        try AtomicFile.write("new\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["Dockerfile"], "no temp file left")
    }

    @Test("a failed write leaves the original untouched and no temp file")
    func failureLeavesOriginal() throws {
        let dir = try tempDir()
        #expect(throws: FileWriteError.self) {
            try AtomicFile.write("x", to: dir + "/missing-dir/file")
        }
        // Renaming a file over a directory fails after the temp file was written.
        try FileManager.default.createDirectory(atPath: dir + "/target", withIntermediateDirectories: false)
        try "keep".write(toFile: dir + "/target/inside", atomically: false, encoding: .utf8)
        #expect(throws: FileWriteError.self) { try AtomicFile.write("x", to: dir + "/target") }
        #expect(try String(contentsOfFile: dir + "/target/inside", encoding: .utf8) == "keep")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["target"])
    }
}

@Suite("Command running")
struct CommandRunnerTests {
    @Test(
        "shell quoting only where needed",
        arguments: [
            ("plain", "plain"), ("linux/arm64", "linux/arm64"), ("two words", "'two words'"),
            ("it's", "'it'\\''s'"), ("", "''"), ("$HOME", "'$HOME'"),
        ])
    func quoting(word: String, expected: String) {
        #expect(ShellQuote.quote(word) == expected)
    }

    @Test(
        "command lines split like a shell quotes them, nothing expanded",
        arguments: [
            ("/usr/local/bin/hello --version", ["/usr/local/bin/hello", "--version"]),
            ("  sh   -c 'echo $HOME; uname -m'  ", ["sh", "-c", "echo $HOME; uname -m"]),
            (#"printf "%s\n" "a \"b\"" x\ y"#, ["printf", #"%s\n"#, #"a "b""#, "x y"]),
            ("''", [""]),
            ("", []),
        ])
    func splitting(line: String, words: [String]) throws {
        #expect(try ShellQuote.split(line) == words)
    }

    @Test("an unterminated quote is an error quoting the line")
    func unterminated() {
        #expect { try ShellQuote.split("sh -c 'echo") } throws: { "\($0)" == #"unterminated ' in "sh -c 'echo""# }
    }

    @Test("a command renders as a pasteable line with its environment")
    func description() {
        let c = Command("docker", ["build", "--platform", "linux/arm64", "a b"], environment: ["DOCKER_BUILDKIT": "1"])
        #expect(c.description == "DOCKER_BUILDKIT=1 docker build --platform linux/arm64 'a b'")
    }

    @Test("the real runner collects stdout, stderr and the exit code without a shell")
    func realRun() async throws {
        let out = try await SubprocessRunner().run(Command("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]))
        #expect(out.stdout == "out\n")
        #expect(out.stderr == "err\n")
        #expect(out.exitCode == 3)
        #expect(!out.succeeded)
    }

    @Test("the real runner passes environment overrides and reports a missing program")
    func environmentAndMissing() async throws {
        let out = try await SubprocessRunner().run(
            Command("/bin/sh", ["-c", "printf %s \"$XPLAT_T\""], environment: ["XPLAT_T": "v 1"]))
        #expect(out.stdout == "v 1")
        await #expect(throws: CommandError.self) {
            try await SubprocessRunner().run(Command("xplat-no-such-program-\(UUID().uuidString)"))
        }
    }

    @Test("streaming hands over lines as they come and keeps stdout")
    func streaming() async throws {
        let lines = LineBox()
        let out = try await SubprocessRunner().stream(Command("/bin/sh", ["-c", "echo a; echo b >&2; echo c"])) {
            kind, line in lines.append("\(kind == .stdout ? "o" : "e"):\(line)")
        }
        #expect(out.stdout == "a\nc\n")
        #expect(out.stderr == "b\n")
        #expect(lines.all.sorted() == ["e:b", "o:a", "o:c"])
    }

    @Test("a signal-killed program reports 128+signal")
    func signalled() async throws {
        let out = try await SubprocessRunner().run(Command("/bin/sh", ["-c", "kill -TERM $$"]))
        #expect(out.signal == 15)
        #expect(out.exitCode == 143)
    }

    @Test("the recording runner records calls in order and answers from its table")
    func recording() async throws {
        let runner = RecordingRunner { c in CommandOutput(exitCode: c.arguments.first == "fail" ? 1 : 0, stdout: "ok\n")
        }
        _ = try await runner.run(Command("x", ["one"]))
        let r = try await runner.run(Command("x", ["fail"]))
        #expect(r.exitCode == 1)
        #expect(runner.commands.map(\.arguments) == [["one"], ["fail"]])
    }
}

@Suite("Colour")
struct StyleTests {
    @Test("NO_COLOR and dumb terminals turn colour off; a pipe is never coloured")
    func detection() {
        #expect(!Style.detect(fd: 1, environment: ["NO_COLOR": "1"]).enabled)
        #expect(!Style.detect(fd: 1, environment: ["TERM": "dumb"]).enabled)
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        #expect(!Style.detect(fd: fds[1], environment: [:]).enabled)
        close(fds[0]); close(fds[1])
        #expect(Style(enabled: false).red("x") == "x")
        #expect(Style(enabled: true).red("x") == "\u{1B}[31mx\u{1B}[0m")
    }
}

final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

@Suite("Temporary directories")
struct TemporaryDirectoryTests {
    @Test("a new private folder each time, named by the prefix; a missing parent is an error naming it")
    func make() throws {
        let parent = NSTemporaryDirectory()
        let a = try TemporaryDirectory.make(in: parent, prefix: "xplat-tmp-test")
        let b = try TemporaryDirectory.make(in: parent + "/", prefix: "xplat-tmp-test")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        #expect(a != b)
        #expect(URL(fileURLWithPath: a).lastPathComponent.hasPrefix("xplat-tmp-test-"))
        #expect(!a.contains("//"), "\(a)")
        let mode = try FileManager.default.attributesOfItem(atPath: a)[.posixPermissions] as? Int
        #expect(mode == 0o700, "mkdtemp makes the folder private")
        #expect(throws: FileWriteError.self) { try TemporaryDirectory.make(in: "/nonexistent-xplat", prefix: "x") }
        do { _ = try TemporaryDirectory.make(in: "/nonexistent-xplat", prefix: "x") } catch let error as FileWriteError
        {
            #expect(error.description == "/nonexistent-xplat/x-XXXXXX: cannot write: No such file or directory")
        }
    }
}

@Suite("Reading a user's file")
struct UserFileTests {
    @Test("reads the bytes; a missing file or a folder is an error with the path and the system's reason")
    func reasons() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-read-\(UUID().uuidString)").path
        try Data([0, 1, 2, 255]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try UserFile.read(path) == Data([0, 1, 2, 255]))
        #expect { try UserFile.read(path + ".missing") } throws: { error in
            "\(error)" == "\(path).missing: cannot read: No such file or directory"
        }
        #expect { try UserFile.read("/") } throws: { error in "\(error)" == "/: cannot read: Is a directory" }
    }
}

@Suite("KEY=VALUE words")
struct KeyValueTests {
    @Test("the key is everything before the first =, never empty; a bare KEY has no value")
    func parsing() {
        #expect(KeyValue("A=b=c")?.key == "A" && KeyValue("A=b=c")?.value == "b=c")
        #expect(KeyValue("A=")?.value == "")
        #expect(KeyValue("A")?.key == "A" && KeyValue("A")?.value == nil)
        #expect(KeyValue("=x") == nil)
        #expect(KeyValue("") == nil)
    }
}

@Suite("Path text")
struct PathTextTests {
    @Test(
        "parent(of:) agrees with NSString.deletingLastPathComponent on paths of two characters or more",
        arguments: ["a/b", "ab", "/ab", "/a/b", "a/b/", "/a/b//", "./ctx/Dockerfile", "a//b", "/x/.."])
    func agrees(_ path: String) {
        #expect(PathText.parent(of: path) == (path as NSString).deletingLastPathComponent)
    }

    /// NSString traps on these (Swift 6.3.1's Foundation); these are its answers on longer names.
    @Test("parent(of:) of a one-character path: no trap", arguments: [("d", ""), ("/", "/")])
    func oneCharacter(_ path: String, _ parent: String) {
        #expect(PathText.parent(of: path) == parent)
    }
}
