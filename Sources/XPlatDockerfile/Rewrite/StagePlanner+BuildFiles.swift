// The project files one compile command reads, found where the build puts them: the RUN's
// `StageFiles` (COPY/ADD, WORKDIR, bind mounts), then the command's own folder (`cd DIR &&` before
// it, `make -C DIR`, `make -f FILE`, `cargo --manifest-path`, `cmake -S DIR`, `./sub/configure`,
// `go build ./cmd/x`). Nothing is guessed from other files of the context.

/// A compile command of a RUN, with the words that follow it up to the next command.
struct CommandSite {
    var run: RunInfo
    /// Byte offset of the command word (for findings).
    var offset: Int
    var name: String
    /// The command word as written (`./configure`, `../configure`).
    var word: String
    var arguments: [String]
    /// The folder it runs in, absolute in the stage.
    var directory: String
    var files: StageFiles
    /// False after a `cd` to a folder that is not known (`cd "$DIR"`): `files` is then empty.
    var directoryKnown = true

    /// The goals a `make` command names (none: the Makefile's first rule).
    var makeGoals: [String] {
        var out: [String] = [], skip = false
        for a in arguments {
            if skip { skip = false; continue }
            if ["-C", "-f", "-j", "-l", "-o", "-W", "-I", "--directory", "--file", "--makefile"].contains(a) {
                skip = a != "-j"; continue
            }
            if !a.hasPrefix("-") && !a.contains("=") && !a.allSatisfy(\.isNumber) { out.append(a) }
        }
        return out
    }
}

extension StagePlanner {
    /// The files RUN `r` sees (nil without a context).
    func stageFiles(_ stage: Int, instruction: Int) -> StageFiles? {
        context.map { StageFiles.at(instruction, stage: stage, graph: graph, context: $0, cache: filesCache) }
    }

    /// Command `command` of a RUN with its folder and arguments; nil without a context.
    func site(_ command: (run: RunInfo, offset: Int, name: String, next: String)) -> CommandSite? {
        guard let files = command.run.files else { return nil }
        let words = placedWords(command.run)
        guard let k = words.firstIndex(where: { $0.offset == command.offset && $0.word.isCommand }) else { return nil }
        return site(words.map(\.word), at: k, run: command.run, offset: command.offset, files: files)
    }

    /// The command at word `index` of `words`, run from the RUN's WORKDIR after each `cd DIR` before it.
    /// A `cd` whose folder is not known (`cd "$APP_DIR"`, `cd -`, `cd` alone) leaves the command no
    /// files: judged by the folder it was in before, it would be judged by files it does not read.
    func site(_ words: [ShellWord], at index: Int, run: RunInfo, offset: Int, files: StageFiles) -> CommandSite {
        var dir = files.workdir, known = true
        for (i, w) in words[..<index].enumerated() where w.isCommand && ["cd", "pushd"].contains(w.text) {
            if i + 1 < index, !words[i + 1].isCommand, !words[i + 1].text.hasPrefix("-"),
                !words[i + 1].text.contains("$")
            {
                dir = Paths.join(dir, words[i + 1].text)
            } else {
                known = false
            }
        }
        let args = words[(index + 1)...].prefix { !$0.isCommand }.map(\.text)
        // `go build -C DIR` (Go 1.20) runs in DIR: its go.mod and packages are there.
        if Shell.name(words[index].text) == "go", args.count > 2, args[1] == "-C" {
            if args[2].contains("$") { known = false } else { dir = Paths.join(dir, args[2]) }
        }
        return CommandSite(
            run: run, offset: offset, name: Shell.name(words[index].text), word: words[index].text,
            arguments: args, directory: dir, files: known ? files : StageFiles(files: [:], workdir: dir),
            directoryKnown: known)
    }

    /// The value of option `short` (`-C DIR`, `-CDIR`) or `long` (`--directory=DIR`, `--directory DIR`).
    static func option(_ args: [String], short: String?, long: [String]) -> String? {
        for (i, a) in args.enumerated() {
            if let short, a == short { return i + 1 < args.count ? args[i + 1] : nil }
            if let short, a.hasPrefix(short), a.count > short.count, !a.hasPrefix("--") {
                return String(a.dropFirst(short.count))
            }
            for l in long {
                if a == l { return i + 1 < args.count ? args[i + 1] : nil }
                if a.hasPrefix(l + "=") { return String(a.dropFirst(l.count + 1)) }
            }
        }
        return nil
    }

    // MARK: per build system

    /// The Makefile `make` reads: `-f FILE`, else GNUmakefile, makefile, Makefile in its folder (`-C DIR`).
    /// Its text keeps only the lines make runs for the command's goals (`MakefileEvidence.linesRun`;
    /// the others are blank, so line numbers stay): another rule's recipe is no evidence.
    func makefile(_ site: CommandSite) -> (path: String, text: String)? {
        guard let context else { return nil }
        let dir =
            Self.option(site.arguments, short: "-C", long: ["--directory"]).map { Paths.join(site.directory, $0) }
            ?? site.directory
        let file =
            Self.option(site.arguments, short: "-f", long: ["--file", "--makefile"]).map {
                site.files.file(Paths.join(dir, $0), in: context)
            }
            ?? site.files.file(in: dir, named: ["GNUmakefile", "makefile", "Makefile"], context: context)
        guard let file else { return nil }
        let run = MakefileEvidence.linesRun(file.text, goals: site.makeGoals)
        let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
            run.contains($0.offset) ? String($0.element) : ""
        }
        return (file.path, lines.joined(separator: "\n"))
    }

    /// The CMakeLists.txt `cmake` configures: `-S DIR`, else its path argument, else its folder.
    func cmakeLists(_ site: CommandSite) -> (path: String, text: String)? {
        guard let context else { return nil }
        var source = Self.option(site.arguments, short: "-S", long: [])
        if source == nil {
            var skip = false
            for a in site.arguments {
                if skip { skip = false; continue }
                if ["-B", "-G", "-D", "-C", "-U", "-T", "-A"].contains(a) { skip = true; continue }
                if !a.hasPrefix("-") { source = a; break }
            }
        }
        return site.files.file(
            in: Paths.join(site.directory, source ?? "."), named: ["CMakeLists.txt"], context: context)
    }

    /// The configure.ac (or configure.in) beside the `configure` script the command runs.
    func configureSource(_ site: CommandSite) -> (path: String, text: String)? {
        guard let context else { return nil }
        let dir = Paths.parent(Paths.join(site.directory, site.word))
        return site.files.file(in: dir, named: ["configure.ac", "configure.in"], context: context)
    }

    /// The build file a C command reads: CMakeLists.txt for cmake, configure.ac for configure, the Makefile for make.
    func buildFile(_ site: CommandSite) -> (path: String, text: String, kind: CLibraryEvidence.Kind)? {
        switch site.name {
        case "cmake": return cmakeLists(site).map { ($0.path, $0.text, .cmake) }
        case "configure": return configureSource(site).map { ($0.path, $0.text, .autoconf) }
        default: return makefile(site).map { ($0.path, $0.text, .makefile) }
        }
    }

    /// The shell script a command runs (`./build.sh`, `sh scripts/build.sh`), if the stage holds it.
    func script(_ site: CommandSite) -> (path: String, text: String)? {
        guard let context else { return nil }
        let path =
            ["sh", "bash"].contains(site.name)
            ? site.arguments.first { !$0.hasPrefix("-") } : site.word.hasSuffix(".sh") ? site.word : nil
        return path.flatMap { site.files.file(Paths.join(site.directory, $0), in: context) }
    }

    // MARK: Go

    /// The go.mod governing a Go command: the nearest one at or above its folder.
    func goModule(_ site: CommandSite) -> (dir: String, path: String, text: String)? {
        context.flatMap { site.files.nearest("go.mod", from: site.directory, context: $0) }
    }

    /// Folders of the packages `go build`/`go install` compiles (`./...` adds the folders below);
    /// for `make` and scripts, every package of the module.
    private func goPackageFolders(_ site: CommandSite, module: (dir: String, path: String, text: String)) -> [String] {
        let modulePath = GoEvidence.modulePath(module.text)
        var patterns: [String] = []
        if site.name == "go" {
            var skip = false
            for a in site.arguments.dropFirst() {
                if skip { skip = false; continue }
                if [
                    "-o", "-tags", "-ldflags", "-gcflags", "-asmflags", "-mod", "-p", "-pkgdir", "-buildmode",
                    "-modfile", "-overlay", "-C",
                ].contains(a) {
                    skip = true; continue
                }
                if !a.hasPrefix("-") { patterns.append(a) }
            }
            if patterns.isEmpty { patterns = ["."] }
        } else {
            patterns = [Paths.join("/", module.dir) == "/" ? "/..." : module.dir + "/..."]
        }
        var out: [String] = []
        for p in patterns {
            let recursive = p.hasSuffix("/...") || p == "..."
            var base = recursive ? String(p.dropLast(p == "..." ? 3 : 4)) : p
            if let modulePath, base == modulePath || base.hasPrefix(modulePath + "/") {
                base = module.dir + "/" + base.dropFirst(modulePath.count)
            } else if !(base.hasPrefix(".") || base.hasPrefix("/") || base.isEmpty) {
                continue  // a package of another module: its module is judged by its import path
            }
            let dir = Paths.join(site.directory, base.isEmpty ? "." : base)
            out.append(dir)
            if recursive {
                out += Set(
                    site.files.files(under: dir, recursive: true).filter {
                        $0.path.hasSuffix(".go") && !$0.path.contains("/vendor/") && !$0.path.contains("/testdata/")
                    }
                    .map { Paths.parent($0.path) }
                ).sorted()
            }
        }
        return out
    }

    /// Why the packages a Go command compiles need cgo: files that import "C", imports of modules
    /// known to need cgo, followed through the module's own and vendored packages. Without any Go
    /// file in view, the go.mod's direct requirements of such modules.
    func goCgoReasons(_ site: CommandSite) -> [String] {
        guard let context, let module = goModule(site) else { return [] }
        let modulePath = GoEvidence.modulePath(module.text)
        var queue = goPackageFolders(site, module: module)
        var seen = Set<String>(), reasons: [String] = [], anyFile = false
        while let dir = queue.popLast() {
            guard seen.insert(dir).inserted else { continue }
            for (_, origin) in site.files.files(under: dir, recursive: false) where origin.hasSuffix(".go") {
                anyFile = true
                if let text = context.files[origin], let line = GoEvidence.cgoImportLine(text) {
                    reasons.append("\(origin):\(line) imports \"C\"")
                }
                for imp in context.goImports[origin] ?? [] where imp != "C" {
                    if let modulePath, imp == modulePath || imp.hasPrefix(modulePath + "/") {
                        queue.append(Paths.join(module.dir, "." + imp.dropFirst(modulePath.count)))
                    } else if !imp.contains(".") {
                        continue  // the standard library
                    } else {
                        if let m = GoEvidence.cgoModules.first(where: { imp.hasPrefix($0) }) {
                            reasons.append("\(origin) imports \(imp) (\(m) needs cgo)")
                        }
                        queue.append(Paths.join(module.dir, "vendor/" + imp))
                    }
                }
            }
        }
        if !anyFile {
            for (line, required) in GoEvidence.directRequirements(module.text) {
                if let m = GoEvidence.cgoModules.first(where: { required.hasPrefix($0) }) {
                    reasons.append("\(module.path):\(line) requires \(required) (\(m) needs cgo)")
                }
            }
        }
        var unique = Set<String>()
        return reasons.filter { unique.insert($0).inserted }
    }

    // MARK: Rust

    /// Cargo's manifest folder for a cargo command (`--manifest-path`), or for `make`, its folder.
    func cargoFolder(_ site: CommandSite) -> String {
        if let m = Self.option(site.arguments, short: nil, long: ["--manifest-path"]) {
            return Paths.parent(Paths.join(site.directory, m))
        }
        if site.name == "cargo" && site.arguments.first == "install",
            let p = Self.option(site.arguments, short: nil, long: ["--path"])
        {
            return Paths.join(site.directory, p)
        }
        if site.name == "make", let d = Self.option(site.arguments, short: "-C", long: ["--directory"]) {
            return Paths.join(site.directory, d)
        }
        return site.directory
    }
}
