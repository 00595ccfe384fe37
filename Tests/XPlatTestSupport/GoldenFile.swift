import Foundation
import XPlatSupport

/// Golden files: what a test produced, compared with a file in the source tree; with
/// `XPLAT_UPDATE_GOLDEN=1` the test writes what it produced there instead (review the diff).
public enum GoldenFile {
    /// True when the run rewrites golden files instead of comparing.
    public static var updating: Bool { ProcessInfo.processInfo.environment["XPLAT_UPDATE_GOLDEN"] == "1" }

    /// The golden text at `path`, after `actual` was written there when updating (so a
    /// comparison with it passes then).
    public static func expected(_ actual: String, at path: String) throws -> String {
        if updating { try AtomicFile.write(actual, to: path) }
        return String(decoding: try UserFile.read(path), as: UTF8.self)
    }
}
