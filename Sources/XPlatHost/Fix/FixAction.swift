import Foundation
import XPlatPlatform
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One change `xplat doctor --fix` makes.
public enum FixAction: Sendable, Hashable, CustomStringConvertible {
    case mount(String)
    case enableGlobally(String)
    /// Writes -1 to the entry: it is broken, or a broken duplicate (`--remove-duplicates`).
    case remove(name: String, reason: String)
    case register(RegisterLine, reason: String)

    public var description: String {
        switch self {
        case .mount(let path): return "mount binfmt_misc on \(path)"
        case .enableGlobally(let path): return "enable binfmt_misc (echo 1 > \(path)/status)"
        case .remove(let name, let reason): return "remove entry \(name) (\(reason))"
        case .register(let line, let reason): return "register \(line.name) (\(reason)): \(line)"
        }
    }
}
