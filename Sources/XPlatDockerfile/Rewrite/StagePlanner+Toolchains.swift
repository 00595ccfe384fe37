// One rule per toolchain: read the evidence, then either choose the wiring (into `WiringPlan`) or
// refuse with findings. Wiring for C, Rust and cgo is proven on Debian/Ubuntu (apt) images: the cross
// gcc, `libc6-dev-<debarch>-cross` and multiarch -dev packages. Alpine (apk) images are refused for
// those, naming the technique that would work (an xx-apk-style target sysroot with clang).

extension StagePlanner {
    static let alpineTechnique =
        "an xx-apk-style target sysroot with clang (tonistiigi/xx: xx-apk add musl-dev gcc, CC=xx-clang)"

    // MARK: Go

    /// The family's Go compile commands (`go build`, `go install`, a `make` that wraps them) with their files.
    func goSites(_ facts: FamilyFacts) -> [CommandSite] {
        commands(facts, .go, ["go", "make"]).filter { $0.name == "make" || ["build", "install"].contains($0.next) }
            .compactMap(site)
    }

    func planGo(_ facts: FamilyFacts, _ plan: inout WiringPlan) -> Refusal {
        guard facts.toolchains.contains(.go), let first = firstRun(facts, .go) else { return [] }
        let out = goOpaque(facts)
        let sites = goSites(facts)
        addMakeVariables(of: sites, to: &plan)
        if cgoIsOff(facts, sites, &plan) {
            plan.go = .pure
            return out
        }
        return out + planCgo(facts, sites, first: first, &plan)
    }

    /// The Makefile's own architecture variables, set for the target in make's environment.
    private func addMakeVariables(of sites: [CommandSite], to plan: inout WiringPlan) {
        for site in sites where site.name == "make" {
            guard let mk = makefile(site) else { continue }
            for v in MakefileEvidence.goArchitecture(mk.text, goals: site.makeGoals).variables
            where !plan.makeVariables.contains(where: { $0.name == v.name }) {
                plan.makeVariables.append(v)
                plan.evidence.append(
                    "\(mk.path) passes \(v.name) to go as \(v.goVariable), set only with ?=: make gets \(v.name) for "
                        + "the target"
                )
            }
        }
    }

    /// Whether cgo is settled off (by the Dockerfile, the base image's ENV, or the Makefiles the go
    /// commands run through), adding the evidence for the base image or Makefile to `plan`.
    private func cgoIsOff(_ facts: FamilyFacts, _ sites: [CommandSite], _ plan: inout WiringPlan) -> Bool {
        let text = facts.text
        let cgoOn = text.contains("CGO_ENABLED=1")
        let inDockerfile = text.contains("CGO_ENABLED=0") || text.contains("CGO_ENABLED 0")
        // The base image's ENV (its config, from the registry), unless the Dockerfile sets it.
        let base = baseConfig(facts)
        let baseOff = !inDockerfile && !cgoOn && base?.config.env["CGO_ENABLED"] == "0"
        if baseOff, let base {
            plan.evidence.append("no cgo: base image \(base.image) sets CGO_ENABLED=0 (its config, from the registry)")
        }
        let cgoOff = (inDockerfile || baseOff) && !cgoOn
        // A Makefile that turns cgo off for the go commands it runs settles it too.
        let makefileOff =
            !cgoOn && !sites.isEmpty
            && sites.allSatisfy { s in
                s.name == "make" && makefile(s).map { MakefileEvidence.disablesCgo($0.text) != nil } == true
            }
        guard cgoOff || makefileOff else { return false }
        if !cgoOff, let s = sites.first, let mk = makefile(s), let line = MakefileEvidence.disablesCgo(mk.text) {
            plan.evidence.append("no cgo: \(mk.path):\(line) turns it off")
        }
        return true
    }

    /// cgo not settled off: wired on apt images when the code or the stage says it needs cgo, refused on
    /// Alpine (apk) images.
    private func planCgo(
        _ facts: FamilyFacts, _ sites: [CommandSite], first: RunInfo, _ plan: inout WiringPlan
    ) -> Refusal {
        let evidence = cgoEvidence(facts, sites)
        let contextVisible = sites.contains { goModule($0) != nil }
        let nativeCgo = facts.apt || facts.packages.contains { $0.kind == .cCompiler || $0.kind == .libc }
        guard !evidence.isEmpty || nativeCgo && !contextVisible else {
            plan.go = .pure
            return []
        }
        if facts.apt {
            plan.go = .cgo
            plan.evidence.append(
                "cgo: "
                    + (evidence.first.map { e in
                        e.message.contains(":") ? e.message : "line \(df.position(of: e.offset).line): \(e.message)"
                    }
                        ?? "a C compiler is installed and no go.mod is among the files the stage holds"))
            plan.targetPackages += targetLibraries(facts).map(\.name)
            return []
        }
        let why =
            evidence.first?.message ?? "a C compiler is installed and no go.mod is among the files the stage holds"
        return [
            finding(
                .cgoUnwired, at: evidence.first?.offset ?? first.sourceWords.first?.offset ?? first.step.line,
                stage: first.stage,
                "Go with cgo (\(why)) on an Alpine (apk) image: cross-compiling needs \(Self.alpineTechnique); xplat "
                    + "wires cgo on Debian/Ubuntu images",
                fix: "use a Debian-based golang image, or wire tonistiigi/xx by hand")
        ]
    }

    /// Places and reasons that say the Go code needs cgo.
    func cgoEvidence(_ facts: FamilyFacts, _ sites: [CommandSite]) -> [(offset: Int, message: String)] {
        var out: [(Int, String)] = []
        for m in facts.members {
            for i in graph.stages[m].instructions where ["run", "env"].contains(df.instructions[i].command) {
                let ins = df.instructions[i]
                for needle in ["CGO_ENABLED=1", "CGO_ENABLED 1", "CGO_ENABLED=\"1\""] {
                    if let at = Bytes.find(Array(needle.utf8), in: df.bytes[ins.sourceRange]) {
                        out.append((ins.sourceRange.lowerBound + at, "CGO_ENABLED=1"))
                    }
                }
            }
        }
        for p in targetLibraries(facts) { out.append((p.offset, "\(p.name) is installed to link against")) }
        if let base = baseConfig(facts), base.config.env["CGO_ENABLED"] == "1" {
            out.append(
                (
                    df.instructions[facts.root.fromInstruction].argumentsOffset,
                    "base image \(base.image) sets CGO_ENABLED=1 (its config, from the registry)"
                ))
        }
        for r in facts.runs {
            let words = placedWords(r)
            for (k, (w, at)) in words.enumerated() {
                let value =
                    w.text == "-tags" && k + 1 < words.count
                    ? words[k + 1].word.text
                    : w.text.hasPrefix("-tags=")
                        ? String(w.text.dropFirst(6))
                        : w.text.hasPrefix("TAGS=") ? String(w.text.dropFirst(5)) : ""
                if GoEvidence.hasCgoTag(value) { out.append((at, "build tags \"\(value)\" select cgo code")) }
            }
        }
        for s in sites {
            out += goCgoReasons(s).map { (s.offset, $0) }
            if s.name == "make", let mk = makefile(s), let line = MakefileEvidence.enablesCgo(mk.text) {
                out.append((s.offset, "\(mk.path):\(line) sets CGO_ENABLED=1"))
            }
        }
        return out
    }

    /// Go built through something xplat cannot see into: `go run x.go install`, a Makefile not in the
    /// stage, or one that sets GOOS/GOARCH itself.
    func goOpaque(_ facts: FamilyFacts) -> Refusal {
        var out: Refusal = []
        for c in commands(facts, .go, ["go"]) where c.next == "run" {
            out.append(
                finding(
                    .opaqueBuild, at: c.offset, stage: c.run.stage,
                    "builds through a Go program (`go run`): it is compiled for the target and run here, and how it "
                        + "calls the compiler is not visible",
                    fix: "call go build/go install directly, or wire GOOS/GOARCH into the program's flags by hand"))
        }
        for c in commands(facts, .go, ["make"]) {
            guard let s = site(c), let mk = makefile(s) else {
                out.append(missing("the Makefile make reads", c, consequence: "it may set GOARCH itself"))
                continue
            }
            let arch = MakefileEvidence.goArchitecture(mk.text, goals: s.makeGoals)
            if let blocker = arch.blocker, !arch.variables.isEmpty, blocker.text.contains("include ") {
                let names = arch.variables.map(\.name).joined(separator: ", ")
                out.append(
                    finding(
                        .opaqueBuild, at: c.offset, stage: c.run.stage,
                        "\(mk.path):\(blocker.line) reads another file (`\(blocker.text)`), which xplat does not read: "
                            + "it may assign \(names), which pass the architecture to go, so the target from the "
                            + "environment is not shown to reach go build"))
            } else if let blocker = arch.blocker {
                out.append(
                    finding(
                        .opaqueBuild, at: c.offset, stage: c.run.stage,
                        "\(mk.path):\(blocker.line) picks the architecture itself (`\(blocker.text)`): the target from "
                            + "the environment would not reach go build"
                    ))
            }
        }
        return out
    }

    /// A finding for a project file the command reads that xplat cannot see: not in the build context
    /// given, or (with one) not among the files the stage holds where the command runs.
    func missing(
        _ what: String, _ command: (run: RunInfo, offset: Int, name: String, next: String), consequence: String
    )
        -> RewriteFinding
    {
        guard context != nil else {
            return finding(
                .opaqueBuild, at: command.offset, stage: command.run.stage,
                "\(what) is not in the build context: \(consequence)",
                fix: Self.notVisible)
        }
        let dir = site(command)?.directory ?? "?"
        if site(command)?.directoryKnown == false {
            return finding(
                .opaqueBuild, at: command.offset, stage: command.run.stage,
                "a `cd` before it goes to a folder xplat cannot resolve (a variable, `cd -`, or no folder): \(what) is "
                    + "unknown: \(consequence)",
                fix: "cd to a literal folder (or use WORKDIR), so the files the command reads are known")
        }
        return finding(
            .opaqueBuild, at: command.offset, stage: command.run.stage,
            "\(what) is not among the context files the stage holds here (run in \(dir); the COPY lines before it put "
                + "none there): \(consequence)",
            fix: "COPY the project files before this RUN, or check the folder the command runs in")
    }

    // MARK: Rust

    func planRust(_ facts: FamilyFacts, _ plan: inout WiringPlan) -> Refusal {
        guard facts.toolchains.contains(.rust), let first = firstRun(facts, .rust) else { return [] }
        let at = first.sourceWords.first?.offset ?? df.instructions[first.step.instruction].argumentsOffset
        guard facts.apt else {
            return [
                finding(
                    .targetLibraries, at: at, stage: first.stage,
                    "Rust cross-linking is wired for Debian/Ubuntu (apt) images; on this Alpine (apk) image it needs "
                        + "\(Self.alpineTechnique)"
                )
            ]
        }
        var out = rustMakefiles(facts)
        guard let locks = rustLocks(facts, refusing: &out) else { return out }
        out += rustCrateFindings(locks, at: at, stage: first.stage)
        plan.rust = true
        plan.targetPackages +=
            locks.crates.compactMap { RustEvidence.systemLibraries[$0] }.sorted() + targetLibraries(facts).map(\.name)
        return out
    }

    /// Makefiles that wrap cargo: missing ones, and ones that name cargo's output folder or target
    /// themselves (CARGO_BUILD_TARGET moves the output to target/<triple>/).
    private func rustMakefiles(_ facts: FamilyFacts) -> Refusal {
        var out: Refusal = []
        for c in commands(facts, .rust, ["make"]) {
            guard let s = site(c), let mk = makefile(s) else {
                out.append(
                    missing(
                        "the Makefile make reads", c, consequence: "it wraps cargo, and its output paths are unknown"))
                continue
            }
            if let (n, line) = mk.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().first(
                where: { _, l in
                    l.contains("target/release") || l.contains("target/debug") || l.contains("--target")
                })
            {
                out.append(
                    finding(
                        .opaqueBuild, at: c.offset, stage: c.run.stage,
                        "\(mk.path):\(n + 1) names cargo's output folder or target itself "
                            + "(`\(String(line).trimmingCharacters(in: " \t"))`); with CARGO_BUILD_TARGET the output "
                            + "moves to target/<triple>/"))
            }
        }
        return out
    }

    /// The crates in the Cargo.lock files the family's cargo builds read, adding a finding to `out` for each
    /// lock that is missing; nil (with the finding added) when there is no build context to read them from.
    private func rustLocks(_ facts: FamilyFacts, refusing out: inout Refusal) -> RustLocks? {
        var locks = RustLocks()
        for c in commands(facts, .rust, ["cargo", "make"])
        where c.name == "make" || ["build", "install", "chef"].contains(c.next) {
            guard let context, let s = site(c) else {
                out.append(
                    finding(
                        .opaqueBuild, at: c.offset, stage: c.run.stage,
                        "Cargo.lock is not in the build context: which -sys crates link C libraries is unknown",
                        fix: Self.notVisible))
                return nil
            }
            let dir = cargoFolder(s)
            let manifest = s.files.file(in: dir, named: ["Cargo.toml"], context: context)
            guard let lock = s.files.nearest("Cargo.lock", from: dir, context: context) else {
                if let manifest, RustEvidence.hasNoDependencies(manifest.text) { continue }
                out.append(missing("Cargo.lock", c, consequence: "which -sys crates link C libraries is unknown"))
                continue
            }
            locks.paths.append(lock.path)
            locks.crates.formUnion(RustEvidence.lockedCrates(lock.text))
            for (_, origin) in s.files.files(under: lock.dir, recursive: true) where origin.hasSuffix("Cargo.toml") {
                locks.platformOnly.formUnion(RustEvidence.otherPlatformDependencies(context.files[origin] ?? ""))
            }
        }
        return locks
    }

    /// Locked crates xplat cannot wire: bindgen, and -sys crates with no known Debian -dev package.
    private func rustCrateFindings(_ locks: RustLocks, at offset: Int, stage: Int) -> Refusal {
        var out: Refusal = []
        let lockName = locks.paths.first ?? "Cargo.lock"
        if locks.crates.contains("bindgen") {
            out.append(
                finding(
                    .opaqueBuild, at: offset, stage: stage,
                    "\(lockName) has bindgen: it runs libclang on the build machine against the target's headers, "
                        + "which xplat does not wire"
                ))
        }
        let unknown = locks.crates.filter { RustEvidence.needsTargetLibrary($0) && !locks.platformOnly.contains($0) }
            .sorted()
        if !unknown.isEmpty {
            out.append(
                finding(
                    .targetLibraries, at: offset, stage: stage,
                    "\(lockName) has -sys crates for Linux targets that xplat cannot map to Debian -dev packages: "
                        + "\(unknown.joined(separator: ", "))"
                ))
        }
        return out
    }

    // MARK: Ubuntu

    /// Ubuntu release names that `buildpack-deps` and others use as tags.
    static let ubuntuReleases = ["bionic", "focal", "jammy", "noble", "oracular", "plucky"]

    /// Target-architecture packages (`libssl-dev:arm64`, `libstd-rust-dev:armhf`) were proven on Debian's
    /// archive only, which carries every architecture; an Ubuntu image's sources name its own archive,
    /// so the family is left rather than wired on an unproven path.
    func ubuntuMultiarch(_ facts: FamilyFacts, _ plan: WiringPlan) -> Refusal {
        let image = baseImage(facts.root)
        let ubuntu = image.contains("ubuntu") || Self.ubuntuReleases.contains { image.contains(":" + $0) }
        let foreign = !plan.targetPackages.isEmpty || plan.rust && !facts.text.contains("rustup")
        guard ubuntu && foreign, let first = facts.runs.first(where: { !$0.toolchains.isEmpty && !$0.wired }) else {
            return []
        }
        let what = plan.targetPackages.isEmpty ? "libstd-rust-dev" : plan.targetPackages.joined(separator: ", ")
        return [
            finding(
                .targetLibraries, first,
                "needs target-architecture packages (\(what):<debarch>) on an Ubuntu image; xplat's multiarch "
                    + "wiring is proven on Debian's archive only",
                fix:
                    "install the target's packages by hand (Ubuntu ports sources for the target architecture), or "
                    + "build on a Debian image"
            )
        ]
    }

    // MARK: C

    func planC(_ facts: FamilyFacts, _ plan: inout WiringPlan) -> Refusal {
        guard facts.toolchains.contains(.c), let first = firstRun(facts, .c) else { return [] }
        guard facts.apt else {
            return [
                finding(
                    .targetLibraries, at: first.sourceWords.first?.offset ?? first.step.line, stage: first.stage,
                    "C cross toolchains are wired for Debian/Ubuntu (apt) images; on this Alpine (apk) image "
                        + "cross-compiling needs \(Self.alpineTechnique)"
                )
            ]
        }
        var out: Refusal = []
        // make and ninja after cmake or configure run the build files those generated.
        let configured = !commands(facts, .c, ["configure", "cmake"]).isEmpty
        for c in commands(facts, .c, ["clang", "clang++", "meson"]) {
            out.append(
                finding(
                    .opaqueBuild, at: c.offset, stage: c.run.stage,
                    c.name == "meson"
                        ? "meson needs a cross file, which xplat does not write"
                        : "clang needs --target and a target sysroot, which xplat does not wire"))
        }
        for c in commands(facts, .c, ["make", "ninja"]) where !configured {
            out += makeEvidence(c, ninja: c.name == "ninja", facts)
        }
        for c in commands(facts, .c, ["cmake"]) where !["--build", "--install", "-E", "-P"].contains(c.next) {
            out += projectFile(
                c, "CMakeLists.txt", site(c).flatMap(cmakeLists),
                blockers: ["try_run", "check_c_source_runs", "CheckCSourceRuns", "-march=native"])
        }
        for c in commands(facts, .c, ["configure"]) {
            out += projectFile(
                c, "configure.ac", site(c).flatMap(configureSource),
                blockers: ["AC_RUN_IFELSE", "AC_TRY_RUN", "-march=native"])
        }
        out += cLibraries(facts)
        plan.c = true
        plan.targetPackages += targetLibraries(facts).map(\.name)
        return out
    }

    /// Libraries a C build links, which a cross compiler must find for the target. Proven end to end
    /// (CrossWiringTests, cmake-zlib, for arm64 and arm/v7): zlib1g-dev installed as `:<debarch>` and
    /// found by CMake's `find_package(ZLIB)`. Any other -dev package the family installs for the build
    /// machine, or a library lookup in the project files the commands read, leaves the stage: the cross
    /// compiler would otherwise meet the build machine's headers and libraries (its `*-config` scripts,
    /// its pkg-config files, /usr/include/<build triplet>), as two real projects did.
    func cLibraries(_ facts: FamilyFacts) -> Refusal {
        guard let first = firstRun(facts, .c) else { return [] }
        let libraries = targetLibraries(facts)
        let cmakeOnly =
            !commands(facts, .c, ["cmake"]).isEmpty && commands(facts, .c, ["configure"]).isEmpty
            && !facts.runs.contains { r in
                r.toolchains.contains(.c)
                    && r.words.contains { $0.isCommand && ["gcc", "cc", "g++", "c++"].contains(Shell.name($0.text)) }
            }
        let unproven = libraries.filter { !(cmakeOnly && Self.provenCLibraries.contains($0.name)) }
        var out: Refusal = []
        if let p = unproven.first {
            let listed = unproven.map { pkg -> String in
                let (line, column) = df.position(of: pkg.offset)
                return "\(pkg.name) (\(df.fileName):\(line):\(column))"
            }.joined(separator: ", ")
            out.append(
                finding(
                    .targetLibraries, at: p.offset, stage: first.stage,
                    "the C build may link these -dev packages, installed for the build machine: \(listed); xplat's "
                        + "multiarch wiring for C is proven only for zlib1g-dev found by CMake's find_package(ZLIB)",
                    fix:
                        "install the target's packages by hand (`dpkg --add-architecture`, `<pkg>:$debarch`, "
                        + "pkg-config and CMake paths for the triplet)"
                        + ", or leave the stage on the target platform"))
        }
        let installed = Set(libraries.map(\.name))
        let generated = !commands(facts, .c, ["cmake", "configure"]).isEmpty
        for c in commands(facts, .c, generated ? ["cmake", "configure"] : ["make"])
        where !["--build", "--install", "-E", "-P"].contains(c.next) {
            guard let s = site(c), let file = buildFile(s) else { continue }
            if let lookup = CLibraryEvidence.unprovenLookup(in: file.text, kind: file.kind, installed: installed) {
                out.append(
                    finding(
                        .targetLibraries, at: c.offset, stage: c.run.stage,
                        "\(file.path):\(lookup.line) looks up a library (`\(lookup.text)`) that xplat does not install "
                            + "for the target; a cross compiler could find the build machine's copy or none",
                        fix:
                            "install the target's -dev package (`<pkg>:$debarch`) and wire its paths by hand, or leave "
                            + "the stage on the target platform"
                    ))
            }
        }
        return out
    }

    /// The -dev packages whose multiarch wiring for C is proven by a real cross build (see `cLibraries`).
    static let provenCLibraries: Set<String> = ["zlib1g-dev"]

    func makeEvidence(
        _ command: (run: RunInfo, offset: Int, name: String, next: String), ninja: Bool, _ facts: FamilyFacts
    )
        -> Refusal
    {
        if ninja {
            return [
                finding(
                    .opaqueBuild, at: command.offset, stage: command.run.stage,
                    "ninja runs a build file this stage did not generate")
            ]
        }
        guard let s = site(command), let mk = makefile(s) else {
            return [
                missing(
                    "the Makefile make reads", command,
                    consequence: "whether CC from the environment reaches the compiler is unknown")
            ]
        }
        return MakefileEvidence.ccBlocker(mk.text).map {
            [finding(.opaqueBuild, at: command.offset, stage: command.run.stage, "\(mk.path):\($0.line) \($0.reason)")]
        } ?? []
    }

    func projectFile(
        _ command: (run: RunInfo, offset: Int, name: String, next: String), _ name: String,
        _ file: (path: String, text: String)?,
        blockers: [String]
    ) -> Refusal {
        guard let file else {
            return [missing(name, command, consequence: "whether the project cross-compiles is unknown")]
        }
        return blockers.compactMap { b in
            Text.lineNumber(of: b, in: file.text).map {
                finding(
                    .opaqueBuild, at: command.offset, stage: command.run.stage,
                    "\(file.path):\($0) uses \(b), which does not work when cross-compiling")
            }
        }
    }
}

/// What the Cargo.lock files of a family say: the crates locked, those only other platforms use, and
/// the locks' paths (the first names the lock in findings).
private struct RustLocks {
    var crates = Set<String>()
    var platformOnly = Set<String>()
    var paths: [String] = []
}
