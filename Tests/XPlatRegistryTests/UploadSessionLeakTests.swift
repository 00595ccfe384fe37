// Upload sessions left open by a push that stops early: a mount answered 202 (an upload opened
// instead) followed by a mount that fails or is cancelled, and Ctrl-C in the middle of a blob's
// PUT. Each must end with a DELETE of the open session, also when the push's task is cancelled.
// Against a threaded Python server of the tests' own (so the DELETE is served while the PUT stalls).

import Foundation
import Testing
import XPlatRegistry

/// A distribution registry's answers for one blob push, with requests that stall or fail on demand:
/// HEAD 404; a POST (mount or not) opens `session-N`, except `from=refused` (400) and `from=stalled`
/// (never answers); a PUT reads its body and never answers; DELETE 204. Each request is logged as it arrives.
final class StallingUploadServer: PythonServer, @unchecked Sendable {
    init() throws {
        try super.init { log in
            """
            \(PythonServer.registryHandler(log: log))
            import itertools, time
            sessions = itertools.count(1)
            class H(Registry):
                def do_HEAD(self): self.arrived(); self.answer(404)
                def do_POST(self):
                    self.arrived()
                    if "from=stalled" in self.path: time.sleep(60)
                    if "from=refused" in self.path:
                        return self.answer(400, {"Content-Type": "application/json"}, b'{"errors":[{"code":"DENIED","message":"refused"}]}')
                    self.answer(202, {"Location": "/v2/team/app/blobs/uploads/session-%d" % next(sessions)})
                def do_PUT(self):
                    self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    self.arrived()
                    time.sleep(60)
                def do_DELETE(self): self.arrived(); self.answer(204)
            s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        }
    }

    /// Polls the log up to `seconds` for a line starting with `prefix`.
    /// Whether the server logged a request starting with `prefix` within `seconds`: a wait for the
    /// event, returning as soon as it comes (patient on a loaded machine), not a time limit.
    func waitFor(_ prefix: String, seconds: Double = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if logLines.contains(where: { $0.hasPrefix(prefix) }) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

@Suite("upload sessions left open")
struct UploadSessionLeakTests {
    static let data = Data("layer bytes".utf8)
    static let descriptor = Descriptor(
        mediaType: MediaType.ociLayerGzip, digest: sha256Digest(Array(data)), size: Int64(data.count))
    static let config = RegistryConfiguration(credentials: NoCredentials(), retry: .none)

    /// Starts a push of the test blob in its own task.
    static func push(_ server: StallingUploadServer, mountFrom: [String]) throws -> Task<BlobPushOutcome, any Error> {
        let repository = try RegistryReference(parsing: "127.0.0.1:\(server.port)/team/app:1")
        return Task {
            try await RegistryClient.with(configuration: config) {
                try await $0.pushBlob(repository, descriptor: descriptor, source: .data(data), mountFrom: mountFrom)
            }
        }
    }

    @Test("Ctrl-C during a blob's PUT: the push task is cancelled and the session is still DELETEd")
    func cancelledPutDeletesSession() async throws {
        let server = try StallingUploadServer()
        defer { server.stop() }
        let push = try Self.push(server, mountFrom: [])
        #expect(await server.waitFor("PUT /v2/team/app/blobs/uploads/session-1"), "\(server.logLines)")
        push.cancel()
        _ = await push.result
        #expect(await server.waitFor("DELETE /v2/team/app/blobs/uploads/session-1"), "\(server.logLines)")
    }

    @Test("a mount answered 202, then a mount refused: the first mount's session is DELETEd")
    func refusedMountDeletesOpenSession() async throws {
        let server = try StallingUploadServer()
        defer { server.stop() }
        let push = try Self.push(server, mountFrom: ["team/base", "refused"])
        await #expect(throws: RegistryError.self) { try await push.value }
        #expect(await server.waitFor("DELETE /v2/team/app/blobs/uploads/session-1"), "\(server.logLines)")
        #expect(!server.logLines.contains { $0.hasPrefix("PUT") }, "\(server.logLines)")
    }

    @Test("a mount answered 202, then Ctrl-C during the next mount: the first mount's session is DELETEd")
    func cancelledMountDeletesOpenSession() async throws {
        let server = try StallingUploadServer()
        defer { server.stop() }
        let push = try Self.push(server, mountFrom: ["team/base", "stalled"])
        #expect(
            await server.waitFor("POST /v2/team/app/blobs/uploads/?mount=\(Self.descriptor.digest)&from=stalled"),
            "\(server.logLines)")
        push.cancel()
        _ = await push.result
        #expect(await server.waitFor("DELETE /v2/team/app/blobs/uploads/session-1"), "\(server.logLines)")
    }
}
