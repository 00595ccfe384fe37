// References, WWW-Authenticate challenges, retry delays: pure parsing, no network.

import Foundation
import Testing
import XPlatRegistry

struct ReferenceTests {
    @Test(
        "docker's reading of image references",
        arguments: [
            ("busybox", "docker.io", "library/busybox", "latest" as String?, nil as String?),
            ("docker://golang:1.19", "docker.io", "library/golang", "1.19", nil),
            ("index.docker.io/team/app:2", "docker.io", "team/app", "2", nil),
            ("xplat-registry.test:5443/team/app:1", "xplat-registry.test:5443", "team/app", "1", nil),
            ("localhost/app", "localhost", "app", "latest", nil),
            ("127.0.0.1:5000/a/b/c", "127.0.0.1:5000", "a/b/c", "latest", nil),
            (
                "reg.example/app@sha256:" + String(repeating: "ab", count: 32), "reg.example", "app", nil,
                "sha256:" + String(repeating: "ab", count: 32)
            ),
        ])
    func parse(_ text: String, _ registry: String, _ repository: String, _ tag: String?, _ digest: String?) throws {
        let r = try RegistryReference(parsing: text)
        #expect(r.registry == registry)
        #expect(r.repository == repository)
        #expect(r.tag == tag)
        #expect(r.digest == digest)
    }

    @Test(
        "bad references say what a reference is",
        arguments: ["", "Team/App:1", "reg.example/app@sha256:12", "a b", "reg.example//x", "x:"])
    func bad(_ text: String) {
        #expect(throws: RegistryError.self) { try RegistryReference(parsing: text) }
    }

    @Test("Docker Hub is served from registry-1.docker.io; the reference asks for the digest first")
    func hub() throws {
        let r = try RegistryReference(parsing: "busybox:1.36")
        #expect(r.apiHost == "registry-1.docker.io")
        #expect(r.with(reference: "sha256:" + String(repeating: "0", count: 64)).reference.hasPrefix("sha256:"))
        #expect(r.description == "docker.io/library/busybox:1.36")
    }
}

struct ChallengeTests {
    let op = RegistryOperation(registry: "r.example", repository: "a", reference: "1", action: "pull")

    @Test("Bearer challenges as Docker Hub and GHCR send them")
    func bearer() throws {
        let hub = try AuthChallenge(
            parsing:
                #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io","#
                + #"scope="repository:library/busybox:pull""#,
            operation: op)
        #expect(hub.scheme == .bearer)
        #expect(hub.realm == "https://auth.docker.io/token")
        #expect(hub.service == "registry.docker.io")
        #expect(hub.parameters["scope"] == "repository:library/busybox:pull")
        let ghcr = try AuthChallenge(
            parsing: #"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/a:pull,push""#,
            operation: op)
        #expect(ghcr.parameters["scope"] == "repository:o/a:pull,push", "a comma inside quotes stays in the value")
        let error = try AuthChallenge(
            parsing: #"bearer realm="https://t.example/x", error="insufficient_scope", service=svc"#, operation: op)
        #expect(error.parameters["error"] == "insufficient_scope")
        #expect(error.service == "svc", "unquoted values too")
    }

    @Test("Basic challenges, escaped quotes; unknown schemes and realm-less Bearer are errors")
    func basic() throws {
        let b = try AuthChallenge(parsing: #"Basic realm="xplat \"test\" realm""#, operation: op)
        #expect(b.scheme == .basic)
        #expect(b.realm == #"xplat "test" realm"#)
        #expect(throws: RegistryError.self) { try AuthChallenge(parsing: "Negotiate abc", operation: op) }
        #expect(throws: RegistryError.self) { try AuthChallenge(parsing: "Bearer service=x", operation: op) }
    }
}

struct RetryOptionTests {
    @Test("doubling delays up to the cap; Retry-After when it is smaller than the cap; 5xx and 429 are retried")
    func delays() {
        let r = RetryOptions(retries: 5, initialDelay: .milliseconds(100), maxDelay: .milliseconds(350))
        #expect(
            [1, 2, 3, 4].map { r.delay(attempt: $0) } == [
                .milliseconds(100), .milliseconds(200), .milliseconds(350), .milliseconds(350),
            ])
        let s = RetryOptions(retries: 1, initialDelay: .milliseconds(100), maxDelay: .seconds(10))
        #expect(s.delay(attempt: 1, retryAfter: "2") == .seconds(2))
        #expect(
            s.delay(attempt: 1, retryAfter: "60") == .milliseconds(100),
            "a Retry-After beyond the cap is not waited for")
        #expect([429, 500, 502, 503, 504].allSatisfy(RetryOptions.isRetryable(status:)))
        #expect(![200, 401, 403, 404, 400].contains(where: RetryOptions.isRetryable(status:)))
    }

    @Test(
        "loopback hosts may use plain HTTP; others only when listed as insecure",
        arguments: [
            ("127.0.0.1:5000", true), ("localhost:5000", true), ("[::1]:5000", true), ("localhost", true),
            ("xplat-registry.test:5443", false), ("reg.example", false), ("insecure.example:5000", true),
        ])
    func plain(_ registry: String, _ allowed: Bool) {
        let c = RegistryConfiguration(insecureRegistries: ["insecure.example:5000"], credentials: NoCredentials())
        #expect(c.allowsPlainHTTP(registry) == allowed)
    }
}
