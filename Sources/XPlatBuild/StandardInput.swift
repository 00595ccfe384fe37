// `-f -` and the context `-`, as buildx reads them: standard input holds the Dockerfile, or the
// context as a tar (plain or compressed), or, for the context `-`, a lone Dockerfile with an empty
// context. xplat reads it once into files of its own, since every solve of the build needs it.

import Foundation
import XPlatSupport

/// Writes what standard input holds to files a build can read as often as it needs.
struct StandardInput {
    var service: BuildService

    /// The start of the name of the folder standard input is written to (a failed step's
    /// Dockerfile there is named `<stdin>`, not by that folder).
    static let folderPrefix = "xplat-stdin"

    /// `request` with `-` replaced by the files standard input was written to, and the folders
    /// to remove afterwards. A request that reads no standard input comes back unchanged.
    func materialize(_ request: BuildRequest) async throws -> (BuildRequest, [String]) {
        guard request.readsStandardInput else { return (request, []) }
        let folder = try BuildExecutor.makeTemporaryDirectory(in: service.temporaryDirectory, prefix: Self.folderPrefix)
        do {
            return (try await materialize(request, into: folder), [folder])
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    private func materialize(_ request: BuildRequest, into folder: String) async throws -> BuildRequest {
        var request = request
        let data = service.standardInput()
        if request.dockerfile == BuildRequest.standardInput {
            request.dockerfile = try write(data, to: "\(folder)/Dockerfile")
            return request
        }
        // The context `-`.
        if Self.isArchive(data) {
            let archive = try write(data, to: "\(folder)/context.tar")
            let context = "\(folder)/context"
            try FileSystem.createDirectory(context)
            let out = try await service.runner.run(Command("tar", ["-xf", archive, "-C", context, "--no-same-owner"]))
            guard out.succeeded else {
                throw BuildError.unreadable(
                    "-", "the context tar on standard input cannot be unpacked: \(ImageExport.firstLine(out.stderr))")
            }
            try? FileManager.default.removeItem(atPath: archive)
            request.context = context
            request.dockerfile = "\(context)/\(request.dockerfile)"
            return request
        }
        guard request.dockerfile == "Dockerfile" else {
            throw BuildError.conflict(
                "-f \(request.dockerfile) with a Dockerfile on standard input: ambiguous Dockerfile source (as buildx: "
                    + "both stdin and flag correspond to Dockerfiles)"
            )
        }
        guard !data.isEmpty else {
            throw BuildError.unreadable("-", "standard input is empty: expected a context tar or a Dockerfile")
        }
        let context = "\(folder)/context"
        try FileSystem.createDirectory(context)
        request.context = context
        request.dockerfile = try write(data, to: "\(folder)/Dockerfile")
        return request
    }

    private func write(_ data: Data, to path: String) throws -> String {
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw BuildError.fileSystem(
                path: path, action: "write standard input", reason: "the file cannot be created")
        }
        return path
    }

    /// A tar (`ustar` at offset 257) or a compressed stream (gzip, bzip2, xz, zstd), as buildx's
    /// archive sniffing sees it.
    static func isArchive(_ data: Data) -> Bool {
        let bytes = [UInt8](data.prefix(512))
        let magics: [[UInt8]] = [
            [0x1f, 0x8b], [0x42, 0x5a, 0x68], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x28, 0xb5, 0x2f, 0xfd],
        ]
        if magics.contains(where: { bytes.starts(with: $0) }) { return true }
        return bytes.count >= 262 && Array(bytes[257..<262]) == Array("ustar".utf8)
    }
}
