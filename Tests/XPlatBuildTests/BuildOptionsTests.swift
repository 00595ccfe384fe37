// The typed values of buildx's build flags: parsed with buildx's syntax and defaults (its
// util/buildflags parsers, v0.10.5 and v0.12.1), refused with the value quoted.

import Foundation
import Testing
import XPlatDocker
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

struct BuildOptionsTests {
    let file: String = {
        let dir = try! makeTemporaryDirectory("xplat-options")
        _ = FileManager.default.createFile(atPath: dir + "/token", contents: Data("s3cret".utf8))
        return dir + "/token"
    }()

    @Test("--secret: src/source, env, type=env, and a bare id from the environment, else the file named id")
    func secrets() throws {
        #expect(try SecretSpec(parsing: "id=tok,src=\(file)", environment: [:]).source == .file(file))
        #expect(try SecretSpec(parsing: "id=tok,source=\(file)", environment: [:]).source == .file(file))
        #expect(
            try SecretSpec(parsing: "id=tok,env=TOKEN", environment: ["TOKEN": "x"]).source == .environment("TOKEN"))
        #expect(
            try SecretSpec(parsing: "type=env,id=tok,src=TOKEN", environment: ["TOKEN": "x"]).source
                == .environment("TOKEN"))
        #expect(try SecretSpec(parsing: "id=TOKEN", environment: ["TOKEN": "x"]).source == .environment("TOKEN"))
        #expect(try SecretSpec(parsing: "id=\(file)", environment: [:]).source == .file(file))
        #expect(try SecretSpec(parsing: "id=tok,src=\(file)", environment: [:]).flagValue == "id=tok,src=\(file)")
    }

    @Test(
        "--secret refusals quote the value",
        arguments: [
            "src=/etc/hostname", "id=x,type=ssh,src=/etc/hostname", "id=x,bogus=1",
            "id=x,src=/nonexistent/file", "id=x,env=XPLAT_UNSET_VAR", "id=x,src",
        ])
    func badSecrets(_ text: String) {
        #expect { try SecretSpec(parsing: text, environment: [:]) } throws: { error in
            guard case BuildError.badOption(let option, let value, _) = error else { return false }
            return option == "--secret" && value == text && "\(error)".contains("\"\(text)\"")
        }
    }

    @Test("--ssh: default takes SSH_AUTH_SOCK; ID=PATH[,PATH]; missing paths refused")
    func ssh() throws {
        let dir = (file as NSString).deletingLastPathComponent
        #expect(try SSHSpec(parsing: "default", environment: ["SSH_AUTH_SOCK": dir]).paths == [dir])
        #expect(try SSHSpec(parsing: "git=\(file),\(dir)", environment: [:]) == SSHSpec(id: "git", paths: [file, dir]))
        #expect(try SSHSpec(parsing: "git=\(file)", environment: [:]).flagValue == "git=\(file)")
        #expect(throws: BuildError.self) { try SSHSpec(parsing: "default", environment: [:]) }
        #expect(throws: BuildError.self) { try SSHSpec(parsing: "x=/nonexistent.sock", environment: [:]) }
    }

    @Test("--build-context: folders, docker-image://, oci-layout://, URLs, target:; names normalised as buildx does")
    func namedContexts() throws {
        let dir = (file as NSString).deletingLastPathComponent
        #expect(try NamedContext(parsing: "src=\(dir)") == NamedContext(name: "src", source: .directory(dir)))
        #expect(
            try NamedContext(parsing: "docker.io/library/alpine:latest=docker-image://127.0.0.1:5000/library/busybox")
                == NamedContext(name: "alpine", source: .image("127.0.0.1:5000/library/busybox")))
        #expect(try NamedContext(parsing: "base=oci-layout://\(dir):v1").source == .ociLayout("\(dir):v1"))
        #expect(
            try NamedContext(parsing: "repo=https://example.invalid/r.git").source
                == .url("https://example.invalid/r.git"))
        #expect(try NamedContext(parsing: "b=target:build").flagValue == "b=target:build")
        #expect(throws: BuildError.self) { try NamedContext(parsing: "Upper=\(dir)") }
        #expect(throws: BuildError.self) { try NamedContext(parsing: "x=/nonexistent/dir") }
        #expect(throws: BuildError.self) { try NamedContext(parsing: "novalue") }
    }

    @Test("--add-host: HOST:IP (IPv4, IPv6 after the first colon, host-gateway); others refused")
    func extraHosts() throws {
        #expect(try ExtraHost(parsing: "db:10.0.0.2") == ExtraHost(host: "db", ip: "10.0.0.2"))
        #expect(try ExtraHost(parsing: "v6:::1") == ExtraHost(host: "v6", ip: "::1"))
        #expect(try ExtraHost(parsing: "gw:host-gateway").ip == "host-gateway")
        for bad in ["db", "db:", ":1.2.3.4", "db:not-an-ip", "db=1.2.3.4"] {
            #expect(throws: BuildError.self, "\(bad)") { try ExtraHost(parsing: bad) }
        }
    }

    @Test("--ulimit NAME=SOFT[:HARD]; --shm-size in docker's units; --allow; --network")
    func limits() throws {
        #expect(try Ulimit(parsing: "nofile=1024:2048") == Ulimit(name: "nofile", soft: 1024, hard: 2048))
        #expect(try Ulimit(parsing: "nproc=64").flagValue == "nproc=64:64")
        for bad in ["nofile", "bogus=1", "nofile=2:1", "nofile=a"] {
            #expect(throws: BuildError.self, "\(bad)") { try Ulimit(parsing: bad) }
        }
        #expect(ByteSize.parse("67108864") == 67_108_864)
        #expect(ByteSize.parse("64m") == 64 << 20)
        #expect(ByteSize.parse("1g") == 1 << 30)
        #expect(ByteSize.parse("1.5GiB") == 3 << 29)
        #expect(ByteSize.parse("128MB") == 128 << 20)
        #expect(ByteSize.parse("lots") == nil)
        #expect(ByteSize.parse("") == nil)
        #expect(try Entitlement(parsing: "network.host") == .networkHost)
        #expect(throws: BuildError.self) { try Entitlement(parsing: "network.bridge") }
        #expect(try NetworkMode(parsing: "") == .default)
        #expect(try NetworkMode(parsing: "host") == .host)
        #expect(throws: BuildError.self) { try NetworkMode(parsing: "bridge") }
    }

    @Test(
        "--attest: type required, provenance or sbom, enabled=false; --provenance/--sbom shorthands; duplicates refused"
    )
    func attests() throws {
        let a = try AttestSpec(parsing: "type=sbom,generator=img")
        #expect(a.type == "sbom" && a.enabled)
        #expect(try !AttestSpec(parsing: "type=provenance,enabled=false").enabled)
        #expect(try !AttestSpec(shorthand: "provenance", value: "false").enabled)
        #expect(try AttestSpec(shorthand: "provenance", value: "mode=max").text == "type=provenance,mode=max")
        #expect(throws: BuildError.self) { try AttestSpec(parsing: "generator=img") }
        #expect(throws: BuildError.self) { try AttestSpec(parsing: "type=vex") }
        var r = BuildRequest(dockerfile: "D", context: ".", platforms: [p("linux/amd64")])
        r.attests = [try AttestSpec(parsing: "type=provenance,mode=max")]
        r.provenance = "true"
        #expect(throws: BuildError.self) { try r.validate() }
        r.provenance = nil
        #expect(r.wantsAttestations)
        r.attests = [try AttestSpec(parsing: "type=provenance,enabled=false")]
        #expect(!r.wantsAttestations)
    }

    @Test("--attest type=T,disabled=true (buildx 0.11+'s spelling) asks for none: nothing to refuse on the engine")
    func disabledAttest() throws {
        #expect(try !AttestSpec(parsing: "type=provenance,disabled=true").enabled)
        #expect(try AttestSpec(parsing: "type=sbom,disabled=false").enabled)
        #expect(throws: BuildError.self) { try AttestSpec(parsing: "type=sbom,disabled=maybe") }
        var r = BuildRequest(
            dockerfile: "D", context: ".", platforms: [p("linux/amd64")], output: .push, tags: ["127.0.0.1:5000/a:1"])
        r.attests = [
            try AttestSpec(parsing: "type=provenance,disabled=true"),
            try AttestSpec(parsing: "type=sbom,disabled=true"),
        ]
        #expect(!r.wantsAttestations)
        let plan = Plan(dockerfile: "D", context: ".", nodes: [], platforms: [], solves: [])
        try EngineStrategy(runner: RecordingRunner()).check(r, plan: plan, buildx: nil)
    }

    @Test(
        """
        --annotation: default on the manifests; index:, manifest-descriptor:, index-descriptor:, [platform]; bad \
        types refused
        """
    )
    func annotations() throws {
        let plain = try AnnotationSpec(parsing: "org.opencontainers.image.title=hello")
        #expect(
            plain.level == nil && plain.placement == .manifest && plain.key == "org.opencontainers.image.title"
                && plain.value == "hello")
        #expect(plain.exporterAttribute == "annotation.org.opencontainers.image.title")
        let index = try AnnotationSpec(parsing: "index:org.opencontainers.image.vendor=xplat=yes")
        #expect(index.level == .index && index.value == "xplat=yes")
        let arm = try AnnotationSpec(parsing: "manifest[linux/arm64]:k=v")
        #expect(
            arm.level == .manifest && arm.platform == p("linux/arm64") && arm.applies(to: p("linux/arm64"))
                && !arm.applies(to: p("linux/amd64")))
        #expect(arm.exporterAttribute == "annotation-manifest[linux/arm64].k")
        #expect(arm.flagValue == "manifest[linux/arm64]:k=v")
        #expect(try AnnotationSpec(parsing: "manifest-descriptor:k=v").level == .manifestDescriptor)
        #expect(try AnnotationSpec(parsing: "index-descriptor:k=v").level == .indexDescriptor)
        for bad in ["novalue", "layer:k=v", "=v", "manifest[nope/x/y/z]:k=v"] {
            #expect(throws: BuildError.self, "\(bad)") { try AnnotationSpec(parsing: bad) }
        }
    }

    @Test("--cache-from/--cache-to: refs, every type, the attributes each needs, gha from the runner's environment")
    func caches() throws {
        #expect(
            try CacheSpec.parse("user/app:cache,user/app:cache2", direction: .import).compactMap(\.ref) == [
                "user/app:cache", "user/app:cache2",
            ])
        #expect(
            try CacheSpec(parsing: "type=local,dest=/c,mode=max", direction: .export)
                == CacheSpec(type: .local, attributes: ["dest": "/c", "mode": "max"]))
        #expect(try CacheSpec(parsing: "type=local,src=/c").type == .local)
        #expect(try CacheSpec(parsing: "type=inline", direction: .export).type == .inline)
        let gha = try CacheSpec.parse(
            "type=gha,scope=main", direction: .export,
            environment: ["ACTIONS_RUNTIME_TOKEN": "t", "ACTIONS_CACHE_URL": "u"])
        #expect(gha.first?.attributes == ["scope": "main"], "buildx reads the runner's token and URL itself")
        #expect(try CacheSpec(parsing: "type=s3,region=eu,bucket=b").type == .s3)
        #expect(try CacheSpec(parsing: "type=azblob,account_url=https://a.invalid").type == .azblob)
        for (bad, direction) in [
            ("type=local,src=/c", CacheDirection.export), ("type=local,dest=/c", .import), ("type=inline", .import),
            ("type=gha", .export), ("type=s3,bucket=b", .import), ("type=nope,x=1", .import),
            ("mode=max", .export), ("type=registry", .import), ("type=local,dest=/c,mode=all", .export),
        ] {
            #expect(throws: BuildError.self, "\(bad)") { try CacheSpec.parse(bad, direction: direction) }
        }
    }

    @Test(
        """
        --annotation: only [a-z-]+[PLATFORM] before the first colon is a type, as buildx 0.12's pattern reads \
        it; the platform as containerd reads it
        """
    )
    func annotationTypePrefix() throws {
        #expect(
            try AnnotationSpec(parsing: "v2_1:k=v")
                == AnnotationSpec(level: nil, platform: nil, key: "v2_1:k", value: "v"))
        #expect(
            try AnnotationSpec(parsing: "ab1:k=v")
                == AnnotationSpec(level: nil, platform: nil, key: "ab1:k", value: "v"))
        #expect(
            try AnnotationSpec(parsing: "manifest[linux/ARM64]:k=v")
                == AnnotationSpec(level: .manifest, platform: p("linux/arm64"), key: "k", value: "v"))
        #expect(
            try AnnotationSpec(parsing: "index:k=v")
                == AnnotationSpec(level: .index, platform: nil, key: "k", value: "v"))
        #expect(throws: BuildError.self, "a lower-case word before the colon is a type: unknown") {
            try AnnotationSpec(parsing: "layer:k=v")
        }
    }

    @Test("the gha token from the runner's environment reaches no command line and no message")
    func ghaTokenStaysInTheEnvironment() throws {
        let token = "ghs_xplatTokenNotForLogs"
        let environment = ["ACTIONS_RUNTIME_TOKEN": token, "ACTIONS_CACHE_URL": "https://cache.invalid/"]
        var request = BuildRequest(
            dockerfile: "D", context: ".", platforms: [p("linux/amd64"), p("linux/arm64")], output: .push,
            tags: ["127.0.0.1:5000/a:1"])
        request.cacheTo = try CacheSpec.parse(
            "type=gha,scope=main,mode=max", direction: .export, environment: environment)
        request.cacheFrom = try CacheSpec.parse("type=gha,scope=main", direction: .import, environment: environment)
        let commands = DriverCommands(
            docker: "docker", request: request, dockerfile: "D", buildx: BuildxVersion(major: 0, minor: 10, patch: 5))
        let args = commands.buildxBuild(
            builder: "b", platforms: [p("linux/arm64")], export: .oci(dest: "o.tar"), metadataFile: nil
        ).arguments
        #expect(args.contains { $0.hasPrefix("type=gha,") && $0.contains("scope=main-") })
        #expect(!args.contains { $0.contains(token) }, "\(args)")
        let plan = Plan(dockerfile: "D", context: ".", nodes: [], platforms: [], solves: [])
        #expect { try EngineStrategy(runner: RecordingRunner()).check(request, plan: plan, buildx: nil) } throws: {
            error in
            "\(error)".contains("type=gha") && !"\(error)".contains(token)
        }
    }

    @Test("caches are keyed per solve: registry tag, local tag, gha scope, s3 name; inline unchanged")
    func keyedCaches() throws {
        let key = CacheKey(platforms: [p("linux/arm64")], outputMode: "push")
        #expect(
            try CacheSpec(parsing: "type=registry,ref=r/c:main,mode=max", direction: .export).buildxValue(key: key)
                == "type=registry,ref=r/c:main-\(key.digest),mode=max")
        #expect(
            try CacheSpec(parsing: "type=local,dest=/c", direction: .export).buildxValue(key: key)
                == "type=local,dest=/c,tag=latest-\(key.digest)")
        #expect(
            try CacheSpec(parsing: "type=local,src=/c,tag=v1").buildxValue(key: key)
                == "type=local,src=/c,tag=v1-\(key.digest)")
        #expect(try CacheSpec(parsing: "type=inline", direction: .export).buildxValue(key: key) == "type=inline")
        let gha = try CacheSpec.parse("type=gha,token=t,url=u", direction: .export)[0]
        #expect(gha.keyed(key).attributes["scope"] == "buildkit-\(key.digest)")
        #expect(
            try CacheSpec(parsing: "type=s3,region=eu,bucket=b").keyed(key).attributes["name"]
                == "buildkit-\(key.digest)")
    }

    @Test(
        """
        -o image attributes: name= adds -t names; annotation[-TYPE][[PLATFORM]].KEY as BuildKit reads it (buildx \
        0.10's way)
        """
    )
    func imageAttributes() throws {
        let text =
            "type=image,\"name=127.0.0.1:5000/a:1,127.0.0.1:5000/a:2\",push=true,annotation-index.i=v,"
            + "annotation-manifest[linux/arm64].m=n,annotation.d=e"
        #expect(try OutputSpec.parse(text) == .push)
        let extra = try OutputSpec.imageAttributes(text)
        #expect(extra.names == ["127.0.0.1:5000/a:1", "127.0.0.1:5000/a:2"])
        #expect(
            Set(extra.annotations) == [
                AnnotationSpec(level: nil, platform: nil, key: "d", value: "e"),
                AnnotationSpec(level: .index, platform: nil, key: "i", value: "v"),
                AnnotationSpec(level: .manifest, platform: p("linux/arm64"), key: "m", value: "n"),
            ])
        #expect(try OutputSpec.imageAttributes("out").names.isEmpty)
    }

    @Test("CSV fields as Go reads them: quotes keep commas, doubled quotes, errors for open quotes")
    func csv() throws {
        #expect(try CSVFields.split("a,b") == ["a", "b"])
        #expect(try CSVFields.split("\"src=a,b\",id=x") == ["src=a,b", "id=x"])
        #expect(try CSVFields.split("\"a\"\"b\"") == ["a\"b"])
        #expect(try CSVFields.split("") == [""])
        #expect(throws: CSVFieldsError.self) { try CSVFields.split("\"open") }
        #expect(throws: CSVFieldsError.self) { try CSVFields.split("a\"b") }
        #expect(CSVFields.join(["type=local", "dest=/a,b"]) == "type=local,\"dest=/a,b\"")
    }

    @Test(
        """
        request checks: --no-cache with --no-cache-filter, stdin twice, --iidfile without an image, annotations \
        without one
        """
    )
    func requestChecks() throws {
        var r = BuildRequest(dockerfile: "-", context: "-", platforms: [p("linux/amd64")])
        #expect(throws: BuildError.self) { try r.validate() }
        r = BuildRequest(dockerfile: "D", context: ".", platforms: [p("linux/amd64")], noCache: true)
        r.noCacheFilter = ["build"]
        #expect(throws: BuildError.self) { try r.validate() }
        r = BuildRequest(
            dockerfile: "D", context: ".", platforms: [p("linux/amd64")], output: .local(dest: "o", split: nil))
        r.imageIDFile = "iid"
        #expect { try r.validate() } throws: {
            "\($0)".contains("local and tar exporters are incompatible with image ID file")
        }
        r = BuildRequest(dockerfile: "D", context: ".", platforms: [p("linux/amd64")], output: .load, tags: ["a:1"])
        r.annotations = [try AnnotationSpec(parsing: "k=v")]
        #expect(throws: BuildError.self) { try r.validate() }
        r.output = .push
        r.tags = ["127.0.0.1:5000/a:1"]
        try r.validate()
        r.annotations = [try AnnotationSpec(parsing: "index-descriptor:k=v")]
        #expect(throws: BuildError.self, "no place for an index descriptor in a registry") { try r.validate() }
        r.output = .oci(dest: "o.tar", tar: true)
        try r.validate()
    }
}
