// BuildKit's `--progress plain` output, read line by line: which step (vertex) a line belongs to,
// the step's own output, and which step failed. The same format comes from dockerd 20.10's
// `DOCKER_BUILDKIT=1 docker build --progress plain` and from buildx (0.10.5 checked):
//
//     #9 [build 3/3] RUN go build -o /out/hello .
//     #9 0.412 ./main.go:7:2: undefined: foo
//     #9 ERROR: process "/bin/sh -c go build -o /out/hello ." did not complete successfully: exit code: 1
//
// and, when the build fails, BuildKit's box of the failed step's last lines
// (`------` / ` > [build 3/3] RUN go build -o /out/hello .:` / lines / `------`).

import Foundation
import XPlatPlatform

/// One line of BuildKit's plain progress, classified.
public enum BuildKitLine: Sendable, Hashable {
    /// `#9 [build 3/3] RUN go build`: step 9 starts (its name, as BuildKit shows it).
    case step(id: Int, name: String)
    /// `#9 0.412 text`: a line the step's process printed (the text without BuildKit's prefix).
    case output(id: Int, text: String)
    /// `#9 ERROR: message`.
    case error(id: Int, message: String)
    /// `#9 DONE 0.4s`, `#9 CACHED`, a transfer's progress and anything else BuildKit says about step 9.
    case status(id: Int)
    /// A line outside any step (the error summary, warnings).
    case other

    /// Reads one line.
    public init(_ line: String) {
        guard line.hasPrefix("#"), let space = line.firstIndex(of: " "),
            let id = Int(line[line.index(after: line.startIndex)..<space])
        else {
            self = .other
            return
        }
        let rest = String(line[line.index(after: space)...])
        self = Self.classify(rest, id: id)
    }

    private static func classify(_ rest: String, id: Int) -> BuildKitLine {
        if rest.hasPrefix("ERROR: ") { return .error(id: id, message: String(rest.dropFirst(7))) }
        if rest.hasPrefix("ERROR") { return .error(id: id, message: String(rest.dropFirst(5))) }
        if rest.hasPrefix("[") { return .step(id: id, name: rest) }
        if let text = outputText(rest) { return .output(id: id, text: text) }
        return .status(id: id)
    }

    /// `0.412 text` -> `text`: BuildKit prefixes a process's lines with seconds since the step began.
    private static func outputText(_ rest: String) -> String? {
        let time = rest.prefix { $0 != " " }
        guard let first = time.first, first.isNumber, time.contains("."), Double(time) != nil else { return nil }
        return String(rest.dropFirst(time.count + 1))
    }
}

/// A step that failed: its name, its last lines of output and BuildKit's error.
public struct FailedStep: Sendable, Hashable, Codable {
    /// BuildKit's name of the step (`[build 3/3] RUN go build -o /out/hello .`).
    public var name: String
    /// The platform it was built for; nil when the step served every platform of its solve.
    public var platform: Platform?
    /// The step's last output lines (at most `FailedStep.lineLimit`), as BuildKit printed them
    /// (`#9 0.412 ./main.go:7:2: undefined: foo`).
    public var lines: [String]
    /// Output lines left out before `lines`.
    public var omitted: Int
    /// BuildKit's error for the step (`process "/bin/sh -c ..." did not complete successfully: exit code: 1`).
    public var error: String
    /// Where the step comes from in the Dockerfile, when it could be placed.
    public var source: DockerfileExcerpt?

    /// How many of a failed step's last lines are shown.
    public static let lineLimit = 20

    /// A failed step; `source` is filled in once the step is placed in its Dockerfile.
    public init(
        name: String, platform: Platform? = nil, lines: [String], omitted: Int = 0, error: String,
        source: DockerfileExcerpt? = nil
    ) {
        self.name = name
        self.platform = platform
        self.lines = lines
        self.omitted = omitted
        self.error = error
        self.source = source
    }
}
