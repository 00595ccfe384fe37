import Foundation
import Testing
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatBuild

@Suite("Output destinations")
struct OutputDestinationTests {
    @Test("missing parent folders of -o dest are created before the build, like buildx")
    func createsParents() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-dest-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try OutputAssembler.ensureParent(of: base + "/a/b/out")
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: base + "/a/b", isDirectory: &isDir) && isDir.boolValue)
        #expect(
            !FileManager.default.fileExists(atPath: base + "/a/b/out"),
            "the destination itself is made only by the final rename")
    }

    @Test("an interrupted tar output leaves neither the destination nor its half-written staging file")
    func interruptedTar() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-dest-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base + "/roots/linux_arm64", withIntermediateDirectories: true)
        // tar writes part of the archive, then Ctrl-C cancels it.
        let runner = RecordingRunner { command in
            guard let i = command.arguments.firstIndex(of: "-cf") else { return CommandOutput(exitCode: 0) }
            FileManager.default.createFile(atPath: command.arguments[i + 1], contents: Data("partial".utf8))
            throw CancellationError()
        }
        await #expect(throws: CancellationError.self) {
            try await OutputAssembler.placeTar(
                runner: runner, roots: base + "/roots", platforms: [try Platform(parsing: "linux/arm64")],
                dest: base + "/out.tar")
        }
        #expect(runner.commands.count == 1, "tar ran")
        #expect(try FileManager.default.contentsOfDirectory(atPath: base) == ["roots"], "nothing beside the roots")
    }

    @Test("a parent that is a file is an error naming the destination")
    func parentIsFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-dest-\(UUID().uuidString)").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect {
            try OutputAssembler.ensureParent(of: file + "/out")
        } throws: { error in
            String(describing: error).contains(file + "/out") && String(describing: error).contains("is not a folder")
        }
    }

    @Test("a local output that cannot be written is named by its destination, not by the build's temporary paths")
    func localOutputNotWritable() async throws {
        let base = try makeTemporaryDirectory("xplat-dest-unwritable")
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base + "/roots/linux_amd64", withIntermediateDirectories: true)
        // /proc takes no new entries, root or not.
        let dest = "/proc/xplat-dest-\(getpid())"
        for split in [false, true] {
            await #expect {
                try await OutputAssembler.placeLocal(
                    roots: base + "/roots", platforms: [try Platform(parsing: "linux/amd64")], split: split, dest: dest)
            } throws: { error in
                guard case BuildError.fileSystem(let path, let action, let reason) = error else { return false }
                return path == dest && action == "write the output" && !reason.isEmpty
                    && !"\(error)".contains(".xplat-") && !"\(error)".contains(base)
            }
        }
        #expect(FileManager.default.fileExists(atPath: base + "/roots/linux_amd64"), "the root stays where it was")
    }

    @Test("-o -: a read error of the staged file fails the output instead of ending the copy early with success")
    func standardOutputReadError() throws {
        // A folder opens for reading but every read fails (EISDIR), as a failing disk would.
        let dir = try makeTemporaryDirectory("xplat-stdout-read")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(FileHandle(forReadingAtPath: dir) != nil, "the precondition: it opens")
        #expect { try OutputAssembler.copyToStandardOutput(dir) } throws: { error in
            guard case BuildError.assemblyFailed(let why, _) = error else { return false }
            return why.contains(dir)
        }
    }

    @Test(
        """
        --metadata-file in a missing folder: the build's file-system error naming the file (exit 3, as \
        --iidfile), not an unexpected error
        """
    )
    func metadataFileError() throws {
        let dir = try makeTemporaryDirectory("xplat-metadata-missing")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = Plan(dockerfile: "D", context: ".", nodes: [], platforms: [], solves: [])
        let request = BuildRequest(dockerfile: "D", context: ".", platforms: [])
        let result = BuildResult(plan: plan, platforms: [], output: "build cache only")
        #expect {
            try OutputAssembler.writeMetadata(to: dir + "/missing/metadata.json", result: result, request: request)
        } throws: { error in
            guard case BuildError.fileSystem(let path, _, _) = error else { return false }
            return path == dir + "/missing/metadata.json"
        }
    }
}
