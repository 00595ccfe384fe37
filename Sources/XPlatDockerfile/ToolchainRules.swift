// One rule per toolchain: read the evidence, then either choose the wiring (into `WiringPlan`) or
// refuse with findings. Wiring for C, Rust and cgo is proven on Debian/Ubuntu (apt) images: the cross
// gcc, `libc6-dev-<debarch>-cross` and multiarch -dev packages. Alpine (apk) images are refused for
// those, naming the technique that would work (an xx-apk-style target sysroot with clang).

extension StagePlanner {
    static let alpineTechnique = "an xx-apk-style target sysroot with clang (tonistiigi/xx: xx-apk add musl-dev gcc, CC=xx-clang)"

    // MARK: Go

    func planGo(_ f: FamilyFacts, _ plan: inout WiringPlan) -> Refusal {
        guard f.toolchains.contains(.go), let first = firstRun(f, .go) else { return [] }
        var out = goOpaque(f)
        let text = f.text
        let cgoOff = (text.contains("CGO_ENABLED=0") || text.contains("CGO_ENABLED 0")) && !text.contains("CGO_ENABLED=1")
        if cgoOff { plan.go = .pure; return out }
        let evidence = cgoEvidence(f)
        let contextVisible = context?.has("go.mod") == true
        let nativeCgo = f.apt || f.packages.contains { $0.kind == .cCompiler || $0.kind == .libc }
        guard !evidence.isEmpty || nativeCgo && !contextVisible else { plan.go = .pure; return out }
        if f.apt {
            plan.go = .cgo
            plan.targetPackages += targetLibraries(f).map(\.name)
            return out
        }
        let why = evidence.first?.message ?? "a C compiler is installed and the Go sources are not in the build context"
        out.append(finding(.cgoUnwired, at: evidence.first?.offset ?? first.sourceWords.first?.offset ?? first.step.line, stage: first.stage,
                           "Go with cgo (\(why)) on an Alpine (apk) image: cross-compiling needs \(Self.alpineTechnique); xplat wires cgo on Debian/Ubuntu images",
                           fix: "use a Debian-based golang image, or wire tonistiigi/xx by hand"))
        return out
    }

    /// Places and reasons that say the Go code needs cgo.
    func cgoEvidence(_ f: FamilyFacts) -> [(offset: Int, message: String)] {
        var out: [(Int, String)] = []
        for m in f.members {
            for i in graph.stages[m].instructions where ["run", "env"].contains(df.instructions[i].command) {
                let ins = df.instructions[i]
                for needle in ["CGO_ENABLED=1", "CGO_ENABLED 1", "CGO_ENABLED=\"1\""] {
                    if let at = Bytes.find(Array(needle.utf8), in: df.bytes[ins.sourceRange]) { out.append((ins.sourceRange.lowerBound + at, "CGO_ENABLED=1")) }
                }
            }
        }
        for p in targetLibraries(f) { out.append((p.offset, "\(p.name) is installed to link against")) }
        for r in f.runs {
            let words = placedWords(r)
            for (k, (w, at)) in words.enumerated() {
                let value = w.text == "-tags" && k + 1 < words.count ? words[k + 1].word.text
                    : w.text.hasPrefix("-tags=") ? String(w.text.dropFirst(6))
                    : w.text.hasPrefix("TAGS=") ? String(w.text.dropFirst(5)) : ""
                if GoEvidence.hasCgoTag(value) { out.append((at, "build tags \"\(value)\" select cgo code")) }
            }
        }
        if let context, let r = firstRun(f, .go) {
            let at = r.sourceWords.first?.offset ?? df.instructions[r.step.instruction].argumentsOffset
            out += GoEvidence.contextReasons(context).map { (at, $0) }
            if let mk = MakefileEvidence.makefile(context), mk.text.contains("CGO_ENABLED=1") || mk.text.contains("CGO_ENABLED ?= 1") {
                out.append((at, "\(mk.path) sets CGO_ENABLED=1"))
            }
        }
        return out
    }

    /// Go built through something xplat cannot see into: `go run x.go install`, a Makefile not in the
    /// context, or one that sets GOOS/GOARCH itself.
    func goOpaque(_ f: FamilyFacts) -> Refusal {
        var out: Refusal = []
        for c in commands(f, .go, ["go"]) where c.next == "run" {
            out.append(finding(.opaqueBuild, at: c.offset, stage: c.run.stage,
                               "builds through a Go program (`go run`): it is compiled for the target and run here, and how it calls the compiler is not visible",
                               fix: "call go build/go install directly, or wire GOOS/GOARCH into the program's flags by hand"))
        }
        for c in commands(f, .go, ["make"]) {
            guard let context, let mk = MakefileEvidence.makefile(context) else {
                out.append(finding(.opaqueBuild, at: c.offset, stage: c.run.stage,
                                   "make builds Go through a Makefile that is not in the build context; it may set GOARCH itself",
                                   fix: Self.notVisible))
                continue
            }
            if let line = mk.text.split(separator: "\n").first(where: { l in
                ["GOARCH=", "GOARCH :=", "GOARCH =", "GOOS=", "GOOS :=", "uname -m"].contains { l.contains($0) } && !l.contains("?=") && !l.contains("$(GOARCH)") && !l.contains("${GOARCH}")
            }) {
                out.append(finding(.opaqueBuild, at: c.offset, stage: c.run.stage,
                                   "\(mk.path) picks the architecture itself (`\(String(line).trimmingCharacters(in: " \t"))`): the target from the environment would not reach go build"))
            }
        }
        return out
    }

    // MARK: Rust

    func planRust(_ f: FamilyFacts, _ plan: inout WiringPlan) -> Refusal {
        guard f.toolchains.contains(.rust), let first = firstRun(f, .rust) else { return [] }
        let at = first.sourceWords.first?.offset ?? df.instructions[first.step.instruction].argumentsOffset
        guard f.apt else {
            return [finding(.targetLibraries, at: at, stage: first.stage,
                            "Rust cross-linking is wired for Debian/Ubuntu (apt) images; on this Alpine (apk) image it needs \(Self.alpineTechnique)")]
        }
        var out: Refusal = []
        for c in commands(f, .rust, ["make"]) {
            guard let context, let mk = MakefileEvidence.makefile(context) else {
                out.append(finding(.opaqueBuild, at: c.offset, stage: c.run.stage,
                                   "make wraps cargo through a Makefile that is not in the build context; its output paths are unknown",
                                   fix: Self.notVisible))
                continue
            }
            if mk.text.contains("target/release") || mk.text.contains("target/debug") || mk.text.contains("--target") {
                out.append(finding(.opaqueBuild, at: c.offset, stage: c.run.stage,
                                   "\(mk.path) names cargo's output folders or target itself; with CARGO_BUILD_TARGET they move to target/<triple>/"))
            }
        }
        guard let context, context.has("Cargo.lock") else {
            return out + [finding(.opaqueBuild, at: at, stage: first.stage,
                                  "Cargo.lock is not in the build context: which -sys crates link C libraries is unknown",
                                  fix: Self.notVisible)]
        }
        let crates = RustEvidence.lockedCrates(context)
        if crates.contains("bindgen") {
            out.append(finding(.opaqueBuild, at: at, stage: first.stage,
                               "Cargo.lock has bindgen: it runs libclang on the build machine against the target's headers, which xplat does not wire"))
        }
        let unknown = crates.filter { $0.hasSuffix("-sys") && RustEvidence.systemLibraries[$0] == nil && !RustEvidence.selfContained.contains($0) }.sorted()
        if !unknown.isEmpty {
            out.append(finding(.targetLibraries, at: at, stage: first.stage,
                               "Cargo.lock has -sys crates xplat cannot map to target libraries: \(unknown.joined(separator: ", "))"))
        }
        plan.rust = true
        plan.targetPackages += crates.compactMap { RustEvidence.systemLibraries[$0] }.sorted() + targetLibraries(f).map(\.name)
        return out
    }

    // MARK: Ubuntu

    /// Ubuntu release names that `buildpack-deps` and others use as tags.
    static let ubuntuReleases = ["bionic", "focal", "jammy", "noble", "oracular", "plucky"]

    /// Target-architecture packages (`libssl-dev:arm64`, `libstd-rust-dev:armhf`) were proven on Debian's
    /// archive only, which carries every architecture; an Ubuntu image's sources name its own archive,
    /// so the family is left rather than wired on an unproven path.
    func ubuntuMultiarch(_ f: FamilyFacts, _ plan: WiringPlan) -> Refusal {
        let image = baseImage(f.root)
        let ubuntu = image.contains("ubuntu") || Self.ubuntuReleases.contains { image.contains(":" + $0) }
        let foreign = !plan.targetPackages.isEmpty || plan.rust && !f.text.contains("rustup")
        guard ubuntu && foreign, let first = f.runs.first(where: { !$0.toolchains.isEmpty && !$0.wired }) else { return [] }
        let what = plan.targetPackages.isEmpty ? "libstd-rust-dev" : plan.targetPackages.joined(separator: ", ")
        return [finding(.targetLibraries, first,
                        "needs target-architecture packages (\(what):<debarch>) on an Ubuntu image; xplat's multiarch wiring is proven on Debian's archive only",
                        fix: "install the target's packages by hand (Ubuntu ports sources for the target architecture), or build on a Debian image")]
    }

    // MARK: C

    func planC(_ f: FamilyFacts, _ plan: inout WiringPlan) -> Refusal {
        guard f.toolchains.contains(.c), let first = firstRun(f, .c) else { return [] }
        guard f.apt else {
            return [finding(.targetLibraries, at: first.sourceWords.first?.offset ?? first.step.line, stage: first.stage,
                            "C cross toolchains are wired for Debian/Ubuntu (apt) images; on this Alpine (apk) image cross-compiling needs \(Self.alpineTechnique)")]
        }
        var out: Refusal = []
        let configured = !commands(f, .c, ["configure"]).isEmpty
        for c in commands(f, .c, ["clang", "clang++", "meson"]) {
            out.append(finding(.opaqueBuild, at: c.offset, stage: c.run.stage,
                               c.name == "meson" ? "meson needs a cross file, which xplat does not write"
                                   : "clang needs --target and a target sysroot, which xplat does not wire"))
        }
        for c in commands(f, .c, ["make", "ninja"]) where !configured {
            out += makeEvidence(c.run, c.offset, ninja: c.name == "ninja", f)
        }
        for c in commands(f, .c, ["cmake"]) where !["--build", "--install", "-E", "-P"].contains(c.next) {
            out += projectFile(c.run, c.offset, "CMakeLists.txt", blockers: ["try_run", "check_c_source_runs", "CheckCSourceRuns", "-march=native"])
        }
        for c in commands(f, .c, ["configure"]) {
            out += projectFile(c.run, c.offset, "configure.ac", alternative: "configure.in",
                               blockers: ["AC_RUN_IFELSE", "AC_TRY_RUN", "-march=native"])
        }
        plan.c = true
        plan.targetPackages += targetLibraries(f).map(\.name)
        return out
    }

    func makeEvidence(_ r: RunInfo, _ at: Int, ninja: Bool, _ f: FamilyFacts) -> Refusal {
        if ninja { return f.runs.contains { $0.words.contains { $0.isCommand && Shell.name($0.text) == "cmake" } } ? [] :
            [finding(.opaqueBuild, at: at, stage: r.stage, "ninja runs a build file this stage did not generate")] }
        guard let context, let mk = MakefileEvidence.makefile(context) else {
            return [finding(.opaqueBuild, at: at, stage: r.stage,
                            "make runs a Makefile that is not in the build context: whether CC from the environment reaches the compiler is unknown",
                            fix: Self.notVisible)]
        }
        return MakefileEvidence.ccBlocker(mk.text).map { [finding(.opaqueBuild, at: at, stage: r.stage, "\(mk.path) \($0)")] } ?? []
    }

    func projectFile(_ r: RunInfo, _ at: Int, _ name: String, alternative: String? = nil, blockers: [String]) -> Refusal {
        guard let context, let file = context.named(name).first ?? alternative.flatMap({ context.named($0).first }) else {
            return [finding(.opaqueBuild, at: at, stage: r.stage, "\(name) is not in the build context: whether the project cross-compiles is unknown",
                            fix: Self.notVisible)]
        }
        return blockers.filter { file.text.contains($0) }.map {
            finding(.opaqueBuild, at: at, stage: r.stage, "\(file.path) uses \($0), which does not work when cross-compiling")
        }
    }
}
