// XPlatVerify: check that every ELF file under a root is built for the platform it claims.
//
// Import it from your own tests:
//
//     import XPlatVerify
//     let report = try Verifier(platform: try Platform(parsing: "linux/arm/v7")).verify(root: "out/rootfs")
//     #expect(report.ok, "\(report.problemLines)")
//     #expect(report.file("/usr/bin/app")?.platform?.description == "linux/arm/v7")
//
// Inputs (`verify(paths:)`): a file; a directory tree (an image rootfs); a tar archive (`docker
// export`, `-o type=tar`); or the per-platform folders a multi-platform local export writes
// (`out/linux_amd64`, `out/linux_arm_v7`, in a directory or at the top of a tar): a folder named
// `os_arch[_variant]` gives its root the platform when none is passed.
//
// Rules, each problem one line naming the file:
// - With a platform, every executable and shared object must be runnable on it (`Platform.canRun`:
//   an arm/v5 binary passes linux/arm/v7, an amd64/v3 binary fails linux/amd64). Object files and
//   core dumps are reported but not held to the platform.
// - A dynamic executable's interpreter (PT_INTERP) must exist inside its root: symlinks are resolved
//   inside the root (absolute targets restart at the root, ".." stops at it), loops are errors. A root
//   that is a single file has nothing to resolve against, so that check is skipped for it.
// - `requireStatic`: every executable must be static or static-pie.
// - A truncated, corrupt or unreadable ELF is a problem, never a crash.
// - Across several roots: an ELF byte-identical in two roots is flagged unless every one of those
//   roots' platforms can run it (the "COPY of a prebuilt amd64 binary" bug). Non-ELF files (scripts,
//   data) are architecture-independent and never compared.
// Directory trees are walked with readdir's d_type and worker threads; only the first 64 bytes of
// each file are read unless it is ELF.

import Foundation
import XPlatELF
import XPlatPlatform

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

    public init(platform: Platform? = nil, requireStatic: Bool = false, threads: Int = 2) {
        self.platform = platform
        self.requireStatic = requireStatic
        self.threads = threads
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
        var roots: [PlannedRoot] = []
        for path in paths { roots += try plan(path) }

        // Directory roots: one parallel scan across all of them.
        let directoryRoots = roots.indices.filter { roots[$0].root.kind == .directory }
        let (found, counts) = DirectoryScanner.scan(roots: directoryRoots.map { roots[$0].location }, threads: threads)
        var scanned = found.map { file -> ScannedFile in
            var file = file
            file.root = directoryRoots[file.root]
            return file
        }
        var totals = counts
        for index in roots.indices {
            switch roots[index].root.kind {
            case .directory: break
            case .tar:
                for member in roots[index].tarMembers where member.kind == .file {
                    totals.files += 1
                    if var file = member.scanned {
                        file.root = index
                        if file.error == nil { totals.elf += 1 }
                        scanned.append(file)
                    } else {
                        totals.skipped += 1
                    }
                }
                // A hardlink is the same file under another name: it gets the target's result.
                let byPath = Dictionary(roots[index].tarMembers.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
                for member in roots[index].tarMembers where member.kind == .hardlink {
                    totals.files += 1
                    guard let target = member.link.flatMap({ byPath[$0] }), var file = target.scanned else {
                        totals.skipped += 1
                        continue
                    }
                    file.root = index
                    file.path = member.path
                    if file.error == nil { totals.elf += 1 }
                    scanned.append(file)
                }
            case .file:
                totals.files += 1
                var header = [UInt8](repeating: 0, count: 64)
                let location = roots[index].location
                if var file = DirectoryScanner.readFile(root: "", rootIndex: index, path: location, header: &header) {
                    if file.error == nil { totals.elf += 1 }
                    file.root = index
                    scanned.append(file)
                } else {
                    totals.skipped += 1
                }
            }
        }

        var results = scanned.map { check($0, roots: roots) }
        flagDuplicates(&results, scanned: scanned, roots: roots)
        // Roots in the order given, files by path inside each.
        let order = Dictionary(roots.enumerated().map { ($1.root.path, $0) }, uniquingKeysWith: { a, _ in a })
        results.sort { (order[$0.root] ?? 0, $0.path) < (order[$1.root] ?? 0, $1.path) }
        let failed = results.filter { !$0.ok }.count
        let summary = VerifySummary(
            files: totals.files, elf: totals.elf, skipped: totals.skipped, failed: failed,
            problems: results.reduce(0) { $0 + $1.problems.count },
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        return VerifyReport(roots: roots.map(\.root), files: results, summary: summary)
    }

    // MARK: - Roots

    struct PlannedRoot {
        var root: VerifiedRoot
        /// Where the root is on disk: directory path, or the file's path.
        var location: String
        var tarMembers: [TarMember] = []
        /// Cached interpreter resolutions.
        var lookup: ((String) -> Node)?
    }

    /// The platform a folder name such as `linux_arm_v7` stands for.
    static func platform(folderName name: String) -> Platform? {
        guard name.contains("_") else { return nil }
        return try? Platform(parsing: name.replacingOccurrences(of: "_", with: "/"))
    }

    func plan(_ path: String) throws -> [PlannedRoot] {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw VerifyError(path, "cannot open: \(String(cString: strerror(errno)))")
        }
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let base = URL(fileURLWithPath: trimmed).lastPathComponent
        if st.st_mode & S_IFMT == S_IFDIR {
            guard let children = try? FileManager.default.contentsOfDirectory(atPath: trimmed) else {
                throw VerifyError(path, "cannot read directory: \(String(cString: strerror(errno)))")
            }
            let folders = children.compactMap { name in Self.platform(folderName: name).map { (name, $0) } }
            if !children.isEmpty, folders.count == children.count,
               children.allSatisfy({ isDirectory(trimmed + "/" + $0) }) {
                return folders.sorted { $0.0 < $1.0 }.map { name, folderPlatform in
                    let location = trimmed + "/" + name
                    return PlannedRoot(
                        root: VerifiedRoot(path: location, platform: platform ?? folderPlatform, kind: .directory),
                        location: location, lookup: PathResolver.directoryLookup(root: location))
                }
            }
            let rootPlatform = platform ?? Self.platform(folderName: base)
            return [PlannedRoot(root: VerifiedRoot(path: trimmed, platform: rootPlatform, kind: .directory),
                                location: trimmed == "/" ? "" : trimmed,
                                lookup: PathResolver.directoryLookup(root: trimmed == "/" ? "" : trimmed))]
        }
        guard st.st_mode & S_IFMT == S_IFREG else { throw VerifyError(path, "not a regular file or directory") }
        let head = try firstBytes(path, 512)
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B {
            throw VerifyError(path, "gzip-compressed archive: xplat reads plain tar; decompress it first (gunzip -k \(path))")
        }
        if head.count >= 4, head[0] == 0x28, head[1] == 0xB5, head[2] == 0x2F, head[3] == 0xFD {
            throw VerifyError(path, "zstd-compressed archive: xplat reads plain tar; decompress it first (zstd -d \(path))")
        }
        if TarReader.looksLikeTar(head) {
            return try planTar(path)
        }
        return [PlannedRoot(root: VerifiedRoot(path: path, platform: platform, kind: .file), location: path)]
    }

    func planTar(_ path: String) throws -> [PlannedRoot] {
        let members = try TarReader.read(path: path)
        var top: [String: Platform] = [:]
        var splittable = !members.isEmpty
        for member in members {
            let first = member.path.split(separator: "/").first.map(String.init) ?? ""
            guard let folderPlatform = Self.platform(folderName: first) else { splittable = false; break }
            top[first] = folderPlatform
        }
        func planned(_ name: String, _ members: [TarMember], _ rootPlatform: Platform?) -> PlannedRoot {
            var byPath: [String: TarMember] = [:]
            for member in members { byPath[member.path] = member }
            let lookup: (String) -> Node = { relative in
                guard let member = byPath[relative] else {
                    // Directories are often implied by their members rather than listed.
                    let prefix = relative == "/" ? "/" : relative + "/"
                    return relative == "/" || byPath.keys.contains(where: { $0.hasPrefix(prefix) }) ? .directory : .missing
                }
                switch member.kind {
                case .file: return .file
                case .hardlink: return .file
                case .directory: return .directory
                case .symlink: return .symlink(member.link ?? "")
                case .other: return .other
                }
            }
            return PlannedRoot(root: VerifiedRoot(path: name, platform: rootPlatform, kind: .tar),
                               location: path, tarMembers: members, lookup: lookup)
        }
        guard splittable else {
            return [planned(path, members, platform)]
        }
        return top.keys.sorted().map { folder in
            let inside = members.compactMap { member -> TarMember? in
                guard member.path.hasPrefix("/" + folder + "/") else { return nil }
                let rest = String(member.path.dropFirst(folder.count + 1))
                var moved = member
                moved.path = rest
                moved.scanned?.path = rest
                if member.kind == .hardlink, let link = member.link, link.hasPrefix("/" + folder + "/") {
                    moved.link = String(link.dropFirst(folder.count + 1))
                }
                return moved
            }
            return planned(path + ":" + folder, inside, platform ?? top[folder])
        }
    }

    func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    func firstBytes(_ path: String, _ count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VerifyError(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
        guard n >= 0 else { throw VerifyError(path, "cannot read: \(String(cString: strerror(errno)))") }
        return Array(buffer.prefix(n))
    }

    // MARK: - Rules

    func check(_ file: ScannedFile, roots: [PlannedRoot]) -> FileResult {
        let planned = roots[file.root]
        let root = planned.root
        let display: String
        switch root.kind {
        case .directory: display = planned.location + file.path
        case .tar: display = root.path + ":" + file.path
        case .file: display = file.path
        }
        var result = FileResult(path: file.path, root: root.path, displayPath: display, elf: file.info,
                                error: file.error, expected: root.platform)
        guard let info = file.info else {
            result.problems.append(Problem(.corrupt, file.error?.reason ?? "cannot inspect"))
            return result
        }
        let loadable = info.kind == .executable || info.kind == .sharedObject
        if let expected = root.platform, loadable {
            if let found = info.platform {
                if !expected.canRun(found) {
                    result.problems.append(Problem(.wrongPlatform, "expected \(expected), found \(found) (\(why(expected, found, info)))"))
                }
            } else {
                result.problems.append(Problem(.unknownPlatform, "expected \(expected), found \(info.platformProblem ?? "an unknown platform")"))
            }
        }
        if let interpreter = info.interpreter, let lookup = planned.lookup {
            switch PathResolver.resolve(interpreter, lookup: lookup) {
            case .file: break
            case .missing(let at):
                let detail = at == interpreter ? "" : ": \(at) does not exist"
                result.problems.append(Problem(.missingInterpreter, "interpreter \(interpreter) not found in \(root.path)\(detail)"))
            case .notRegular(let at):
                result.problems.append(Problem(.missingInterpreter, "interpreter \(interpreter) in \(root.path) resolves to \(at), not a regular file"))
            case .loop:
                result.problems.append(Problem(.missingInterpreter, "interpreter \(interpreter) in \(root.path): symlink loop (more than \(PathResolver.maxLinks) links)"))
            }
        }
        if requireStatic, info.kind == .executable, info.linkage == .dynamic {
            result.problems.append(Problem(.notStatic, "dynamically linked (PT_INTERP \(info.interpreter ?? "?")), but --static requires static executables"))
        }
        return result
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

    func flagDuplicates(_ results: inout [FileResult], scanned: [ScannedFile], roots: [PlannedRoot]) {
        guard roots.count > 1 else { return }
        var bySize: [UInt64: [Int]] = [:]
        for (index, file) in scanned.enumerated() where file.info != nil && file.size > 0 {
            bySize[file.size, default: []].append(index)
        }
        for (_, indices) in bySize where Set(indices.map { scanned[$0].root }).count > 1 {
            var byHash: [ContentHash: [Int]] = [:]
            for index in indices {
                let file = scanned[index]
                guard let hash = file.hash ?? ContentHash.ofFile(roots[file.root].location + file.path) else { continue }
                byHash[hash, default: []].append(index)
            }
            for (_, same) in byHash {
                let rootSet = Set(same.map { scanned[$0].root })
                guard rootSet.count > 1 else { continue }
                let platforms = rootSet.map { roots[$0].root.platform }
                let binaryPlatform = scanned[same[0]].info?.platform
                let allRun = binaryPlatform.map { bp in platforms.allSatisfy { $0?.canRun(bp) == true } } ?? false
                guard !allRun else { continue }
                for index in same {
                    let others = same.filter { scanned[$0].root != scanned[index].root }.map { results[$0] }
                    guard let other = others.first else { continue }
                    let label = other.expected.map { "\($0) output" } ?? "another root"
                    let more = others.count > 1 ? " and \(others.count - 1) more" : ""
                    results[index].problems.append(Problem(
                        .duplicate,
                        "byte-identical to \(other.displayPath) (\(label))\(more): a binary copied into several platforms' outputs"
                        + (binaryPlatform.map { ", built for \($0)" } ?? "")))
                }
            }
        }
    }
}
