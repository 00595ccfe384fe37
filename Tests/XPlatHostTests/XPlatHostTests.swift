import Foundation
import Testing
import XPlatDocker
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatHost

/// The fixture trees (recorded host roots) shipped as test resources.
enum Fixture {
    static var directory: String { Bundle.module.resourcePath! + "/Fixtures" }
    static func root(_ name: String) -> String { directory + "/" + name }
    /// The source copy, for `XPLAT_UPDATE_GOLDEN=1`.
    static func sourceRoot(_ name: String, file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().path + "/Fixtures/" + name
    }

    /// A writable copy of a fixture tree (for `--fix`), removed by the caller.
    static func copy(_ name: String) throws -> String {
        let dest = NSTemporaryDirectory() + "xplat-fixture-\(name)-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: root(name), toPath: dest)
        return dest
    }

    static func roots(_ path: String) -> HostRoots {
        var roots = HostRoots.tree(at: path)
        roots.unameMachine = "x86_64"
        return roots
    }

    /// Recorded exec proofs per fixture: what the real prover reported on a machine in that state.
    static func proofs(_ name: String) -> [Platform: ExecProof] {
        let p = { (s: String) in try! Platform(parsing: s) }
        switch name {
        case "debian-ok":
            return Dictionary(
                uniqueKeysWithValues: ["linux/386", "linux/arm64", "linux/arm/v7", "linux/riscv64"].map {
                    (p($0), ExecProof(platform: p($0), outcome: .ran, exitCode: 42))
                } + [
                    (
                        p("linux/s390x"),
                        ExecProof(platform: p("linux/s390x"), outcome: .execFailed, error: "Exec format error")
                    )
                ])
        case "missing-interpreter":
            return [
                p("linux/riscv64"): ExecProof(
                    platform: p("linux/riscv64"), outcome: .execFailed, error: "No such file or directory")
            ]
        case "no-fix-binary":
            return [p("linux/arm64"): ExecProof(platform: p("linux/arm64"), outcome: .ran, exitCode: 42)]
        default:
            return [:]
        }
    }

    static func report(_ name: String, at path: String? = nil, requested: [Platform]? = nil) async throws
        -> DoctorReport
    {
        let facts = try await HostProbe.probe(
            roots: roots(path ?? root(name)), environment: [:], runner: RecordingRunner(),
            prover: FixedExecProver(proofs(name)), options: ProbeOptions(platforms: requested, engine: false))
        return DoctorJudge.judge(facts, requested: requested)
    }
}

@Suite struct HostProbeGoldenTests {
    static let cases = [
        "debian-ok", "no-fix-binary", "duplicates", "unmounted", "disabled", "missing-interpreter", "old-kernel",
    ]

    @Test("text report matches the golden file", arguments: cases)
    func golden(name: String) async throws {
        let report = try await Fixture.report(name)
        let text = DoctorRenderer.text(
            DoctorOutcome(report: report, changes: [], unfixable: []), style: Style(enabled: false))
        let goldenPath = Fixture.sourceRoot(name) + "/expected.txt"
        #expect(
            text == (try GoldenFile.expected(text, at: goldenPath)),
            "\(name): rendered report differs from \(goldenPath)")
    }

    @Test func debianOkVerdicts() async throws {
        let r = try await Fixture.report("debian-ok")
        #expect(r.verdict(for: try Platform(parsing: "linux/arm64"))?.verdict == .emulatedProven)
        #expect(
            r.verdict(for: try Platform(parsing: "linux/arm/v7"))?.via == "qemu-arm", "matched by magic, not by name")
        #expect(r.verdict(for: try Platform(parsing: "linux/amd64/v3"))?.verdict == nil)
        #expect(r.verdict(for: try Platform(parsing: "linux/ppc64le"))?.verdict == .missing)
        #expect(r.findings.allSatisfy { $0.id != .notPersistent }, "binfmt.d confs make the entries persistent")
        #expect(
            r.facts.binfmt.entries.first { $0.entry.name == "jar" }?.platforms == [],
            "extension entries claim no platform")
    }

    @Test("a binfmt.d line that does not parse is a finding quoting file, line and value")
    func malformedBootConfigIsReported() async throws {
        let tree = try Fixture.copy("debian-ok")
        defer { try? FileManager.default.removeItem(atPath: tree) }
        let conf = tree + "/usr/lib/binfmt.d/broken.conf"
        #expect(
            FileManager.default.createFile(
                atPath: conf, contents: Data("# comment\n:qemu-x:M:0:\\x7f:\\xff\\xff:/i:F\n".utf8)))
        let r = try await Fixture.report("debian-ok", at: tree)
        let finding = try #require(r.findings.first { $0.id == .bootConfigMalformed })
        #expect(finding.severity == .warning)
        #expect(
            finding.message.contains("/usr/lib/binfmt.d/broken.conf") && finding.message.contains(":2"),
            "names the file and line: \(finding.message)")
        #expect(r.facts.persistence.malformed.count == 1)
    }

    @Test func amd64LevelJudgedFromCPUFlags() async throws {
        let v4 = try Platform(parsing: "linux/amd64/v4")
        let v3 = try Platform(parsing: "linux/amd64/v3")
        let r = try await Fixture.report("debian-ok", requested: [v3, v4])
        #expect(r.verdict(for: v3)?.verdict == .native)
        #expect(r.verdict(for: v4)?.verdict == .missing, "fixture CPU has no AVX-512")
        #expect(r.exitCode == 1, "a requested platform cannot be built")
    }

    @Test func requestedPlatformsFilterFindingsAndExitCode() async throws {
        let r = try await Fixture.report("debian-ok", requested: [try Platform(parsing: "linux/riscv64")])
        #expect(r.host.map(\.platform.description) == ["linux/riscv64"])
        #expect(r.exitCode == 0)
        let s = try await Fixture.report("debian-ok", requested: [try Platform(parsing: "linux/s390x")])
        #expect(s.exitCode == 1)
        #expect(s.unbuildable.map(\.description) == ["linux/s390x"])
    }

    @Test func failedProofIsAnErrorWithTheExactMessage() async throws {
        let r = try await Fixture.report("missing-interpreter")
        let v = r.verdict(for: try Platform(parsing: "linux/riscv64"))
        #expect(v?.verdict == .missing)
        #expect(v?.reason == "exec failed: No such file or directory")
        #expect(r.findings.contains { $0.id == .execFailed && $0.severity == .error })
        #expect(
            r.findings.contains { $0.id == .entryPartialMatch && $0.subject == "qemu-aarch64" },
            "mask without 0xfe on e_type misses PIE")
    }

    @Test func noFixBinaryIsUnprovenForContainers() async throws {
        let r = try await Fixture.report("no-fix-binary")
        #expect(r.verdict(for: try Platform(parsing: "linux/arm64"))?.verdict == .emulatedUnproven)
        #expect(r.findings.contains { $0.id == .entryNoFixBinary })
        #expect(r.findings.contains { $0.id == .interpreterNotStatic && $0.message.contains("ld-linux") })
    }

    @Test func oldKernelAndCredentials() async throws {
        let r = try await Fixture.report("old-kernel")
        #expect(r.facts.kernel.supportsFixBinary == false)
        #expect(r.findings.contains { $0.id == .kernelNoFixBinary })
        #expect(r.findings.contains { $0.id == .entryCredentials && $0.severity == .note })
    }

    @Test func jsonSchemaIsStable() async throws {
        let r = try await Fixture.report("duplicates")
        let text = try DoctorRenderer.json(DoctorOutcome(report: r, changes: [], unfixable: []))
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(object["schema"] as? String == "xplat.doctor/v1")
        #expect(
            Set(object.keys) == [
                "schema", "ok", "exitCode", "requested", "host", "nodes", "findings", "changes", "unfixable", "facts",
            ]
                || Set(object.keys) == [
                    "schema", "ok", "exitCode", "host", "nodes", "findings", "changes", "unfixable", "facts",
                ])
        let host = object["host"] as! [[String: Any]]
        #expect(
            host.contains {
                $0["platform"] as? String == "linux/arm64" && $0["verdict"] as? String == "emulated (unproven)"
            })
        let decoded = try JSONDecoder().decode(
            HostFacts.self, from: JSONSerialization.data(withJSONObject: object["facts"]!))
        #expect(decoded == r.facts, "facts round-trip through the JSON form")
    }
}

@Suite struct BinfmtModelTests {
    @Test(
        "each table pattern maps to its own platform only, ET_EXEC and ET_DYN", arguments: ArchitectureTable.baseEntries
    )
    func identity(row: ArchitectureInfo) {
        let matches = ELFIdentity.rows(matching: row.binfmt)
        #expect(matches.contains { $0.0.platform == row.platform && $0.1 == .full }, "\(row.platform)")
        #expect(
            matches.allSatisfy { ELFIdentity.sameIdentity($0.0, row) },
            "\(row.platform) matches \(matches.map(\.0.platform))")
    }

    @Test func parseErrorsNameFileLineAndValue() {
        #expect(
            throws: HostProbeError.malformedEntry(
                file: "/x/qemu-foo", line: 3, value: "offset z", reason: "offset is not a number")
        ) {
            try BinfmtEntry.parse(name: "qemu-foo", text: "enabled\ninterpreter /q\noffset z\n", file: "/x/qemu-foo")
        }
        #expect(throws: HostProbeError.self) {
            try RegisterLine.parse(":a:M:0:\\x7f:\\xff\\xff:/i:F", file: "f.conf", line: 2)
        }
    }

    @Test func registerLineRoundTripsAndShowsLikeTheKernel() throws {
        let row = try #require(try Platform(parsing: "linux/arm64").info)
        let line = RegisterLine(
            name: "qemu-aarch64", pattern: row.binfmt, interpreter: "/usr/bin/qemu-aarch64-static", flags: "CF")
        let parsed = try RegisterLine.parse(line.description, file: "x", line: 1)
        #expect(parsed == line)
        let shown = try BinfmtEntry.parse(name: "qemu-aarch64", text: line.entry.kernelText, file: "x")
        #expect(shown.flags == "OCF", "the kernel shows O with C")
        #expect(shown.pattern == row.binfmt)
    }

    @Test func interpreterStaticnessIsReadFromProgramHeaders() {
        let root = Fixture.root("no-fix-binary")
        let dyn = InterpreterInspector.inspect(registered: "/usr/bin/qemu-aarch64", at: root + "/usr/bin/qemu-aarch64")
        #expect(dyn.isELF && !dyn.isStatic && dyn.programInterpreter == "/lib64/ld-linux-x86-64.so.2")
        let st = InterpreterInspector.inspect(registered: "p", at: root + "/usr/libexec/qemu-binfmt/aarch64-binfmt-P")
        #expect(st.isStatic)
        #expect(
            InterpreterInspector.qemuVersion(
                fromVersionOutput: "qemu-aarch64 version 7.2.22 (Debian 1:7.2+dfsg-7)\nCopyright") == "7.2.22")
    }
}

@Suite struct BinfmtFixTests {
    @Test func registersReplacementForBrokenSoleEntry() async throws {
        let tree = try Fixture.copy("missing-interpreter")
        defer { try? FileManager.default.removeItem(atPath: tree) }
        let riscv = try Platform(parsing: "linux/riscv64")
        let before = try await Fixture.report("missing-interpreter", at: tree, requested: [riscv])
        let plan = BinfmtFixer.plan(before, roots: Fixture.roots(tree), removeDuplicates: false)
        #expect(
            plan.actions.map(\.description) == [
                "remove entry qemu-riscv64 (broken for linux/riscv64: interpreter /usr/bin/qemu-riscv64-static "
                    + "missing)",
                "register qemu-riscv64 (linux/riscv64 handler replaced): "
                    + RegisterLine(
                        name: "qemu-riscv64", pattern: riscv.info!.binfmt,
                        interpreter: "/usr/libexec/qemu-binfmt/riscv64-binfmt-P", flags: "PF"
                    ).description,
            ])
        try BinfmtFixer.apply(plan.actions, writer: DirectoryBinfmtWriter(path: Fixture.roots(tree).binfmtMisc)) { _ in
        }
        let facts = try await HostProbe.probe(
            roots: Fixture.roots(tree), environment: [:], runner: RecordingRunner(),
            prover: FixedExecProver(), options: ProbeOptions(engine: false))
        let entry = try #require(facts.binfmt.entries.first { $0.entry.name == "qemu-riscv64" })
        #expect(entry.entry.fixBinary && entry.interpreter.isStatic && entry.platforms == [riscv])
    }

    @Test func mountsThenRegistersEveryInstalledInterpreter() async throws {
        let tree = try Fixture.copy("unmounted")
        defer { try? FileManager.default.removeItem(atPath: tree) }
        let roots = Fixture.roots(tree)
        let outcome = try await Doctor.run(
            DoctorOptions(engine: false, fix: true), roots: roots, environment: [:], runner: RecordingRunner(),
            prover: FixedExecProver(), writer: DirectoryBinfmtWriter(path: roots.binfmtMisc))
        #expect(outcome.changes.first == "mount binfmt_misc on /proc/sys/fs/binfmt_misc")
        let registered = outcome.changes.filter { $0.hasPrefix("register ") }.map { $0.split(separator: " ")[1] }
        #expect(registered == ["qemu-aarch64", "qemu-arm", "qemu-riscv64", "qemu-ppc64le", "qemu-s390x"])
        #expect(outcome.unfixable.contains { $0.hasPrefix("linux/mips64le: no static qemu-mips64el") })
        for name in ["linux/arm64", "linux/arm/v7", "linux/riscv64", "linux/ppc64le", "linux/s390x"] {
            #expect(
                outcome.report.verdict(for: try Platform(parsing: name))?.verdict == .emulatedUnproven,
                "\(name) registered")
        }
    }

    @Test func duplicatesRemovedOnlyWhenAskedAndWorkingEntriesUntouched() async throws {
        let tree = try Fixture.copy("duplicates")
        defer { try? FileManager.default.removeItem(atPath: tree) }
        let report = try await Fixture.report(
            "duplicates", at: tree,
            requested: [try Platform(parsing: "linux/arm64"), try Platform(parsing: "linux/s390x")])
        #expect(BinfmtFixer.plan(report, roots: Fixture.roots(tree), removeDuplicates: false).actions.isEmpty)
        let plan = BinfmtFixer.plan(report, roots: Fixture.roots(tree), removeDuplicates: true)
        #expect(plan.actions == [.remove(name: "aarch64", reason: "broken duplicate of qemu-aarch64 for linux/arm64")])
    }

    @Test func dryRunChangesNothing() async throws {
        let tree = try Fixture.copy("disabled")
        defer { try? FileManager.default.removeItem(atPath: tree) }
        let roots = Fixture.roots(tree)
        let before = try FileManager.default.contentsOfDirectory(atPath: roots.binfmtMisc).sorted()
        let outcome = try await Doctor.run(
            DoctorOptions(platforms: [try Platform(parsing: "linux/s390x")], engine: false, fix: true, dryRun: true),
            roots: roots, environment: [:], runner: RecordingRunner(), prover: FixedExecProver(),
            writer: DirectoryBinfmtWriter(path: roots.binfmtMisc))
        #expect(outcome.changes.first == "would enable binfmt_misc (echo 1 > /proc/sys/fs/binfmt_misc/status)")
        #expect(outcome.changes.contains { $0.hasPrefix("would remove entry qemu-s390x (disabled") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: roots.binfmtMisc).sorted() == before)
        #expect(try String(contentsOfFile: roots.binfmtMisc + "/status", encoding: .utf8) == "disabled\n")
    }
}

@Suite struct EngineParsingTests {
    // From docs.docker.com/reference/cli/docker/buildx/ls (buildx 0.13+ tree form).
    static let newText = """
        NAME/NODE           DRIVER/ENDPOINT                   STATUS    BUILDKIT   PLATFORMS
        elated_tesla*       docker-container
         \\_ elated_tesla0    \\_ unix:///var/run/docker.sock   running   v0.10.3    linux/amd64
         \\_ elated_tesla1    \\_ ssh://ubuntu@1.2.3.4          running   v0.10.3    linux/arm64*, linux/arm/v7, linux/arm/v6
        default             docker
         \\_ default          \\_ default                       running   v0.8.2     linux/amd64
        """
    // Older buildx (0.10-0.12) table form.
    static let oldText = """
        NAME/NODE       DRIVER/ENDPOINT STATUS  BUILDKIT             PLATFORMS
        default         docker
          default       default         running v0.11.7+d3e6c1360f6e linux/arm64, linux/amd64, linux/amd64/v2, linux/riscv64, linux/386, linux/mips64, linux/arm/v7
        desktop-linux * docker
          desktop-linux desktop-linux   running v0.11.7+d3e6c1360f6e linux/arm64, linux/amd64
        """

    @Test func newTableForm() throws {
        let b = BuildxListing.parseText(Self.newText)
        #expect(b.map(\.name) == ["elated_tesla", "default"])
        #expect(b[0].current && b[0].driver == "docker-container")
        #expect(b[0].nodes.map(\.endpoint) == ["unix:///var/run/docker.sock", "ssh://ubuntu@1.2.3.4"])
        #expect(b[0].nodes[1].platforms.map(\.description) == ["linux/arm64", "linux/arm/v7", "linux/arm/v6"])
        #expect(b[1].nodes[0].buildkitVersion == "v0.8.2")
    }

    @Test func oldTableFormKeepsUnknownPlatforms() {
        let b = BuildxListing.parseText(Self.oldText)
        #expect(b.map(\.name) == ["default", "desktop-linux"])
        #expect(b[1].current && !b[0].current)
        #expect(b[0].nodes[0].platforms.count == 6)
        #expect(
            b[0].nodes[0].unparsedPlatforms == ["linux/mips64"],
            "big-endian mips64 is not in the table: kept, not dropped")
    }

    @Test func jsonForm() throws {
        let json = """
            {"Name":"builder","Driver":"docker-container","LastActivity":"2024-04-10T10:00:00Z","Dynamic":false,"Nodes":[{"Name":"builder0","Endpoint":"unix:///var/run/docker.sock","Status":"running","Version":"v0.13.2","IDs":["x"],"Platforms":[{"architecture":"amd64","os":"linux"},{"architecture":"arm","os":"linux","variant":"v7"}]}]}
            {"Name":"default","Driver":"docker","Nodes":[{"Name":"default","Endpoint":"default","Status":"running","Platforms":["linux/amd64","linux/386"]}]}
            """
        let b = try BuildxListing.parseJSON(json)
        #expect(b.count == 2)
        #expect(b[0].nodes[0].platforms.map(\.description) == ["linux/amd64", "linux/arm/v7"])
        #expect(b[1].nodes[0].platforms.map(\.description) == ["linux/amd64", "linux/386"])
        #expect(throws: BuildxListingError(line: 2, value: "not json", reason: "not a JSON object")) {
            try BuildxListing.parseJSON("{\"Name\":1}\nnot json")
        }
    }

    @Test func clientsOnPathAndBuildKitRoute() async throws {
        let tree = NSTemporaryDirectory() + "xplat-engine-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: tree) }
        for dir in ["/usr/local/bin", "/usr/bin"] {
            try FileManager.default.createDirectory(atPath: tree + dir, withIntermediateDirectories: true)
            #expect(
                FileManager.default.createFile(
                    atPath: tree + dir + "/docker", contents: Data(), attributes: [.posixPermissions: 0o755]))
        }
        let runner = RecordingRunner { command in
            let new = command.executable.hasSuffix("/usr/local/bin/docker")
            if command.arguments == ["buildx", "version"] {
                return CommandOutput(
                    exitCode: 1,
                    stderr: new
                        ? "docker: unknown command: docker buildx\n" : "docker: 'buildx' is not a docker command.\n")
            }
            let version =
                new
                ? #"{"Client":{"Version":"28.2.2","ApiVersion":"1.50"},"Server":null}"#
                : #"{"Client":{"Platform":{"Name":""},"Version":"20.10.24+dfsg1","ApiVersion":"1.41"},"Server":null}"#
            return CommandOutput(exitCode: 1, stdout: version + "\n", stderr: "Cannot connect to the Docker daemon\n")
        }
        var roots = HostRoots.tree(at: tree)
        roots.dockerSockets = [tree + "/var/run/docker.sock"]
        let engine = await EngineProbe.probe(
            roots: roots, environment: ["XPLAT_REGISTRY": "127.0.0.1:1"], runner: runner)
        #expect(engine.clients.map(\.path) == ["/usr/local/bin/docker", "/usr/bin/docker"])
        #expect(engine.clients[0].buildKitVia == nil && engine.clients[1].buildKitVia == "built-in")
        #expect(engine.buildClient == "/usr/bin/docker")
        // XPLAT_DOCKER is built with as it is, even a client that cannot reach BuildKit: doctor says so.
        let named = await EngineProbe.probe(
            roots: roots, environment: ["XPLAT_REGISTRY": "127.0.0.1:1", "XPLAT_DOCKER": "/usr/local/bin/docker"],
            runner: runner)
        #expect(named.buildClient == "/usr/local/bin/docker")
        #expect(!engine.daemon.reachable && !engine.registry.reachable && engine.registry.configured)
        let far = await EngineProbe.probeRegistry(environment: ["XPLAT_REGISTRY": "registry.example.com:5000"])
        #expect(far.error?.contains("not a loopback address") == true, "never contacts non-loopback hosts")
    }
}

@Suite struct ProbeBinaryTests {
    @Test("every generated probe is a static ELF of its platform", arguments: ProbeBinaries.all.map(\.platform))
    func probeShape(platform: String) throws {
        let p = try Platform(parsing: platform)
        let bytes = try #require(ProbeExecProver.probe(for: p)?.bytes)
        let row = try #require(p.info)
        #expect(
            row.binfmt.matches(bytes) || row.elfMachine == ELFMachine.x86_64 || row.elfMachine == ELFMachine.i386,
            "QEMU's pattern for \(platform) matches its probe")
        #expect(bytes.count < 1024, "\(platform) probe is \(bytes.count) bytes")
        let path = NSTemporaryDirectory() + "xplat-probe-shape-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let facts = InterpreterInspector.inspect(registered: path, at: path)
        #expect(facts.isStatic && facts.elfMachine == row.elfMachine)
    }

    @Test func nativeProbeRunsAndExits42() async throws {
        var u = utsname()
        uname(&u)
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let native = try #require(ArchitectureTable.platform(unameMachine: machine))
        let proofs = try await ProbeExecProver().prove([native])
        #expect(
            proofs[native]?.outcome == .ran && proofs[native]?.exitCode == 42, "\(String(describing: proofs[native]))")
    }
}
