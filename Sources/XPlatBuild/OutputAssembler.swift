// Turning per-platform results into the output the user asked for, staged beside the destination
// and renamed into place: a destination is either the old one or the complete new one.

import Foundation
import XPlatPlatform
import XPlatSupport

/// Places outputs.
public enum OutputAssembler {
    /// Moves `roots/<linux_arm64>` folders into `dest` (one folder per platform with `split`, else
    /// the single platform's root as `dest` itself).
    public static func placeLocal(roots: String, platforms: [Platform], split: Bool, dest: String) async throws {
        guard split || platforms.count == 1 else {
            throw BuildError.badOutput("platform-split=false", "several platforms need one folder each")
        }
        let staging = try stagingPath(for: dest)
        try await removingOnFailure(staging) {
            do {
                if split {
                    try FileSystem.createDirectory(staging)
                    for p in platforms {
                        try FileSystem.move("\(roots)/\(p.folderName)", to: "\(staging)/\(p.folderName)")
                    }
                } else {
                    try FileSystem.move("\(roots)/\(platforms[0].folderName)", to: staging)
                }
            } catch BuildError.fileSystem(_, _, let reason) {
                // Named by the destination the user gave, not by the build's temporary paths.
                throw BuildError.fileSystem(path: dest, action: "write the output", reason: reason)
            }
            try swapIntoPlace(staging, dest)
        }
    }

    /// Writes one tar: per-platform folders inside when several platforms (as buildx does).
    public static func placeTar(runner: any CommandRunner, roots: String, platforms: [Platform], dest: String)
        async throws
    {
        let staging = dest == OutputSpec.standardOutput ? "\(roots).tar" : try stagingPath(for: dest)
        let args =
            platforms.count == 1
            ? ["-C", "\(roots)/\(platforms[0].folderName)", "-cf", staging, "."]
            : ["-C", roots, "-cf", staging] + platforms.map(\.folderName)
        try await removingOnFailure(staging) {
            let out = try await runner.run(Command("tar", args))
            guard out.succeeded else { throw BuildError.assemblyFailed("\(dest): tar failed: \(out.stderr)") }
            try swapIntoPlace(staging, dest)
        }
    }

    /// Runs `body`; when it fails or is interrupted (Ctrl-C cancels the `tar` it runs), the
    /// half-written `staging` path is removed.
    static func removingOnFailure(_ staging: String, _ body: () async throws -> Void) async throws {
        do { try await body() } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Writes the file at `path` to standard output, 1 MiB at a time.
    static func copyToStandardOutput(_ path: String) throws {
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw BuildError.assemblyFailed("cannot read \(path) to write it to standard output")
        }
        defer { try? input.close() }
        while true {
            // A read error must fail the build: ending the loop on it would leave a cut tar on
            // standard output and exit 0.
            let chunk: Data
            do { chunk = try input.read(upToCount: 1 << 20) ?? Data() } catch {
                throw BuildError.assemblyFailed(
                    "cannot read \(path) to write it to standard output: \(SystemError.reason(error))")
            }
            if chunk.isEmpty { return }
            do { try FileHandle.standardOutput.write(contentsOf: chunk) } catch {
                throw BuildError.assemblyFailed(
                    "standard output: cannot write the output: \(SystemError.reason(error))")
            }
        }
    }

    /// Creates the folder that will hold `dest` when it is missing (as buildx's local exporter does);
    /// called before the build starts, so a bad destination fails fast.
    public static func ensureParent(of dest: String) throws {
        let parent = URL(fileURLWithPath: dest).deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDir) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw BuildError.badOutput(dest, "cannot create folder \(parent): \(SystemError.reason(error))")
            }
        } else if !isDir.boolValue {
            throw BuildError.badOutput(dest, "\(parent) is not a folder")
        }
    }

    /// A fresh path beside `dest` (same file system, so the final rename is atomic).
    static func stagingPath(for dest: String) throws -> String {
        try ensureParent(of: dest)
        let url = URL(fileURLWithPath: dest)
        let parent = url.deletingLastPathComponent().path
        return "\(parent)/.\(url.lastPathComponent).xplat-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Renames `staging` to `dest`; an existing `dest` is moved aside first and removed after.
    /// For `-`, copies `staging` to standard output and removes it.
    static func swapIntoPlace(_ staging: String, _ dest: String) throws {
        let fm = FileManager.default
        if dest == OutputSpec.standardOutput {
            defer { try? fm.removeItem(atPath: staging) }
            try copyToStandardOutput(staging)
            return
        }
        var old: String?
        if fm.fileExists(atPath: dest) {
            old = staging + ".old"
            guard rename(dest, old!) == 0 else {
                throw BuildError.assemblyFailed("\(dest): cannot replace: \(errorText(errno))")
            }
        }
        guard rename(staging, dest) == 0 else {
            let why = errorText(errno)
            if let old { _ = rename(old, dest) }
            throw BuildError.assemblyFailed("\(dest): cannot move the output into place: \(why)")
        }
        if let old { try? fm.removeItem(atPath: old) }
    }

    /// `--metadata-file`: buildx's keys where they apply (`containerimage.digest` and
    /// `containerimage.descriptor` of the whole index, or with `--load` through buildx the loaded
    /// image's `containerimage.digest`, `containerimage.config.digest` of a
    /// one-platform image, `image.name`), plus `xplat.platforms`, `xplat.phases`
    /// (seconds of solve, verify, publish), `xplat.solves` and, for `--push`, `xplat.transfer` (the
    /// push's own requests and blobs, counted before `verify-pushed` reads the image back).
    public static func writeMetadata(to path: String, result: BuildResult, request: BuildRequest) throws {
        try writeJSON(metadata(result: result, request: request), to: path)
    }

    /// Writes a metadata document (sorted keys, slashes unescaped, a final newline) through a temp file.
    static func writeJSON(_ object: [String: Any], to path: String) throws {
        let data = try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        // As the image id file: a build that ran and cannot write its report failed (exit 3).
        do { try AtomicFile.write(data + Data("\n".utf8), to: path) } catch {
            throw BuildError.fileSystem(
                path: path, action: "write the metadata file", reason: SystemError.reason(error))
        }
    }

    /// One build's metadata object: buildx's keys where they apply, then xplat's.
    static func metadata(result: BuildResult, request: BuildRequest) -> [String: Any] {
        var object: [String: Any] = [:]
        if let indexDigest = result.indexDigest { object["containerimage.digest"] = indexDigest }
        // `--load` through buildx: the loaded image's digest, as buildx's own metadata file gave it.
        if request.output == .load, result.platforms.count == 1, let digest = result.platforms[0].digest {
            object["containerimage.digest"] = digest
        }
        if let d = result.indexDescriptor {
            object["containerimage.descriptor"] = ["mediaType": d.mediaType, "digest": d.digest, "size": d.size]
        }
        if let config = result.configDigest { object["containerimage.config.digest"] = config }
        if !request.tags.isEmpty { object["image.name"] = request.tags.joined(separator: ",") }
        object["xplat.cache-key"] = request.cacheKey.digest
        object["xplat.output"] = request.output.description
        object["xplat.platforms"] = Dictionary(
            uniqueKeysWithValues: result.platforms.map { r -> (String, Any) in
                var entry: [String: Any] = [
                    "node": r.node, "mode": r.mode.rawValue, "seconds": (r.seconds * 10).rounded() / 10,
                ]
                if r.exportSeconds > 0 { entry["exportSeconds"] = (r.exportSeconds * 10).rounded() / 10 }
                if let d = r.digest { entry["digest"] = d }
                if let v = r.verification { entry["verified"] = v.passed; entry["checkedFiles"] = v.checked }
                return (r.platform.description, entry)
            })
        object["xplat.phases"] = result.phases.mapValues { ($0 * 100).rounded() / 100 }
        object["xplat.solves"] = result.platforms.reduce(0) { $0 + $1.solves }
        if let t = result.transfer {
            object["xplat.transfer"] = [
                "bytesUploaded": t.bytesUploaded, "blobsUploaded": t.blobsUploaded,
                "blobsMounted": t.blobsMounted, "blobsAlreadyThere": t.blobsAlreadyThere, "requests": t.requests,
            ]
        }
        return object
    }
}
