import Foundation
import XPlatArchive
import XPlatRegistry
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Sniffing files: is it an archive, and is it an image archive.
enum SourceKind {
    enum ImageArchive { case oci, docker }

    /// True for a tar (ustar magic) or a compressed file libarchive reads (gzip, zstd, xz, bzip2).
    static func isArchive(_ path: String) throws -> Bool {
        let head: [UInt8]
        do { head = try UserFile.firstBytes(of: path, count: 512) } catch let error as FileReadError {
            throw VerifyError(path, "cannot open: \(error.reason)")
        }
        let magics: [[UInt8]] = [
            [0x1F, 0x8B], [0x28, 0xB5, 0x2F, 0xFD], [0xFD, 0x37, 0x7A, 0x58, 0x5A], [0x42, 0x5A, 0x68],
        ]
        if magics.contains(where: { head.starts(with: $0) }) { return true }
        return head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }

    /// Reads member headers until it is clear: `oci-layout` + `index.json` is an OCI archive,
    /// `manifest.json` a docker archive; a member no image archive has (a rootfs path) ends the
    /// search early: a plain tar.
    static func imageArchive(_ path: String) throws -> ImageArchive? {
        var names: Set<String> = []
        do {
            let reader = try ArchiveReader(path: path)
            while let entry = try reader.next() {
                let name = String(entry.normalizedPath.dropFirst())
                guard isImageArchiveMember(name) else { break }
                names.insert(name)
            }
        } catch {
            throw VerifyError(path, error.reason)
        }
        if names.contains("oci-layout"), names.contains("index.json") { return .oci }
        if names.contains("manifest.json") { return .docker }
        return nil
    }

    /// Names found in OCI and `docker save` archives: `oci-layout`, `index.json`, `manifest.json`,
    /// `repositories`, `blobs/...`, `<id>.json`, `<id>/layer.tar`, `<id>/json`, `<id>/VERSION`.
    private static func isImageArchiveMember(_ name: String) -> Bool {
        if ["", "oci-layout", "index.json", "manifest.json", "repositories", "blobs"].contains(name) { return true }
        if name.hasPrefix("blobs/") { return true }
        let first = name.split(separator: "/").first.map(String.init) ?? ""
        let id = first.hasSuffix(".json") ? String(first.dropLast(5)) : first
        return id.count == 64 && id.allSatisfy(\.isHexDigit)
    }
}
