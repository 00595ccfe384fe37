import Testing
import XPlatDockerfile
import XPlatPlatform

@testable import XPlatBuild

@Suite("DockerfileGraph")
struct DockerfileGraphTests {
    @Test("stages, platforms, dependencies and heavy RUNs come from the Dockerfile")
    func stages() throws {
        let text = """
            ARG BASE=golang:1.19
            FROM --platform=$BUILDPLATFORM ${BASE} AS Tools
            RUN go mod download
            FROM --platform=linux/arm64 busybox AS pinned
            FROM tools AS build
            RUN --mount=type=cache,target=/root/.cache,from=pinned go build -o /out/app .
            FROM busybox
            COPY --from=build /out/app /app
            RUN ["chmod", "+x", "/app"]

            """
        let graph = try BuildGraph(dockerfile: try DockerfileParser.parse(text, fileName: "Dockerfile"))
        #expect(graph.stages.map(\.name) == ["Tools", "pinned", "build", nil], "names as written")
        #expect(graph.stages.map(\.base) == ["${BASE}", "busybox", "tools", "busybox"])
        #expect(
            graph.stages.map(\.platform) == [.build, .fixed(try Platform(parsing: "linux/arm64")), .target, .target])
        #expect(graph.stages.map(\.dependencies) == [[], [], [0, 1], [2]])
        #expect(
            graph.stages.flatMap(\.runs) == [
                RunStep(line: 3, text: "RUN go mod download", heavy: true),
                RunStep(
                    line: 6, text: "RUN --mount=type=cache,target=/root/.cache,from=pinned go build -o /out/app .",
                    heavy: true),
                RunStep(line: 9, text: "RUN [\"chmod\", \"+x\", \"/app\"]", heavy: false),
            ])
        #expect(graph.target == 3)
    }

    @Test(
        "a FROM BuildKit rejects and a bad literal --platform name file and line",
        arguments: [
            ("FROM busybox AS a b\n", "Dockerfile:1: FROM requires either one or three arguments"),
            ("FROM busybox\nFROM --platform=linux/sparc busybox\n", "Dockerfile:2: FROM --platform=linux/sparc: "),
        ])
    func rejects(text: String, message: String) throws {
        let dockerfile = try DockerfileParser.parse(text, fileName: "Dockerfile")
        do {
            _ = try BuildGraph(dockerfile: dockerfile)
            Issue.record("accepted \(text)")
        } catch let error as BuildError {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
