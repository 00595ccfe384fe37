import Foundation
import Synchronization
import Testing
import XPlatPlatform

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

/// Collects what a `BuildProgress` writes.
private final class Sink: Sendable {
    let lines = Mutex<[String]>([])
    var write: @Sendable (String) -> Void { { text in self.lines.withLock { $0.append(text) } } }
}

struct ProgressMarkerTests {
    static let node = BuilderNode(
        name: "default", endpoint: "unix:///var/run/docker.sock", driver: .engine,
        native: [p("linux/amd64")], emulated: [EmulatedPlatform(platform: p("linux/arm64"), proven: true)])

    static func plan(_ stages: [BuildStage], _ platforms: [Platform]) -> Plan {
        Plan(
            dockerfile: "Dockerfile", context: ".", target: nil, platforms: platforms, nodes: [node],
            graph: BuildGraph(stages: stages))
    }

    @Test(
        "step labels: named, unnamed (stage-N) and single-stage [n/m] lines",
        arguments: [
            ("#7 [build 2/4] RUN go build -o /out/x .", "[build 2/4] RUN go build -o /out/x .", "build" as String?),
            ("#9 [stage-1 2/2] COPY --from=build /out/x /x", "[stage-1 2/2] COPY --from=build /out/x /x", "stage-1"),
            ("#5 [2/3] RUN uname -m", "[2/3] RUN uname -m", nil),
        ])
    func labels(_ line: String, _ step: String, _ stage: String?) throws {
        let parsed = try #require(BuildProgress.step(in: line))
        #expect(parsed.step == step)
        #expect(parsed.stage == stage, "a single-stage step has no stage label")
    }

    @Test(
        "internal lines and output lines are not steps",
        arguments: ["#1 [internal] load build definition", "#5 0.312 aarch64", "plain text"])
    func notSteps(_ line: String) {
        #expect(BuildProgress.step(in: line) == nil)
    }

    @Test("(emulated) marks an unnamed single-stage RUN on a foreign platform, not on the native one")
    func singleStage() {
        let stage = BuildStage(index: 0, base: "busybox", runs: [RunStep(line: 2, text: "RUN uname -m", heavy: false)])
        let sink = Sink()
        let progress = BuildProgress(
            plan: Self.plan([stage], [p("linux/amd64"), p("linux/arm64")]), style: .rows, write: sink.write)
        progress.line("#5 [2/2] RUN uname -m", platform: p("linux/arm64"))
        progress.line("#5 [2/2] RUN uname -m", platform: p("linux/amd64"))
        let lines = sink.lines.withLock { $0 }
        #expect(lines.count == 2)
        #expect(
            lines[0].hasPrefix("[linux/arm64 on default") && lines[0].contains("] (emulated) [2/2] RUN uname -m"),
            "\(lines[0])")
        #expect(!lines[1].contains("(emulated)"), "amd64 runs natively: \(lines[1])")
    }

    @Test("in a cross build only the emulated stage's RUNs are marked")
    func crossStages() {
        let build = BuildStage(
            index: 0, name: "build", base: "golang", platform: .build,
            runs: [RunStep(line: 3, text: "RUN go build", heavy: true)])
        let final = BuildStage(
            index: 1, base: "busybox", runs: [RunStep(line: 6, text: "RUN chmod +x /x", heavy: false)],
            dependencies: [0])
        let sink = Sink()
        let progress = BuildProgress(
            plan: Self.plan([build, final], [p("linux/arm64")]), style: .rows, write: sink.write)
        progress.line("#7 [build 2/2] RUN go build", platform: p("linux/arm64"))
        progress.line("#9 [stage-1 2/2] RUN chmod +x /x", platform: p("linux/arm64"))
        let lines = sink.lines.withLock { $0 }
        #expect(!lines[0].contains("(emulated)"), "the build stage runs on $BUILDPLATFORM: \(lines[0])")
        #expect(lines[1].contains("(emulated)"), "stage-1 is the plan's #1, emulated: \(lines[1])")
    }
}

struct PushNamingTests {
    @Test("--push: every -t is a registry reference with a tag; a digest or a bad name is a usage error naming the tag")
    func pushTags() {
        var r = BuildRequest(
            dockerfile: "D", context: ".", platforms: [p("linux/amd64")], output: .push, tags: ["Hello:1"])
        #expect(throws: BuildError.self) { try r.validate() }
        r.tags = ["reg.example/a@sha256:" + String(repeating: "0", count: 64)]
        #expect(throws: BuildError.conflict("-t \"\(r.tags[0])\": a tag names no digest (use NAME:TAG)")) {
            try r.validate()
        }
        r.tags = ["127.0.0.1:5000/a:1", "localhost:5000/a:1", "hello:1"]
        #expect(throws: Never.self) { try r.validate() }
    }
}
