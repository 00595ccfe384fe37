// xplat as a docker CLI plugin: the metadata docker's CLI asks for, and the invocation shape it
// uses (`docker-xplat [GLOBAL OPTIONS] xplat ARGS`, checked on docker 20.10 and 28.2: the CLI passes
// every argument it was given and sets DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND). The real CLIs
// run the plugin in the integration tests.

import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

@testable import XPlatCommands

struct DockerPluginTests {
    static let parent = ["DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND": "/usr/local/bin/docker"]

    @Test("docker-cli-plugin-metadata: one JSON object on stdout with the fields docker's CLI reads, exit 0")
    func metadata() async throws {
        let out = try await XPlatBinary.run(["docker-cli-plugin-metadata"])
        #expect(out.exitCode == 0 && out.stderr.isEmpty)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: String])
        #expect(object["SchemaVersion"] == "0.1.0", "docker's CLI refuses any other schema version")
        #expect(object["Vendor"] == "xplat" && object["Version"] == XPlatVersion.string)
        #expect(object["ShortDescription"]?.isEmpty == false)
    }

    @Test(
        "docker's global options become the docker client's environment; xplat's own arguments follow `xplat`",
        arguments: [
            (
                ["--config", "/c", "--context", "ctx", "xplat", "build", "--builder", "b", "."],
                ["build", "--builder", "b", "."],
                ["DOCKER_CONFIG": "/c", "DOCKER_CONTEXT": "ctx", "DOCKER_HOST": nil]
            ),
            (
                ["-H", "unix:///x.sock", "--debug", "-l", "warn", "xplat", "plan", "."], ["plan", "."],
                ["DOCKER_HOST": "unix:///x.sock"]
            ),
            (
                [
                    "-c=ctx", "--tlsverify", "--tlscacert", "/t/ca.pem", "--tlscert=/t/cert.pem", "--tlskey",
                    "/t/key.pem", "xplat", "build", ".",
                ],
                ["build", "."],
                ["DOCKER_CONTEXT": "ctx", "DOCKER_HOST": nil, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/t"]
            ),
            (["--context", "default", "xplat", "build", "."], ["build", "."], ["DOCKER_CONTEXT": "default"]),
            (["xplat"], [], [:]),
            (["help", "xplat"], ["--help"], [:]),
            (["help", "xplat", "build"], ["build", "--help"], [:]),
        ])
    func invocation(_ arguments: [String], _ own: [String], _ environment: [String: String?]) throws {
        let run = try #require(try DockerPlugin.invocation(arguments: arguments, environment: Self.parent))
        #expect(run == DockerPlugin.Invocation(arguments: own, environment: environment))
    }

    @Test("without docker's CLI as parent, or without `xplat` after the options, arguments are xplat's own")
    func notPlugin() throws {
        #expect(try DockerPlugin.invocation(arguments: ["xplat", "build", "."], environment: [:]) == nil)
        #expect(try DockerPlugin.invocation(arguments: ["build", "."], environment: Self.parent) == nil)
    }

    @Test("a global option xplat cannot pass on is a usage error naming it")
    func refused() throws {
        let bogus = try #require(
            #expect(throws: XPlatFailure.self) {
                try DockerPlugin.invocation(arguments: ["--bogus", "xplat", "build"], environment: Self.parent)
            })
        #expect(bogus.exitCode == XPlatExit.usage && bogus.message.contains("--bogus"), "\(bogus)")
        let certificate = try #require(
            #expect(throws: XPlatFailure.self) {
                try DockerPlugin.invocation(
                    arguments: ["--tlscacert", "/t/my-ca.crt", "xplat", "build"], environment: Self.parent)
            })
        #expect(
            certificate.exitCode == XPlatExit.usage && certificate.message.contains("--tlscacert"), "\(certificate)")
    }
}
