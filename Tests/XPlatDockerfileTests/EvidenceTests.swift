import Testing
@testable import XPlatDockerfile

/// The pieces the rewrite's evidence rests on: which context files a stage holds and where, what
/// `.dockerignore` keeps out, which Makefile lines make runs, what settles cgo, which crates and
/// modules count.
@Suite struct EvidenceTests {
    static func files(_ dockerfile: String, _ paths: [String], at line: Int? = nil) throws -> StageFiles {
        let df = try DockerfileParser.parse(dockerfile, fileName: "Dockerfile")
        let graph = try StageGraph(df)
        let context = BuildContext(root: "/ctx", files: Dictionary(uniqueKeysWithValues: paths.map { ($0, "") }))
        let stage = graph.stages.count - 1
        let limit = line.flatMap { l in df.instructions.firstIndex { $0.startLine == l } }
        return StageFiles.at(limit, stage: stage, graph: graph, context: context)
    }

    @Test("COPY: a folder's contents go into the destination, relative to WORKDIR; several sources make a folder")
    func copyPlaces() throws {
        let f = try Self.files("FROM golang\nWORKDIR /build\nCOPY src/ ./\nCOPY go.mod go.sum /mod/\nCOPY cmd/app/main.go /app.go\n",
                               ["src/Makefile", "src/lib/x.c", "go.mod", "go.sum", "cmd/app/main.go", "legacy/Makefile"])
        #expect(f.files == ["/build/Makefile": "src/Makefile", "/build/lib/x.c": "src/lib/x.c", "/mod/go.mod": "go.mod",
                            "/mod/go.sum": "go.sum", "/app.go": "cmd/app/main.go"])
        #expect(f.workdir == "/build")
    }

    @Test("COPY --from a stage, the FROM chain and a RUN's bind mount carry context files; nothing after the RUN counts")
    func stagesAndMounts() throws {
        let text = """
            FROM debian AS src
            COPY . /src
            FROM src AS build
            WORKDIR /work
            COPY --from=src /src/lib /vendor/lib
            RUN --mount=type=bind,source=tools,target=/t make -C /t
            COPY late.go /late.go
            """
        let f = try Self.files(text, ["lib/a.c", "tools/Makefile", "late.go"], at: 6)
        #expect(f.files["/src/lib/a.c"] == "lib/a.c")
        #expect(f.files["/vendor/lib/a.c"] == "lib/a.c")
        #expect(f.files["/t/Makefile"] == "tools/Makefile")
        #expect(f.files["/late.go"] == nil)
    }

    @Test(".dockerignore: folders, globs, ** and ! exceptions")
    func dockerignore() {
        let ignore = DockerIgnore(text: "# comment\nexperimental/\n**/*.md\n!docs/keep.md\n")
        #expect(ignore.excludes("experimental/cgo.go"))
        #expect(ignore.excludes("a/b/README.md"))
        #expect(!ignore.excludes("docs/keep.md"))
        #expect(!ignore.excludes("main.go"))
    }

    @Test("make runs the recipes of its goals, their prerequisites and $(MAKE) calls; not other rules'")
    func makefileLines() {
        let mk = "X ?= 1\nall: build\nbuild:\n\tgo build .\nrelease:\n\tGOARCH=amd64 $(MAKE) build\n"
        #expect(MakefileEvidence.linesRun(mk, goals: []).sorted() == [0, 1, 2, 3, 4, 6])
        #expect(MakefileEvidence.linesRun(mk, goals: ["release"]).contains(5))
        #expect(MakefileEvidence.goArchitecture(mk, goals: ["build"]).blocker == nil)
        #expect(MakefileEvidence.goArchitecture(mk, goals: ["release"]).blocker?.line == 6)
        let own = "ARCH ?= $(shell uname -m)\nbuild:\n\tGOARCH=$(ARCH) go build .\n"
        #expect(MakefileEvidence.goArchitecture(own, goals: []).variables.map(\.name) == ["ARCH"])
        let fixed = "ARCH := amd64\nbuild:\n\tGOARCH=$(ARCH) go build .\n"
        #expect(MakefileEvidence.goArchitecture(fixed, goals: []).blocker?.line == 3)
    }

    @Test("a Makefile settles cgo off only when the value reaches go and nothing turns it on")
    func makefileCgo() {
        #expect(MakefileEvidence.disablesCgo("CGO_ENABLED ?= 0\nbuild:\n\tgo build .\n") == nil)
        #expect(MakefileEvidence.disablesCgo("CGO_ENABLED ?= 0\nexport CGO_ENABLED\nbuild:\n\tgo build .\n") == 1)
        #expect(MakefileEvidence.disablesCgo("build:\n\tCGO_ENABLED=0 go build .\n") == 2)
        #expect(MakefileEvidence.disablesCgo("export CGO_ENABLED=0\nx:\n\tCGO_ENABLED=1 go build .\n") == nil)
    }

    @Test("go.mod: indirect requirements are no evidence; imports are read from import blocks")
    func goFiles() {
        let mod = "module example.com/a\n\nrequire (\n\tgithub.com/mattn/go-sqlite3 v1 // indirect\n\tgolang.org/x/sys v0.5.0\n)\nrequire github.com/google/gopacket v1.1.19\n"
        #expect(GoEvidence.directRequirements(mod).map(\.module) == ["golang.org/x/sys", "github.com/google/gopacket"])
        #expect(GoEvidence.modulePath(mod) == "example.com/a")
        #expect(GoEvidence.imports("package a\n\nimport (\n\t\"fmt\"\n\tx \"example.com/a/b\"\n)\nimport \"C\"\nfunc f() {}\n") == ["fmt", "example.com/a/b", "C"])
    }

    @Test("Rust: crates for other systems and build-machine crates are no target libraries; no dependencies needs no lock")
    func rust() {
        let toml = "[package]\nname = \"k\"\n\n[target.'cfg(target_os = \"macos\")'.dependencies]\nsecurity-framework = \"2\"\n\n[target.'cfg(unix)'.dependencies]\nnix = \"0.26\"\n"
        #expect(RustEvidence.otherPlatformDependencies(toml) == ["security-framework"])
        #expect(!RustEvidence.needsTargetLibrary("security-framework-sys"))
        #expect(!RustEvidence.needsTargetLibrary("clang-sys"))
        #expect(RustEvidence.needsTargetLibrary("libgit2-sys"))
        #expect(RustEvidence.hasNoDependencies("[package]\nname = \"h\"\n\n[dependencies]\n"))
        #expect(!RustEvidence.hasNoDependencies("[package]\nname = \"h\"\n\n[dependencies]\nlibc = \"0.2\"\n"))
        #expect(!RustEvidence.hasNoDependencies("[workspace]\nmembers = [\"a\"]\n"))
    }

    @Test("C: library lookups beyond libc's own parts and a proven zlib")
    func cLookups() {
        #expect(CLibraryEvidence.unprovenLookup(in: "find_package(Threads)\nfind_package(ZLIB)\n", kind: .cmake, installed: ["zlib1g-dev"]) == nil)
        #expect(CLibraryEvidence.unprovenLookup(in: "find_package(ZLIB)\n", kind: .cmake, installed: [])?.line == 1)
        #expect(CLibraryEvidence.unprovenLookup(in: "AC_CHECK_LIB([m], [cos])\nAC_CHECK_LIB([pcap], [pcap_open])\n", kind: .autoconf, installed: [])?.line == 2)
        #expect(CLibraryEvidence.unprovenLookup(in: "LDLIBS = -lm -lpthread\n", kind: .makefile, installed: []) == nil)
        #expect(CLibraryEvidence.unprovenLookup(in: "LDLIBS = -lm -ljudy\n", kind: .makefile, installed: [])?.line == 1)
    }

    @Test("a backslash-newline continues the command: the packages after it are still apt-get's")
    func continuation() {
        let words = Shell.words(Array("apt-get install -y \\\n    libjudy-dev \\\r\n    libpcap-dev && make".utf8)[...])
        #expect(words.filter(\.isCommand).map(\.text) == ["apt-get", "make"])
        #expect(InstalledPackage.parse(words, run: 0).map(\.name) == ["libjudy-dev", "libpcap-dev"])
    }
}
