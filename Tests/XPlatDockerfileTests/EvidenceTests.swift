import Foundation
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

    @Test(
        """
        COPY: a folder's contents go into the destination, relative to WORKDIR; several sources go into a \
        destination ending in /
        """
    )
    func copyPlaces() throws {
        let f = try Self.files(
            "FROM golang\nWORKDIR /build\nCOPY src/ ./\nCOPY go.mod go.sum /mod/\nCOPY cmd/app/main.go /app.go\n",
            ["src/Makefile", "src/lib/x.c", "go.mod", "go.sum", "cmd/app/main.go", "legacy/Makefile"])
        #expect(
            f.files == [
                "/build/Makefile": "src/Makefile", "/build/lib/x.c": "src/lib/x.c", "/mod/go.mod": "go.mod",
                "/mod/go.sum": "go.sum", "/app.go": "cmd/app/main.go",
            ])
        #expect(f.workdir == "/build")
    }

    @Test(
        """
        COPY into a folder the stage has (WORKDIR, its parents, copied files) or one ending in /; a glob or \
        several sources to another path make that path the file, as BuildKit does
        """
    )
    func copyDestinations() throws {
        // Each placement as dockerd 20.10.24's BuildKit (and BuildKit v0.11.6) did it for this Dockerfile, `ls -la`
        // after the COPYs.
        let f = try Self.files(
            "FROM debian\nWORKDIR /src\nCOPY go.mod /src\nWORKDIR /a/b\nCOPY go.sum /a\nCOPY *.mod /one\nCOPY "
                + "cmd/app/main.go /src/cmd\nCOPY cmd/*/main.go /two\nCOPY lib/x.c /src\n",
            ["go.mod", "go.sum", "cmd/app/main.go", "lib/x.c"])
        #expect(
            f.files == [
                "/src/go.mod": "go.mod", "/a/go.sum": "go.sum", "/one": "go.mod", "/src/cmd": "cmd/app/main.go",
                "/two": "cmd/app/main.go", "/src/x.c": "lib/x.c",
            ])
    }

    @Test(
        "COPY --from a stage, the FROM chain and a RUN's bind mount carry context files; nothing after the RUN counts")
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
        // An included file may assign ARCH with := (which the environment does not override): not shown to reach go.
        let included = "include arch.mk\nARCH ?= $(shell uname -m)\nbuild:\n\tGOARCH=$(ARCH) go build .\n"
        #expect(MakefileEvidence.goArchitecture(included, goals: []).blocker?.line == 1)
        #expect(MakefileEvidence.goArchitecture("include common.mk\nbuild:\n\tgo build .\n", goals: []).blocker == nil)
        let fixed = "ARCH := amd64\nbuild:\n\tGOARCH=$(ARCH) go build .\n"
        #expect(MakefileEvidence.goArchitecture(fixed, goals: []).blocker?.line == 3)
    }

    @Test("a Makefile settles cgo off only when the value reaches go and nothing turns it on")
    func makefileCgo() {
        #expect(MakefileEvidence.disablesCgo("CGO_ENABLED ?= 0\nbuild:\n\tgo build .\n") == nil)
        #expect(MakefileEvidence.disablesCgo("CGO_ENABLED ?= 0\nexport CGO_ENABLED\nbuild:\n\tgo build .\n") == 1)
        #expect(MakefileEvidence.disablesCgo("build:\n\tCGO_ENABLED=0 go build .\n") == 2)
        #expect(MakefileEvidence.disablesCgo("export CGO_ENABLED=0\nx:\n\tCGO_ENABLED=1 go build .\n") == nil)
        // One recipe's CGO_ENABLED=0 says nothing of another recipe that runs go with cgo on.
        #expect(
            MakefileEvidence.disablesCgo(
                "all: relay probe\nrelay:\n\tCGO_ENABLED=0 go build ./cmd/relay\nprobe:\n\tgo build ./cmd/probe\n")
                == nil)
        #expect(
            MakefileEvidence.disablesCgo(
                "all: a b\na:\n\tCGO_ENABLED=0 go build ./a\nb:\n\tCGO_ENABLED=0 go build ./b\n") == 3)
        #expect(
            MakefileEvidence.disablesCgo(
                "CGO_ENABLED ?= 0\nall: a b\na:\n\tCGO_ENABLED=$(CGO_ENABLED) go build ./a\nb:\n\tgo build ./b\n")
                == nil)
        #expect(
            MakefileEvidence.disablesCgo("CGO_ENABLED ?= 0\nall: a\na:\n\tCGO_ENABLED=$(CGO_ENABLED) go build ./a\n")
                == 1)
    }

    @Test("a goal named through a variable, or built by a pattern rule, leaves no recipe out")
    func makefileVariableGoals() {
        let mk =
            "BINS = bin/probe\nall: static $(BINS)\nstatic:\n\tCGO_ENABLED=0 go build ./cmd/static\nbin/%:\n\tgo build "
            + "-o $@ ./cmd/$*\nclean:\n\trm -rf bin\n"
        #expect(MakefileEvidence.linesRun(mk, goals: []).contains(5))
        #expect(MakefileEvidence.linesRun(mk, goals: []).contains(7))
        let pattern = "all: bin/probe\nbin/%:\n\tgo build -o $@ ./cmd/$*\nclean:\n\trm -rf bin\n"
        #expect(MakefileEvidence.linesRun(pattern, goals: []).contains(2))
        #expect(!MakefileEvidence.linesRun(pattern, goals: []).contains(4))
        #expect(MakefileEvidence.linesRun("all:\n\t$(MAKE) $(TARGET)\nx:\n\tgo build .\n", goals: []).contains(3))
    }

    @Test("a base image's ONBUILD that compiles for the machine it runs on leaves the stage, even when it names GOARCH")
    func onBuildGoarch() throws {
        let text =
            "FROM example.com/gobase:1 AS build\nRUN go build -o /out/other .\n\nFROM debian\nCOPY --from=build "
            + "/out/app /app\n"
        func rewrite(_ trigger: String) throws -> RewriteResult {
            var options = RewriteOptions(context: BuildContext(root: "/ctx", files: [:]))
            options.baseImages = ["example.com/gobase:1": BaseImageConfig(onBuild: [trigger])]
            return try Rewriter.rewrite(text: text, fileName: "Dockerfile", options: options)
        }
        let probed = try rewrite("RUN GOARCH=$(go env GOARCH) go build -o /out/app .")
        #expect(
            probed.stageFindings.contains { $0.message.contains("has ONBUILD `RUN GOARCH=$(go env GOARCH)") },
            "\(probed.stageFindings)")
        #expect(probed.stages[0].outcome == .left)
        let wired = try rewrite("RUN GOARCH=$TARGETARCH go build -o /out/app .")
        #expect(!wired.stageFindings.contains { $0.message.contains("has ONBUILD") })
    }

    @Test("go.mod: indirect requirements are no evidence; imports are read from import blocks")
    func goFiles() {
        let mod =
            "module example.com/a\n\nrequire (\n\tgithub.com/mattn/go-sqlite3 v1 // indirect\n"
            + "\tgolang.org/x/sys v0.5.0\n)\nrequire github.com/google/gopacket v1.1.19\n"
        #expect(GoEvidence.directRequirements(mod).map(\.module) == ["golang.org/x/sys", "github.com/google/gopacket"])
        #expect(GoEvidence.modulePath(mod) == "example.com/a")
        #expect(
            GoEvidence.imports(
                "package a\n\nimport (\n\t\"fmt\"\n\tx \"example.com/a/b\"\n)\nimport \"C\"\nfunc f() {}\n") == [
                    "fmt", "example.com/a/b", "C",
                ])
    }

    @Test(
        "Rust: crates for other systems and build-machine crates are no target libraries; no dependencies needs no lock"
    )
    func rust() {
        let toml =
            "[package]\nname = \"k\"\n\n[target.'cfg(target_os = \"macos\")'.dependencies]\n"
            + "security-framework = \"2\"\n\n[target.'cfg(unix)'.dependencies]\nnix = \"0.26\"\n"
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
        #expect(
            CLibraryEvidence.unprovenLookup(
                in: "find_package(Threads)\nfind_package(ZLIB)\n", kind: .cmake, installed: ["zlib1g-dev"]) == nil)
        #expect(CLibraryEvidence.unprovenLookup(in: "find_package(ZLIB)\n", kind: .cmake, installed: [])?.line == 1)
        #expect(
            CLibraryEvidence.unprovenLookup(
                in: "AC_CHECK_LIB([m], [cos])\nAC_CHECK_LIB([pcap], [pcap_open])\n", kind: .autoconf, installed: [])?
                .line == 2)
        #expect(CLibraryEvidence.unprovenLookup(in: "LDLIBS = -lm -lpthread\n", kind: .makefile, installed: []) == nil)
        #expect(CLibraryEvidence.unprovenLookup(in: "LDLIBS = -lm -ljudy\n", kind: .makefile, installed: [])?.line == 1)
    }

    @Test(
        "a Cargo.lock past 256 KiB is read whole; a tree past the entry limit gives no evidence rather than part of it")
    func contextLimits() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-evidence-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/cmd", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 6000 crates before openssl-sys: a real workspace's lock is this long.
        let lock =
            (0..<6000).map { "[[package]]\nname = \"crate-\($0)\"\nversion = \"1.0.0\"\n" }.joined(separator: "\n")
            + "\n[[package]]\nname = \"openssl-sys\"\nversion = \"0.9.0\"\n"
        #expect(lock.utf8.count > BuildContext.maxBytes)
        try lock.write(toFile: dir + "/Cargo.lock", atomically: true, encoding: .utf8)
        let whole = BuildContext.load(directory: dir)
        #expect(RustEvidence.lockedCrates(whole.files["Cargo.lock"] ?? "").contains("openssl-sys"))
        try "package main\n// #include <stdio.h>\nimport \"C\"\nfunc main() {}\n".write(
            toFile: dir + "/cmd/main.go", atomically: true, encoding: .utf8)
        try "module x\n".write(toFile: dir + "/go.mod", atomically: true, encoding: .utf8)
        #expect(BuildContext.load(directory: dir, maxEntries: 3).files.isEmpty)
        #expect(BuildContext.load(directory: dir, maxEntries: 10).files["cmd/main.go"] != nil)
    }

    @Test("a Go package in a folder called target or dist is read; Cargo's target folder is not")
    func toolOutputFolders() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-evidence-out-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["internal/target", "cmd/dist", "rs/target/release"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        let cgo = "package x\n// #include <stdio.h>\nimport \"C\"\n"
        try cgo.write(toFile: dir + "/internal/target/t.go", atomically: true, encoding: .utf8)
        try cgo.write(toFile: dir + "/cmd/dist/d.go", atomically: true, encoding: .utf8)
        try "[package]\nname = \"r\"\n".write(toFile: dir + "/rs/Cargo.toml", atomically: true, encoding: .utf8)
        try "all:\n".write(toFile: dir + "/rs/target/release/Makefile", atomically: true, encoding: .utf8)
        let context = BuildContext.load(directory: dir)
        #expect(context.files["internal/target/t.go"] != nil)
        #expect(context.files["cmd/dist/d.go"] != nil)
        #expect(context.files["rs/target/release/Makefile"] == nil)
    }

    @Test("one-letter names at the context's top (a folder `d`, a file `x`) are walked, and what `d` holds is read")
    func oneLetterNames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-evidence-short-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/d", withIntermediateDirectories: true)
        try "x\n".write(toFile: dir + "/x", atomically: true, encoding: .utf8)
        try "package d\n// #include <stdio.h>\nimport \"C\"\n".write(
            toFile: dir + "/d/d.go", atomically: true, encoding: .utf8)
        let context = BuildContext.load(directory: dir)
        #expect(context.files["d/d.go"] != nil)
        #expect(context.goImports["d/d.go"] == ["C"])
    }

    @Test("a backslash-newline continues the command: the packages after it are still apt-get's")
    func continuation() {
        let words = Shell.words(Array("apt-get install -y \\\n    libjudy-dev \\\r\n    libpcap-dev && make".utf8)[...])
        #expect(words.filter(\.isCommand).map(\.text) == ["apt-get", "make"])
        #expect(InstalledPackage.parse(words, run: 0).map(\.name) == ["libjudy-dev", "libpcap-dev"])
    }

    @Test(
        """
        the build machine's strip: by name, `install -s` in any cluster, run by find -exec or xargs; \
        not `strip` as an argument or `install -d`
        """
    )
    func hostStrip() {
        func strips(_ command: String) -> Bool {
            let words = Shell.words(Array(command.utf8)[...])
            return words.indices.contains {
                words[$0].isCommand && StagePlanner.runsHostStrip(words, at: $0)
                    || StagePlanner.runnerOfBinutils(words, at: $0) != nil
            }
        }
        for command in [
            "strip out", "objcopy --only-keep-debug a a.dbg", "install -Dsm755 a /b", "install -m 0755 -s a /b",
            "install --strip a /b", "find /out -type f -exec strip {} +", "find . -execdir /usr/bin/strip {} ;",
            "ls bin/* | xargs -r -n 1 strip", "xargs -I {} objcopy {}",
        ] {
            #expect(strips(command), "\(command)")
        }
        for command in [
            "tar -xzf a.tgz --strip-components=1", "go build -ldflags=-s -o a .", "cargo build && echo strip",
            "install -d /b", "install -dm755 /b", "install -m 0755 -o s a /b", "install -- -s /b",
            "apt-get install -s binutils", "npm install -s", "echo strip | xargs", "xargs -n 1 echo strip",
        ] {
            #expect(!strips(command), "\(command)")
        }
        #expect(MakefileEvidence.stripBlocker("all:\n\t$(CC) -o a a.c\n\tls a | xargs strip\n")?.line == 3)
        #expect(MakefileEvidence.stripBlocker("install:\n\tinstall -d $(DESTDIR)/bin\n") == nil)
    }

    @Test(
        "a recipe's $(STRIP), ${OBJCOPY}, $(CROSS_COMPILE)strip run the build machine's binutils; $(STRIP_FLAGS) not"
    )
    func stripThroughVariable() {
        for recipe in [
            "$(STRIP) a", "@${OBJCOPY} -O binary a a.bin", "-$(CROSS_COMPILE)strip a", "x: ; ${PREFIX}objcopy a",
        ] {
            #expect(
                MakefileEvidence.stripBlocker("STRIP ?= strip\nall:\n\t$(CC) -o a a.c\n\t\(recipe)\n")?.line == 4,
                "\(recipe)")
        }
        #expect(MakefileEvidence.stripBlocker("all:\n\t$(CC) $(STRIP_FLAGS) -o a a.c\n\techo $(STRIP)\n") == nil)
    }
}
