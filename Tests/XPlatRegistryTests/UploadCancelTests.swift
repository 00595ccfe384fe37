// A blob upload that fails after its session was opened: the client cancels the session (DELETE
// on the upload URL), so the registry keeps no open upload. Against a small Python server of the
// tests' own that answers as a distribution registry does (HEAD 404, POST 202 with a Location) and
// refuses the PUT; the same path runs when Ctrl-C cancels the push task.

import Foundation
import Testing
import XPlatRegistry

/// Answers one blob push: the blob is missing, an upload opens, its PUT is refused with 400.
final class RefusingUploadServer: PythonServer, @unchecked Sendable {
    init() throws {
        try super.init { log in
            """
            \(PythonServer.registryHandler(log: log))
            class H(Registry):
                def answer(self, code, headers={}, body=b""):
                    self.arrived()
                    Registry.answer(self, code, headers, body)
                def do_GET(self): self.answer(200, {"Content-Type": "application/json"}, b"{}")
                def do_HEAD(self): self.answer(404)
                def do_POST(self): self.answer(202, {"Location": "/v2/team/app/blobs/uploads/session-1"})
                def do_PUT(self):
                    self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    self.answer(400, {"Content-Type": "application/json"}, b'{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"refused"}]}')
                def do_DELETE(self): self.answer(204)
            s = http.server.HTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        }
    }

    var requests: [String] { logLines }
}

extension PythonServer {
    /// Python: `log` (appended to, line-buffered) and `Registry`, a request handler whose `answer`
    /// replies as a distribution registry does and whose `arrived` logs the request line.
    static func registryHandler(log: String) -> String {
        """
        import http.server
        log = open(\(log.debugDescription), "a", buffering=1)
        class Registry(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def arrived(self): log.write(self.command + " " + self.path + "\\n")
            def answer(self, code, headers={}, body=b""):
                self.send_response(code)
                for k, v in headers.items(): self.send_header(k, v)
                self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        """
    }
}

@Suite("upload sessions")
struct UploadCancelTests {
    @Test("a refused blob upload cancels its session: DELETE on the upload URL, after the PUT")
    func refusedUploadCancelled() async throws {
        let server = try RefusingUploadServer()
        defer { server.stop() }
        let data = Data("layer bytes".utf8)
        let descriptor = Descriptor(
            mediaType: MediaType.ociLayerGzip, digest: sha256Digest(Array(data)), size: Int64(data.count))
        let repository = try RegistryReference(parsing: "127.0.0.1:\(server.port)/team/app:1")
        await #expect(throws: RegistryError.self) {
            try await RegistryClient.with(
                configuration: RegistryConfiguration(credentials: NoCredentials(), retry: .none)
            ) {
                try await $0.pushBlob(repository, descriptor: descriptor, source: .data(data))
            }
        }
        let requests = server.requests
        let put = try #require(
            requests.firstIndex { $0.hasPrefix("PUT /v2/team/app/blobs/uploads/session-1") }, "\(requests)")
        #expect(
            requests.last == "DELETE /v2/team/app/blobs/uploads/session-1" && requests.count == put + 2, "\(requests)")
    }
}
