import Foundation
import XPlatELF
import XPlatPlatform

/// One thing wrong with one file.
public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of problem; stable identifiers for scripts.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Built for a platform the expected one cannot run.
        case wrongPlatform = "wrong-platform"
        /// The ELF machine/OS is not one xplat knows, so it cannot run on the expected platform.
        case unknownPlatform = "unknown-platform"
        /// Truncated, corrupt or unreadable file.
        case corrupt
        /// PT_INTERP names a file that is not inside the root (missing, a loop, not a regular file).
        case missingInterpreter = "missing-interpreter"
        /// `--static` and the executable is dynamically linked.
        case notStatic = "not-static"
        /// Byte-identical to a file in another platform's output.
        case duplicate
        /// A 32-bit binary on the 64-bit platform that runs it only through compatibility
        /// (arm/v7 on arm64, 386 on amd64); `allowCompatible` turns it into a note.
        case compatibleOnly = "compatible-only"
    }

    public var kind: Kind
    /// One line, without the file name: `expected linux/arm/v6, found linux/arm/v7 (Tag_CPU_arch=v7)`.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
