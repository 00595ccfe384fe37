import Foundation
import Testing
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

struct RootLayoutTests {
    @Test(
        "a multi-platform export lacking a platform's folder is an error naming what it holds, not a Foundation error")
    func missingFolder() throws {
        let work = try makeTemporaryDirectory("xplat-layout")
        defer { removeTree(work) }
        // What a one-platform export looks like: the root itself, no linux_amd64 folder.
        try FileManager.default.createDirectory(atPath: "\(work)/solve-0", withIntermediateDirectories: true)
        try Data("x86_64\n".utf8).write(to: URL(fileURLWithPath: "\(work)/solve-0/arch"))
        #expect {
            try RootLayout.split(
                from: "\(work)/solve-0", platforms: [p("linux/amd64"), p("linux/arm64")], into: "\(work)/roots")
        } throws: { error in
            let text = "\(error)"
            return text.contains("has no linux_amd64 folder") && text.contains("it holds: arch")
                && !text.contains("NSCocoaErrorDomain")
        }
    }

    @Test("a failed move names the path and the system's reason in words")
    func moveError() throws {
        let work = try makeTemporaryDirectory("xplat-layout")
        defer { removeTree(work) }
        #expect {
            try FileSystem.move("\(work)/absent", to: "\(work)/there")
        } throws: { error in
            "\(error)" == "\(work)/absent: cannot move to \(work)/there: No such file or directory"
        }
        let ns = NSError(
            domain: NSCocoaErrorDomain, code: NSFileNoSuchFileError,
            userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOENT))])
        #expect(SystemError.reason(ns) == "No such file or directory")
    }

    @Test("a real Foundation error gives the system's reason from its underlying errno, not a Cocoa code")
    func underlyingErrno() throws {
        let work = try makeTemporaryDirectory("xplat-layout")
        defer { removeTree(work) }
        FileManager.default.createFile(atPath: "\(work)/file", contents: Data())
        #expect {
            try FileSystem.createDirectory("\(work)/file/sub")
        } throws: { error in
            "\(error)".hasSuffix(": Not a directory")
        }
    }
}
