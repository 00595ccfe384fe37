import CElf
import XPlatPlatform

#if canImport(Glibc)
    import Glibc
#endif

/// The thin layer between Swift and libelf: one-time library initialisation and `wrap`, which turns
/// a C failure (NULL or -1) into an `ELFError` carrying libelf's own message.
enum LibELF {
    /// `elf_version(EV_CURRENT)` must run once before any other libelf call; a Swift global is
    /// initialised exactly once, thread-safely.
    static let ready: Bool = elf_version(UInt32(EV_CURRENT)) != UInt32(EV_NONE)

    /// libelf's message for the last error on this thread (libelf keeps it thread-local).
    static func lastMessage() -> String {
        guard let text = elf_errmsg(-1) else { return "unknown libelf error" }
        return String(cString: text)
    }

    /// Unwraps a pointer result; NULL becomes `ELFError.libelf` with `elf_errmsg(-1)`.
    static func wrap<T>(_ operation: String, _ path: String, _ call: () -> T?) throws -> T {
        guard let value = call() else {
            throw ELFError.libelf(path: path, operation: operation, message: lastMessage())
        }
        return value
    }

    /// Checks a status result; -1 (any negative value) becomes `ELFError.libelf`.
    static func wrap(_ operation: String, _ path: String, _ call: () -> Int32) throws {
        if call() < 0 {
            throw ELFError.libelf(path: path, operation: operation, message: lastMessage())
        }
    }
}
