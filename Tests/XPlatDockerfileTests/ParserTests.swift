import Testing

@testable import XPlatDockerfile

@Suite struct ParserTests {
    func parse(_ text: String) throws -> Dockerfile { try DockerfileParser.parse(text, fileName: "Dockerfile") }

    @Test("parser directives only at the top, BuildKit rules")
    func directives() throws {
        let f = try parse("# syntax=docker/dockerfile:1\n#escape=`\n# check=skip=all\nFROM a\nRUN echo `\n  b\n")
        #expect(f.directives.map(\.name) == ["syntax", "escape", "check"])
        #expect(f.escapeToken == "`")
        #expect(f.instructions[1].node.dump() == "run \"echo   b\"")
        // A comment first ends the directives: the escape line is a plain comment.
        let g = try parse("# hello\n# escape=`\nFROM a\nRUN echo \\\n b\n")
        #expect(g.escapeToken == "\\" && g.directives.isEmpty)
        // An unknown directive ends them too.
        let h = try parse("# foo=bar\n# escape=`\nFROM a\n")
        #expect(h.escapeToken == "\\")
    }

    @Test(
        "directive errors name the line",
        arguments: [
            ("# escape=x\nFROM a\n", 1, "invalid escape token 'x' does not match ` or \\"),
            ("# syntax=a\n# syntax=b\nFROM a\n", 2, "only one syntax parser directive can be used"),
            ("FROM a\nENV PATH\n", 2, "ENV must have two arguments"),
            ("FROM a\nRUN <<EOF\nnever ends\n", 2, "unterminated heredoc"),
            ("\n\n# only comments\n", 3, "file with no instructions"),
            ("FROM a\nCMD [\"a\", 1]\n", 2, "when using JSON array syntax, arrays must be comprised of strings only"),
            ("FROM a\nLABEL a=b c\n", 2, "Syntax error - can't find = in \"c\". Must be of the form: name=value"),
        ])
    func errors(_ input: String, _ line: Int, _ reason: String) {
        #expect(throws: DockerfileSyntaxError(fileName: "Dockerfile", line: line, reason: reason)) { try parse(input) }
    }

    @Test("continuations: comments and blank lines inside, trailing escape at EOF")
    func continuations() throws {
        let f = try parse("FROM a\nRUN apt-get update \\\n  # a comment\n\n  && apt-get install -y x\nRUN last \\")
        #expect(f.instructions[1].node.dump() == "run \"apt-get update   && apt-get install -y x\"")
        #expect(f.instructions[1].startLine == 2 && f.instructions[1].endLine == 5)
        #expect(f.instructions[2].node.dump() == "run \"last\"")
        #expect(f.warnings.count == 2)
        #expect(f.render() == "FROM a\nRUN apt-get update \\\n  # a comment\n\n  && apt-get install -y x\nRUN last \\")
    }

    @Test("heredocs: several per instruction, <<- and quoted delimiters, only RUN/COPY/ADD")
    func heredocs() throws {
        let text =
            "FROM a\nRUN <<EOF cat > /a && 3<<-'END' cat\necho $HOME\nEOF\n\t\tliteral $x\n\tEND\nCOPY <<\"X\" /f\n"
            + "body\nX\nENV A=<<B\nCMD <<C\n"
        let f = try parse(text)
        let run = f.instructions[1]
        #expect(run.heredocs.map(\.name) == ["EOF", "END"])
        #expect(run.heredocs.map(\.expand) == [true, false])
        #expect(run.heredocs.map(\.chomp) == [false, true])
        #expect(run.heredocs[1].fileDescriptor == 3)
        #expect(run.heredocs[0].content == "echo $HOME\n")
        #expect(run.endLine == 6)
        #expect(f.instructions[2].heredocs.first?.expand == false)
        #expect(f.instructions[3].heredocs.isEmpty && f.instructions[4].heredocs.isEmpty)
        #expect(f.render() == text)
        // Exec form cannot hold heredocs.
        #expect(try parse("FROM a\nRUN [\"<<EOF\"]\n").instructions[1].heredocs.isEmpty)
        // ONBUILD RUN can.
        #expect(try parse("FROM a\nONBUILD RUN <<E\nx\nE\n").instructions[1].heredocs.count == 1)
    }

    @Test("flags with ranges; FROM ... AS in any case; ARG before FROM")
    func flags() throws {
        let text =
            "ARG V=1\nfrom --platform=$BUILDPLATFORM img:$V as Build\nCOPY --from=build --chmod=755 --link a b\nRUN "
            + "--mount=type=cache,target=/c \\\n    --network=none make\n"
        let f = try parse(text)
        let from = f.instructions[1]
        #expect(from.keyword == "from" && from.command == "from")
        #expect(from.flag("platform")?.value == "$BUILDPLATFORM")
        #expect(f.text(from.flag("platform")!.sourceRange) == "--platform=$BUILDPLATFORM")
        #expect(f.instructions[2].flags.map(\.name) == ["from", "chmod", "link"])
        #expect(f.instructions[2].flag("link")?.value == nil)
        #expect(f.instructions[3].flagValues("mount") == ["type=cache,target=/c"])
        #expect(f.text(f.instructions[3].flag("network")!.sourceRange) == "--network=none")
        #expect(f.instructions[3].arguments == "make")
        let g = try StageGraph(f)
        #expect(g.stages[0].name == "build")
        #expect(g.globalArgs.map(\.name) == ["V"])
        #expect(g.stages[0].base == .image("img:1"))
    }

    @Test("CRLF line endings and a BOM survive round trips")
    func crlfAndBOM() throws {
        let text = "\u{FEFF}# escape=`\r\nFROM a\r\nRUN echo `\r\n  hi\r\n"
        let f = try parse(text)
        #expect(f.render() == text)
        #expect(f.escapeToken == "`", "the BOM does not hide the directive")
        #expect(f.lineEnding == "\r\n")
        #expect(f.instructions[1].node.dump() == "run \"echo   hi\"")
    }

    @Test("positions are line and character column")
    func positions() throws {
        let f = try parse("FROM a\nRUN é x\n")
        let offset = Array(f.bytes).firstIndex(of: UInt8(ascii: "x"))!
        #expect(f.position(of: offset) == (2, 7))
    }
}
