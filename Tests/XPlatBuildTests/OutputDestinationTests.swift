import Foundation
import Testing
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
        #expect(!FileManager.default.fileExists(atPath: base + "/a/b/out"), "the destination itself is made only by the final rename")
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
}
