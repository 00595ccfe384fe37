// `xplat bake` without an engine: buildx's recorded `bake --print` JSON (Recordings/bake, real
// buildx v0.10.5) read into targets, mapped onto build requests, ordered and planned; the keys of
// newer buildx; the refusals that come before anything builds.

import Foundation
import Testing
import XPlatDocker
import XPlatPlatform
import XPlatRegistry
import XPlatSupport
import XPlatTestSupport

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

/// A recorded case, printed through xplat's own `printBake` from its transcript.
private func printed(_ bakeCase: BakeCase) async throws -> BakePrint {
    let transcript = try Transcript.load(Bundle.module.resourcePath! + "/Recordings/bake/\(bakeCase.name).json")
    let service = BuildService(
        runner: TranscriptReplayer(transcript, placeholders: Placeholders([])), docker: "docker",
        environment: [:], probe: FixedEmulation([]), verifier: nil, rewriter: nil)
    // printArguments is `buildx bake --print` and then the targets: the case's arguments, in order.
    return try await service.printBake(BakeInvocation(targets: bakeCase.arguments))
}

private let options = BakeOptions(defaultPlatforms: [p("linux/amd64")], network: NetworkMode.none)

/// The options of a bake run in the case's folder (where buildx printed its relative paths).
private func options(inFolderOf bakeCase: BakeCase) -> BakeOptions {
    var o = options
    o.directory = bakeCase.absoluteDirectory
    return o
}

private func requests(_ definition: BakeDefinition) throws -> [String: BuildRequest] {
    var out: [String: BuildRequest] = [:]
    for (name, target) in definition.targets {
        out[name] = try BakeMapping.request(for: target, options: options, inlineDirectory: { "/nonexistent" })
    }
    return out
}

@Suite("bake: buildx's definition")
struct BakeDefinitionTests {
    @Test("the group of three targets: variables, the function, inherits, three platform sets")
    func group() async throws {
        let print = try await printed(BakeRecordings.group)
        #expect(print.buildx == "v0.10.5")
        let d = print.definition
        #expect(d.groups["default"] == ["tool", "app", "debug"])
        #expect(Set(d.targets.keys) == ["tool", "app", "debug"])
        let r = try requests(d)
        #expect(r["tool"]?.platforms == [p("linux/amd64")])
        #expect(r["app"]?.platforms == [p("linux/amd64"), p("linux/arm64")])
        #expect(r["debug"]?.platforms == [p("linux/amd64"), p("linux/arm64"), p("linux/arm/v7")])
        // One context and Dockerfile, three solves: different stages and args.
        #expect(Set(r.values.map(\.dockerfile)) == ["ctx/Dockerfile"])
        #expect(r["tool"]?.target == "tool" && r["app"]?.target == "app" && r["debug"]?.target == "app")
        #expect(r["app"]?.buildArgs == ["GREETING=hello"])
        #expect(r["debug"]?.buildArgs == ["GREETING=debug"])  // inherits app, overrides the arg
        #expect(r["debug"]?.tags == ["127.0.0.1:5000/xplat-bake/debug:dev"])  // the function's result
        #expect(r["tool"]?.output == OutputSpec.none)
    }

    @Test("target: contexts: the target built on comes first and reaches the dependent as a named context")
    func linked() async throws {
        let d = try await printed(BakeRecordings.linked).definition
        #expect(Set(d.targets.keys) == ["derived", "base"])  // buildx prints the linked target too
        #expect(try BakeMapping.order(d) == ["base", "derived"])
        let r = try requests(d)
        #expect(r["derived"]?.buildContexts == [NamedContext(name: "base", source: .target("base"))])
        #expect(r["derived"]?.dockerfile == "ctx/Dockerfile.derived")
        #expect(r["base"]?.output == OutputSpec.none)  // buildx drops a linked target's outputs
    }

    @Test("--set *.platform and --push reach every target; variables from the environment")
    func setPlatformPush() async throws {
        let r = try requests(try await printed(BakeRecordings.setPlatformPush).definition)
        #expect(Set(r.keys) == ["tool", "app"])
        for request in r.values {
            #expect(request.platforms == [p("linux/amd64"), p("linux/arm64")])
            #expect(request.output == .push)
        }
        #expect(r["tool"]?.tags == ["xplat-registry.test:5443/xplat-bake/tool:set"])
    }

    @Test("a compose file: buildx reads x-bake.platforms, not build.platforms; xplat builds what buildx printed")
    func compose() async throws {
        let d = try await printed(BakeRecordings.compose).definition
        #expect(d.targets["web"]?.platforms == [])  // build.platforms: not read by buildx 0.10.5
        let r = try requests(d)
        #expect(r["web"]?.platforms == [p("linux/amd64")])  // the default platform, as buildx builds it
        #expect(r["web"]?.buildArgs == ["GREETING=compose"])
        #expect(r["worker"]?.platforms == [p("linux/amd64"), p("linux/arm/v7")])
        #expect(r["worker"]?.target == "tool")
    }

    @Test("a file buildx rejects (a matrix for buildx 0.10.5), an unknown target: buildx's own message")
    func rejected() async throws {
        for bakeCase in [BakeRecordings.matrix, BakeRecordings.missingTarget] {
            let transcript = try Transcript.load(Bundle.module.resourcePath! + "/Recordings/bake/\(bakeCase.name).json")
            let said = transcript.entries.last!.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(transcript.entries.last!.exitCode != 0)
            do {
                _ = try await printed(bakeCase)
                Issue.record("\(bakeCase.name): accepted")
            } catch let error as BuildError {
                guard case .bake(let message) = error else { Issue.record("\(error)"); continue }
                #expect(message == said)
            }
        }
    }

    @Test(
        """
        the keys of buildx 0.12 to 0.19 are read and mean what the same flags mean to xplat build; a value that \
        does not parse names target and field
        """
    )
    func newerKeys() throws {
        let json = """
            {"target": {"a": {"context": ".", "annotations": ["index:org.opencontainers.image.title=a"], "output": ["type=oci,dest=a.tar"]},
                        "b": {"context": ".", "shm-size": "128m"}, "c": {"context": ".", "ulimits": ["nofile=1024:2048"]},
                        "d": {"context": ".", "labels": {"x": "1", "dropped": null}}, "e": {"context": ".", "secret": ["id=s,env=HOME"]},
                        "f": {"context": ".", "contexts": {"alpine": "docker-image://alpine:3.18"}}, "g": {"context": ".", "pull": true},
                        "h": {"context": ".", "network": "host", "no-cache-filter": ["build"]},
                        "i": {"context": ".", "annotations": ["org.opencontainers.image.title=i"]},
                        "j": {"context": ".", "shm-size": "lots"},
                        "k": {"context": ".", "entitlements": ["network.host"], "description": "for people", "call": "build"},
                        "l": {"context": ".", "call": "check"}}}
            """
        let d = try BakeDefinition.parse(json)
        var withEnvironment = options
        withEnvironment.environment = ["HOME": "/root"]  // the env= secret's source
        let o = withEnvironment
        let r = { (name: String) in
            try BakeMapping.request(for: d.targets[name]!, options: o, inlineDirectory: { "/x" })
        }
        #expect(try r("a").annotations.map(\.key) == ["org.opencontainers.image.title"])
        #expect(try r("b").shmSize == 128 << 20)
        #expect(try r("c").ulimits == [Ulimit(name: "nofile", soft: 1024, hard: 2048)])
        #expect(try r("d").labels == ["x": "1"])
        #expect(try r("e").secrets.map(\.id) == ["s"])
        #expect(try r("f").buildContexts == [NamedContext(name: "alpine", source: .image("alpine:3.18"))])
        #expect(try r("g").pull)
        #expect(try r("h").network == .host && r("h").noCacheFilter == ["build"])
        // An annotation needs an image (as xplat build): none without an output.
        #expect(throws: BuildError.self) { try r("i") }
        do {
            _ = try r("j")
            Issue.record("shm-size \"lots\" accepted")
        } catch { #expect("\(error)".hasPrefix("target \"j\": shm-size \"lots\""), "\(error)") }
        #expect(try r("k").allow == [.networkHost])  // buildx 0.18+'s entitlements are --allow
        #expect(throws: BuildError.self) { try r("l") }  // call=check builds nothing
    }

    @Test("a key xplat does not know is an error quoting it, not dropped")
    func unknownKey() {
        #expect(
            throws: BakeDefinitionError(
                target: "a", key: "extra-hosts",
                reason:
                    "a bake field xplat does not know; it would be dropped, so xplat stops (xplat knows "
                    + "\(BakeDefinition.knownKeys.sorted().joined(separator: ", ")))"
            )
        ) {
            try BakeDefinition.parse(#"{"target": {"a": {"extra-hosts": ["h=1.2.3.4"]}}}"#)
        }
        #expect(throws: BakeDefinitionError.self) {
            try BakeDefinition.parse(#"{"target": {"a": {"platforms": "linux/amd64"}}}"#)
        }
    }

    @Test(
        """
        attest entries (what --provenance/--sbom become in bake) are --attest values; several outputs are \
        refused as buildx refuses them
        """
    )
    func attestAndOutputs() throws {
        var t = BakeTarget(name: "a")
        t.attest = ["type=provenance,mode=max", "type=sbom,enabled=false"]
        let r = try BakeMapping.request(for: t, options: options, inlineDirectory: { "/x" })
        #expect(r.attests.map(\.type) == ["provenance", "sbom"] && r.attests.map(\.enabled) == [true, false])
        t.attest = []
        t.outputs = ["type=local,dest=a", "type=tar,dest=b"]
        #expect(throws: BuildError.self) {
            try BakeMapping.request(for: t, options: options, inlineDirectory: { "/x" })
        }
        t.outputs = ["type=tar"]  // buildx: standard output; a bake's targets write to files
        #expect(throws: BuildError.self) {
            try BakeMapping.request(for: t, options: options, inlineDirectory: { "/x" })
        }
    }

    @Test("an inline Dockerfile is written to a file of its own; a cycle of target: contexts is refused")
    func inlineAndCycle() throws {
        let dir = try makeTemporaryDirectory("xplat-bake-inline")
        defer { removeTree(dir) }
        var t = BakeTarget(name: "inline")
        t.dockerfileInline = "FROM busybox\n"
        let r = try BakeMapping.request(for: t, options: options, inlineDirectory: { dir })
        #expect(r.dockerfile == "\(dir)/inline.Dockerfile")
        #expect(try String(contentsOfFile: r.dockerfile, encoding: .utf8) == "FROM busybox\n")
        var a = BakeTarget(name: "a"), b = BakeTarget(name: "b")
        a.contexts = ["x": "target:b"]
        b.contexts = ["y": "target:a"]
        // buildx 0.10.5 refuses both in --print ("infinite loop from b to a", "failed to find target
        // nosuch"); xplat's own check names the target too.
        #expect(throws: BuildError.bake("target \"a\": its target: contexts form a cycle")) {
            try BakeMapping.order(BakeDefinition(targets: ["a": a, "b": b]))
        }
        a.contexts = ["x": "target:nowhere"]
        #expect(
            throws: BuildError.bake(
                "target \"a\": context target:nowhere names no target of the definition (targets: a)")
        ) {
            try BakeMapping.order(BakeDefinition(targets: ["a": a]))
        }
    }

    @Test("paths are joined and cleaned as buildx joins them (Go's path.Clean)")
    func paths() {
        #expect(BakeMapping.clean("./hack/dockerfiles/lint.Dockerfile") == "hack/dockerfiles/lint.Dockerfile")
        #expect(BakeMapping.clean("ctx/../other//Dockerfile") == "other/Dockerfile")
        #expect(BakeMapping.clean("/a/./b/../../..") == "/")
        #expect(BakeMapping.clean("./.") == ".")
        #expect(BakeMapping.clean("../up") == "../up")
        #expect(BakeMapping.resolve(".", in: "/w/bake") == "/w/bake")
    }

    @Test("the print command line: files, sets, then buildx's shorthands, then targets")
    func printArguments() {
        let invocation = BakeInvocation(
            files: ["a.hcl", "b.hcl"], sets: ["*.platform=linux/arm64"], targets: ["app"], push: true,
            noCache: true, provenance: "mode=max")
        #expect(
            invocation.printArguments == [
                "buildx", "bake", "--print", "--file", "a.hcl", "--file", "b.hcl", "--set",
                "*.platform=linux/arm64", "--push", "--no-cache=true", "--provenance=mode=max", "app",
            ])
        #expect(
            BakeRecordings.setPlatformPush.commandLine
                == BakeInvocation(
                    files: ["docker-bake.hcl"], sets: ["*.platform=linux/amd64,linux/arm64"], targets: ["tool", "app"],
                    push: true
                ).printArguments)
    }
}

@Suite("bake: plan")
struct BakePlanTests {
    let engine = BuilderNode(
        name: "default", endpoint: "unix:///var/run/docker.sock", driver: .engine, native: [p("linux/amd64")],
        emulated: [p("linux/arm64"), p("linux/arm/v7")].map { EmulatedPlatform(platform: $0, proven: true) })

    func service() -> BuildService {
        BuildService(
            runner: TranscriptReplayer(Transcript(tools: ""), placeholders: Placeholders([])), docker: "docker",
            environment: [:], probe: FixedEmulation([]), verifier: nil, rewriter: CrossRewrite.rewriter)
    }

    @Test("one plan for the group: every target on the same nodes, each its own solves, JSON per target")
    func groupPlan() async throws {
        let print = try await printed(BakeRecordings.group)
        let prepared = try await service().prepareBake(
            print, options: options(inFolderOf: BakeRecordings.group),
            selection: NodeSelection(discovered: [engine]))
        defer { prepared.discard() }
        #expect(prepared.plan.targets.map(\.name) == ["app", "debug", "tool"])
        let debug = try #require(prepared.plan.targets.first { $0.name == "debug" })
        #expect(debug.plan.platforms.map(\.mode) == [.native, .emulated, .emulated])
        #expect(debug.plan.solves.count == 3)
        let document = try JSONDecoder().decode(
            BakePlanDocument.self, from: Data(try BakeRenderer.json(prepared.plan).utf8))
        #expect(document.schema == "xplat.bake-plan/v1" && document.buildx == "v0.10.5")
        #expect(document.targets.map(\.plan.target) == ["app", "app", "tool"])
        let text = BakeRenderer.text(prepared.plan)
        let dir = BakeRecordings.group.absoluteDirectory
        #expect(
            text.contains("target tool: \(dir)/ctx/Dockerfile (context \(dir)/ctx, target tool), output cacheonly\n"),
            "\(text)")
    }

    @Test("a target: dependency on the engine is refused before anything builds, naming the driver")
    func linkedOnEngine() async throws {
        let print = try await printed(BakeRecordings.linked)
        let prepared = try await service().prepareBake(
            print, options: options(inFolderOf: BakeRecordings.linked),
            selection: NodeSelection(discovered: [engine]))
        defer { prepared.discard() }
        #expect(prepared.plan.targets.map(\.name) == ["base", "derived"])
        #expect(prepared.plan.targets[1].links == [BakeLink(context: "base", target: "base")])
        do {
            _ = try await service().bake(prepared, options: options, tty: false)
            Issue.record("built")
        } catch let error as BuildError {
            #expect(
                error.description.hasPrefix(
                    "target \"derived\": --build-context base=target:base: the engine's own BuildKit"), "\(error)")
        }
    }

    @Test(
        """
        a target: context whose target does not build every platform of the dependent is refused before anything \
        builds (buildx's rule for several platforms, xplat's per-platform passing)
        """
    )
    func linkPlatforms() throws {
        func linked(base: [String], uses: [String]) throws -> [BakeTargetRequest] {
            var b = BakeTarget(name: "base"), u = BakeTarget(name: "uses")
            b.platforms = base
            u.platforms = uses
            u.contexts = ["base": "target:base"]
            return [
                BakeTargetRequest(
                    name: "base", request: try BakeMapping.request(for: b, options: options, inlineDirectory: { "/x" }),
                    links: []),
                BakeTargetRequest(
                    name: "uses", request: try BakeMapping.request(for: u, options: options, inlineDirectory: { "/x" }),
                    links: [BakeLink(context: "base", target: "base")]),
            ]
        }
        func refusal(base: [String], uses: [String]) throws -> String? {
            do { try service().checkLinks(try linked(base: base, uses: uses)) } catch let error as BuildError {
                return error.description
            }
            return nil
        }
        // Accepted: the same platforms, or the dependent's among the base's (real buildx 0.10.5 builds both).
        #expect(try refusal(base: ["linux/amd64", "linux/arm64"], uses: ["linux/arm64", "linux/amd64"]) == nil)
        #expect(try refusal(base: ["linux/amd64", "linux/arm64"], uses: ["linux/amd64"]) == nil)
        #expect(try refusal(base: ["linux/arm64"], uses: ["linux/arm64"]) == nil)
        // buildx 0.10.5: "target probe can't be used by uses because it is defined for different platforms".
        #expect(
            try refusal(base: ["linux/amd64", "linux/arm64"], uses: ["linux/amd64", "linux/arm/v7"])?
                .hasPrefix("target \"uses\": context base = target:base: base is defined for different platforms")
                == true)
        // A platform the base does not build: refused here, not failed in BuildKit after the base is built
        // ("no match for platform in manifest", exit 3, as it was).
        let message =
            "target \"uses\": context base = target:base: base is built for linux/arm64, not for linux/amd64, and "
            + "xplat passes a target's image per platform; give base the platforms of uses"
        #expect(try refusal(base: ["linux/arm64"], uses: ["linux/amd64"]) == message)
        #expect(
            try refusal(base: ["linux/amd64", "linux/arm64"], uses: ["linux/arm/v7"])?.contains("not for linux/arm/v7")
                == true)
        #expect(
            try refusal(base: ["linux/arm64"], uses: ["linux/amd64", "linux/arm64"])?.contains("not for linux/amd64,")
                == true)
    }

    @Test(
        """
        a target: context on a remote builder (real buildx 0.10.5, BuildKit 0.11.6, recorded): the target it names is built first, \
        exported, and reaches the dependent solve per platform as an OCI layout
        """)
    func linkedOnRemoteBuilder() async throws {
        let bakeCase = BakeRecordings.linkedSmall
        let run = try ReplayRun(
            Bundle.module.resourcePath! + "/Recordings/bake/linked-small-remote-build.json",
            prefix: "xplat-bake-replay",
            contexts: [("$CTX", bakeCase.absoluteDirectory)])
        defer { run.remove() }
        let (tmp, out, replayer) = (run.tmp, run.out, run.replayer)
        let service = BuildService(
            runner: replayer, docker: "docker", environment: ["TMPDIR": tmp],
            probe: FixedEmulation([EmulatedPlatform(platform: p("linux/arm64"), proven: true)]),
            verifier: nil, rewriter: nil)
        let print = try await service.printBake(
            BakeInvocation(files: ["linked.hcl"], targets: ["uses"]), in: bakeCase.absoluteDirectory)
        #expect(Set(print.definition.targets.keys) == ["uses", "probe"])
        var options = BakeOptions(defaultPlatforms: [p("linux/amd64")], progress: .quiet)
        options.directory = bakeCase.absoluteDirectory
        let prepared = try await service.prepareBake(
            print, options: options, selection: NodeSelection(builder: "real-remote", driver: .buildx))
        defer { prepared.discard() }
        let result = try await service.bake(prepared, options: options, tty: false)
        #expect(replayer.unmatched.isEmpty, "\(replayer.unmatched)")
        #expect(result.targets.map(\.name) == ["probe", "uses"])
        // The builder is inspected once for both targets; buildx's version is asked once, by the
        // print: discovery (--driver buildx) and the builds take its answer.
        let asked = replayer.commands.map { Array($0.arguments.prefix(2)) }
        #expect(asked.filter { $0 == ["buildx", "inspect"] }.count == 1, "\(asked)")
        #expect(asked.filter { $0 == ["buildx", "version"] }.count == 1, "\(asked)")
        // The dependent solve got the probe's image, as an OCI layout by its index digest.
        let uses = try #require(
            replayer.commands.last {
                $0.arguments.contains("--file") && $0.arguments.contains { $0.hasSuffix("Dockerfile.uses-probe") }
            })
        let context = try #require(uses.arguments.firstIndex(of: "--build-context").map { uses.arguments[$0 + 1] })
        #expect(
            context.hasPrefix("probe=oci-layout://\(tmp)/xplat-build-") && context.contains("/context-0@sha256:"),
            "\(context)")
        // What the dependent built from it, per platform: the probe's /arch of the same platform.
        for (folder, machine) in [("linux_amd64", "x86_64"), ("linux_arm64", "aarch64")] {
            let text = try String(contentsOfFile: "\(out)/uses/\(folder)/uses", encoding: .utf8)
            #expect(text == "\(machine) uses probe built on \(machine)\n")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "no temporary files left")
    }
}

@Suite("bake: --push beside buildx's own")
struct BakePushTests {
    @Test(
        """
        --push (real buildx 0.10.5, BuildKit 0.11.6, TLS registry with a login, recorded side by side): the index docker buildx bake \
        pushed and xplat's hold the same images in the same order, and each provenance names its image as buildx's do; \
        for one platform too (buildx's image exporter keeps its provenance)
        """, .enabled(if: LocalRegistry.listening, "no registry on 127.0.0.1:5000 (Scripts/setup --tests starts it)"),
        arguments: [("rec", ["linux%2Famd64", "linux%2Farm64"]), ("one", ["linux%2Famd64"])])
    func pushLikeBuildx(_ name: String, _ platforms: [String]) async throws {
        let bakeCase = BakeRecordings.push
        // xplat's recorded push went to the TLS registry; the replay's goes to the plain one.
        let recorded = "\(BakeRecordings.pushRegistry)/xplat",
            replayed = "127.0.0.1:5000/xplat-replay-bake/push-\(getpid())"
        let run = try ReplayRun(
            Bundle.module.resourcePath! + "/Recordings/bake/push-remote.json", prefix: "xplat-bake-push",
            contexts: [("$CTX", bakeCase.absoluteDirectory)], substitutions: [(recorded, replayed)])
        defer { run.remove() }
        let (tmp, replayer) = (run.tmp, run.replayer)
        let service = BuildService(
            runner: replayer, docker: "docker", environment: ["TMPDIR": tmp], probe: FixedEmulation([]),
            verifier: nil, rewriter: nil)
        let sets = (name == "one" ? ["probe.platform=linux/amd64"] : []) + ["probe.tags=\(recorded)/probe:\(name)"]
        let print = try await service.printBake(
            BakeInvocation(files: ["linked.hcl"], sets: sets, targets: ["probe"], push: true),
            in: bakeCase.absoluteDirectory)
        var options = BakeOptions(defaultPlatforms: [p("linux/amd64")], verify: false, progress: .quiet)
        options.directory = bakeCase.absoluteDirectory
        let prepared = try await service.prepareBake(
            print, options: options, selection: NodeSelection(builder: "real-remote", driver: .buildx))
        defer { prepared.discard() }
        let result = try await service.bake(prepared, options: options, tty: false)
        #expect(replayer.unmatched.isEmpty, "\(replayer.unmatched)")
        let tag = "\(replayed)/probe:\(name)"
        let build = try #require(replayer.commands.first { $0.arguments.starts(with: ["buildx", "build"]) }?.arguments)
        #expect(
            build.contains { $0.hasPrefix("type=oci,") && $0.hasSuffix(",name=\(tag),attestation-inline=true") },
            "\(build)")
        func index(_ who: String) throws -> (data: Data, index: Index) {
            let entry = try #require(
                run.transcript.entries.first {
                    $0.arguments.first == "skopeo" && $0.arguments.last?.hasSuffix("/\(who)/probe:\(name)") == true
                })
            return (Data(entry.stdout.utf8), try JSONDecoder().decode(Index.self, from: Data(entry.stdout.utf8)))
        }
        let buildx = try index("buildx"), ours = try index("xplat")
        let (pushedData, subjects) = try await RegistryClient.with { client in
            let reference = try RegistryReference(parsing: tag)
            let fetched = try await client.manifest(reference)
            var subjects: [[String]] = []
            for entry in try client.decodeIndex(fetched, of: reference).manifests where entry.isAttestation {
                let manifest = try client.decodeManifest(
                    try await client.manifest(reference.with(reference: entry.digest)), of: reference)
                let statement = try JSONSerialization.jsonObject(
                    with: try await client.blob(reference, digest: try #require(manifest.layers.first).digest))
                let subject = try #require((statement as? [String: Any])?["subject"] as? [[String: Any]])
                subjects.append(
                    subject.compactMap { s in
                        (s["digest"] as? [String: String])?["sha256"].map { "\(s["name"] ?? "")@sha256:\($0)" }
                    })
            }
            return (fetched.data, subjects)
        }
        #expect(pushedData == ours.data, "the replay pushed the index xplat pushed in the recorded run")
        #expect(result.targets.first?.result.indexDigest == sha256Digest(ours.data))
        // Side by side: the same images (digests, platforms, order), one provenance per image naming it.
        let images = { (i: Index) in
            i.manifests.filter { !$0.isAttestation }.map { "\($0.platform?.description ?? "") \($0.digest)" }
        }
        let attested = { (i: Index) in
            i.manifests.filter(\.isAttestation).map { $0.annotations?[AnnotationKey.dockerReferenceDigest] ?? "" }
        }
        #expect(
            images(ours.index) == images(buildx.index) && images(ours.index).count == platforms.count,
            "\(images(ours.index)) \(images(buildx.index))")
        #expect(attested(ours.index) == attested(buildx.index) && attested(ours.index).count == platforms.count)
        #expect(ours.index.mediaType == buildx.index.mediaType)
        let digests = ours.index.manifests.filter { !$0.isAttestation }.map(\.digest)
        #expect(
            subjects
                == zip(digests, platforms).map { digest, platform in
                    [
                        "pkg:docker/xplat-registry.test%3A5443/xplat-bake-rec/xplat/probe@\(name)?platform=\(platform)@"
                            + digest
                    ]
                }, "\(subjects)")
    }
}
