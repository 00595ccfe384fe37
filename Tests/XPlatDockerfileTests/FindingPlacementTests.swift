import Testing

@testable import XPlatDockerfile

/// Marked-place tests, swift-format style: `1️⃣` (and `2️⃣`, ...) in the input mark where a finding must
/// be reported; markers are removed before linting.
struct Marked {
    var text: String
    var places: [String: (line: Int, column: Int)] = [:]

    init(_ marked: String) {
        var out = ""
        var line = 1, column = 1
        var places: [String: (Int, Int)] = [:]
        var chars = Array(marked)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if let scalar = c.unicodeScalars.first, c.unicodeScalars.count > 1, c.unicodeScalars.last == "\u{20E3}" {
                places[String(scalar)] = (line, column)
                continue
            }
            out.append(c)
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        text = out
        self.places = places
    }
}

@Suite struct FindingPlacementTests {
    static let cases: [(Rule, String)] = [
        (.argTargetDefault, "ARG 1️⃣TARGETARCH=amd64\nFROM alpine\n"),
        (.argTargetDefault, "FROM alpine\nARG TARGETOS 1️⃣TARGETARCH=arm64\n"),
        (.targetArgGlobalOnly, "ARG TARGETARCH\nFROM alpine\nRUN echo 1️⃣$TARGETARCH\n"),
        (.targetArgGlobalOnly, "ARG TARGETOS\nFROM alpine\nENV OS=1️⃣${TARGETOS}\n"),
        (.hardcodedGoArch, "FROM golang\nRUN CGO_ENABLED=0 1️⃣GOARCH=amd64 go build .\n"),
        (.hardcodedGoArch, "FROM golang\nENV 1️⃣GOOS=linux\n"),
        (.hardcodedPlatform, "FROM 1️⃣--platform=linux/amd64 golang AS b\nFROM alpine\nCOPY --from=b /a /a\n"),
        (.archInURL, "FROM alpine\nRUN wget -q 1️⃣https://example.com/v1/tool_linux_amd64.tar.gz\n"),
        (.archInURL, "FROM alpine\nADD 1️⃣https://example.com/x86_64/tool /tool\n"),
        (
            .runtimeArchDetection,
            "FROM --platform=$BUILDPLATFORM debian AS b\nRUN curl -LO https://e.com/t-$(1️⃣uname -m)\nFROM alpine\n"
                + "COPY --from=b /t /t\n"
        ),
        (
            .runtimeArchDetection,
            "FROM --platform=$BUILDPLATFORM debian AS b\nFROM b AS c\nRUN A=$(1️⃣dpkg --print-architecture)\nFROM "
                + "alpine\nCOPY --from=c /t /t\n"
        ),
        (
            .buildPlatformOnFinal,
            "FROM golang AS b\nFROM 1️⃣--platform=$BUILDPLATFORM alpine\nCOPY --from=b /a /a\n"
        ),
        (
            .buildPlatformOnFinal,
            "FROM --platform=$BUILDPLATFORM python:3 AS base\nRUN pip install x\nFROM 1️⃣base\nCOPY . .\n"
        ),
        // XP005 knows every architecture of the table, not only amd64.
        (.archInURL, "FROM alpine\nRUN curl -LO 1️⃣https://example.com/tool-linux-aarch64.tar.gz\n"),
        (.archInURL, "FROM alpine\nRUN curl -LO 1️⃣https://example.com/tool_Linux_ARM64.tar.gz\n"),
        (.hardcodedRustTarget, "FROM rust\nRUN cargo build --release --target 1️⃣x86_64-unknown-linux-gnu\n"),
        (
            .hardcodedRustTarget,
            "FROM rust AS b\nRUN cargo build\nFROM alpine\nCOPY --from=b "
                + "/src/target/1️⃣x86_64-unknown-linux-musl/release/app /app\n"
        ),
        (.archInImage, "FROM 1️⃣amd64/alpine\n"),
        (.archInImage, "FROM 1️⃣ghcr.io/acme/runner-arm64:1.2\n"),
        (.archInImage, "ARG REPO=arm64v8\nFROM 1️⃣${REPO}/ubuntu\n"),
        (
            .archCaseFallback,
            "FROM alpine\nRUN case \"$(uname -m)\" in aarch64) A=arm64 ;; 1️⃣*) A=amd64 ;; esac && wget "
                + "https://e.com/t-$A\n"
        ),
        (
            .archCaseFallback,
            "FROM alpine\nARG TARGETARCH\nRUN case \"$TARGETARCH\" in \\\n  arm64) A=aarch64 ;; \\\n"
                + "  1️⃣*) A=x86_64 ;; \\\n esac\n"
        ),
        (
            .buildPlatformForeignTool,
            "FROM --platform=$BUILDPLATFORM debian AS b\nARG TARGETARCH\nRUN curl -LO "
                + "1️⃣https://e.com/zig-linux-x86_64-0.11.tar.xz\nFROM alpine\nCOPY --from=b /t /t\n"
        ),
        (
            .buildPlatformForeignTool,
            "FROM --platform=$BUILDPLATFORM debian AS b\nARG TARGETARCH\nRUN curl -L "
                + "1️⃣https://musl.cc/aarch64-linux-musl-cross.tgz | tar xz\nFROM alpine\nCOPY --from=b /t /t\n"
        ),
        (
            .buildStageNotCross,
            "FROM --platform=$BUILDPLATFORM golang AS b\nCOPY . .\n1️⃣RUN go build -o /app .\nFROM alpine\nCOPY "
                + "--from=b /app /app\n"
        ),
    ]

    @Test("findings are reported at the marked place", arguments: 0..<cases.count)
    func placed(_ index: Int) throws {
        let (rule, input) = Self.cases[index]
        let m = Marked(input)
        let findings = try Linter.lint(try DockerfileParser.parse(m.text, fileName: "Dockerfile"))
        let place = try #require(m.places["1"])
        let hits = findings.filter { $0.rule == rule }
        #expect(hits.count == 1, "expected one \(rule.id) in case \(index), got \(findings.map(\.description))")
        #expect(
            hits.first.map { [$0.line, $0.column] } == [place.line, place.column],
            "case \(index): \(findings.map(\.description))")
        #expect(hits.first?.file == "Dockerfile")
    }

    @Test(
        "clean Dockerfiles have no findings",
        arguments: [
            "FROM --platform=$BUILDPLATFORM golang AS b\nARG TARGETOS TARGETARCH\n"
                + "RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /a .\nFROM alpine\nCOPY --from=b /a /a\n",
            "ARG TARGETARCH\nFROM alpine\nARG TARGETARCH\nRUN echo $TARGETARCH\n",
            "FROM debian\nRUN uname -m\n",
            // A case that maps every architecture it knows and fails on the rest.
            "FROM alpine\nARG TARGETARCH\nRUN case \"$TARGETARCH\" in amd64) A=x86_64 ;; arm64) A=aarch64 ;; *) exit 1 "
                + ";; esac\n",
            // URLs and Rust targets inside the arms of a case on the architecture are the mapping itself.
            "FROM alpine\nARG TARGETARCH\nRUN case \"$TARGETARCH\" in amd64) u=https://e.com/x86_64.tgz "
                + "t=x86_64-unknown-linux-gnu ;; arm64) u=https://e.com/aarch64.tgz ;; *) exit 1 ;; esac\n",
            // A $BUILDPLATFORM stage wired through TARGETARCH, or through tonistiigi/xx.
            "FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\nFROM --platform=$BUILDPLATFORM golang AS b\n"
                + "COPY --from=xx / /\n"
                + "ARG TARGETPLATFORM\nRUN xx-go build -o /app .\nFROM alpine\nCOPY --from=b /app /app\n",
            // A default in a parameter expansion is used only when the (declared) variable is unset.
            "FROM alpine\nARG TARGETOS TARGETARCH\nRUN wget "
                + "https://e.com/tool_${TARGETOS:-linux}-${TARGETARCH:-amd64}\n",
            // Words that only contain an architecture name are not one.
            "FROM alpine\nRUN wget https://example.com/harmony/x86info-armory.tgz\n",
            // A $BUILDPLATFORM stage that builds JavaScript compiles nothing for the target.
            "FROM --platform=$BUILDPLATFORM node AS b\nRUN npm ci && npm run build\nFROM nginx\nCOPY --from=b /dist "
                + "/usr/share/nginx/html\n",
        ])
    func clean(_ input: String) throws {
        #expect(try Linter.lint(try DockerfileParser.parse(input)).isEmpty)
    }

    @Test("an undeclared TARGET* with a default is a warning, without one an error")
    func severityOfUndeclared() throws {
        let m = Marked("FROM alpine\nRUN echo 1️⃣${TARGETOS:-linux} 2️⃣$TARGETARCH\n")
        let f = try Linter.lint(try DockerfileParser.parse(m.text))
        #expect(f.map(\.severity) == [.warning, .error])
        #expect(
            f.map { [$0.line, $0.column] } == [
                [m.places["1"]!.line, m.places["1"]!.column], [m.places["2"]!.line, m.places["2"]!.column],
            ])
    }

    @Test("rule ids are stable and unique")
    func ids() {
        #expect(
            Rule.allCases.map(\.id) == [
                "XP001", "XP002", "XP003", "XP004", "XP005", "XP006", "XP007", "XP008", "XP009",
                "XP010", "XP011", "XP012", "XP013",
            ])
    }
}
