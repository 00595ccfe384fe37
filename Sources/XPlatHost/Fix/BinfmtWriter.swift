import Foundation
import XPlatPlatform
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Applies binfmt_misc changes. The kernel writer and a directory writer (for fixture trees) share it.
public protocol BinfmtWriter: Sendable {
    /// Changing the real kernel needs root; a fixture directory does not.
    var requiresRoot: Bool { get }
    func mount() throws
    func enableGlobally() throws
    func register(_ line: RegisterLine) throws
    func remove(entry name: String) throws
}
