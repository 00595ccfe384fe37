// The parser: BuildKit's `frontend/dockerfile/parser.Parse`, step for step, on UTF-8 bytes, recording
// byte ranges as it goes. Line handling (directives, comment stripping, continuation rules, empty
// continuation lines, heredoc bodies) follows BuildKit's order of operations exactly, because those
// corner cases are what decides which lines belong to which instruction.

/// Parses Dockerfiles into a lossless `Dockerfile`.
public enum DockerfileParser {
    /// Parses `text`.
    ///
    /// - Parameters:
    ///   - text: the whole file.
    ///   - fileName: the name errors and findings use.
    /// - Throws: `DockerfileSyntaxError` with the line and BuildKit's reason when BuildKit would refuse
    ///   the file (no instructions, bad `# escape=`, repeated directive, `ENV` without a value, a JSON
    ///   array of non-strings, an unterminated heredoc).
    public static func parse(_ text: String, fileName: String = "Dockerfile") throws(DockerfileSyntaxError)
        -> Dockerfile
    {
        try parse(bytes: Array(text.utf8), fileName: fileName)
    }

    /// Parses UTF-8 `bytes`.
    public static func parse(bytes: [UInt8], fileName: String = "Dockerfile") throws(DockerfileSyntaxError)
        -> Dockerfile
    {
        var p = Parser(bytes: bytes, fileName: fileName)
        return try p.run()
    }
}

struct Parser {
    let bytes: [UInt8]
    let fileName: String
    var lineStarts: [Int] = []
    var escape: UInt8 = ASCII.backslash
    var directivesDone = false
    var seen: Set<String> = []
    var directives: [ParserDirective] = []

    init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
        lineStarts.reserveCapacity(bytes.count / 32 + 1)
        lineStarts.append(0)
        for (i, b) in bytes.enumerated() where b == ASCII.newline && i + 1 < bytes.count { lineStarts.append(i + 1) }
    }

    var lineCount: Int { bytes.isEmpty ? 0 : lineStarts.count }
    private func lineEnd(_ li: Int) -> Int { li + 1 < lineStarts.count ? lineStarts[li + 1] : bytes.count }

    func fail(_ line: Int, _ reason: String) -> DockerfileSyntaxError {
        DockerfileSyntaxError(fileName: fileName, line: max(1, line), reason: reason)
    }

    /// BuildKit `isComment`: the line, newline and leading space trimmed, starts with `#`.
    private func isComment(_ start: Int, _ end: Int) -> Bool {
        let e = Bytes.trimNewline(bytes[start..<end])
        let s = Bytes.trimLeft(bytes[start..<e])
        return s < e && bytes[s] == ASCII.hash
    }

    /// BuildKit's `possibleParserDirective` on one line (newline trimmed).
    private mutating func possibleDirective(_ token: ArraySlice<UInt8>, line: Int) throws(DockerfileSyntaxError) {
        if directivesDone { return }
        guard let (name, value) = Self.matchDirective(token) else { directivesDone = true; return }
        let key = name.lowercased()
        guard key == "escape" || key == "syntax" || key == "check" else { directivesDone = true; return }
        if seen.contains(key) { throw fail(line, "only one \(key) parser directive can be used") }
        seen.insert(key)
        if key == "escape" {
            guard value == "`" || value == "\\" else {
                throw fail(line, "invalid escape token '\(value)' does not match ` or \\")
            }
            escape = value.utf8.first!
        }
        directives.append(ParserDirective(name: key, value: value, line: line))
    }

    /// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
    private static func matchDirective(_ line: ArraySlice<UInt8>) -> (String, String)? {
        var i = line.startIndex
        guard i < line.endIndex, line[i] == ASCII.hash else { return nil }
        i += 1
        while i < line.endIndex, line[i].isRE2Space { i += 1 }
        let nameStart = i
        guard i < line.endIndex, line[i].isASCIILetter else { return nil }
        while i < line.endIndex, line[i].isASCIILetter || line[i].isASCIIDigit { i += 1 }
        let name = Bytes.string(line[nameStart..<i])
        while i < line.endIndex, line[i].isRE2Space { i += 1 }
        guard i < line.endIndex, line[i] == ASCII.equals else { return nil }
        i += 1
        while i < line.endIndex, line[i].isRE2Space { i += 1 }
        var end = line.endIndex
        while end > i, line[end - 1].isRE2Space { end -= 1 }
        guard end > i else { return nil }
        return (name, Bytes.string(line[i..<end]))
    }

    /// BuildKit `trimContinuationCharacter`: the end of the kept text and whether the line ends the
    /// instruction.
    private func trimContinuation(_ line: ArraySlice<UInt8>) -> (end: Int, isEnd: Bool) {
        var e = line.endIndex
        while e > line.startIndex, line[e - 1] == ASCII.space || line[e - 1] == ASCII.tab { e -= 1 }
        guard e > line.startIndex, line[e - 1] == escape else { return (line.endIndex, true) }
        let at = e - 1
        if at == line.startIndex || line[at - 1] != escape { return (at, false) }
        return (line.endIndex, true)
    }

    /// Reads the file line by line into instructions (continuations joined, heredoc bodies read)
    /// and the trivia between them, as BuildKit's `Parse` does.
    mutating func run() throws(DockerfileSyntaxError) -> Dockerfile {
        var found = Collected()
        var li = 0
        while li < lineCount {
            let token = try lineToken(li, comments: &found.comments)
            li += 1
            if let instruction = try readInstruction(
                token, startLine: li, line: &li, comments: found.comments,
                warnings: &found.warnings)
            {
                found.append(instruction)
            }
        }
        return try assemble(found)
    }

    /// What `run` gathers as it reads: the instructions, the file's elements in order, the warnings,
    /// and the comments waiting for the next instruction.
    struct Collected {
        var instructions: [Instruction] = []
        var elements: [DockerfileElement] = []
        var warnings: [String] = []
        var comments: [String] = []
        /// Where the trivia after the last instruction starts.
        var triviaStart = 0

        /// Adds `instruction` after the trivia before it; its comments are spent.
        mutating func append(_ instruction: consuming Instruction) {
            let source = instruction.sourceRange
            if triviaStart < source.lowerBound { elements.append(.trivia(triviaStart..<source.lowerBound)) }
            elements.append(.instruction(instructions.count))
            triviaStart = source.upperBound
            instructions.append(instruction)
            comments = []
        }
    }

    /// A line read between instructions: its comment gathered (an empty comment drops the ones
    /// before), a parser directive read, and the text an instruction would start with (none for a
    /// comment line). The BOM of the first line is not text.
    private mutating func lineToken(_ li: Int, comments: inout [String]) throws(DockerfileSyntaxError) -> ArraySlice<
        UInt8
    > {
        let le = lineEnd(li)
        var cs = lineStarts[li]
        if li == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { cs = 3 }
        if isComment(cs, le) {
            let c = Bytes.string(Bytes.trimSpace(bytes[(cs + 1)..<le]))
            if c.isEmpty { comments = [] } else { comments.append(c) }
        }
        let nl = Bytes.trimNewline(bytes[cs..<le])
        let ts = Bytes.trimLeft(bytes[cs..<nl])
        try possibleDirective(bytes[ts..<nl], line: li + 1)
        return (ts < nl && bytes[ts] == ASCII.hash) ? bytes[ts..<ts] : bytes[ts..<nl]
    }

    /// The instruction that starts with `token` on `startLine` (1-based): its continuation lines
    /// joined, its node parsed and its heredoc bodies read, `li` moved past its last line. Nil when
    /// the line holds no text (blank or a comment).
    private mutating func readInstruction(
        _ token: ArraySlice<UInt8>, startLine: Int, line li: inout Int, comments: [String],
        warnings: inout [String]
    ) throws(DockerfileSyntaxError) -> Instruction? {
        let (cut, isEnd) = trimContinuation(token)
        if isEnd && cut == token.startIndex { return nil }
        let joined = try joinContinuations(first: token.startIndex..<cut, isEnd: isEnd, line: &li)
        if joined.hasEmpty {
            warnings.append("[WARNING]: Empty continuation line found in:\n    " + Bytes.string(joined.logical[...]))
        }
        let node: Built
        do {
            node = try Self.nodeFromLine(joined.logical[...], escape: escape)
        } catch {
            throw fail(startLine, error.reason)
        }
        let heredocs = try readHeredocs(joined.logical, node: node, startLine: startLine, line: &li)
        return instruction(
            node, joined.logical, joined.segments, heredocs: heredocs, comments: comments,
            lines: startLine...li, source: lineStarts[startLine - 1]..<lineEnd(li - 1))
    }

    /// The parsed file: the trailing trivia closed, BuildKit's refusal of a file without
    /// instructions, and the closing warning when continuation lines were empty.
    func assemble(_ found: Collected) throws(DockerfileSyntaxError) -> Dockerfile {
        var elements = found.elements
        var warnings = found.warnings
        if found.triviaStart < bytes.count { elements.append(.trivia(found.triviaStart..<bytes.count)) }
        if found.instructions.isEmpty { throw fail(max(1, lineCount), "file with no instructions") }
        if !warnings.isEmpty {
            warnings.append("[WARNING]: Empty continuation lines will become errors in a future release.")
        }
        return Dockerfile(
            fileName: fileName, bytes: bytes, escapeToken: Character(Unicode.Scalar(escape)),
            directives: directives, instructions: found.instructions, elements: elements, lineStarts: lineStarts,
            warnings: warnings)
    }

    /// The logical line of an instruction: its first line's kept text, then each continuation line's
    /// (comment lines skipped, empty lines skipped and reported), with where each piece came from.
    private mutating func joinContinuations(first: Range<Int>, isEnd firstIsEnd: Bool, line li: inout Int)
        throws(DockerfileSyntaxError) -> (logical: [UInt8], segments: [Segment], hasEmpty: Bool)
    {
        var logical = Array(bytes[first])
        var segments = [Segment(logical: 0, source: first.lowerBound, length: first.count)]
        var hasEmpty = false
        var isEnd = firstIsEnd
        while !isEnd && li < lineCount {
            let s2 = lineStarts[li], e2 = lineEnd(li)
            let nl2 = Bytes.trimNewline(bytes[s2..<e2])
            try possibleDirective(bytes[s2..<nl2], line: li + 1)
            li += 1
            if isComment(s2, e2) { continue }
            if Bytes.trimLeft(bytes[s2..<nl2]) == nl2 { hasEmpty = true; continue }
            let (c2, end2) = trimContinuation(bytes[s2..<nl2])
            isEnd = end2
            segments.append(Segment(logical: logical.count, source: s2, length: c2 - s2))
            logical += bytes[s2..<c2]
        }
        return (logical, segments, hasEmpty)
    }

    /// The bodies of the heredocs an instruction opens (`<<EOF`), read from the lines after it up to
    /// each terminator; an unterminated heredoc is an error at the instruction's line.
    private func readHeredocs(_ logical: [UInt8], node: Built, startLine: Int, line li: inout Int)
        throws(DockerfileSyntaxError)
        -> [Heredoc]
    {
        guard node.canContainHeredoc, Bytes.find([ASCII.lt, ASCII.lt], in: logical) != nil else { return [] }
        var heredocs: [Heredoc] = []
        for var doc in Heredocs.fromLine(logical[...]) {
            let terminator = Array(doc.name.utf8)
            var terminated = false
            let bodyStart = li < lineCount ? lineStarts[li] : bytes.count
            doc.bodyStartLine = li + 1
            var content: [UInt8] = []
            while li < lineCount {
                let s3 = lineStarts[li], e3 = lineEnd(li)
                li += 1
                var t = s3
                let tn = Bytes.trimNewline(bytes[s3..<e3])
                if doc.chomp { while t < tn && bytes[t] == ASCII.tab { t += 1 } }
                if bytes[t..<tn].elementsEqual(terminator) {
                    terminated = true
                    doc.terminatorLine = li
                    doc.bodyRange = bodyStart..<s3
                    break
                }
                content += bytes[s3..<e3]
            }
            if !terminated { throw fail(startLine, "unterminated heredoc") }
            doc.content = String(decoding: content, as: UTF8.self)
            heredocs.append(doc)
        }
        return heredocs
    }

    /// The instruction value: text, flags and ranges mapped from the logical line back to the file.
    func instruction(
        _ node: Built, _ logical: [UInt8], _ segments: [Segment], heredocs: [Heredoc], comments: [String],
        lines: ClosedRange<Int>, source: Range<Int>
    ) -> Instruction {
        let probe = Instruction(
            command: "", keyword: "", flags: [], arguments: "", original: "", node: node.node, heredocs: [],
            comments: [], startLine: 0, endLine: 0, sourceRange: 0..<0, keywordRange: 0..<0,
            argumentsOffset: 0, onbuildCommand: nil, segments: segments, logicalArgumentsStart: 0)
        func mapped(_ range: Range<Int>) -> Range<Int> {
            probe.sourceOffset(logical: range.lowerBound)..<probe.sourceOffset(logical: range.upperBound)
        }
        let flags = node.flags.map { f in
            InstructionFlag(name: f.name, value: f.value, text: f.text, sourceRange: mapped(f.range))
        }
        return Instruction(
            command: node.node.value, keyword: Bytes.string(logical[node.keyword]), flags: flags,
            arguments: Bytes.string(logical[node.arguments]), original: Bytes.string(logical[...]),
            node: node.node, heredocs: heredocs, comments: comments, startLine: lines.lowerBound,
            endLine: lines.upperBound,
            sourceRange: source, keywordRange: mapped(node.keyword),
            argumentsOffset: probe.sourceOffset(logical: node.arguments.lowerBound),
            onbuildCommand: node.onbuildCommand, segments: segments,
            logicalArgumentsStart: node.arguments.lowerBound)
    }

    struct RawFlag { var name: String; var value: String?; var text: String; var range: Range<Int> }

    struct Built {
        var node: BuildKitNode
        var flags: [RawFlag]
        /// Logical ranges (offsets into the joined line).
        var keyword: Range<Int>
        var arguments: Range<Int>
        var onbuildCommand: String?
        var onbuildIsJSON = false

        var canContainHeredoc: Bool {
            let cmd = onbuildCommand ?? node.value
            guard cmd == "run" || cmd == "copy" || cmd == "add" else { return false }
            return onbuildCommand != nil ? !onbuildIsJSON : !node.isJSON
        }
    }

    /// BuildKit `newNodeFromLine`: split off the command and flags, dispatch to the line parser.
    private static func nodeFromLine(_ line: ArraySlice<UInt8>, escape: UInt8) throws(LineParsers.Failure) -> Built {
        let trimmed = Bytes.trimSpace(line)
        var i = trimmed.startIndex
        while i < trimmed.endIndex, !trimmed[i].isTokenSpace { i += 1 }
        let cmdRange = trimmed.startIndex..<i
        let command = Bytes.string(line[cmdRange]).lowercased()
        var flags: [RawFlag] = []
        var argsRange = trimmed.endIndex..<trimmed.endIndex
        if i < trimmed.endIndex {
            var j = i
            while j < trimmed.endIndex, trimmed[j].isTokenSpace { j += 1 }
            let (argStart, f) = extractFlags(line[j..<trimmed.endIndex])
            flags = f
            let a = Bytes.trimSpace(line[argStart..<trimmed.endIndex])
            argsRange = a.startIndex..<a.endIndex
        }
        let rest = line[argsRange]
        var node = BuildKitNode(value: command, flags: flags.map(\.text))
        var onbuild: String?
        var onbuildJSON = false
        if command == "onbuild" {
            if !rest.isEmpty {
                let child = try nodeFromLine(rest, escape: escape)
                node.next = [.node(child.node)]
                onbuild = child.node.value
                onbuildJSON = child.node.isJSON
            }
        } else {
            let (next, json) = try LineParsers.dispatch(command, rest, escape: escape)
            node.next = next
            node.isJSON = json
        }
        return Built(
            node: node, flags: flags, keyword: cmdRange, arguments: argsRange, onbuildCommand: onbuild,
            onbuildIsJSON: onbuildJSON)
    }

    /// BuildKit `extractBuilderFlags`: leading `--flag` words; returns where the arguments start.
    private static func extractFlags(_ line: ArraySlice<UInt8>) -> (Int, [RawFlag]) {
        var scanner = FlagScanner(line: line)
        return scanner.scan()
    }

    /// BuildKit's `extractBuilderFlags` loop, one byte at a time: between words, in a word, or in a
    /// quote inside a word.
    struct FlagScanner {
        let line: ArraySlice<UInt8>
        var flags: [RawFlag] = []
        var word: [UInt8] = []
        var wordStart: Int
        var inWord = false, inQuote = false, blankOK = false
        var quote: UInt8 = 0
        var pos: Int

        init(line: ArraySlice<UInt8>) {
            self.line = line
            wordStart = line.startIndex
            pos = line.startIndex
        }

        /// The flags up to the first word that is not one (or up to a lone `--`), and where the
        /// arguments start.
        mutating func scan() -> (Int, [RawFlag]) {
            while pos <= line.endIndex {
                let atEnd = pos == line.endIndex
                let ch: UInt8 = atEnd ? 0 : line[pos]
                if !inWord && !inQuote {
                    if atEnd { break }
                    if ch.isGoByteSpace { pos += 1; continue }
                    guard startsFlag() else { return (pos, flags) }
                    inWord = true
                    wordStart = pos
                }
                if atEnd {
                    if !wordIsDoubleDash { endWord() }
                    break
                }
                if inWord {
                    if let argumentsStart = stepInWord(ch) { return (argumentsStart, flags) }
                } else {
                    stepInQuote(ch)
                }
            }
            return (line.endIndex, flags)
        }

        /// `--` alone ends the flags.
        var wordIsDoubleDash: Bool { word.count == 2 && word[0] == ASCII.dash && word[1] == ASCII.dash }

        /// A word starting at `pos` is a flag when it starts with `--`.
        func startsFlag() -> Bool {
            line[pos] == ASCII.dash && pos + 1 < line.endIndex && line[pos + 1] == ASCII.dash
        }

        /// One byte of a word outside quotes: a blank ends the word (a lone `--` ends the flags:
        /// returns where the arguments start), a quote opens a quote, a backslash escapes the next byte.
        mutating func stepInWord(_ ch: UInt8) -> Int? {
            if ch.isGoByteSpace {
                inWord = false
                if wordIsDoubleDash { return pos }
                endWord()
                word = []
                blankOK = false
                pos += 1
                return nil
            }
            if ch == ASCII.apostrophe || ch == ASCII.quote {
                quote = ch; blankOK = true; inWord = false; inQuote = true
                pos += 1
                return nil
            }
            _ = appendEscaped(ch)
            return nil
        }

        /// One byte inside quotes: the closing quote, or a byte of the word; a backslash at the end of
        /// the line closes the quote.
        mutating func stepInQuote(_ ch: UInt8) {
            if ch == quote { inQuote = false; inWord = true; pos += 1; return }
            if !appendEscaped(ch) { inQuote = false; inWord = true }
        }

        /// Appends `ch` to the word, or the byte a backslash escapes; false (nothing appended) for a
        /// backslash that is the line's last byte.
        mutating func appendEscaped(_ ch: UInt8) -> Bool {
            if ch == ASCII.backslash {
                if pos + 1 == line.endIndex { pos += 1; return false }
                pos += 1
            }
            word.append(line[pos])
            pos += 1
            return true
        }

        /// Records the word that ends at `pos` as a flag, unless it is empty and was never quoted.
        mutating func endWord() {
            guard blankOK || !word.isEmpty else { return }
            flags.append(Self.flag(word, wordStart..<pos))
        }

        /// `--name=value` or `--name` split into name and value.
        static func flag(_ word: [UInt8], _ range: Range<Int>) -> RawFlag {
            let text = Bytes.string(word[...])
            var body = Substring(text)
            if body.hasPrefix("--") { body = body.dropFirst(2) }
            if let eq = body.firstIndex(of: "=") {
                return RawFlag(
                    name: String(body[..<eq]), value: String(body[body.index(after: eq)...]), text: text, range: range)
            }
            return RawFlag(name: String(body), value: nil, text: text, range: range)
        }
    }
}
