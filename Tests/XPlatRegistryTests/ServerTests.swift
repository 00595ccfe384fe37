// The client against real servers: a small Python HTTP server of the tests' own that answers 503
// and 429 before 200 (retries), the same server behind TLS with a certificate made by openssl
// (docker's per-registry CA folder), and a port nobody listens on.

import Foundation
import Testing
import XPlatRegistry

/// A Python script serving HTTP on 127.0.0.1 (a free port, which it prints first) and logging to
/// `log`; stopped by `stop()`. The servers below are scripts of this kind.
class PythonServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    let log = NSTemporaryDirectory() + "xplat-server-\(UUID().uuidString).log"

    /// `script(log)`: the script's text for a log file path.
    init(script: (String) -> String) throws {
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script(log)]
        process.standardOutput = pipe
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard let port = Int(line) else {
            process.terminate()
            throw ServerError.noPort(line)
        }
        self.port = port
    }

    enum ServerError: Error { case noPort(String) }

    /// The log's lines.
    var logLines: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// SIGKILL: a test runner may hand its children a signal mask that blocks SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: log)
    }
}

/// A Python http.server answering GET /v2/ from a script of statuses and logging each request line
/// (and each accepted connection).
final class ScriptedServer: PythonServer, @unchecked Sendable {
    /// `statuses`: what the first requests get (then 200, with `body`); `tls`: (certificate, key) files.
    init(statuses: [Int], retryAfter: String? = nil, tls: (String, String)? = nil, body okBody: String = "{}") throws {
        try super.init { log in
            """
            import http.server, ssl, sys
            statuses = \(statuses)
            log = open(\(log.debugDescription), "a", buffering=1)
            class H(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def do_GET(self):
                    log.write(self.command + " " + self.path + "\\n")
                    code = statuses.pop(0) if statuses else 200
                    body = b'{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}' if code != 200 else \(okBody.debugDescription).encode()
                    self.send_response(code)
                    if code == 429 and \((retryAfter != nil) ? "True" : "False"):
                        self.send_header("Retry-After", "\(retryAfter ?? "")")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
            class S(http.server.HTTPServer):
                def verify_request(self, request, address):
                    log.write("CONNECTION\\n")
                    return True
            s = S(("127.0.0.1", 0), H)
            \(tls.map { "c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(\($0.0.debugDescription), \($0.1.debugDescription)); s.socket = c.wrap_socket(s.socket, server_side=True)" } ?? "pass")
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        }
    }

    var requests: [String] { logLines.filter { $0 != "CONNECTION" } }

    /// How many TCP connections the server accepted.
    var connections: Int { logLines.filter { $0 == "CONNECTION" }.count }
}

struct RetryServerTests {
    static let fast = RetryOptions(retries: 3, initialDelay: .milliseconds(20), maxDelay: .milliseconds(100))

    @Test("503, 503, then 200: retried with backoff, three requests in all")
    func retriesServerErrors() async throws {
        let server = try ScriptedServer(statuses: [503, 503])
        defer { server.stop() }
        let status = try await RegistryClient.with(
            configuration: RegistryConfiguration(credentials: NoCredentials(), retry: Self.fast)
        ) {
            try await $0.ping("127.0.0.1:\(server.port)")
        }
        #expect(status == 200)
        #expect(server.requests == ["GET /v2/", "GET /v2/", "GET /v2/"])
    }

    @Test("429 with Retry-After: 0 is retried; 503 past the last retry is an error naming the registry and the status")
    func rateLimitAndGiveUp() async throws {
        let limited = try ScriptedServer(statuses: [429], retryAfter: "0")
        defer { limited.stop() }
        let config = RegistryConfiguration(credentials: NoCredentials(), retry: Self.fast)
        #expect(
            try await RegistryClient.with(configuration: config) { try await $0.ping("127.0.0.1:\(limited.port)") }
                == 200)
        #expect(limited.requests.count == 2)

        let down = try ScriptedServer(statuses: [503, 503, 503, 503, 503])
        defer { down.stop() }
        await #expect {
            _ = try await RegistryClient.with(configuration: config) { try await $0.ping("127.0.0.1:\(down.port)") }
        } throws: { error in
            guard case .status(let op, 503, let detail) = error as? RegistryError else { return false }
            return op.registry == "127.0.0.1:\(down.port)" && detail == "UNAVAILABLE try later"
                && "\(error)".contains("registry 127.0.0.1:\(down.port) answered HTTP 503")
        }
        #expect(down.requests.count == 4, "the first attempt and three retries")
    }

    /// HTTPS first, as docker does; a plain-HTTP server fails that handshake, and the client must
    /// move to HTTP at once. AsyncHTTPClient's own connection retries made that a dozen TLS
    /// attempts and 5 s (its connect timeout) on every run against a loopback registry.
    @Test("a plain-HTTP loopback registry: one HTTPS attempt, then HTTP, without connection retries")
    func plainHTTPFallsBackAtOnce() async throws {
        let server = try ScriptedServer(statuses: [])
        defer { server.stop() }
        let status = try await RegistryClient.with(
            configuration: RegistryConfiguration(credentials: NoCredentials(), retry: Self.fast)
        ) {
            try await $0.ping("127.0.0.1:\(server.port)")
        }
        #expect(status == 200)
        #expect(server.requests == ["GET /v2/"])
        #expect(server.connections == 2, "one refused TLS handshake and one HTTP connection")
    }

    @Test("a blob whose bytes do not hash to the digest asked for is a digest mismatch, not data")
    func digestChecked() async throws {
        let server = try ScriptedServer(statuses: [])
        defer { server.stop() }
        let wanted = "sha256:" + String(repeating: "0", count: 64)
        let reference = try RegistryReference(parsing: "127.0.0.1:\(server.port)/team/app:1")
        await #expect {
            _ = try await RegistryClient.with(
                configuration: RegistryConfiguration(credentials: NoCredentials(), retry: .none)
            ) {
                try await $0.blob(reference, digest: wanted)
            }
        } throws: { error in
            guard case .digestMismatch(_, let expected, let actual) = error as? RegistryError else { return false }
            return expected == wanted && actual == sha256Digest(Array("{}".utf8))
        }
        #expect(server.requests == ["GET /v2/team/app/blobs/\(wanted)"])
    }

    @Test("a catalog page that is not a catalog is bad content naming the registry, not an empty list")
    func badCatalog() async throws {
        let server = try ScriptedServer(statuses: [], body: "[\"team/app\"]")
        defer { server.stop() }
        await #expect {
            _ = try await RegistryClient.with(
                configuration: RegistryConfiguration(credentials: NoCredentials(), retry: .none)
            ) {
                try await $0.repositories("127.0.0.1:\(server.port)")
            }
        } throws: { error in
            guard case .badContent(let op, let why) = error as? RegistryError else { return false }
            return op.registry == "127.0.0.1:\(server.port)" && why.hasPrefix("not a repository catalog")
        }
        let listed = try ScriptedServer(statuses: [], body: #"{"repositories": ["team/app"]}"#)
        defer { listed.stop() }
        let names = try await RegistryClient.with(
            configuration: RegistryConfiguration(credentials: NoCredentials(), retry: .none)
        ) {
            try await $0.repositories("127.0.0.1:\(listed.port)")
        }
        #expect(names == ["team/app"])
    }

    @Test("nothing listening: unreachable, naming the registry, within the connect timeout")
    func unreachable() async throws {
        let config = RegistryConfiguration(
            credentials: NoCredentials(), retry: RetryOptions(retries: 1, initialDelay: .milliseconds(10)),
            connectTimeout: .milliseconds(300))
        let start = ContinuousClock.now
        await #expect {
            _ = try await RegistryClient.with(configuration: config) { try await $0.ping("127.0.0.1:9") }
        } throws: { error in
            guard case .unreachable(let op, _) = error as? RegistryError else { return false }
            return op.registry == "127.0.0.1:9" && !"\(error)".contains("NSError") && !"\(error)".contains("Domain=")
        }
        // A hang detector: two connect timeouts (0.3 s each: the try and its retry) take 0.6 s alone,
        // the default timeout (5 s, twice) would take 10 s. The bound sits between, high enough for
        // the full suite's load on 2 cores (5.1 s measured there: its tasks wait for the cooperative
        // pool other suites hold), low enough to fail if the timeout were not applied.
        #expect(ContinuousClock.now - start < .seconds(9), "gave up after \(ContinuousClock.now - start)")
    }
}

struct TLSServerTests {
    /// A self-signed certificate for localhost and 127.0.0.1, made with openssl in `dir`.
    static func certificate(in dir: String) throws -> (String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", "\(dir)/key.pem", "-out",
            "\(dir)/cert.pem",
        ]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return ("\(dir)/cert.pem", "\(dir)/key.pem")
    }

    @Test(
        """
        an HTTPS registry with an unknown CA is a TLS error saying what to trust; its CA in \
        certs.d/HOST:PORT/ca.crt makes it work
        """
    )
    func perRegistryCA() async throws {
        let dir = NSTemporaryDirectory() + "xplat-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/certs.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (cert, key) = try Self.certificate(in: dir)
        let server = try ScriptedServer(statuses: [], tls: (cert, key))
        defer { server.stop() }
        let host = "localhost:\(server.port)"
        let untrusting = RegistryConfiguration(
            certsDirectory: dir + "/certs.d", credentials: NoCredentials(), retry: .none)
        await #expect {
            _ = try await RegistryClient.with(configuration: untrusting) { try await $0.ping(host) }
        } throws: { error in
            guard case .tls(let op, let reason) = error as? RegistryError else { return false }
            return op.registry == host && reason == "the registry's certificate is not signed by a trusted CA"
                && "\(error)".contains("/certs.d/\(host)/ca.crt")
        }
        try FileManager.default.createDirectory(atPath: "\(dir)/certs.d/\(host)", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: cert, toPath: "\(dir)/certs.d/\(host)/ca.crt")
        let status = try await RegistryClient.with(configuration: untrusting) { try await $0.ping(host) }
        #expect(status == 200)
        #expect(server.requests == ["GET /v2/"], "one request over TLS (the failed handshake sent none)")
    }

    /// True when the test registry's name resolves (Scripts/secure-registry-up adds it to /etc/hosts).
    static var testNameResolves: Bool {
        ((try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? "").contains(SecureRegistry.name)
    }

    @Test(
        """
        plain HTTP to a host name that is neither loopback nor listed insecure is refused, with the action; \
        listed, it works
        """,
        .enabled(if: testNameResolves, "needs \(SecureRegistry.name) in /etc/hosts (Scripts/secure-registry-up)"))
    func plainRefused() async throws {
        let server = try ScriptedServer(statuses: [])
        defer { server.stop() }
        let host = "\(SecureRegistry.name):\(server.port)"
        let strict = RegistryConfiguration(credentials: NoCredentials(), retry: .none)
        await #expect {
            _ = try await RegistryClient.with(configuration: strict) { try await $0.ping(host) }
        } throws: { error in
            guard case .insecureRefused(let op) = error as? RegistryError else { return false }
            return op.registry == host && "\(error)".contains("insecure-registries")
        }
        let listed = RegistryConfiguration(insecureRegistries: [host], credentials: NoCredentials(), retry: .none)
        #expect(try await RegistryClient.with(configuration: listed) { try await $0.ping(host) } == 200)
    }
}
