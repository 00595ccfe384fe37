import Foundation
import XPlatArchive
import XPlatELF
import XPlatPlatform
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The input could not be checked (missing path, unreadable or malformed archive). Exit code 2.
public struct VerifyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(_ path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Verifies roots against a platform. A value: make one, call `verify` as often as you like.
public struct Verifier: Sendable {
    /// The platform every ELF must run on; nil: take it from platform folder names, else report only.
    public var platform: Platform?
    /// Require every executable to be static (or static-pie).
    public var requireStatic: Bool
    /// Worker threads for directory scans.
    public var threads: Int
    /// Accept a 32-bit binary on the 64-bit platform that can run it (arm/v7 on arm64, 386 on amd64)
    /// with a note, instead of failing it.
    public var allowCompatible: Bool
    /// Files not to check: shell patterns (fnmatch, `*` also matches `/`) against a file's path in
    /// its root (a lone file: its path as given), e.g. `*/testdata/*` for a Go toolchain's test
    /// inputs. They are counted as excluded.
    public var excluded: [String]

    public init(
        platform: Platform? = nil, requireStatic: Bool = false, threads: Int = 2, allowCompatible: Bool = false,
        excluded: [String] = []
    ) {
        self.platform = platform
        self.requireStatic = requireStatic
        self.threads = threads
        self.allowCompatible = allowCompatible
        self.excluded = excluded
    }

    /// True when `path` (a path in a root, `/usr/bin/app`) matches one of the `excluded` patterns.
    private func isExcluded(_ path: String) -> Bool {
        excluded.contains { fnmatch($0, path, 0) == 0 }
    }

    /// Verifies one root (a directory, a tar archive or a file) against `platform` (default: the
    /// verifier's). Platform folders inside it become roots of their own, as with `verify(paths:)`.
    public func verify(root: String, platform: Platform? = nil) throws -> VerifyReport {
        var copy = self
        if let platform { copy.platform = platform }
        return try copy.verify(paths: [root])
    }

    /// Verifies every path. Throws `VerifyError` only when an input cannot be checked at all; problems
    /// with files are in the report.
    public func verify(paths: [String]) throws -> VerifyReport {
        let start = DispatchTime.now().uptimeNanoseconds
        guard !paths.isEmpty else { throw VerifyError("", "no path to verify") }
        return evaluate(try plannedRoots(paths: paths), start: start)
    }

    /// The roots of `paths`, planned and scanned, ready for `evaluate`.
    func plannedRoots(paths: [String]) throws -> [PlannedRoot] {
        var roots: [PlannedRoot] = []
        for path in paths { roots += try plan(path) }

        // Directory roots: one parallel scan across all of them.
        let directoryRoots = roots.indices.filter { roots[$0].root.kind == .directory }
        let (found, counts) = DirectoryScanner.scan(roots: directoryRoots.map { roots[$0].location }, threads: threads)
        for file in found {
            var file = file
            file.root = directoryRoots[file.root]
            roots[file.root].scanned.append(file)
        }
        for (index, count) in counts { roots[directoryRoots[index]].counts = count }
        for index in roots.indices where roots[index].root.kind == .file {
            var header = [UInt8](repeating: 0, count: 64)
            let location = roots[index].location
            roots[index].counts.files = 1
            if var file = DirectoryScanner.readFile(root: "", rootIndex: index, path: location, header: &header) {
                file.root = index
                roots[index].scanned.append(file)
            }
        }
        for index in roots.indices {
            for file in roots[index].scanned.indices { roots[index].scanned[file].root = index }
        }
        return roots
    }

    /// Checks every scanned file of every root and counts: the common end of paths and images.
    func evaluate(_ planned: [PlannedRoot], start: UInt64, findings: [SourceFinding] = []) -> VerifyReport {
        var roots = planned
        if !excluded.isEmpty {
            for index in roots.indices {
                let before = roots[index].scanned.count
                roots[index].scanned.removeAll { isExcluded($0.path) }
                roots[index].counts.excluded = before - roots[index].scanned.count
            }
        }
        for index in roots.indices where roots[index].root.kind != .directory {
            roots[index].counts.elf = roots[index].scanned.filter { $0.error == nil }.count
            roots[index].counts.skipped =
                roots[index].counts.files - roots[index].scanned.count - roots[index].counts.excluded
        }
        for index in roots.indices where roots[index].root.kind == .directory {
            roots[index].counts.skipped =
                roots[index].counts.files - roots[index].scanned.count - roots[index].counts.excluded
            roots[index].counts.elf = roots[index].scanned.filter { $0.error == nil }.count
        }
        let scanned = roots.flatMap(\.scanned)
        var results = scanned.map { check($0, roots: roots) }
        flagDuplicates(&results, scanned: scanned, roots: roots)
        // Roots in the order given, files by path inside each.
        results.sort { ($0.rootIndex, $0.path) < ($1.rootIndex, $1.path) }
        var verified = roots.map(\.root)
        for index in verified.indices {
            verified[index].files = roots[index].counts.files
            verified[index].elf = roots[index].counts.elf
            verified[index].ok = !results.contains { $0.rootIndex == index && !$0.ok }
        }
        let totals = roots.map(\.counts).reduce(ScanCounts(), +)
        let summary = VerifySummary(
            files: totals.files, elf: totals.elf, skipped: totals.skipped, excluded: totals.excluded,
            failed: results.filter { !$0.ok }.count,
            problems: results.reduce(0) { $0 + $1.problems.count } + findings.filter { $0.isError }.count,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        return VerifyReport(roots: verified, files: results, findings: findings, summary: summary)
    }

    // MARK: - Roots

    struct PlannedRoot: Sendable {
        var root: VerifiedRoot
        /// Where the root is on disk: directory path, or the file's path.
        var location: String
        /// ELF (and unreadable) files found in it.
        var scanned: [ScannedFile] = []
        var counts = ScanCounts()
        /// Cached interpreter resolutions.
        var lookup: (@Sendable (String) -> Node)?
    }

    /// The platform a folder name such as `linux_arm_v7` stands for.
    static func platform(folderName name: String) -> Platform? {
        guard name.contains("_") else { return nil }
        return try? Platform(parsing: name.replacingOccurrences(of: "_", with: "/"))
    }

    func plan(_ path: String) throws -> [PlannedRoot] {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw VerifyError(path, "cannot open: \(errorText(errno))")
        }
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let base = URL(fileURLWithPath: trimmed).lastPathComponent
        if st.st_mode & S_IFMT == S_IFDIR {
            let children: [String]
            do { children = try FileManager.default.contentsOfDirectory(atPath: trimmed) } catch {
                // Foundation keeps the failing call's errno as the underlying error (a POSIXError on
                // Linux, checked: ENOENT, ENOTDIR); errno itself may have moved on by now.
                let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? POSIXError
                throw VerifyError(
                    path, "cannot read directory: " + (posix.map { errorText($0.code.rawValue) } ?? "unreadable"))
            }
            let folders = children.compactMap { name in Self.platform(folderName: name).map { (name, $0) } }
            if !children.isEmpty, folders.count == children.count,
                children.allSatisfy({ isDirectory(trimmed + "/" + $0) })
            {
                return folders.sorted { $0.0 < $1.0 }.map { name, folderPlatform in
                    let location = trimmed + "/" + name
                    return PlannedRoot(
                        root: VerifiedRoot(
                            path: location, platform: platform ?? folderPlatform, kind: .directory, source: path),
                        location: location, lookup: PathResolver.directoryLookup(root: location))
                }
            }
            let rootPlatform = platform ?? Self.platform(folderName: base)
            return [
                PlannedRoot(
                    root: VerifiedRoot(path: trimmed, platform: rootPlatform, kind: .directory, source: path),
                    location: trimmed == "/" ? "" : trimmed,
                    lookup: PathResolver.directoryLookup(root: trimmed == "/" ? "" : trimmed))
            ]
        }
        guard st.st_mode & S_IFMT == S_IFREG else { throw VerifyError(path, "not a regular file or directory") }
        if try SourceKind.isArchive(path) {
            return try planTar(path)
        }
        return [
            PlannedRoot(root: VerifiedRoot(path: path, platform: platform, kind: .file, source: path), location: path)
        ]
    }

    /// A plain tar (any compression): one root, or one per platform folder at its top.
    private func planTar(_ path: String) throws -> [PlannedRoot] {
        let layer: LayerSummary
        do {
            layer = try LayerReader.read(try ArchiveReader(path: path), display: path, whiteouts: false)
        } catch {
            throw VerifyError(path, error.reason)
        }
        var top: [String: Platform] = [:]
        var splittable = !layer.entries.isEmpty
        for (member, _) in layer.entries {
            let first = member.split(separator: "/").first.map(String.init) ?? ""
            guard let folderPlatform = Self.platform(folderName: first) else { splittable = false; break }
            top[first] = folderPlatform
        }
        func planned(_ name: String, _ summary: LayerSummary, _ rootPlatform: Platform?) -> PlannedRoot {
            var tree = ImageTree()
            tree.apply(summary)
            var root = PlannedRoot(
                root: VerifiedRoot(path: name, platform: rootPlatform, kind: .tar, source: path),
                location: path, lookup: tree.lookup())
            root.scanned = tree.scanned(root: 0)
            root.counts.files = tree.fileCount
            return root
        }
        guard splittable else {
            return [planned(path, layer, platform)]
        }
        return top.keys.sorted().map { folder in
            var inside = LayerSummary()
            let prefix = "/" + folder
            for (member, node) in layer.entries where member.hasPrefix(prefix + "/") {
                var moved = node
                if case .hardlink(let link) = node, link.hasPrefix(prefix + "/") {
                    moved = .hardlink(String(link.dropFirst(prefix.count)))
                }
                if case .file(var scanned?) = node {
                    scanned.path = String(member.dropFirst(prefix.count))
                    moved = .file(scanned)
                }
                inside.entries.append((String(member.dropFirst(prefix.count)), moved))
            }
            return planned(path + ":" + folder, inside, platform ?? top[folder])
        }
    }

    func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    // MARK: - Rules

    /// The rules for one scanned file: it is an ELF file xplat can read; an executable or shared
    /// object is for the root's platform; its interpreter exists in the root; with `--static`, an
    /// executable is static.
    func check(_ file: ScannedFile, roots: [PlannedRoot]) -> FileResult {
        let planned = roots[file.root]
        let root = planned.root
        var result = FileResult(
            path: file.path, root: root.path, displayPath: Self.displayPath(file, in: planned),
            elf: file.info, error: file.error, expected: root.platform)
        result.rootIndex = file.root
        guard let info = file.info else {
            result.problems.append(Problem(.corrupt, file.error?.reason ?? "cannot inspect"))
            return result
        }
        if let expected = root.platform, info.kind == .executable || info.kind == .sharedObject {
            checkPlatform(info, expected: expected, into: &result)
        }
        if let interpreter = info.interpreter, let lookup = planned.lookup,
            let problem = Self.interpreterProblem(interpreter, lookup: lookup, root: root.path)
        {
            result.problems.append(problem)
        }
        if requireStatic, info.kind == .executable, info.linkage == .dynamic {
            result.problems.append(
                Problem(
                    .notStatic,
                    "dynamically linked (PT_INTERP \(info.interpreter ?? "?")), but --static requires static "
                        + "executables"
                ))
        }
        return result
    }

    /// Where a file is, as the report shows it: a folder's path, `root:path` inside an archive or
    /// image, a lone file's own path.
    static func displayPath(_ file: ScannedFile, in planned: PlannedRoot) -> String {
        switch planned.root.kind {
        case .directory: return planned.location + file.path
        case .tar, .image, .attestation: return planned.root.path + ":" + file.path
        case .file: return file.path
        }
    }

    /// The platform rule: a library's newer ARM variant is a note; a platform `expected` cannot run
    /// is wrong; one it runs only as a compatible (32-bit) platform is a problem unless
    /// `--allow-compatible`; an unknown platform is a problem.
    private func checkPlatform(_ info: ELFInfo, expected: Platform, into result: inout FileResult) {
        guard let found = info.platform else {
            result.problems.append(
                Problem(
                    .unknownPlatform, "expected \(expected), found \(info.platformProblem ?? "an unknown platform")"))
            return
        }
        if let note = Self.libraryVariantNote(expected, found, info) {
            result.notes.append(note)
        } else if !expected.canRun(found) {
            result.problems.append(
                Problem(.wrongPlatform, "expected \(expected), found \(found) (\(why(expected, found, info)))"))
        } else if let reason = Self.compatibilityReason(expected, found) {
            if allowCompatible {
                result.notes.append("\(found) accepted on \(expected) (--allow-compatible); \(reason)")
            } else {
                result.problems.append(
                    Problem(
                        .compatibleOnly,
                        "expected \(expected), found \(found) (32-bit: \(reason); --allow-compatible accepts it)"))
            }
        }
    }

    /// The interpreter rule: `PT_INTERP` resolves, through the root's symlinks, to a regular file.
    private static func interpreterProblem(_ interpreter: String, lookup: (String) -> Node, root: String) -> Problem? {
        switch PathResolver.resolve(interpreter, lookup: lookup) {
        case .file:
            return nil
        case .missing(let at):
            let detail = at == interpreter ? "" : ": \(at) does not exist"
            return Problem(.missingInterpreter, "interpreter \(interpreter) not found in \(root)\(detail)")
        case .notRegular(let at):
            return Problem(
                .missingInterpreter, "interpreter \(interpreter) in \(root) resolves to \(at), not a regular file")
        case .loop:
            return Problem(
                .missingInterpreter,
                "interpreter \(interpreter) in \(root): symlink loop (more than \(PathResolver.maxLinks) links)")
        }
    }

    /// A shared object of the expected architecture whose only disagreement is a higher ARM
    /// `Tag_CPU_arch`: a note, not a mismatch. The file attribute is the highest of the library's
    /// objects, and libraries ship optional ARMv8 code they pick at run time by CPU features
    /// (Debian's armhf libgcrypt says v8 and runs on ARMv7). Executables are held to the variant.
    private static func libraryVariantNote(_ expected: Platform, _ found: Platform, _ info: ELFInfo) -> String? {
        guard info.kind == .sharedObject, info.interpreter == nil, expected.os == found.os,
            expected.architecture == found.architecture, expected.variant != found.variant,
            let variant = info.evidence.variant, variant.hasPrefix("Tag_CPU_arch="),
            !expected.canRun(found), found.canRun(expected)
        else { return nil }
        return "\(found) shared object accepted on \(expected): its \(variant) is the highest of its objects; "
            + "libraries carry newer code they choose at run time by CPU features (executables are held to the variant)"
    }

    /// Why a binary that `expected` runs only through 32-bit compatibility may still not run: nil
    /// when it runs natively (same architecture).
    static func compatibilityReason(_ expected: Platform, _ found: Platform) -> String? {
        guard expected.architecture != found.architecture, expected.canRun(found) else { return nil }
        switch expected.info?.elfMachine {
        case ELFMachine.aarch64:
            return "AArch64-only cores (for example Neoverse V2, Apple M-series, AmpereOne) cannot run 32-bit Arm code"
        case ELFMachine.x86_64:
            return
                "a kernel without IA32 emulation (CONFIG_IA32_EMULATION off, or ia32_emulation=0) cannot run "
                + "32-bit x86 code"
        default:
            return "it runs only where the kernel and CPU keep 32-bit compatibility"
        }
    }

    /// The verifier's rule: runnable, and not 32-bit-only compatible unless that is allowed.
    func accepts(_ expected: Platform, _ found: Platform) -> Bool {
        expected.canRun(found) && (allowCompatible || Self.compatibilityReason(expected, found) == nil)
    }

    /// The fact that decides a mismatch: the architecture if it differs, else the variant.
    func why(_ expected: Platform, _ found: Platform, _ info: ELFInfo) -> String {
        if expected.os != found.os { return info.evidence.os ?? "OS ABI \(info.osABI)" }
        // A foreign architecture is the reason unless the expected one runs it (arm64 runs arm): then the variant is.
        if !expected.runnable.contains(where: { $0.architecture == found.architecture }) {
            return info.evidence.architecture ?? ELFMachine.name(info.machine)
        }
        return info.evidence.variant ?? info.evidence.architecture ?? ""
    }

    private func flagDuplicates(_ results: inout [FileResult], scanned: [ScannedFile], roots: [PlannedRoot]) {
        guard roots.count > 1 else { return }
        var bySize: [UInt64: [Int]] = [:]
        // Only what runs: object files and core dumps (Go's .syso, test data) are not held to a
        // platform, so a copy of one in every platform is not a mistake either.
        for (index, file) in scanned.enumerated()
        where file.size > 0 && (file.info?.kind == .executable || file.info?.kind == .sharedObject) {
            bySize[file.size, default: []].append(index)
        }
        for (_, indices) in bySize where Set(indices.map { scanned[$0].root }).count > 1 {
            var byHash: [ContentHash: [Int]] = [:]
            for index in indices {
                let file = scanned[index]
                guard let hash = file.hash ?? ContentHash.ofFile(roots[file.root].location + file.path) else {
                    continue
                }
                byHash[hash, default: []].append(index)
            }
            for (_, same) in byHash {
                let rootSet = Set(same.map { scanned[$0].root })
                guard rootSet.count > 1 else { continue }
                let platforms = rootSet.map { roots[$0].root.platform }
                let binaryPlatform = scanned[same[0]].info?.platform
                let allRun =
                    binaryPlatform.map { bp in platforms.allSatisfy { $0.map { accepts($0, bp) } == true } } ?? false
                guard !allRun else { continue }
                for index in same {
                    let others = same.filter { scanned[$0].root != scanned[index].root }.map { results[$0] }
                    guard let other = others.first else { continue }
                    let label =
                        other.expected.map {
                            roots[other.rootIndex].root.kind == .image ? "\($0) image" : "\($0) output"
                        } ?? "another root"
                    let more = others.count > 1 ? " and \(others.count - 1) more" : ""
                    results[index].problems.append(
                        Problem(
                            .duplicate,
                            "byte-identical to \(other.displayPath) (\(label))\(more): a binary copied into several "
                                + "platforms' outputs"
                                + (binaryPlatform.map { ", built for \($0)" } ?? "")))
                }
            }
        }
    }
}
