// BuildKit's plain progress read into steps; the failed step's box, its Dockerfile lines and the
// diagnosis, in that order; progress styles. The lines have the shape dockerd 20.10's BuildKit and
// buildx 0.10.5 print (see the recordings and the engine tests, which run the real thing).

import Foundation
import Synchronization
import Testing
import XPlatDockerfile
import XPlatPlatform
import XPlatTestSupport

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

/// Collects what a `BuildProgress` writes.
private final class Sink: Sendable {
    let text = Mutex<[String]>([])
    var write: @Sendable (String) -> Void { { line in self.text.withLock { $0.append(line) } } }
    var all: String { text.withLock { $0.joined() } }
}

/// How many tasks have started, counted by the tasks themselves.
private final class StartCount: Sendable {
    let value = Atomic<Int>(0)
}

struct BuildKitLineTests {
    @Test(
        "plain progress lines: a step, its output, its error, its status, and lines outside steps",
        arguments: [
            (
                "#9 [build 3/3] RUN go build -o /out/hello .",
                BuildKitLine.step(id: 9, name: "[build 3/3] RUN go build -o /out/hello .")
            ),
            ("#9 0.412 ./main.go:7:2: undefined: foo", .output(id: 9, text: "./main.go:7:2: undefined: foo")),
            ("#9 12.05 ", .output(id: 9, text: "")),
            (
                "#9 ERROR: process \"/bin/sh -c go build\" did not complete successfully: exit code: 1",
                .error(id: 9, message: "process \"/bin/sh -c go build\" did not complete successfully: exit code: 1")
            ),
            ("#9 DONE 0.4s", .status(id: 9)),
            ("#2 transferring dockerfile: 468B done", .status(id: 2)),
            ("#5 sha256:0f1e 1.05MB / 2.10MB 0.2s", .status(id: 5)),
            ("------", .other),
            (
                "ERROR: failed to solve: process \"/bin/sh -c go build\" did not complete successfully: exit code: 1",
                .other
            ),
        ])
    func classify(_ line: String, _ expected: BuildKitLine) {
        #expect(BuildKitLine(line) == expected)
    }

    @Test(
        "step labels: stage, position, the platform of a multi-platform solve and the target of a cross step",
        arguments: [
            ("[build 3/3] RUN go build", nil as String?, "build" as String?, 3, 3),
            ("[stage-1  2/12] COPY --from=build /out /", nil, "stage-1", 2, 12),
            ("[2/3] RUN uname -m", nil, nil, 2, 3),
            ("[linux/arm64 build 3/3] RUN go build", "linux/arm64", "build", 3, 3),
            ("[linux/amd64->arm64 build 3/3] RUN go build", "linux/arm64", "build", 3, 3),
            ("[linux/amd64->arm/v7 build 3/3] RUN go build", "linux/arm/v7", "build", 3, 3),
        ])
    func labels(_ name: String, _ platform: String?, _ stage: String?, _ index: Int, _ total: Int) throws {
        let label = try #require(StepLabel(name))
        #expect(label.platform?.description == platform)
        #expect(label.stage == stage)
        #expect(label.index == index && label.total == total)
    }

    @Test(
        "internal steps have no label",
        arguments: [
            "[internal] load build definition from Dockerfile", "[auth] library/busybox:pull",
            "resolve image config for x",
        ])
    func internalSteps(_ name: String) {
        #expect(StepLabel(name) == nil)
    }

    @Test("a failed step keeps its last lines; a step cancelled because another failed is not a failure")
    func failedSteps() {
        var log = StepLog(keep: 2)
        for line in [
            "#7 [build 2/3] RUN apt-get update", "#9 [build 3/3] RUN go build", "#9 0.1 # example.com/hello",
            "#9 0.2 ./main.go:6:2: undefined: bar", "#9 0.2 ./main.go:7:2: undefined: foo",
            "#7 ERROR: context canceled",
            "#9 ERROR: process \"/bin/sh -c go build\" did not complete successfully: exit code: 1",
        ] {
            log.read(line)
        }
        let failed = log.failed
        #expect(failed.count == 1)
        #expect(failed.first?.name == "[build 3/3] RUN go build")
        #expect(
            failed.first?.lines == ["#9 0.2 ./main.go:6:2: undefined: bar", "#9 0.2 ./main.go:7:2: undefined: foo"])
        #expect(failed.first?.omitted == 1)
    }
}

struct DockerfileExcerptTests {
    static let text = """
        FROM --platform=$BUILDPLATFORM golang:1.19 AS build
        WORKDIR /src
        COPY main.go .
        ARG TARGETARCH
        RUN GOARCH=$TARGETARCH go build -o /out/hello .

        FROM busybox
        COPY --from=build /out/hello /usr/local/bin/hello
        RUN chmod +x /usr/local/bin/hello \\
            && hello

        """

    static func dockerfile(_ text: String = text) throws -> Dockerfile {
        try DockerfileParser.parse(bytes: Array(text.utf8), fileName: "Dockerfile")
    }

    @Test("a step of a named stage: the line, with two lines around it, numbered as BuildKit numbers them")
    func namedStage() throws {
        let label = try #require(StepLabel("[build 4/4] RUN GOARCH=arm64 go build -o /out/hello ."))
        let excerpt = try #require(DockerfileExcerpt.locate(label, in: try Self.dockerfile(), file: "app/Dockerfile"))
        #expect(excerpt.lines == 5...5)
        #expect(
            excerpt.text == """
                --------------------
                   3 |     COPY main.go .
                   4 |     ARG TARGETARCH
                   5 | >>> RUN GOARCH=$TARGETARCH go build -o /out/hello .
                   6 |     
                   7 |     FROM busybox
                --------------------
                """)
    }

    @Test("a continued step of an unnamed stage (stage-1): every line marked, one line around")
    func unnamedStage() throws {
        let label = try #require(StepLabel("[stage-1 3/3] RUN chmod +x /usr/local/bin/hello && hello"))
        let excerpt = try #require(DockerfileExcerpt.locate(label, in: try Self.dockerfile(), file: "Dockerfile"))
        #expect(excerpt.lines == 9...10)
        #expect(
            excerpt.text.contains(
                "   9 | >>> RUN chmod +x /usr/local/bin/hello \\\n  10 | >>>     && hello\n  11 |     \n"))
        #expect(excerpt.text.hasPrefix("--------------------\n   8 |     COPY --from=build"))
    }

    @Test(
        "a label that does not fit the file is not placed (no guessing)",
        arguments: [
            "[build 4/5] RUN GOARCH=arm64 go build", "[build 3/4] RUN go build", "[nosuch 2/2] RUN x", "[2/2] RUN x",
        ])
    func notPlaced(_ name: String) throws {
        let label = try #require(StepLabel(name))
        #expect(DockerfileExcerpt.locate(label, in: try Self.dockerfile(), file: "Dockerfile") == nil)
    }

    /// BuildKit 0.11.6 (buildx 0.10.5, real-remote) on this file ran `[stage-1 1/2] RUN true` (the
    /// trigger), then failed `[stage-1 2/2] RUN echo x; exit 3` and placed it at Dockerfile:4; by
    /// position, 2/2 is line 5's `RUN echo y`.
    @Test("a stage whose base stage has ONBUILD is not placed: BuildKit numbers the triggers among its steps")
    func onBuildBase() throws {
        let file = try Self.dockerfile("FROM busybox AS a\nONBUILD RUN true\nFROM a\nRUN echo x; exit 3\nRUN echo y\n")
        let label = try #require(StepLabel("[stage-1 2/2] RUN echo x; exit 3"))
        #expect(DockerfileExcerpt.locate(label, in: file, file: "Dockerfile") == nil)
        // A stage FROM the one that ran the triggers is numbered as usual (`[stage-2 1/2] RUN echo x`, Dockerfile:5).
        let grandchild = try Self.dockerfile(
            "FROM busybox AS a\nONBUILD RUN true\nFROM a AS b\nFROM b\nRUN echo x; exit 3\nRUN echo y\n")
        #expect(
            DockerfileExcerpt.locate(
                try #require(StepLabel("[stage-2 1/2] RUN echo x; exit 3")), in: grandchild, file: "Dockerfile")?.lines
                == 5...5)
    }

    @Test("a stage FROM another stage does not count its FROM; a single stage has no label")
    func counting() throws {
        let stages = try Self.dockerfile("FROM busybox AS base\nRUN true\nFROM base\nRUN false\n")
        let label = try #require(StepLabel("[stage-1 1/1] RUN false"))
        #expect(DockerfileExcerpt.locate(label, in: stages, file: "D")?.lines == 4...4)
        let single = try Self.dockerfile("FROM busybox\nWORKDIR /x\nRUN false\n")
        #expect(
            DockerfileExcerpt.locate(try #require(StepLabel("[3/3] RUN false")), in: single, file: "D")?.lines == 3...3)
    }
}

struct FailureReportTests {
    static let step = FailedStep(
        name: "[build 4/4] RUN GOARCH=arm64 go build -o /out/hello .", platform: p("linux/arm64"),
        lines: ["#11 0.401 # example.com/hello", "#11 0.401 ./main.go:7:2: undefined: foo"],
        error:
            "process \"/bin/sh -c GOARCH=$TARGETARCH go build -o /out/hello .\" did not complete successfully: exit "
            + "code: 2",
        source: DockerfileExcerpt(
            file: "app/Dockerfile", lines: 5...5,
            text:
                "--------------------\n   5 | >>> RUN GOARCH=$TARGETARCH go build -o /out/hello .\n--------------------"
        ))

    @Test("a failed step: its box, its Dockerfile lines, then the cause and the action, in that order")
    func order() throws {
        let stderr = "#11 ERROR: \(Self.step.error)\nERROR: failed to solve: \(Self.step.error)\n"
        let diagnosis = BuildDiagnosis.diagnose(stderr: stderr, platform: p("linux/arm64")).adding(failedSteps: [
            Self.step
        ])
        let text = BuildError.buildFailed(platform: p("linux/arm64"), diagnosis: diagnosis).description
        let box = try #require(
            text.range(
                of:
                    "------\n > [build 4/4] RUN GOARCH=arm64 go build -o /out/hello .:\n#11 0.401 # example.com/hello\n"
                    + "#11 0.401 ./main.go:7:2: undefined: foo\n------"
            ))
        let source = try #require(text.range(of: "app/Dockerfile:5\n--------------------\n   5 | >>> RUN"))
        let cause = try #require(
            text.range(
                of:
                    "linux/arm64: process \"/bin/sh -c GOARCH=$TARGETARCH go build -o /out/hello .\" did not complete "
                    + "successfully: exit code: 2\n  action: "
            ))
        #expect(box.upperBound <= source.lowerBound && source.upperBound <= cause.lowerBound, "\(text)")
        #expect(text.contains("fix app/Dockerfile:5"))
        #expect(!text.contains("rerun with --progress plain"), "the step's own lines are already there")
        #expect(BuildError.buildFailed(platform: nil, diagnosis: diagnosis).action == diagnosis.action)
    }

    @Test("a known cause keeps its diagnosis and BuildKit's lines, after the step's box")
    func knownCause() {
        let exec = FailedStep(
            name: "[build 2/3] RUN go build", lines: ["#6 0.101 exec /bin/sh: exec format error"],
            error: "executor failed running [/bin/sh -c go build]: exit code: 1")
        let stderr = "#6 0.101 exec /bin/sh: exec format error\n#6 ERROR: \(exec.error)\n"
        let diagnosis = BuildDiagnosis.diagnose(stderr: stderr, platform: p("linux/arm64")).adding(failedSteps: [exec])
        #expect(diagnosis.kind == .execFormat)
        let text = BuildError.buildFailed(platform: p("linux/arm64"), diagnosis: diagnosis).description
        #expect(text.contains(" > [build 2/3] RUN go build:\n#6 0.101 exec /bin/sh: exec format error\n------"))
        #expect(text.contains("xplat doctor --fix"))
    }
}

struct FailedStepSourceTests {
    @Test(
        "a Dockerfile read from standard input is named as the user gave it, not by xplat's temporary copy",
        arguments: [
            ("/tmp/xplat-stdin-fqJ0Wn/Dockerfile", "<stdin>"),
            ("/tmp/xplat-stdin-fqJ0Wn/context/Dockerfile", "<stdin context>/Dockerfile"),
            ("/tmp/xplat-stdin-fqJ0Wn/context/docker/app.Dockerfile", "<stdin context>/docker/app.Dockerfile"),
            ("/home/me/app/Dockerfile", "/home/me/app/Dockerfile"),
            ("./Dockerfile", "./Dockerfile"),
        ])
    func stdinNamed(_ path: String, _ shown: String) {
        #expect(FailedStepSource.userName(of: path) == shown)
    }

    @Test("-f -: a Dockerfile error names <stdin>, not xplat's temporary copy", arguments: ["", "FROM\n"])
    func stdinParseError(_ input: String) async throws {
        let context = try makeTemporaryDirectory("xplat-parse-stdin")
        defer { removeTree(context) }
        var service = BuildService(
            runner: RecordingRunner(), docker: "docker", environment: ["TMPDIR": context],
            probe: FixedEmulation([]), verifier: nil, rewriter: nil)
        service.standardInput = { Data(input.utf8) }
        let request = BuildRequest(
            dockerfile: BuildRequest.standardInput, context: context, platforms: [p("linux/amd64")])
        await #expect { try await service.prepare(request, selection: NodeSelection()) } throws: { error in
            "\(error)".contains("<stdin>:") && !"\(error)".contains("xplat-stdin-")
        }
    }
}

/// Several solves failing: `solveConcurrently` waits `grace` for the others, then reports them.
struct ConcurrentFailureTests {
    static func failure(_ platform: String, kind: BuildDiagnosis.Kind, summary: String, step: String? = nil)
        -> BuildError
    {
        let steps = step.map { [FailedStep(name: $0, lines: ["#7 0.1 \(platform): error"], error: summary)] } ?? []
        return .buildFailed(
            platform: p(platform),
            diagnosis: BuildDiagnosis(
                kind: kind, summary: summary, action: "act on \(summary)",
                excerpt: "", steps: steps))
    }

    static func run(_ work: [(delay: Duration, error: BuildError?)], grace: Duration) async -> (any Error)? {
        do {
            _ = try await solveConcurrently(Array(work.indices), grace: grace) { index in
                try await Task.sleep(for: work[index].delay)
                if let error = work[index].error { throw error }
                return index
            }
            return nil
        } catch { return error }
    }

    @Test(
        """
        failures of one cause are told together, each step under its platform; a solve still running after the \
        grace is cancelled
        """
    )
    func sameCause() async throws {
        let started = ContinuousClock.now
        let error = await Self.run(
            [
                (.zero, Self.failure("linux/arm64", kind: .other, summary: "exit code: 1", step: "[4/4] RUN make")),
                (
                    .milliseconds(50),
                    Self.failure("linux/amd64", kind: .other, summary: "exit code: 1", step: "[4/4] RUN make")
                ),
                (.seconds(60), nil),
            ], grace: .seconds(2))
        #expect(
            ContinuousClock.now - started < .seconds(30), "the slow solve was cancelled after the grace, not waited for"
        )
        guard case .buildFailed(nil, let diagnosis) = error as? BuildError else {
            Issue.record("\(String(describing: error))"); return
        }
        #expect(diagnosis.steps.map(\.platform) == [p("linux/arm64"), p("linux/amd64")])
    }

    @Test(
        """
        failures of different causes are not told as one: the first is reported with its own platform, cause and \
        action
        """
    )
    func differentCauses() async throws {
        let base = Self.failure(
            "linux/riscv64", kind: .baseLacksPlatform, summary: "the base image gcc:12 has no linux/riscv64 variant")
        let error = await Self.run(
            [
                (.zero, base),
                (
                    .milliseconds(50),
                    Self.failure("linux/amd64", kind: .other, summary: "exit code: 1", step: "[4/4] RUN make")
                ),
            ],
            grace: .seconds(5))
        let reported = try #require(error as? BuildError)
        #expect(reported == base, "\(reported)")
        #expect(!reported.description.contains("linux/amd64"), "amd64 did not fail for riscv64's reason: \(reported)")
    }
}

struct ProgressStyleTests {
    static let node = BuilderNode(
        name: "default", endpoint: "unix:///var/run/docker.sock", driver: .engine,
        native: [p("linux/amd64")], emulated: [EmulatedPlatform(platform: p("linux/arm64"), proven: true)])
    static func plan(_ platforms: [Platform]) -> Plan {
        let stage = BuildStage(index: 0, base: "busybox", runs: [RunStep(line: 2, text: "RUN make", heavy: false)])
        return Plan(
            dockerfile: "Dockerfile", context: ".", target: nil, platforms: platforms, nodes: [node],
            graph: BuildGraph(stages: [stage]))
    }

    static let lines = [
        "#1 [internal] load build definition from Dockerfile", "#5 [linux/arm64 2/2] RUN make",
        "#6 [linux/amd64 2/2] RUN make", "#5 0.20 cc -c a.c", "#6 0.21 cc -c a.c",
        "#5 1.50 a.c:3:5: error: 'foo' undeclared",
        "#5 ERROR: process \"/bin/sh -c make\" did not complete successfully: exit code: 2",
    ]

    @Test(
        """
        plain: every line, tagged with the platform its step is for and the node; shared steps with every \
        platform of the solve
        """
    )
    func plain() {
        let sink = Sink()
        let progress = BuildProgress(
            plan: Self.plan([p("linux/amd64"), p("linux/arm64")]), style: .plain, write: sink.write)
        let output = SolveOutput(platforms: [p("linux/amd64"), p("linux/arm64")], node: "default", progress: progress)
        for line in Self.lines { output.line(line) }
        let shown = sink.all.split(separator: "\n").map(String.init)
        #expect(
            shown == [
                "[linux/amd64,linux/arm64 on default] #1 [internal] load build definition from Dockerfile",
                "[linux/arm64 on default] #5 [linux/arm64 2/2] RUN make",
                "[linux/amd64 on default] #6 [linux/amd64 2/2] RUN make",
                "[linux/arm64 on default] #5 0.20 cc -c a.c",
                "[linux/amd64 on default] #6 0.21 cc -c a.c",
                "[linux/arm64 on default] #5 1.50 a.c:3:5: error: 'foo' undeclared",
                "[linux/arm64 on default] #5 ERROR: process \"/bin/sh -c make\" did not complete successfully: exit "
                    + "code: 2",
            ])
        #expect(output.failed.map(\.platform) == [p("linux/arm64")])
        #expect(output.failed.first?.lines == ["#5 0.20 cc -c a.c", "#5 1.50 a.c:3:5: error: 'foo' undeclared"])
    }

    @Test("tty: the block shows each running step's last lines under its platform's row")
    func tty() {
        let sink = Sink()
        let progress = BuildProgress(plan: Self.plan([p("linux/arm64")]), style: .tty, write: sink.write)
        let output = SolveOutput(platforms: [p("linux/arm64")], node: "default", progress: progress)
        progress.state(p("linux/arm64"), "building")
        for line in ["#5 [2/2] RUN make", "#5 0.1 one", "#5 0.2 two", "#5 0.3 three", "#5 0.4 four"] {
            output.line(line)
            Thread.sleep(forTimeInterval: 0.11)
        }
        let last = sink.text.withLock { $0.last ?? "" }
        #expect(last.contains("(emulated) [2/2] RUN make\n"), "\(last)")
        #expect(
            last.contains("    two\n") && last.contains("    three\n") && last.contains("    four\n")
                && !last.contains("one"), "\(last)")
    }

    /// Blocks the calling thread until `deadline` (returns at once after it), as a caller that waits
    /// synchronously does.
    static func holdThread(until deadline: ContinuousClock.Instant) {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return }
        Thread.sleep(forTimeInterval: Double(left.components.seconds) + Double(left.components.attoseconds) * 1e-18)
    }

    @Test("tty: the held-back redraw comes while every cooperative thread is busy (a blocking caller)")
    func ttyBurstPoolBusy() async throws {
        let sink = Sink()
        let progress = BuildProgress(plan: Self.plan([p("linux/arm64")]), style: .tty, write: sink.write)
        let output = SolveOutput(platforms: [p("linux/arm64")], node: "default", progress: progress)
        progress.state(p("linux/arm64"), "building")
        for line in ["#5 [2/2] RUN make", "#5 0.1 one", "#5 0.1 two"] { output.line(line) }
        // Hold every thread of the cooperative pool until 0.4 s from now. The pool's width is not
        // known here (libdispatch counts the machine's CPUs, ProcessInfo may count a cgroup's quota),
        // so far more tasks are added than it can run: each holds its thread until the deadline, and
        // those that start after it return at once. The first to start looks at the terminal after
        // 0.35 s, well after the 0.1 s redraw limit, and counts the tasks started by then: fewer than
        // were added means none was free. (Short: the other suites running meanwhile wait for the
        // pool too.)
        let tasks = max(64, 4 * ProcessInfo.processInfo.activeProcessorCount)
        let started = StartCount()
        let start = ContinuousClock.now
        let seen = await withTaskGroup(of: (text: String, started: Int)?.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    let order = started.value.add(1, ordering: .sequentiallyConsistent).newValue
                    guard order == 1 else {
                        Self.holdThread(until: start + .milliseconds(400))
                        return nil
                    }
                    Self.holdThread(until: start + .milliseconds(350))
                    let seen = (
                        sink.text.withLock { $0.last ?? "" }, started.value.load(ordering: .sequentiallyConsistent)
                    )
                    Self.holdThread(until: start + .milliseconds(400))
                    return seen
                }
            }
            return await group.compactMap { $0 }.first { _ in true } ?? ("", tasks)
        }
        #expect(seen.started < tasks, "every cooperative thread was held: \(seen.started) of \(tasks) tasks ran")
        #expect(seen.text.contains("    two\n"), "\(seen.text)")
    }

    @Test("tty: lines that come faster than the redraw limit are still drawn once the step falls silent")
    func ttyBurst() async throws {
        let sink = Sink()
        let progress = BuildProgress(plan: Self.plan([p("linux/arm64")]), style: .tty, write: sink.write)
        let output = SolveOutput(platforms: [p("linux/arm64")], node: "default", progress: progress)
        progress.state(p("linux/arm64"), "building")
        // A compiler's error lines arrive together, then the step runs on without printing.
        for line in ["#5 [2/2] RUN make", "#5 0.1 one", "#5 0.1 two", "#5 0.1 three", "#5 0.1 four"] {
            output.line(line)
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while !sink.text.withLock({ $0.last ?? "" }).contains("    four\n"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let last = sink.text.withLock { $0.last ?? "" }
        #expect(last.contains("    two\n") && last.contains("    three\n") && last.contains("    four\n"), "\(last)")
        progress.state(p("linux/arm64"), "failed")
        let final = sink.text.withLock { $0.count }
        try await Task.sleep(for: BuildProgress.redrawInterval * 3)
        #expect(
            sink.text.withLock { $0.count } == final,
            "nothing is drawn after the final rows (the failure report follows them)")
    }

    @Test(
        """
        tty: a line wider than the terminal cannot wrap (auto-wrap is off while the block is drawn), so a redraw \
        moves up exactly the rows it drew
        """
    )
    func ttyNoWrap() {
        let sink = Sink()
        let progress = BuildProgress(plan: Self.plan([p("linux/arm64")]), style: .tty, write: sink.write)
        let output = SolveOutput(platforms: [p("linux/arm64")], node: "default", progress: progress)
        progress.state(p("linux/arm64"), "building")
        output.line("#5 [2/2] RUN make")
        output.line("#5 0.1 " + String(repeating: "main.c:3:12: error: 'foo' undeclared ", count: 4))
        Thread.sleep(forTimeInterval: 0.15)
        output.line("#5 [3/3] RUN make install")
        let writes = sink.text.withLock { $0 }
        #expect(writes.count >= 3)
        for text in writes {
            #expect(text.hasPrefix("\u{1B}[?7l") && text.hasSuffix("\u{1B}[?7h"), "\(text.debugDescription)")
        }
    }

    @Test("rows (auto off a terminal) and quiet show no step output")
    func compact() {
        for style in [ProgressStyle.rows, .quiet] {
            let sink = Sink()
            let progress = BuildProgress(plan: Self.plan([p("linux/arm64")]), style: style, write: sink.write)
            let output = SolveOutput(platforms: [p("linux/arm64")], node: "default", progress: progress)
            for line in ["#5 [2/2] RUN make", "#5 0.1 a.c:3:5: error: 'foo' undeclared"] { output.line(line) }
            #expect(!sink.all.contains("undeclared"))
            #expect(sink.all.contains("[2/2] RUN make") == (style == .rows))
        }
    }
}

/// The recorded stderr of real failed builds (Recordings/failed-step-*.txt, first line says what ran).
struct FailedStepRecordingTests {
    static func recording(_ name: String) throws -> [String] {
        let text = try String(contentsOfFile: Replay.recordings + "/" + name, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }

    @Test("dockerd 20.10: BuildKit's own box is empty; xplat's holds the step's lines, placed at Dockerfile line 3")
    func engine() throws {
        let lines = try Self.recording("failed-step-engine.txt")
        #expect(lines.contains(" > [3/3] RUN echo one; echo \"main.c:3:12: error: foo undeclared\" >&2; exit 2:"))
        let output = SolveOutput(platforms: [p("linux/arm64")], node: "default", progress: nil)
        for line in lines { output.line(line) }
        let step = try #require(output.failed.first)
        #expect(output.failed.count == 1 && step.platform == p("linux/arm64"))
        #expect(
            step.lines.map { $0.split(separator: " ", maxSplits: 2).last.map(String.init) } == [
                "one", "main.c:3:12: error: foo undeclared",
            ])
        let dockerfile = try DockerfileParser.parse(
            bytes: Array(
                try String(
                    contentsOfFile: Replay.recordings + "/failed-step.Dockerfile",
                    encoding: .utf8
                ).utf8), fileName: "Dockerfile")
        let label = try #require(StepLabel(step.name))
        #expect(DockerfileExcerpt.locate(label, in: dockerfile, file: "Dockerfile")?.lines == 3...3)
    }

    @Test(
        """
        buildx 0.10.5 on a remote BuildKit 0.11.6, two platforms: both failed steps, each with its platform, \
        `#0` lines kept; the excerpt as buildx prints it
        """
    )
    func buildx() throws {
        let lines = try Self.recording("failed-step-buildx.txt")
        let output = SolveOutput(platforms: [p("linux/amd64"), p("linux/arm64")], node: "real-remote0", progress: nil)
        for line in lines { output.line(line) }
        let failed = output.failed
        #expect(Set(failed.map(\.platform)) == [p("linux/amd64"), p("linux/arm64")])
        for step in failed {
            #expect(
                step.lines.filter { $0.hasSuffix(" main.c:3:12: error: foo undeclared") }.count == 1,
                "once: buildx's closing box repeats it: \(step)")
        }
        let dockerfile = try DockerfileParser.parse(
            bytes: Array(
                try String(
                    contentsOfFile: Replay.recordings + "/failed-step.Dockerfile",
                    encoding: .utf8
                ).utf8), fileName: "Dockerfile")
        let label = try #require(StepLabel(failed[0].name))
        let excerpt = try #require(DockerfileExcerpt.locate(label, in: dockerfile, file: "Dockerfile"))
        let printed = lines.drop { $0 != "Dockerfile:3" }.dropFirst().prefix(6).joined(separator: "\n")
        #expect(excerpt.text == printed, "the same excerpt buildx printed")
    }

    @Test(
        """
        plain progress, buildx 0.10.5: the lines BuildKit's closing box repeats are tagged with the box's step's \
        platform, not the last step started
        """
    )
    func boxTagged() throws {
        let lines = try Self.recording("failed-step-buildx-cancelled.txt")
        let sink = Sink()
        let platforms = [p("linux/amd64"), p("linux/arm64")]
        let progress = BuildProgress(plan: ProgressStyleTests.plan(platforms), style: .plain, write: sink.write)
        let output = SolveOutput(platforms: platforms, node: "real-remote0", progress: progress)
        for line in lines { output.line(line) }
        let shown = sink.all.split(separator: "\n").map(String.init)
        let compiler = shown.filter {
            $0.hasSuffix("main.c:3:12: error: 'foo' undeclared (first use in this function)")
        }
        #expect(compiler.count == 2, "as it ran and in the box: \(shown)")
        #expect(compiler.allSatisfy { $0.hasPrefix("[linux/arm64 on real-remote0] #0 ") }, "\(compiler)")
        #expect(output.failed.map(\.platform) == [p("linux/arm64")])
        #expect(output.failed.first?.lines.count == 5, "the box's lines are not read twice")
    }
}
