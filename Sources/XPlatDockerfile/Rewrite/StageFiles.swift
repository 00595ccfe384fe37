// Which context files a stage's filesystem holds, and where, at one of its instructions: followed
// through the FROM chain, COPY/ADD (sources, destinations, `--from` stages), WORKDIR and RUN's bind
// mounts. The rewriter judges a build by these files only, so the same Dockerfile and context give
// the same rewrite whatever else lies in the context (`.dockerignore` is applied when the context is
// read). A base image's own WORKDIR is unknown; "/" stands for it, the same for COPY and RUN.

import Foundation

/// The context's evidence files as a stage sees them at one instruction.
struct StageFiles {
    /// Absolute path in the stage -> path in the context.
    var files: [String: String] = [:]
    /// The working directory (WORKDIR) at that instruction, absolute.
    var workdir = "/"
    /// Folders WORKDIR made (with their parents): a COPY destination that names one copies into it.
    var workdirs: Set<String> = ["/"]

    /// Stages' files at their end, and at each of their RUNs, computed once per rewrite (`COPY --from`
    /// and FROM chains read the ends again and again; the planner asks for every RUN), and the
    /// context's paths.
    final class Cache {
        var ends: [Int: StageFiles] = [:]
        /// Each RUN's files, bind mounts included, by instruction: recorded as its stage is walked.
        var runs: [Int: StageFiles] = [:]
        var contextPaths: [String: String]?
    }

    /// The files of stage `index` just before instruction `limit` (or at its end), with that RUN's
    /// bind mounts when `limit` is a RUN. A stage is walked once for its end and all its RUNs.
    static func at(_ limit: Int?, stage index: Int, graph: StageGraph, context: BuildContext, cache: Cache = Cache())
        -> StageFiles
    {
        if let limit, graph.dockerfile.instructions[limit].command != "run" {
            return walk(stage: index, until: limit, graph: graph, context: context, cache: cache)
        }
        if cache.ends[index] == nil {
            cache.ends[index] = walk(stage: index, until: nil, graph: graph, context: context, cache: cache)
        }
        guard let limit else { return cache.ends[index] ?? StageFiles() }
        return cache.runs[limit] ?? walk(stage: index, until: limit, graph: graph, context: context, cache: cache)
    }

    /// Follows stage `index` up to instruction `limit` (nil: to its end, recording each RUN's files in `cache`).
    private static func walk(
        stage index: Int, until limit: Int?, graph: StageGraph, context: BuildContext, cache: Cache
    ) -> StageFiles {
        let stage = graph.stages[index]
        var out = StageFiles()
        if case .stage(let parent) = stage.base, parent < index {
            out = at(nil, stage: parent, graph: graph, context: context, cache: cache)
        }
        let df = graph.dockerfile
        let contextFiles =
            cache.contextPaths
            ?? Dictionary(
                context.files.keys.map { ($0, $0) } + context.goImports.keys.map { ($0, $0) },
                uniquingKeysWith: { a, _ in a })
        cache.contextPaths = contextFiles
        for i in stage.instructions where i != stage.fromInstruction {
            let ins = df.instructions[i]
            if ins.command == "run" && (limit == nil || i == limit) {
                var here = out
                here.mount(ins, stage: index, graph: graph, context: contextFiles, cache: cache)
                if limit == nil { cache.runs[i] = here } else { return here }
            }
            if let limit, i >= limit { break }
            switch ins.command {
            case "workdir":
                if let dir = ins.node.strings.first, !dir.contains("$") {
                    out.workdir = Paths.join(out.workdir, dir)
                    var made = out.workdir
                    while made != "/" { out.workdirs.insert(made); made = Paths.parent(made) }
                }
            case "copy", "add":
                guard ins.heredocs.isEmpty,
                    let source = out.source(
                        ins.flag("from")?.value, stage: index, graph: graph, context: contextFiles, cache: cache)
                else { continue }
                let words = ins.node.strings
                guard words.count >= 2, let dest = words.last, !dest.contains("$") else { continue }
                out.copy(Array(words.dropLast()), from: source, to: dest)
            default: break
            }
        }
        return out
    }

    /// The filesystem a COPY reads: the context, or an earlier stage's files (relative keys); nil for an image.
    private func source(_ from: String?, stage index: Int, graph: StageGraph, context: [String: String], cache: Cache)
        -> [String: String]?
    {
        guard let from else { return context }
        guard let s = StageGraph.resolve(from, in: graph.stages, before: index) else { return nil }
        let files = StageFiles.at(
            nil, stage: s, graph: graph, context: BuildContext(root: "", files: [:]), cache: cache)
        return Dictionary(files.files.map { (String($0.key.dropFirst()), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// RUN `--mount=type=bind` (the default type): the context's (or a stage's) files at the mount target.
    private mutating func mount(
        _ ins: Instruction, stage index: Int, graph: StageGraph, context: [String: String], cache: Cache
    ) {
        for spec in ins.flagValues("mount") {
            let o = StageGraph.mountOptions(spec)
            guard (o["type"] ?? "bind") == "bind", let target = o["target"] ?? o["dst"] ?? o["destination"],
                let from = source(o["from"], stage: index, graph: graph, context: context, cache: cache)
            else { continue }
            copy([o["source"] ?? o["src"] ?? "."], from: from, to: target.hasSuffix("/") ? target : target + "/")
        }
    }

    /// COPY `sources` (relative paths of `from`, globs allowed) to `dest` (relative to the workdir).
    /// A folder's contents go into the destination. A file goes into it when it ends in `/` or is a
    /// folder the stage is known to have (a WORKDIR, or one files were copied into); otherwise the
    /// destination is the file, for several sources and globs too (the last one wins), as BuildKit
    /// (dockerd 20.10.24's, and v0.11.6) does. An image's own folders are not known: a file copied
    /// into one is then recorded at the folder's path, where no build reads it.
    private mutating func copy(_ sources: [String], from: [String: String], to dest: String) {
        let target = Paths.join(workdir, dest)
        let intoFolder =
            dest.hasSuffix("/") || workdirs.contains(target) || files.keys.contains { $0.hasPrefix(target + "/") }
        for raw in sources where !raw.contains("://") {
            let pattern = Paths.clean(raw)
            for (path, origin) in from.sorted(by: { $0.key < $1.key }) {
                if pattern.isEmpty {
                    files[Paths.join(target, path)] = origin
                } else if let rest = Paths.below(path, pattern) {
                    files[
                        rest.isEmpty
                            ? (intoFolder ? Paths.join(target, Paths.base(path)) : target) : Paths.join(target, rest)] =
                        origin
                }
            }
        }
    }

    // MARK: lookups

    /// The context path and text of the file at absolute `path` in the stage, if it is one of the context's.
    func file(_ path: String, in context: BuildContext) -> (path: String, text: String)? {
        guard let origin = files[Paths.join("/", path)], let text = context.files[origin] else { return nil }
        return (origin, text)
    }

    /// The first of `names` in folder `dir`.
    func file(in dir: String, named names: [String], context: BuildContext) -> (path: String, text: String)? {
        names.lazy.compactMap { file(Paths.join(dir, $0), in: context) }.first
    }

    /// The nearest `name` in `dir` or a folder above it, with the folder it is in.
    func nearest(_ name: String, from dir: String, context: BuildContext) -> (dir: String, path: String, text: String)?
    {
        var cur = Paths.join("/", dir)
        while true {
            if let f = file(Paths.join(cur, name), in: context) { return (cur, f.path, f.text) }
            if cur == "/" { return nil }
            cur = Paths.parent(cur)
        }
    }

    /// Files (stage path, context path) under folder `dir`, `recursive` or directly in it.
    func files(under dir: String, recursive: Bool) -> [(path: String, origin: String)] {
        let prefix = dir == "/" ? "/" : dir + "/"
        return files.filter { $0.key.hasPrefix(prefix) && (recursive || !$0.key.dropFirst(prefix.count).contains("/")) }
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
