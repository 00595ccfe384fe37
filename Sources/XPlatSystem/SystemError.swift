// The system's words for what went wrong: `strerror` text for an errno, and Foundation's file
// errors turned into the same words (`No such file or directory`), so that no raw Foundation
// error text reaches a user and every module says it the same way.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The C library's message for `code` (`strerror`).
public func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(validatingCString: text) ?? "error \(code)"
}

/// Foundation's errors in the system's words.
public enum SystemError {
    /// The POSIX reason behind a Foundation error (`No such file or directory`), else its own
    /// sentence without Foundation's generic preamble; another error's description as it is.
    public static func reason(_ error: any Error) -> String {
        guard isFoundation(error) else { return String(describing: error) }
        let ns = error as NSError
        // On Linux Foundation keeps the failing call's errno as a POSIXError (not an NSError).
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? POSIXError {
            return errorText(underlying.code.rawValue)
        }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return errorText(Int32(underlying.code))
        }
        if ns.domain == NSPOSIXErrorDomain { return errorText(Int32(ns.code)) }
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return errorText(ENOENT)
        case NSFileWriteOutOfSpaceError: return errorText(ENOSPC)
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return errorText(EACCES)
        case NSFileWriteFileExistsError: return errorText(EEXIST)
        default: return localizedText(ns)
        }
    }

    /// An error as a sentence: its own description, or for a Foundation error the file it names
    /// and the reason (`/x/Dockerfile: No such file or directory`).
    public static func sentence(_ error: any Error) -> String {
        guard isFoundation(error) else { return String(describing: error) }
        let ns = error as NSError
        let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        return path.map { "\($0): \(reason(error))" } ?? reason(error)
    }

    private static func isFoundation(_ error: any Error) -> Bool {
        error is CocoaError || error is POSIXError || type(of: error) == NSError.self
    }

    private static func localizedText(_ ns: NSError) -> String {
        var text = ns.localizedDescription
        let generic = "The operation could not be completed. "
        if text.hasPrefix(generic), text.count > generic.count { text.removeFirst(generic.count) }
        return text
    }
}
