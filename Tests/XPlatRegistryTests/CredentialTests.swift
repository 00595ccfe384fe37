// Credentials from a real docker config file and a real `docker-credential-*` helper program of
// the tests' own (a shell script answering docker's helper protocol).

import Foundation
import Testing
import XPlatRegistry

struct CredentialTests {
    /// A fresh folder for one test's config and helper.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "xplat-creds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, to path: String, executable: Bool = false) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }

    /// A helper that logs its argument and stdin, knows one server, and says "credentials not found" otherwise.
    static func helper(in dir: String, name: String, server: String, user: String, secret: String) throws {
        try write(
            """
            #!/bin/sh
            read -r server
            printf '%s %s\\n' "$1" "$server" >>"\(dir)/\(name).log"
            if [ "$server" = "\(server)" ]; then
                printf '{"ServerURL":"%s","Username":"\(user)","Secret":"\(secret)"}\\n' "$server"
            else
                echo "credentials not found in native keychain"; exit 1
            fi
            """, to: "\(dir)/docker-credential-\(name)", executable: true)
    }

    @Test("auths: base64 user:password under the host, or under an https://HOST/v1/ key; Docker Hub's legacy key")
    func auths() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = Data("alice:s3cr:et".utf8).base64EncodedString()
        let b = Data("bob:pw".utf8).base64EncodedString()
        let h = Data("hub:hubpw".utf8).base64EncodedString()
        try Self.write(
            """
            {"auths": {"reg.example:5443": {"auth": "\(a)"}, "https://other.example/v1/": {"auth": "\(b)"},
                       "https://index.docker.io/v1/": {"auth": "\(h)", "identitytoken": "refresh-me"}}}
            """, to: "\(dir)/config.json")
        let creds = DockerCredentials(configDirectory: dir, helperSearchPath: [dir])
        #expect(
            try await creds.credential(for: "reg.example:5443") == Credential(username: "alice", password: "s3cr:et"))
        #expect(try await creds.credential(for: "other.example") == Credential(username: "bob", password: "pw"))
        #expect(
            try await creds.credential(for: "docker.io")
                == Credential(username: "hub", password: "hubpw", identityToken: "refresh-me"))
        #expect(try await creds.credential(for: "nobody.example") == nil)
    }

    @Test("credHelpers per registry, credsStore for the rest; a helper's 'credentials not found' is no login")
    func helpers() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.helper(in: dir, name: "xplattest", server: "helped.example:5443", user: "carol", secret: "from-helper")
        try Self.helper(in: dir, name: "xplatstore", server: "stored.example", user: "<token>", secret: "identity")
        try Self.write(
            #"{"credHelpers": {"helped.example:5443": "xplattest"}, "credsStore": "xplatstore", "auths": "#
                + #"{"stored.example": {}}}"#,
            to: "\(dir)/config.json")
        let creds = DockerCredentials(configDirectory: dir, helperSearchPath: ["/nonexistent", dir])
        #expect(
            try await creds.credential(for: "helped.example:5443")
                == Credential(username: "carol", password: "from-helper"))
        #expect(
            try await creds.credential(for: "stored.example")
                == Credential(username: "", password: "", identityToken: "identity"),
            "<token> as the user means an identity token")
        #expect(try await creds.credential(for: "unknown.example") == nil)
        let log = try String(contentsOfFile: "\(dir)/xplattest.log", encoding: .utf8)
        #expect(log == "get helped.example:5443\n", "the helper was run as `get` with the server on stdin")
    }

    @Test("a helper that is missing or fails is an error naming the helper and the registry")
    func helperErrors() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(#"{"credHelpers": {"a.example": "missing", "b.example": "broken"}}"#, to: "\(dir)/config.json")
        try Self.write(
            "#!/bin/sh\necho 'keychain locked' >&2\nexit 3\n", to: "\(dir)/docker-credential-broken", executable: true)
        let creds = DockerCredentials(configDirectory: dir, helperSearchPath: [dir])
        await #expect {
            _ = try await creds.credential(for: "a.example")
        } throws: { error in
            "\(error)".contains("docker-credential-missing is not on PATH") && "\(error)".contains("a.example")
        }
        await #expect {
            _ = try await creds.credential(for: "b.example")
        } throws: { error in
            "\(error)".contains("docker-credential-broken get failed: keychain locked")
        }
    }

    @Test("no config file is no login; a config that is not JSON is an error naming the file")
    func files() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let creds = DockerCredentials(environment: ["DOCKER_CONFIG": dir, "PATH": dir])
        #expect(creds.configFile == "\(dir)/config.json")
        #expect(try await creds.credential(for: "reg.example") == nil)
        try Self.write("{not json", to: "\(dir)/config.json")
        await #expect {
            _ = try await creds.credential(for: "reg.example")
        } throws: { error in
            "\(error)".contains("\(dir)/config.json is not a docker config")
        }
        #expect(DockerCredentials(environment: ["HOME": "/home/u"]).configFile == "/home/u/.docker/config.json")
    }
}
