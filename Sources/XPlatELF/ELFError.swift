/// Why a file could not be inspected. Every case names the file.
public enum ELFError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened or read (`errno` text).
    case unreadable(path: String, reason: String)
    /// The file does not start with the ELF magic.
    case notELF(path: String)
    /// libelf refused the file: `operation` is the libelf call, `message` is `elf_errmsg(-1)`.
    case libelf(path: String, operation: String, message: String)
    /// The file is ELF but its contents contradict themselves (found by xplat's own checks).
    case malformed(path: String, reason: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .unreadable(let p, _), .notELF(let p), .libelf(let p, _, _), .malformed(let p, _): return p
        }
    }

    /// The reason without the path, for reports that print the path in a column of their own.
    public var reason: String {
        switch self {
        case .unreadable(_, let r): return "cannot read: \(r)"
        case .notELF: return "not an ELF file"
        case .libelf(_, let op, let msg): return "corrupt ELF: \(op): \(msg)"
        case .malformed(_, let r): return "corrupt ELF: \(r)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}
