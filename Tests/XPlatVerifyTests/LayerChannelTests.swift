import Foundation
import NIOCore
import Testing
import XPlatArchive
import XPlatELF
import XPlatTestSupport

@testable import XPlatVerify

/// The hand-over between a registry download and the layer reader (`LayerChannel`): every byte
/// arrives in order however the body is cut, the sender waits while the reader is behind, and a
/// stop or a failure on one side reaches the other.
@Suite("Layer channel: download to reader", .timeLimit(.minutes(1)))
struct LayerChannelTests {
    /// A gzip layer with a real ELF binary, sent in 997-byte chunks through a 4 KiB channel: the
    /// sender must wait again and again, and the reader sees what it sees reading the file.
    @Test("a layer cut into small chunks through a small channel reads as the file does")
    func smallChunks() async throws {
        let tree = try Tree()
        defer { tree.remove() }
        let set = try await TestBinarySet.load()
        try tree.copy(set["c-arm64-static"], to: "l/usr/bin/app")
        try tree.write(String(repeating: "text\n", count: 20_000), to: "l/etc/big")
        let layer = try await tree.tar("layer.tar.gz", ["--gzip", "-C", tree.root + "/l", "."])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: layer)))
        let expected = try LayerReader.read(try ArchiveReader(path: layer), display: "file", whiteouts: true)

        let channel = LayerChannel(capacity: 4096)
        let reading = Task {
            try await onThread {
                defer { channel.stop() }
                return try LayerReader.read(
                    try ArchiveReader(source: channel, name: "channel"), display: "channel", whiteouts: true)
            }
        }
        for start in stride(from: 0, to: bytes.count, by: 997) {
            try await channel.send(ByteBuffer(bytes: bytes[start..<min(start + 997, bytes.count)]))
        }
        channel.finish()
        let summary = try await reading.value
        #expect(channel.parkedSends > 0, "the sender waited for the reader")
        #expect(summary.entries.map(\.path) == expected.entries.map(\.path))
        let elf = summary.entries.compactMap { entry -> ScannedFile? in
            if case .file(let scanned?) = entry.node { return scanned } else { return nil }
        }
        #expect(elf.map(\.path) == ["/usr/bin/app"])
        #expect(elf.first?.hash != nil)
        #expect(elf.first?.info == (try ELFInspector.inspect(path: set["c-arm64-static"].path)))
    }

    @Test("a reader that stops wakes a waiting sender with LayerReaderStopped, and refuses later chunks")
    func readerStops() async throws {
        let channel = LayerChannel(capacity: 8)
        // 16 bytes fill the channel: the send waits until the reader takes or stops.
        let sending = Task { try await channel.send(ByteBuffer(bytes: [UInt8](repeating: 1, count: 16))) }
        let deadline = ContinuousClock.now + .seconds(5)
        while channel.parkedSends == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let waitedBeforeStop = channel.parkedSends == 1
        channel.stop()
        await #expect(throws: LayerReaderStopped.self) { try await sending.value }
        #expect(waitedBeforeStop)
        await #expect(throws: LayerReaderStopped.self) { try await channel.send(ByteBuffer(bytes: [1])) }
    }

    @Test("a failed download is the reader's error, after the chunks that came before it")
    func downloadFails() async throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "connection reset" } }
        let channel = LayerChannel()
        try await channel.send(ByteBuffer(bytes: [1, 2, 3]))
        channel.finish(Broken())
        #expect(try channel.nextChunk().count == 3)
        #expect { try channel.nextChunk() } throws: { error in
            error is ArchiveError && "\(error)".contains("download failed: connection reset")
        }
    }
}
