/// What a Makefile drives.
enum MakefileEvidence {
    /// True when the Makefile calls cargo.
    static func wrapsCargo(_ text: String) -> Bool { text.contains("cargo ") }

    /// True when the Makefile compiles Go.
    static func wrapsGo(_ text: String) -> Bool {
        text.contains("go build") || text.contains("go install") || text.contains("$(GO)")
    }

    /// The 1-based line where the Makefile turns cgo off for the go commands it runs, if it does and
    /// never turns it on: `CGO_ENABLED ?= 0` (`:=`, `=`) that reaches the recipes (`export`,
    /// `.EXPORT_ALL_VARIABLES`, or `CGO_ENABLED=$(CGO_ENABLED)` on every go line), or `CGO_ENABLED=0` on every
    /// line that runs go (one `CGO_ENABLED=0 go build` says nothing of another recipe's `go build`).
    static func disablesCgo(_ text: String) -> Int? {
        guard enablesCgo(text) == nil else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: " \t\r")
        }
        let goLines = lines.indices.filter { n in
            !lines[n].hasPrefix("#")
                && (lines[n].contains("go build") || lines[n].contains("go install") || lines[n].contains("$(GO)"))
        }
        let exported =
            text.contains(".EXPORT_ALL_VARIABLES")
            || lines.contains { $0 == "export" || $0.hasPrefix("export CGO_ENABLED") }
            || !goLines.isEmpty
                && goLines.allSatisfy {
                    lines[$0].contains("CGO_ENABLED=$(CGO_ENABLED)") || lines[$0].contains("CGO_ENABLED=${CGO_ENABLED}")
                }
        let everyGoLineOff = !goLines.isEmpty && goLines.allSatisfy { lines[$0].contains("CGO_ENABLED=0 ") }
        for (n, line) in lines.enumerated() {
            if everyGoLineOff && goLines.contains(n) { return n + 1 }
            let bare = line.hasPrefix("export ") ? String(line.dropFirst(7)) : line
            guard bare.hasPrefix("CGO_ENABLED") else { continue }
            let rest = bare.dropFirst("CGO_ENABLED".count).replacingOccurrences(of: " ", with: "")
            if ["=0", "?=0", ":=0", "::=0"].contains(rest) && (exported || line.hasPrefix("export ")) { return n + 1 }
        }
        return nil
    }

    /// The 1-based line where the Makefile turns cgo on, if it does.
    static func enablesCgo(_ text: String) -> Int? {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.replacingOccurrences(of: " ", with: "")
            if line.hasPrefix("#") { continue }
            if ["CGO_ENABLED=1", "CGO_ENABLED?=1", "CGO_ENABLED:=1"].contains(where: { line.contains($0) }) {
                return n + 1
            }
        }
        return nil
    }

    /// How the Makefile sets GOOS/GOARCH for go: variables of its own that the environment can set
    /// (`GOARCH=$(TARGET_ARCH) go build` with `TARGET_ARCH` assigned only by `?=`), each with the Go
    /// variable it reaches; or the first line that fixes the architecture another way
    /// (`GOARCH := amd64`, `GOARCH=$(shell uname -m)`, a variable assigned with `=` or `:=`).
    /// Only the lines `make` reads for `goals` count (`linesRun`).
    static func goArchitecture(_ text: String, goals: [String]) -> (
        variables: [(name: String, goVariable: String)], blocker: (line: Int, text: String)?
    ) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: " \t\r")
        }
        let run = linesRun(text, goals: goals)
        var variables: [(String, String)] = []
        for (n, line) in lines.enumerated() where !line.hasPrefix("#") && run.contains(n) {
            let suspicious =
                ["GOARCH=", "GOARCH :=", "GOARCH =", "GOOS=", "GOOS :=", "uname -m"].contains { line.contains($0) }
                && !line.contains("?=") && !line.contains("$(GOARCH)") && !line.contains("${GOARCH}")
            guard suspicious else { continue }
            var resolved: [(String, String)] = []
            var ok = !line.contains("uname -m")
            for goVariable in ["GOOS", "GOARCH"] {
                for a in Text.assignments(of: goVariable, in: Array(line.utf8)[...]) {
                    if let name = Self.reference(a.value), name != goVariable, Self.onlyConditional(name, lines) {
                        resolved.append((name, goVariable))
                    } else {
                        ok = false
                    }
                }
            }
            if line.contains("GOARCH :=") || line.contains("GOARCH =") || line.contains("GOOS :=") { ok = false }
            guard ok else { return (variables, (n + 1, line)) }
            for r in resolved where !variables.contains(where: { $0.0 == r.0 }) { variables.append(r) }
        }
        // The variables are set through the environment, which any `:=` in an included file overrides:
        // with an include make reads, that they reach go is not shown.
        if !variables.isEmpty,
            let n = lines.indices.first(where: { n in
                run.contains(n) && ["include ", "-include ", "sinclude "].contains { lines[n].hasPrefix($0) }
            })
        {
            return (variables, (n + 1, lines[n]))
        }
        return (variables, nil)
    }

    /// 0-based lines that take part when make builds `goals` (none: the first rule's target): every
    /// line outside a recipe (assignments, conditionals), and the recipes of the goals and of the
    /// rules they reach through prerequisites and `$(MAKE) target` calls. Other rules' recipes do not run.
    static func linesRun(_ text: String, goals: [String]) -> Set<Int> {
        let raw = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var recipes: [String: [Int]] = [:], prerequisites: [String: [String]] = [:]
        var outside = Set<Int>(), firstTarget: String?, current: [String] = []
        for (n, line) in raw.enumerated() {
            if line.hasPrefix("\t") && !current.isEmpty {
                for t in current { recipes[t, default: []].append(n) }
                continue
            }
            outside.insert(n)
            let trimmed = line.trimmingCharacters(in: " \t\r")
            guard !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":"),
                !trimmed[colon...].hasPrefix(":="), !trimmed[colon...].hasPrefix("::="),
                !trimmed[..<colon].contains("="), !trimmed.hasPrefix("ifeq"), !trimmed.hasPrefix("ifneq")
            else {
                // A conditional inside a recipe keeps the recipe going; any other line ends it.
                let conditional = ["ifeq", "ifneq", "ifdef", "ifndef", "else", "endif"].contains {
                    trimmed.hasPrefix($0)
                }
                if !trimmed.isEmpty && !conditional { current = [] }
                continue
            }
            current = trimmed[..<colon].split(separator: " ").map(String.init)
            let rest = trimmed[trimmed.index(after: colon)...].split(separator: ";").first.map(String.init) ?? ""
            for t in current {
                prerequisites[t, default: []] += rest.split(separator: " ").map(String.init)
                if firstTarget == nil && !t.hasPrefix(".") && !t.contains("%") { firstTarget = t }
            }
        }
        var queue = goals.isEmpty ? (firstTarget.map { [$0] } ?? []) : goals
        // A pattern rule's recipe may build any goal reached: it counts whenever make runs.
        var out = outside.union(recipes.filter { $0.key.contains("%") }.flatMap(\.value))
        var seen = Set<String>()
        while let goal = queue.popLast() {
            // A goal named through a variable (`all: $(BINS)`, `$(MAKE) $(TARGET)`) could be any rule: all recipes
            // count.
            if goal.contains("$") { return Set(raw.indices) }
            guard seen.insert(goal).inserted else { continue }
            queue += prerequisites[goal] ?? []
            for n in recipes[goal] ?? [] {
                out.insert(n)
                let words = raw[n].split(whereSeparator: { " \t".contains($0) }).map(String.init)
                for (i, w) in words.enumerated() where ["$(MAKE)", "${MAKE}", "make"].contains(w) {
                    queue += words[(i + 1)...].filter { !$0.hasPrefix("-") && !$0.contains("=") }
                }
            }
        }
        return out
    }

    /// `$(NAME)` or `${NAME}` -> NAME.
    private static func reference(_ value: String) -> String? {
        guard value.count > 3,
            value.hasPrefix("$(") && value.hasSuffix(")") || value.hasPrefix("${") && value.hasSuffix("}")
        else { return nil }
        let name = String(value.dropFirst(2).dropLast())
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? name : nil
    }

    /// True when every assignment of make variable `name` is `?=`, which a value from the environment overrides.
    private static func onlyConditional(_ name: String, _ lines: [String]) -> Bool {
        for line in lines {
            let bare =
                line.hasPrefix("export ") ? String(line.dropFirst(7)) : line.hasPrefix("override ") ? "override" : line
            guard bare.hasPrefix(name) || bare == "override" && line.contains(name) else { continue }
            if bare == "override" { return false }
            let rest = String(bare.dropFirst(name.count)).trimmingCharacters(in: " \t")
            if rest.hasPrefix("?=") { continue }
            if rest.hasPrefix("=") || rest.hasPrefix(":=") || rest.hasPrefix("::=") || rest.hasPrefix("+=")
                || rest.hasPrefix("!=")
            {
                return false
            }
        }
        return true
    }

    /// The C/C++ compiler a recipe line runs by name rather than through `$(CC)`/`$(CXX)`: `gcc`, `cc`,
    /// `g++`, `c++`, `clang`, `clang++`, a versioned one (`gcc-12`) or a fixed triplet's (`x86_64-linux-gnu-gcc`).
    /// Make's recipe prefixes (`@`, `-`, `+`) are skipped.
    private static func compilerByName(inRecipe line: String) -> String? {
        let command = Array(line.drop(while: { "@-+".contains($0) }).utf8)
        return Shell.words(command[...]).first { $0.isCommand && isCompiler(Shell.name($0.text)) }.map {
            Shell.name($0.text)
        }
    }

    /// `strip`, `objcopy` or `install -s` when a recipe line runs the build machine's strip
    /// (`StagePlanner.runsHostStrip`), also through `find -exec` or `xargs` (`StagePlanner.runnerOfBinutils`).
    private static func hostStrip(inRecipe line: String) -> String? {
        let words = Shell.words(Array(line.drop(while: { "@-+".contains($0) }).utf8)[...])
        if let i = words.indices.first(where: { StagePlanner.runnerOfBinutils(words, at: $0) != nil }),
            let runner = StagePlanner.runnerOfBinutils(words, at: i)
        {
            return "\(runner) \(Shell.name(words[i].text))"
        }
        if let tool = words.lazy.filter(\.isCommand).compactMap({ binutilsThroughVariable($0.text) }).first {
            return tool
        }
        guard let i = words.indices.first(where: { words[$0].isCommand && StagePlanner.runsHostStrip(words, at: $0) })
        else { return nil }
        let tool = Shell.name(words[i].text)
        return tool == "install" ? "install -s" : tool
    }

    /// `$(STRIP)`, `${OBJCOPY}` or `${PREFIX}strip` as a recipe's command word, whole: the wiring sets neither
    /// STRIP/OBJCOPY nor a prefix, so the Makefile's own default, the build machine's binutils, runs.
    /// (`Shell.words` ends a word at `)`, so `$(STRIP)` arrives as `$(STRIP`; `$(CROSS_COMPILE)strip` as a
    /// command word `strip`, which `runsHostStrip` reads.)
    private static func binutilsThroughVariable(_ word: String) -> String? {
        let whole = word.hasPrefix("$(") && !word.hasSuffix(")") ? word + ")" : word
        let named = ["STRIP", "OBJCOPY"].contains(reference(whole) ?? "")
        return named || StagePlanner.binutils.contains { whole.hasSuffix("}" + $0) } ? whole : nil
    }

    private static func isCompiler(_ name: String) -> Bool {
        let bare = ["gcc", "cc", "g++", "c++", "clang", "clang++"]
        if bare.contains(name) { return true }
        if bare.contains(where: { name.hasSuffix("-" + $0) }) { return true }
        return bare.contains { tool in
            name.hasPrefix(tool + "-") && name.dropFirst(tool.count + 1).allSatisfy { $0.isNumber || $0 == "." }
        }
    }

    /// True when a Makefile line runs cmake to configure (`cmake ..`, `$(CMAKE) -S .`), not only to build or install.
    private static func callsCMake(_ line: String) -> Bool {
        guard !line.hasPrefix("#") else { return false }
        for command in ["cmake ", "$(CMAKE) ", "${CMAKE} "] where line.contains(command) {
            let rest = line.components(separatedBy: command).dropFirst().joined(separator: command)
            if !["--build", "--install", "-E", "-P"].contains(where: { rest.hasPrefix($0) }) { return true }
        }
        return false
    }

    /// The first recipe line that runs the build machine's strip (`hostStrip(inRecipe:)`), whatever the
    /// toolchain the Makefile drives: after the move it meets the target's binaries.
    static func stripBlocker(_ text: String) -> (line: Int, reason: String)? {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where raw.hasPrefix("\t") {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if let tool = Self.hostStrip(inRecipe: line) {
                return (
                    n + 1,
                    "runs `\(tool)` in a recipe (`\(line)`): the build machine's strip cannot read the target's "
                        + "binaries"
                )
            }
        }
        return nil
    }

    /// A reason the environment (`CC=...`) does not reach the compiler, with its line, if the Makefile
    /// shows one: `CC = gcc` (an assignment the environment does not override), a recipe that runs a
    /// compiler by name (`gcc -o tool tool.c`), `-march=native`, or a cmake call.
    static func ccBlocker(_ text: String) -> (line: Int, reason: String)? {
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingCharacters(in: " \t\r")
            if raw.hasPrefix("\t"), let compiler = Self.compilerByName(inRecipe: line) {
                return (
                    n + 1,
                    "runs `\(compiler)` by name in a recipe (`\(line)`), which CC from the environment does not reach"
                )
            }
            for name in ["CC", "CXX"] where line.hasPrefix(name) {
                let rest = String(line.dropFirst(name.count)).trimmingCharacters(in: " \t")
                if rest.hasPrefix("=") || rest.hasPrefix(":=") || rest.hasPrefix("::=") {
                    return (n + 1, "sets `\(line)`, which the environment does not override")
                }
            }
            if line.contains("-march=native") || line.contains("-mtune=native") {
                return (n + 1, "builds with -march=native")
            }
            if Self.callsCMake(line) {
                return (
                    n + 1,
                    "runs cmake (`\(line)`): CC/CXX from the environment do not put CMake into cross-compiling mode "
                        + "(CMAKE_SYSTEM_NAME, CMAKE_SYSTEM_PROCESSOR)"
                )
            }
        }
        return nil
    }
}
