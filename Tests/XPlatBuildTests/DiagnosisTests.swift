import Testing
import XPlatPlatform

@testable import XPlatBuild

struct DiagnosisTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var stderr: String
        var kind: BuildDiagnosis.Kind
        var actionMentions: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "exec format error",
            stderr: """
                #6 [build 2/3] RUN go build -o /out/hello .
                #6 0.101 exec /bin/sh: exec format error
                #6 ERROR: executor failed running [/bin/sh -c go build -o /out/hello .]: exit code: 1
                """, kind: .execFormat, actionMentions: "xplat doctor --fix"),
        Case(
            name: "several platforms on the docker driver",
            stderr: """
                ERROR: Multiple platforms feature is currently not supported for docker driver. Please switch to a different driver (eg. "docker buildx create --use")
                """, kind: .severalPlatformsOneSolve, actionMentions: "one build per platform"),
        Case(
            name: "20.10 engine given a platform list",
            stderr: """
                failed to parse platform linux/amd64,linux/arm64: "linux/amd64,linux/arm64": unknown operating system or architecture: invalid argument
                """, kind: .severalPlatformsOneSolve, actionMentions: "one build per platform"),
        Case(
            name: "no daemon",
            stderr: """
                Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?
                """, kind: .noDaemon, actionMentions: "sudo systemctl start docker"),
        Case(
            name: "no buildx builder", stderr: "ERROR: no builder \"multi\" found\n", kind: .noDaemon,
            actionMentions: "sudo systemctl start docker"),
        Case(
            name: "registry down",
            stderr: """
                #3 [internal] load metadata for docker.io/library/busybox:latest
                #3 ERROR: failed to do request: Head "http://127.0.0.1:5000/v2/library/busybox/manifests/latest": dial tcp 127.0.0.1:5000: connect: connection refused
                """, kind: .registryUnreachable, actionMentions: "or set XPLAT_REGISTRY"),
        Case(
            name: "base lacks platform",
            stderr: """
                #3 [internal] load metadata for docker.io/library/golang:1.19
                #3 ERROR: no match for platform in manifest sha256:4f3c: not found
                 > [internal] load metadata for docker.io/library/golang:1.19:
                failed to solve with frontend dockerfile.v0: failed to create LLB definition: no match for platform in manifest sha256:4f3c: not found
                """, kind: .baseLacksPlatform, actionMentions: "base"),
        // What docker 28.2.2 without buildx prints for `DOCKER_BUILDKIT=1 docker build` (XPLAT_DOCKER naming it).
        Case(
            name: "a Docker 23+ client without buildx",
            stderr: """
                ERROR: BuildKit is enabled but the buildx component is missing or broken.
                       Install the buildx component to build images with BuildKit:
                       https://docs.docker.com/go/buildx/
                """, kind: .clientWithoutBuildx, actionMentions: "install the docker-buildx plugin"),
        Case(
            name: "no bridge network", stderr: "#5 ERROR: network bridge not found\n", kind: .noNetwork,
            actionMentions: "--network host"),
        Case(
            name: "other failures quote BuildKit",
            stderr: """
                #7 [2/2] RUN false
                #7 ERROR: executor failed running [/bin/sh -c false]: exit code: 1
                """, kind: .other, actionMentions: "--progress plain"),
        // dockerd 20.10.24's BuildKit, offline, with 127.0.0.1:5000 as its registry mirror.
        Case(
            name: "the # syntax frontend is in no registry the engine reaches",
            stderr: Self.syntaxUnavailable, kind: .imageUnavailable, actionMentions: "drop the `# syntax=` line"),
        Case(
            name: "a base image is in no registry the engine reaches",
            stderr: Self.baseUnavailable, kind: .imageUnavailable, actionMentions: "push xplat-nosuch/base:1 to"),
    ]

    @Test("BuildKit stderr maps to a cause and an action", arguments: cases)
    func mapped(_ testCase: Case) {
        let d = BuildDiagnosis.diagnose(stderr: testCase.stderr, platform: try! Platform(parsing: "linux/arm64"))
        #expect(d.kind == testCase.kind, "\(testCase.name): \(d.summary)")
        #expect(d.action.contains(testCase.actionMentions), "\(testCase.name): action \(d.action)")
        #expect(!d.excerpt.isEmpty, "keeps BuildKit's own words")
    }

    static let syntaxUnavailable = """
        #3 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/docker/dockerfile/manifests/1.3": \
        dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host
        failed to solve with frontend dockerfile.v0: failed to solve with frontend gateway.v0: failed to do request: \
        Head "https://registry-1.docker.io/v2/docker/dockerfile/manifests/1.3": dial tcp: lookup registry-1.docker.io \
        on 10.255.255.53:53: no such host
        """

    static let baseUnavailable = """
        #3 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/xplat-nosuch/base/manifests/1": dial \
        tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host
        """

    @Test("an image no registry provides is named, with the host that did not answer, not the mirror as down")
    func imageUnavailable() {
        let platform = try! Platform(parsing: "linux/amd64")
        let syntax = BuildDiagnosis.diagnose(stderr: Self.syntaxUnavailable, platform: platform)
        #expect(
            syntax.summary
                == "cannot pull docker/dockerfile:1.3 (the Dockerfile's `# syntax` frontend): registry-1.docker.io "
                + "does not answer, and the registry the engine pulls from (127.0.0.1:5000) did not provide it")
        #expect(syntax.action.hasPrefix("push docker/dockerfile:1.3 to 127.0.0.1:5000, or drop the `# syntax=` line"))
        let base = BuildDiagnosis.diagnose(stderr: Self.baseUnavailable, platform: platform)
        #expect(base.summary.hasPrefix("cannot pull xplat-nosuch/base:1: registry-1.docker.io does not answer"))
        #expect(!base.action.contains("# syntax"))
        // The mirror itself refusing stays "the registry does not answer".
        let down = BuildDiagnosis.diagnose(stderr: Self.cases[5].stderr, platform: platform)
        #expect(down.kind == .registryUnreachable, "\(down.summary)")
        #expect(down.summary == "the registry does not answer (127.0.0.1:5000)")
    }

    // dockerd 20.10.24's BuildKit (mirror 127.0.0.1:5000), `FROM nosuch-host.invalid/rf/foo:1` and
    // `FROM 127.0.0.1:5999/rf/foo:1`: the mirror stands in for docker.io only, so it was never asked.
    static let namedHostUnknown = """
        #3 ERROR: failed to do request: Head "https://nosuch-host.invalid/v2/rf/foo/manifests/1": dial tcp: lookup \
        nosuch-host.invalid on 10.255.255.53:53: no such host
        """
    static let namedHostRefuses = """
        #3 ERROR: failed to do request: Head "http://127.0.0.1:5999/v2/rf/foo/manifests/1": dial tcp 127.0.0.1:5999: \
        connect: connection refused
        """

    @Test("an image naming its own registry that does not answer: that registry is named, not the mirror")
    func namedRegistryUnreachable() {
        let platform = try! Platform(parsing: "linux/amd64")
        for (stderr, host) in [
            (Self.namedHostUnknown, "nosuch-host.invalid"), (Self.namedHostRefuses, "127.0.0.1:5999"),
        ] {
            let d = BuildDiagnosis.diagnose(stderr: stderr, platform: platform)
            #expect(d.kind == .registryUnreachable, "\(d.summary)")
            #expect(d.summary == "the registry \(host) does not answer (the image \(host)/rf/foo:1 names it)")
            #expect(d.action.hasPrefix("start the registry at \(host), or name an image the engine can pull"))
            #expect(d.excerpt.contains(host))
        }
    }

    @Test("base image lacking a platform names the image and what it has")
    func basePlatforms() {
        let d = BuildDiagnosis.diagnose(stderr: Self.cases[6].stderr, platform: try! Platform(parsing: "linux/s390x"))
        #expect(d.image == "docker.io/library/golang:1.19")
        let e = d.adding(availablePlatforms: ["linux/amd64", "linux/arm64"])
        #expect(e.summary.contains("it has: linux/amd64, linux/arm64"), "\(e.summary)")
    }
}
