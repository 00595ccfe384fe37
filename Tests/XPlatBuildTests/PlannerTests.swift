import Foundation
import Testing
import XPlatPlatform
import XPlatSupport

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

private let amd64Node = BuilderNode(
    name: "amd", endpoint: "unix:///a.sock", driver: .engine, native: [p("linux/amd64"), p("linux/386")],
    emulated: [
        EmulatedPlatform(platform: p("linux/arm64"), proven: true),
        EmulatedPlatform(platform: p("linux/arm/v7"), proven: true),
        EmulatedPlatform(platform: p("linux/riscv64"), proven: false, problem: "interpreter missing"),
    ])
private let armNode = BuilderNode(
    name: "arm", endpoint: "unix:///b.sock", driver: .engine,
    native: p("linux/arm64").runnable)

/// Go example, original: every RUN on the target platform.
private let goOriginal = BuildGraph(stages: [
    BuildStage(
        index: 0, name: "build", base: "golang:1.19",
        runs: [RunStep(line: 4, text: "RUN go build -o /out/hello .", heavy: true)]),
    BuildStage(
        index: 1, base: "busybox", runs: [RunStep(line: 8, text: "RUN chmod +x /hello", heavy: false)],
        dependencies: [0]),
])
/// Go example, rewritten: the build stage on $BUILDPLATFORM.
private let goRewritten = BuildGraph(stages: [
    BuildStage(
        index: 0, name: "build", base: "golang:1.19", platform: .build,
        runs: [RunStep(line: 4, text: "RUN go build", heavy: true)]),
    BuildStage(
        index: 1, base: "busybox", runs: [RunStep(line: 8, text: "RUN chmod +x /hello", heavy: false)],
        dependencies: [0]),
])

struct PlannerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var platform: String
        var nodes: [BuilderNode]
        var graph: BuildGraph
        var mode: BuildMode
        var node: String?
        var emulatedLines: [Int]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "native amd64", platform: "linux/amd64", nodes: [amd64Node], graph: goOriginal, mode: .native,
            node: "amd", emulatedLines: []),
        Case(
            name: "compatible native 386 on amd64", platform: "linux/386", nodes: [amd64Node], graph: goOriginal,
            mode: .native, node: "amd", emulatedLines: []),
        Case(
            name: "original Dockerfile: arm64 emulated, both RUNs", platform: "linux/arm64", nodes: [amd64Node],
            graph: goOriginal,
            mode: .emulated, node: "amd", emulatedLines: [4, 8]),
        Case(
            name: "rewritten: arm64 cross, only the light RUN emulated", platform: "linux/arm64", nodes: [amd64Node],
            graph: goRewritten,
            mode: .cross, node: "amd", emulatedLines: [8]),
        Case(
            name: "native node 1 beats emulating node 0", platform: "linux/arm64", nodes: [amd64Node, armNode],
            graph: goOriginal,
            mode: .native, node: "arm", emulatedLines: []),
        Case(
            name: "arm/v7 compatible-native on arm64 node beats cross", platform: "linux/arm/v7",
            nodes: [amd64Node, armNode], graph: goRewritten,
            mode: .native, node: "arm", emulatedLines: []),
        Case(
            name: "unproven emulator is impossible, never a silent fallback", platform: "linux/riscv64",
            nodes: [amd64Node], graph: goOriginal,
            mode: .impossible, node: nil, emulatedLines: []),
        Case(
            name: "no emulator at all", platform: "linux/s390x", nodes: [amd64Node, armNode], graph: goOriginal,
            mode: .impossible, node: nil, emulatedLines: []),
        Case(
            name: "COPY-only needs no emulator", platform: "linux/s390x", nodes: [amd64Node],
            graph: BuildGraph(stages: [BuildStage(index: 0, base: "scratch")]), mode: .cross, node: "amd",
            emulatedLines: []),
        Case(
            name: "no nodes", platform: "linux/amd64", nodes: [], graph: goOriginal, mode: .impossible, node: nil,
            emulatedLines: []),
    ]

    @Test("planner table", arguments: cases)
    func table(_ testCase: Case) {
        let plan = Planner.plan(platforms: [p(testCase.platform)], nodes: testCase.nodes, graph: testCase.graph)
        #expect(plan.count == 1)
        #expect(plan[0].mode == testCase.mode, "mode for \(testCase.name)")
        #expect(plan[0].node == testCase.node, "node for \(testCase.name)")
        #expect(plan[0].emulatedSteps.map(\.line) == testCase.emulatedLines, "emulated RUN lines for \(testCase.name)")
        if testCase.mode == .impossible { #expect(plan[0].reason?.isEmpty == false, "an impossible platform says why") }
    }

    @Test("an unproven emulator's reason names the failure and the fix")
    func unprovenReason() {
        let plan = Planner.plan(platforms: [p("linux/riscv64")], nodes: [amd64Node], graph: goOriginal)
        let reason = plan[0].reason ?? ""
        #expect(reason.contains("interpreter missing"), "quotes the probe's problem: \(reason)")
        #expect(reason.contains("xplat doctor --fix"), "names the fix: \(reason)")
        #expect(reason.contains("line 4"), "names the RUN step that needs it: \(reason)")
    }

    @Test("platforms spread over equally good nodes")
    func spread() {
        let a = BuilderNode(
            name: "a", endpoint: "unix:///a", driver: .engine, native: [p("linux/amd64")],
            emulated: [
                EmulatedPlatform(platform: p("linux/arm64"), proven: true),
                EmulatedPlatform(platform: p("linux/arm/v7"), proven: true),
            ])
        var b = a
        b.name = "b"
        let plan = Planner.plan(
            platforms: [p("linux/amd64"), p("linux/arm64"), p("linux/arm/v7")], nodes: [a, b], graph: goRewritten)
        #expect(plan.map(\.node) == ["a", "b", "a"], "round-robin between equal nodes")
        #expect(Planner.solves(for: plan, nodes: [a, b]).count == 3, "engine nodes: one build per platform")
    }

    @Test("a pinned platform goes to its node; buildx nodes solve several platforms at once")
    func pinnedAndSolves() {
        let x = BuilderNode(
            name: "x0", endpoint: "unix:///x", driver: .buildx(builder: "x", driver: .dockerContainer),
            native: [p("linux/amd64")], emulated: [EmulatedPlatform(platform: p("linux/arm64"), proven: true)])
        var y = x
        y.name = "x1"
        y.pinned = [p("linux/arm64")]
        let plan = Planner.plan(platforms: [p("linux/amd64"), p("linux/arm64")], nodes: [x, y], graph: goRewritten)
        #expect(plan[1].node == "x1", "pinned wins among equal ranks")
        let one = Planner.plan(platforms: [p("linux/amd64"), p("linux/arm64")], nodes: [x], graph: goRewritten)
        #expect(
            Planner.solves(for: one, nodes: [x]) == [
                Solve(node: "x0", platforms: [p("linux/amd64"), p("linux/arm64")])
            ])
    }

    @Test("--target selects a stage and limits the RUN steps to what it needs")
    func target() throws {
        let g = try goOriginal.targeting("build")
        let plan = Planner.plan(platforms: [p("linux/arm64")], nodes: [amd64Node], graph: g)
        #expect(plan[0].emulatedSteps.map(\.line) == [4])
        #expect(throws: BuildError.unknownTarget("nope", available: ["build"])) { try goOriginal.targeting("nope") }
    }

    @Test("plan JSON carries the schema and round-trips")
    func json() throws {
        let plan = Plan(
            dockerfile: "Dockerfile", context: ".", target: nil, platforms: [p("linux/arm64"), p("linux/s390x")],
            nodes: [amd64Node], graph: goRewritten, rewriteDiff: "-FROM a\n+FROM --platform=$BUILDPLATFORM a\n")
        let text = try PlanRenderer.json(plan)
        let doc = try JSONDecoder().decode(PlanDocument.self, from: Data(text.utf8))
        #expect(doc.schema == "xplat.plan/v1")
        #expect(doc.buildable == false)
        #expect(doc.platforms.map(\.mode) == [.cross, .impossible])
        #expect(doc.platforms[0].emulatedSteps.map(\.line) == [8])
        #expect(doc.rewrite?.diff.contains("$BUILDPLATFORM") == true)
        let human = PlanRenderer.text(plan)
        #expect(human.contains("linux/arm64  cross"), "\(human)")
        #expect(human.contains("emulated: line 8"), "\(human)")
        #expect(human.contains("not buildable: linux/s390x"), "\(human)")
        #expect(!human.contains("hint:"), "cross needs no hint")
    }

    @Test("compilers under QEMU get a hint pointing at the rewrite; a rewritten plan does not")
    func emulationHint() {
        let emulated = Plan(
            dockerfile: "Dockerfile", context: ".", target: nil, platforms: [p("linux/amd64"), p("linux/arm64")],
            nodes: [amd64Node], graph: goOriginal, rewriteDiff: nil)
        let text = PlanRenderer.text(emulated)
        #expect(
            text.contains("hint: linux/arm64 compile under QEMU; `xplat rewrite` shows a cross-compiling Dockerfile"),
            "\(text)")
        let rewritten = Plan(
            dockerfile: "Dockerfile", context: ".", target: nil, platforms: [p("linux/arm64")],
            nodes: [amd64Node], graph: goRewritten, rewriteDiff: "")
        #expect(!PlanRenderer.text(rewritten).contains("hint:"))
    }
}
