import Foundation
import XPlatArchive
import XPlatRegistry
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// What a SOURCE argument is.
public enum VerifySource: Sendable, Hashable, CustomStringConvertible {
    /// A directory tree, a plain tar (any compression) or a single file.
    case path(String)
    /// A folder holding `oci-layout` and `index.json`.
    case ociLayout(String)
    /// A tar holding `oci-layout` and `index.json` (`-o type=oci`, `skopeo copy ... oci-archive:`).
    case ociArchive(String)
    /// A `docker save` tar (`manifest.json`); every image in it is checked.
    case dockerArchive(String)
    /// An image in a registry: `host/repo:tag`, `repo@sha256:...`, `docker://` accepted.
    case reference(String)

    public var description: String {
        switch self {
        case .path(let p), .ociLayout(let p), .ociArchive(let p), .dockerArchive(let p), .reference(let p): return p
        }
    }

    /// Decides what `argument` is: `docker://` is a reference; an existing folder with `oci-layout`
    /// and `index.json` is a layout; an archive whose top holds them (or `manifest.json`) is an
    /// image archive, never a plain tar; another existing path is a path; a name with a `/`, `:` or
    /// `@` that is not on disk is a reference.
    public static func classify(_ argument: String) throws -> VerifySource {
        if argument.hasPrefix("docker://") { return .reference(String(argument.dropFirst("docker://".count))) }
        var st = stat()
        guard stat(argument, &st) == 0 else {
            let looksLocal = argument.hasPrefix("/") || argument.hasPrefix(".") || argument.hasPrefix("~")
            if !looksLocal, argument.contains(where: { "/:@".contains($0) }) { return .reference(argument) }
            let hint =
                looksLocal || argument.contains("/") ? "" : " (for an image in a registry write docker://\(argument))"
            throw VerifyError(argument, "cannot open: \(errorText(errno))\(hint)")
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            let layout =
                FileManager.default.fileExists(atPath: argument + "/oci-layout")
                && FileManager.default.fileExists(atPath: argument + "/index.json")
            return layout ? .ociLayout(argument) : .path(argument)
        }
        guard st.st_mode & S_IFMT == S_IFREG, try SourceKind.isArchive(argument) else { return .path(argument) }
        switch try SourceKind.imageArchive(argument) {
        case .oci?: return .ociArchive(argument)
        case .docker?: return .dockerArchive(argument)
        case nil: return .path(argument)
        }
    }
}
