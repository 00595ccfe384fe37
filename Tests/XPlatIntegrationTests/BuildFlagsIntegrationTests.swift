// buildx's build flags through the real engine (dockerd 20.10's BuildKit, `docker build`), run as a
// user runs them: the xplat binary. One two-platform build carries every flag the engine supports
// and each assertion reads its effect from the OCI layout xplat wrote: a secret read in a RUN, an
// ssh agent's socket present, an added host in /etc/hosts, a label in each platform's config, annotations where buildx
// places them, the iidfile and `-q` holding the
// index digest. A second, one-platform build reads its context as a tar from standard input.

import Foundation
import Testing
import XPlatRegistry
import XPlatSupport
import XPlatTestSupport

/// A busybox context whose one RUN reports what the flags gave it.
private enum FlagsContext {
    static let dockerfile = """
        FROM busybox
        RUN --mount=type=secret,id=token --mount=type=secret,id=envtoken --mount=type=ssh \\
            { echo "token=$(cat /run/secrets/token)"; echo "envtoken=$(cat /run/secrets/envtoken)"; \\
              if [ -S "$SSH_AUTH_SOCK" ]; then echo "ssh=socket"; else echo "ssh=none"; fi; \\
              grep db.internal /etc/hosts; } > /report.txt

        """

    static func make(in dir: String) throws -> String {
        let context = dir + "/ctx"
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try dockerfile.write(toFile: context + "/Dockerfile", atomically: true, encoding: .utf8)
        return context
    }
}

/// A running `ssh-agent` of the test's own, stopped by `stop()`.
private struct SSHAgent {
    let socket: String
    let pid: String

    static func start(in dir: String) async throws -> SSHAgent {
        let socket = dir + "/agent.sock"
        let out = try await SubprocessRunner().run(Command("ssh-agent", ["-a", socket, "-s"]))
        try #require(out.succeeded, "ssh-agent starts: \(out.stderr)")
        let pid = try #require(
            out.stdout.split(separator: ";").first { $0.contains("SSH_AGENT_PID=") }?.split(separator: "=").last)
        return SSHAgent(socket: socket, pid: String(pid))
    }

    /// Stops the agent and waits (up to 2 s) until it is gone: it unlinks its socket as it exits,
    /// which would race the removal of the test's folder.
    func stop() {
        guard let p = Int32(pid), kill(p, SIGTERM) == 0 else { return }
        for _ in 0..<200 where kill(p, 0) == 0 { usleep(10_000) }
    }
}

@Suite("Build flags on the engine", .serialized)
struct BuildFlagsIntegrationTests {
    @Test(
        """
        one two-platform build with --secret (file and env), --ssh, --add-host, --label, --annotation, \
        --iidfile, -q: each flag's effect in both platforms
        """,
        BuildEngine.enabled(bases: ["busybox"]))
    func everyEngineFlag() async throws {
        guard await BuildEngine.usable("everyEngineFlag", bases: ["busybox"]) else { return }
        let dir = try BuildEngine.temporaryDirectory("xplat-it-flags")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let context = try FlagsContext.make(in: dir)
        try "from-a-file".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        let agent = try await SSHAgent.start(in: dir)
        defer { agent.stop() }
        let layout = dir + "/image", iid = dir + "/iid"
        let run = try await SubprocessRunner().run(
            Command(
                BuildEngine.binary,
                [
                    "build", "-q", "--network", "none", "--platform", "linux/amd64,linux/arm64", "-o",
                    "type=oci,dest=\(layout),tar=false",
                    "--secret", "id=token,src=\(dir)/token", "--secret", "id=envtoken,env=XPLAT_IT_TOKEN", "--ssh",
                    "default",
                    "--add-host", "db.internal:10.1.2.3",
                    "--label", "org.example.flavour=flags", "--annotation", "index:org.example.index=yes",
                    "--annotation", "org.example.manifest=yes", "--annotation",
                    "manifest-descriptor[linux/arm64]:org.example.arm=yes",
                    "--iidfile", iid, "--no-verify", context,
                ],
                environment: [
                    "XPLAT_IT_TOKEN": "from-the-environment", "SSH_AUTH_SOCK": agent.socket, "NO_COLOR": "1",
                    "TMPDIR": dir,
                ]))
        try #require(run.exitCode == 0, "\(run.stderr)")

        let top = try JSONDecoder().decode(
            Index.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")))
        let indexDigest = try #require(top.manifests.first?.digest)
        #expect(run.stdout == indexDigest + "\n", "-q prints only the image id, here the index digest, as buildx does")
        #expect(BuildEngine.read(iid) == indexDigest, "--iidfile holds the index digest of the whole build")
        let index = try JSONDecoder().decode(Index.self, from: blob(layout, indexDigest))
        #expect(index.annotations?["org.example.index"] == "yes", "index: annotations go on the index")
        #expect(index.manifests.map { $0.platform?.description } == ["linux/amd64", "linux/arm64"])
        for entry in index.manifests {
            let platform = entry.platform?.description ?? "?"
            #expect(
                (entry.annotations?["org.example.arm"] == "yes") == (platform == "linux/arm64"),
                "manifest-descriptor[linux/arm64]: only that entry")
            let manifest = try JSONDecoder().decode(Manifest.self, from: blob(layout, entry.digest))
            #expect(
                manifest.annotations?["org.example.manifest"] == "yes",
                "an untyped annotation goes on each manifest (\(platform))")
            let config = try JSONSerialization.jsonObject(with: blob(layout, manifest.config.digest)) as? [String: Any]
            let labels = (config?["config"] as? [String: Any])?["Labels"] as? [String: String]
            #expect(labels?["org.example.flavour"] == "flags", "--label in \(platform)'s config")
            let report = try reportText(
                layout, manifest, dir: dir + "/\(platform.replacingOccurrences(of: "/", with: "_"))")
            #expect(report.contains("token=from-a-file"), "\(platform): the file secret read in RUN: \(report)")
            #expect(
                report.contains("envtoken=from-the-environment"), "\(platform): the env secret read in RUN: \(report)")
            #expect(report.contains("ssh=socket"), "\(platform): the ssh agent's socket is there: \(report)")
            #expect(
                report.contains("10.1.2.3") && report.contains("db.internal"),
                "\(platform): --add-host in /etc/hosts: \(report)")
            #expect(!report.contains("run/secrets"), "no secret file is left in the image")
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [
                "agent.sock", "ctx", "iid", "image", "linux_amd64", "linux_arm64", "token",
            ],
            "no temporary files (the env secret's file included) left in TMPDIR")
    }

    @Test(
        "context `-`: a tar on standard input, --load -q prints the loaded image's id, which --iidfile holds too",
        BuildEngine.enabled(bases: ["busybox"]))
    func contextFromStandardInput() async throws {
        guard await BuildEngine.usable("contextFromStandardInput", bases: ["busybox"]) else { return }
        let dir = try BuildEngine.temporaryDirectory("xplat-it-stdin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let context = dir + "/ctx"
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox\nCOPY note.txt /note.txt\nRUN cat /note.txt\n".write(
            toFile: context + "/Dockerfile", atomically: true, encoding: .utf8)
        try "from a tar on stdin\n".write(toFile: context + "/note.txt", atomically: true, encoding: .utf8)
        let tag = "xplat-it-flags/stdin:\(getpid())"
        let script =
            "tar -C \(context) -cf - . | \(ShellQuote.quote(BuildEngine.binary)) build -q --network none --platform "
            + "linux/amd64 --load -t \(tag) --iidfile \(dir)/iid -"
        let run = try await SubprocessRunner().run(Command("sh", ["-c", script], environment: ["NO_COLOR": "1"]))
        try #require(run.exitCode == 0, "\(run.stderr)")
        let inspect = try await SubprocessRunner().run(
            Command(BuildEngine.docker, ["image", "inspect", "--format", "{{.Id}}", tag]))
        defer { Task { _ = try? await SubprocessRunner().run(Command(BuildEngine.docker, ["rmi", "--force", tag])) } }
        let id = inspect.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("sha256:") && run.stdout == id + "\n", "-q prints the loaded image's id: \(run.stdout)")
        #expect(BuildEngine.read(dir + "/iid") == id)
    }

    @Test(
        "-o -: a tar of the root on standard output, xplat's own lines on stderr",
        BuildEngine.enabled(bases: ["busybox"]))
    func outputToStandardOutput() async throws {
        guard await BuildEngine.usable("outputToStandardOutput", bases: ["busybox"]) else { return }
        let dir = try BuildEngine.temporaryDirectory("xplat-it-stdout")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let context = dir + "/ctx"
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox\nRUN echo from-stdout > /note.txt\n".write(
            toFile: context + "/Dockerfile", atomically: true, encoding: .utf8)
        let script =
            "\(ShellQuote.quote(BuildEngine.binary)) build --network none --platform linux/amd64 --no-verify -o - "
            + "\(context) > \(dir)/root.tar"
        let run = try await SubprocessRunner().run(
            Command("sh", ["-c", script], environment: ["NO_COLOR": "1", "TMPDIR": dir]))
        try #require(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("output: -"), "the result lines go to stderr: \(run.stderr)")
        let note = try await SubprocessRunner().run(Command("tar", ["-xOf", "\(dir)/root.tar", "./note.txt"]))
        #expect(note.stdout == "from-stdout\n", "stdout held the root as a tar: \(note.stderr)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["ctx", "root.tar"],
            "no temporary files left")
    }

    @Test(
        """
        --cache-to type=inline on the engine: the pushed config carries BuildKit's inline cache, and a later \
        build imports the image as given
        """,
        BuildEngine.enabled(bases: ["busybox"]))
    func inlineCache() async throws {
        guard await BuildEngine.usable("inlineCache", bases: ["busybox"]) else { return }
        let dir = try BuildEngine.temporaryDirectory("xplat-it-inline")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let context = dir + "/ctx"
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox\nRUN echo inline > /note.txt\n".write(
            toFile: context + "/Dockerfile", atomically: true, encoding: .utf8)
        let tag = "\(BuildEngine.registry)/xplat-it-flags/inline:\(getpid())"
        let push = try await SubprocessRunner().run(
            Command(
                BuildEngine.binary,
                [
                    "build", "--network", "none", "--platform", "linux/arm64", "--no-verify", "--push", "-t", tag,
                    "--cache-to", "type=inline", context,
                ], environment: ["NO_COLOR": "1"]))
        try #require(push.exitCode == 0, "\(push.stderr)")
        let config = try await SubprocessRunner().run(
            Command(
                "skopeo",
                [
                    "inspect", "--config", "--raw", "--tls-verify=false", "--override-arch", "arm64",
                    "docker://\(tag)",
                ]))
        #expect(
            config.stdout.contains("\"moby.buildkit.cache.v0\""),
            "the inline cache survives docker save and xplat's push: \(config.stdout.prefix(300))")
        // The docker client through a wrapper that logs each call's arguments.
        let wrapper = dir + "/docker"
        try "#!/bin/sh\necho \"$*\" >> \(dir)/docker.log\nexec \(BuildEngine.docker) \"$@\"\n".write(
            toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        let reuse = try await SubprocessRunner().run(
            Command(
                BuildEngine.binary,
                [
                    "build", "--network", "none", "--platform", "linux/arm64", "--no-verify", "--cache-from", tag, "-o",
                    "type=local,dest=\(dir)/out", context,
                ], environment: ["NO_COLOR": "1", "XPLAT_DOCKER": wrapper]))
        try #require(reuse.exitCode == 0, "\(reuse.stderr)")
        #expect(
            BuildEngine.read(dir + "/docker.log").contains("--cache-from \(tag) "),
            "the image is read as given, besides the keyed tags")
    }

    /// A blob of an OCI layout.
    private func blob(_ layout: String, _ digest: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(digest.dropFirst("sha256:".count))"))
    }

    /// `/report.txt` from the manifest's last layer.
    private func reportText(_ layout: String, _ manifest: Manifest, dir: String) throws -> String {
        let layer = try #require(manifest.layers.last)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = ["-xzf", "\(layout)/blobs/sha256/\(layer.digest.dropFirst("sha256:".count))", "-C", dir]
        try process.run()
        process.waitUntilExit()
        return BuildEngine.read(dir + "/report.txt")
    }
}
