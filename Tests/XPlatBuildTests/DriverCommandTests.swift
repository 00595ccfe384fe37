import Foundation
import Testing
import XPlatDocker
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

struct DriverCommandTests {
    let request = BuildRequest(
        dockerfile: "ctx/Dockerfile", context: "ctx", platforms: [p("linux/amd64"), p("linux/arm64")],
        target: "runtime",
        buildArgs: ["VERSION=1"], output: .push, tags: ["127.0.0.1:5000/hello:1"],
        cacheFrom: [try! CacheSpec(parsing: "type=registry,ref=127.0.0.1:5000/hello:buildcache")],
        cacheTo: [
            try! CacheSpec(parsing: "type=registry,ref=127.0.0.1:5000/hello:buildcache,mode=max", direction: .export)
        ], network: .none)
    let engineNode = BuilderNode(
        name: "n2", endpoint: "unix:///run/xplat/d2.sock", driver: .engine, native: [p("linux/amd64")])

    @Test(
        """
        engine build: one platform, DOCKER_HOST per node, hermetic network, cache imported by the platform's and \
        the build's key, then as given
        """
    )
    func engine() {
        let c = DriverCommands(docker: "/usr/bin/docker", request: request, dockerfile: "/tmp/rw/Dockerfile")
            .engineBuild(platform: p("linux/arm64"), node: engineNode, export: .local(dest: "/w/roots/linux_arm64"))
        let own = request.cacheKey(for: [p("linux/arm64")]).digest, all = request.cacheKey.digest
        #expect(own != all)
        #expect(c.executable == "/usr/bin/docker")
        #expect(c.environment == ["DOCKER_BUILDKIT": "1", "DOCKER_HOST": "unix:///run/xplat/d2.sock"])
        #expect(
            c.arguments == [
                "build", "--platform", "linux/arm64", "--file", "/tmp/rw/Dockerfile", "--network=none",
                "--progress=plain",
                "--target", "runtime", "--build-arg", "VERSION=1",
                "--cache-from", "127.0.0.1:5000/hello:buildcache-\(own)",
                "--cache-from", "127.0.0.1:5000/hello:buildcache-\(all)", "--cache-from",
                "127.0.0.1:5000/hello:buildcache",
                "--output", "type=local,dest=/w/roots/linux_arm64", "ctx",
            ])
    }

    @Test("buildx build: one solve, several platforms, the solve's cache key, no attestations, metadata file")
    func buildx() {
        let commands = DriverCommands(
            docker: "docker", request: request, dockerfile: "ctx/Dockerfile",
            buildx: BuildxVersion(major: 0, minor: 10, patch: 5))
        let c = commands.buildxBuild(
            builder: "multi", platforms: [p("linux/amd64"), p("linux/arm64")],
            export: .push(tags: ["127.0.0.1:5000/hello:1"]), metadataFile: "/tmp/meta.json")
        let key = request.cacheKey.digest
        #expect(
            c.arguments == [
                "buildx", "build", "--builder", "multi", "--platform", "linux/amd64,linux/arm64",
                "--file", "ctx/Dockerfile", "--network=none", "--progress=plain", "--target", "runtime", "--build-arg",
                "VERSION=1",
                "--cache-from", "type=registry,ref=127.0.0.1:5000/hello:buildcache-\(key)",
                "--cache-from", "type=registry,ref=127.0.0.1:5000/hello:buildcache",
                "--cache-to", "type=registry,ref=127.0.0.1:5000/hello:buildcache-\(key),mode=max",
                "--provenance=false",
                "--tag", "127.0.0.1:5000/hello:1", "--push", "--metadata-file", "/tmp/meta.json", "ctx",
            ])
        let one = commands.buildxBuild(
            builder: "b", platforms: [p("linux/arm64")], export: .local(dest: "/w/roots/linux_arm64"), metadataFile: nil
        )
        let own = request.cacheKey(for: [p("linux/arm64")]).digest
        #expect(one.arguments.contains("type=local,dest=/w/roots/linux_arm64"))
        #expect(
            one.arguments.contains("type=registry,ref=127.0.0.1:5000/hello:buildcache-\(own),mode=max"),
            "a one-platform solve exports under its own key, so it never overwrites another node's cache")
    }

    @Test(
        "attestation flags follow buildx's version and the user's --provenance/--sbom",
        arguments: [
            ("v0.9.1", nil, nil, [String]()), ("v0.10.5", nil, nil, ["--provenance=false"]),
            ("v0.10.5", "mode=max", nil, ["--provenance=mode=max"]), ("v0.12.1", nil, "true", ["--sbom=true"]),
        ] as [(String, String?, String?, [String])])
    func attestations(_ version: String, _ provenance: String?, _ sbom: String?, _ flags: [String]) {
        var r = request
        r.provenance = provenance
        r.sbom = sbom
        let c = DriverCommands(
            docker: "docker", request: r, dockerfile: "Dockerfile", buildx: BuildxVersion.parse(version))
        #expect(c.attestationFlags(for: .local(dest: "o")) == flags)
        #expect(
            c.attestationFlags(for: .oci(dest: "o.tar")) == (flags == ["--provenance=false"] ? [] : flags),
            "the builder's OCI export keeps buildx's default provenance")
    }

    @Test("temporary per-node builders use the remote driver to the node's own BuildKit")
    func temporaryBuilders() throws {
        let d = DriverCommands(docker: "docker", request: request, dockerfile: "Dockerfile")
        let remote = BuilderNode(
            name: "arm0", endpoint: "unix:///run/bk-arm.sock", driver: .buildx(builder: "two", driver: .remote),
            native: [p("linux/arm64")])
        #expect(
            try #require(d.buildxCreate(name: "xplat-x-1", node: remote)).arguments
                == ["buildx", "create", "--name", "xplat-x-1", "--driver", "remote", "unix:///run/bk-arm.sock"])
        let container = BuilderNode(
            name: "multi1", endpoint: "unix:///var/run/docker.sock",
            driver: .buildx(builder: "multi", driver: .dockerContainer), native: [p("linux/arm64")])
        #expect(
            try #require(d.buildxCreate(name: "xplat-x-0", node: container)).arguments
                == [
                    "buildx", "create", "--name", "xplat-x-0", "--driver", "remote",
                    "docker-container://buildx_buildkit_multi1",
                ])
        let pods = BuilderNode(
            name: "k0", endpoint: "kubernetes:///k", driver: .buildx(builder: "k", driver: .kubernetes),
            native: [p("linux/arm64")])
        #expect(
            d.buildxCreate(name: "xplat-x-2", node: pods) == nil,
            "pods have no stable address: the builder itself is used")
        #expect(d.buildxRemove(name: "xplat-x-1").arguments == ["buildx", "rm", "--force", "xplat-x-1"])
    }

    @Test("cache keys differ by platform set and output mode")
    func cacheKeys() {
        let single = CacheKey(platforms: [p("linux/amd64")], outputMode: "local")
        let multiPush = CacheKey(platforms: [p("linux/arm64"), p("linux/amd64")], outputMode: "push")
        #expect(
            single.digest != multiPush.digest, "a single-platform local cache is never the multi-platform push cache")
        #expect(
            CacheKey(platforms: [p("linux/amd64"), p("linux/arm64")], outputMode: "push").digest == multiPush.digest,
            "order-independent")
        #expect(
            CacheKey(platforms: [p("linux/amd64"), p("linux/arm64")], outputMode: "local").digest != multiPush.digest)
    }

    @Test(
        "outputs parse like buildx; bad ones are rejected with the value",
        arguments: [
            ("type=local,dest=out", OutputSpec.local(dest: "out", split: nil)),
            ("out", .local(dest: "out", split: nil)),
            ("type=tar,dest=o.tar", .tar(dest: "o.tar")), ("type=oci,dest=o,tar=false", .oci(dest: "o", tar: false)),
            ("type=registry", .push), ("type=image,push=true", .push), ("type=docker", .load),
            ("-", .tar(dest: "-")), ("type=tar", .tar(dest: "-")), ("type=tar,dest=-", .tar(dest: "-")),
            ("type=oci", .oci(dest: "-", tar: true)),
            // Go's strconv.ParseBool, as BuildKit reads them (real buildx 0.10.5: `tar=f` and `tar=FALSE` wrote a
            // folder).
            ("type=oci,dest=o,tar=f", .oci(dest: "o", tar: false)),
            ("type=oci,dest=o,tar=FALSE", .oci(dest: "o", tar: false)),
            ("type=image,push=t", .push), ("type=local,dest=out,platform-split=1", .local(dest: "out", split: true)),
        ])
    func outputs(_ text: String, _ expected: OutputSpec) throws {
        #expect(try OutputSpec.parse(text) == expected)
    }

    @Test(
        "bad outputs and combinations",
        arguments: [
            "type=local", "type=s3,dest=x", "type=local,dest=-", "type=oci,tar=false",
            "type=local,dest=x,platform-split=maybe", "type=registry,compression=zstd",
            "type=docker,dest=x.tar", "type=local,dest=x,tar=true", "type=image,push=true,annotation-layer.k=v",
            "type=oci,dest=o,tar=tRuE",
        ])
    func badOutputs(_ text: String) {
        #expect(throws: BuildError.self) { try OutputSpec.parse(text) }
    }

    @Test("--load takes one platform; --push needs a tag")
    func validation() {
        var r = request
        r.output = .load
        #expect(throws: BuildError.self) { try r.validate() }
        r.output = .push
        r.tags = []
        #expect(throws: BuildError.self) { try r.validate() }
    }

    @Test(
        "--build-arg: an empty key is refused (\"=x\" is not key x); NAME and NAME= are accepted",
        arguments: [
            ("=x", false), ("=", false), ("", false), ("A-B=1", false), ("GOFLAGS=-x=y", true), ("NAME", true),
            ("NAME=", true),
        ])
    func buildArgKeys(_ arg: String, _ valid: Bool) {
        var r = request
        r.buildArgs = [arg]
        if valid {
            #expect(throws: Never.self) { try r.validate() }
        } else {
            #expect(throws: BuildError.self) { try r.validate() }
        }
    }

    @Test("buildx inspect: nodes, driver, pinned and detected platforms")
    func inspect() throws {
        let text = """
            Name:          multi
            Driver:        docker-container
            Last Activity: 2026-11-20 10:00:00 +0000 UTC

            Nodes:
            Name:      multi0
            Endpoint:  unix:///var/run/docker.sock
            Status:    running
            Buildkit:  v0.12.5
            Platforms: linux/amd64, linux/amd64/v2, linux/386, linux/arm64, linux/arm/v7

            Name:      multi1
            Endpoint:  ssh://pi
            Status:    running
            Buildkit:  v0.12.5
            Platforms: linux/arm64*, linux/arm/v7, linux/arm/v6
            """
        let inspection = try BuildxInspection.parse(text)
        let nodes = inspection.nodes.compactMap { NodeDiscovery.node(inspection, $0) }
        #expect(nodes.map(\.name) == ["multi0", "multi1"])
        #expect(nodes[0].driver == .buildx(builder: "multi", driver: .dockerContainer))
        #expect(nodes[0].buildPlatform == p("linux/amd64"))
        #expect(nodes[0].emulated.map(\.platform) == [p("linux/arm64"), p("linux/arm/v7")])
        #expect(nodes[1].pinned == [p("linux/arm64")])
        #expect(nodes[1].buildPlatform == p("linux/arm/v7"), "pinned platforms are not taken as the CPU's own")
    }

    @Test("engine discovery reads docker info per --node endpoint, in order")
    func engineDiscovery() async throws {
        let runner = RecordingRunner { c in
            if c.arguments.first == "info" {
                let arch = c.environment["DOCKER_HOST"] == "unix:///b.sock" ? "aarch64" : "x86_64"
                return CommandOutput(
                    exitCode: 0,
                    stdout: "{\"Architecture\":\"\(arch)\",\"OSType\":\"linux\",\"ServerVersion\":\"20.10.24\"}\n")
            }
            return CommandOutput(exitCode: 1, stderr: "unexpected")
        }
        let d = NodeDiscovery(
            runner: runner, docker: "/usr/bin/docker", environment: [:],
            probe: FixedEmulation([EmulatedPlatform(platform: p("linux/riscv64"), proven: true)]))
        let nodes = try await d.discover(
            nodes: [NodeSpec(name: "a", endpoint: "unix:///a.sock"), NodeSpec(name: "b", endpoint: "unix:///b.sock")],
            builder: nil, driver: .auto)
        #expect(nodes.map(\.name) == ["a", "b"])
        #expect(nodes.map(\.buildPlatform) == [p("linux/amd64"), p("linux/arm64")])
        #expect(runner.commands.allSatisfy { $0.arguments == ["info", "--format", "{{json .}}"] })
        let down = NodeDiscovery(
            runner: RecordingRunner { _ in
                CommandOutput(exitCode: 1, stderr: "Cannot connect to the Docker daemon at unix:///x.sock.")
            },
            docker: "docker", environment: [:], probe: FixedEmulation([]))
        await #expect(throws: BuildError.self) {
            try await down.discover(
                nodes: [NodeSpec(name: "x", endpoint: "unix:///x.sock")], builder: nil, driver: .engine)
        }
    }

    @Test(
        """
        without --node the engine is docker's: DOCKER_HOST, else the context DOCKER_CONTEXT names (resolved), \
        else the local socket
        """
    )
    func defaultEngineFollowsContext() async throws {
        let runner = RecordingRunner { c in
            if c.arguments.starts(with: ["context", "inspect"]) {
                return c.arguments[2] == "remote"
                    ? CommandOutput(exitCode: 0, stdout: "unix:///run/remote.sock\n")
                    : CommandOutput(exitCode: 1, stderr: "context \"\(c.arguments[2])\": context not found")
            }
            if c.arguments.first == "info" {
                return CommandOutput(
                    exitCode: 0,
                    stdout: "{\"Architecture\":\"x86_64\",\"OSType\":\"linux\",\"ServerVersion\":\"20.10.24\"}\n")
            }
            return CommandOutput(exitCode: 1, stderr: "unexpected")
        }
        func endpoint(_ environment: [String: String]) async throws -> String? {
            try await NodeDiscovery(
                runner: runner, docker: "/usr/bin/docker", environment: environment, probe: FixedEmulation([])
            )
            .discover(nodes: [], builder: nil, driver: .engine).first?.endpoint
        }
        #expect(try await endpoint(["DOCKER_CONTEXT": "remote"]) == "unix:///run/remote.sock")
        #expect(
            runner.commands.last?.environment["DOCKER_HOST"] == "unix:///run/remote.sock",
            "docker info asks the context's engine")
        #expect(
            try await endpoint(["DOCKER_CONTEXT": "remote", "DOCKER_HOST": "unix:///h.sock"]) == "unix:///h.sock",
            "DOCKER_HOST first, as docker")
        #expect(try await endpoint(["DOCKER_CONTEXT": "default"]) == "unix:///var/run/docker.sock")
        #expect(try await endpoint([:]) == "unix:///var/run/docker.sock")
        await #expect(throws: BuildError.self, "a context that does not exist is an error, not the local engine") {
            _ = try await endpoint(["DOCKER_CONTEXT": "nosuch"])
        }
    }

    // The child sleeps an hour: it can only be gone if it was killed. Had the runner merely waited for
    // it, the time limit fails the test instead of letting it hang.
    @Test(
        "a cancelled child build is killed, not waited for (swift-subprocess kills on cancellation)",
        .timeLimit(.minutes(1)))
    func cancellation() async throws {
        let pid = PIDBox()
        let task = Task {
            try await SubprocessRunner().stream(Command("/bin/sh", ["-c", "echo $$; exec sleep 3600"])) { kind, line in
                if kind == .stdout { pid.set(Int32(line) ?? 0) }
            }
        }
        var waited = 0
        while pid.value == 0, waited < 200 {
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
        let child = try #require(pid.value == 0 ? nil : pid.value, "the child never started")
        #expect(FileManager.default.fileExists(atPath: "/proc/\(child)"), "the child runs before the cancel")
        task.cancel()
        _ = try? await task.value
        #expect(
            !FileManager.default.fileExists(atPath: "/proc/\(child)"),
            "the child was killed and reaped after the cancel")
    }

    /// dockerd 20.10's answer to `docker save` of a missing image, as the real engine printed it.
    @Test(
        """
        a failed docker save names the engine holding the image: the node for the engine and buildx's docker \
        driver, the current context's engine for a remote builder
        """
    )
    func failedSaveNamesEngine() async throws {
        let runner = RecordingRunner { _ in
            CommandOutput(exitCode: 1, stderr: "Error response from daemon: reference does not exist\n")
        }
        let files = ImageExport(
            runner: runner, commands: DriverCommands(docker: "docker", request: request, dockerfile: "ctx/Dockerfile"))
        let folder = NSTemporaryDirectory() + "xplat-save-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let remote = BuilderNode(
            name: "r0", endpoint: "tcp://127.0.0.1:1234", driver: .buildx(builder: "r", driver: .remote),
            native: [p("linux/amd64")])
        let docker = BuilderNode(
            name: "default", endpoint: "default", driver: .buildx(builder: "default", driver: .docker),
            native: [p("linux/amd64")])
        for (node, named) in [(remote, "the current docker context's engine"), (docker, "default"), (engineNode, "n2")]
        {
            do {
                _ = try await files.saveFromEngine(
                    "app:1", node: node, platform: p("linux/amd64"), into: folder + "/" + node.name)
                Issue.record("a failed docker save must throw")
            } catch {
                #expect(
                    "\(error)".contains(
                        "cannot read the built image from \(named): docker save: Error response from daemon: reference "
                            + "does not exist"
                    ),
                    "\(error)")
            }
        }
        #expect(runner.commands.map(\.arguments.first) == ["save", "--context", "save"], "\(runner.commands)")
    }
}

/// A pid handed over from the output callback.
final class PIDBox: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: Int32 = 0
    func set(_ value: Int32) { lock.lock(); pid = value; lock.unlock() }
    var value: Int32 { lock.lock(); defer { lock.unlock() }; return pid }

}
