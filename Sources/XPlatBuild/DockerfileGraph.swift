// The adapter from XPlatDockerfile's syntax tree to the planner's `BuildGraph`.

import XPlatDockerfile
import XPlatPlatform

extension BuildGraph {
    /// The stages of a parsed Dockerfile: each `FROM` with its `--platform`, its RUN steps (line,
    /// text, heavy or not) and the stages it needs (base, `COPY --from`, `RUN --mount=from=`).
    /// - Throws: `BuildError.dockerfile` for a literal `--platform` that does not parse, quoting file:line.
    public init(dockerfile: Dockerfile) throws {
        var stages: [BuildStage] = []
        func stageIndex(_ ref: String) -> Int? {
            if let i = Int(ref), stages.indices.contains(i) { return i }
            return stages.firstIndex { $0.name?.lowercased() == ref.lowercased() }
        }
        for instruction in dockerfile.instructions {
            switch instruction.command {
            case "from":
                let words = instruction.arguments.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                let base = words.first ?? "scratch"
                let name = words.count >= 3 && words[1].lowercased() == "as" ? words[2] : nil
                var platform = StagePlatform.target
                if let value = instruction.flag("platform")?.value {
                    let bare = value.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
                    if bare == "$BUILDPLATFORM" {
                        platform = .build
                    } else if bare.hasPrefix("$") {
                        platform = .target
                    } else {
                        do { platform = .fixed(try Platform(parsing: value)) } catch {
                            throw BuildError.dockerfile("\(dockerfile.fileName):\(instruction.startLine): FROM --platform=\(value): \(error)")
                        }
                    }
                }
                var deps: [Int] = []
                if let i = stageIndex(base) { deps.append(i) }
                stages.append(BuildStage(index: stages.count, name: name, base: base, platform: platform, dependencies: deps))
            case "copy", "add":
                guard !stages.isEmpty else { continue }
                if let from = instruction.flag("from")?.value, let i = stageIndex(from) {
                    stages[stages.count - 1].dependencies.append(i)
                }
            case "run":
                guard !stages.isEmpty else { continue }
                for mount in instruction.flagValues("mount") {
                    for field in mount.split(separator: ",") where field.hasPrefix("from=") {
                        if let i = stageIndex(String(field.dropFirst(5))) { stages[stages.count - 1].dependencies.append(i) }
                    }
                }
                let text = dockerfile.lineText(instruction.startLine).trimmingCharacters(in: .whitespaces)
                let body = instruction.arguments + instruction.heredocs.map(\.content).joined(separator: "\n")
                stages[stages.count - 1].runs.append(RunStep(line: instruction.startLine, text: text, heavy: Self.isHeavy(body)))
            default:
                continue
            }
        }
        self.init(stages: stages)
    }

    /// Compiling and installing are heavy: under QEMU they run ~10x slower (docs/PERFORMANCE.md).
    static func isHeavy(_ command: String) -> Bool {
        let words = Set(command.split(whereSeparator: { " \t\n;&|()".contains($0) }).map { $0.lowercased() })
        let tools: Set<String> = ["go", "gcc", "g++", "cc", "c++", "clang", "make", "cmake", "ninja", "cargo", "rustc",
                                  "apt-get", "apt", "apk", "dnf", "yum", "pip", "pip3", "npm", "yarn", "mvn", "gradle",
                                  "dotnet", "swift", "configure", "./configure", "meson"]
        return !words.isDisjoint(with: tools) || words.contains { $0.hasSuffix("-gcc") }
    }
}

import Foundation
