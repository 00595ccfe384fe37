// The typed values of `docker buildx build`'s options (buildx 0.10 to 0.12), parsed as buildx
// parses them: same syntax, same defaults, same refusals. Each type renders the value back in the
// form buildx and docker 20.10's `docker build` take (`flagValue`). Each has a file of its own
// (`NetworkMode`, `SecretSpec`, `SSHSpec`, `NamedContext`, `ExtraHost`, `Entitlement`, `Ulimit`,
// `ByteSize`, `AttestSpec`, `AnnotationSpec`); this one holds the helpers their parsers share.

import Foundation
import XPlatPlatform
import XPlatSupport

/// Shared helpers of the option parsers.
enum OptionFields {
    /// The CSV fields of a value, a malformed one reported against `option`.
    static func split(_ text: String, option: String) throws -> [String] {
        do { return try CSVFields.split(text) } catch let error as CSVFieldsError {
            throw BuildError.badOption(option: option, value: text, reason: error.reason)
        }
    }

    /// Go's `strconv.ParseBool`.
    static func bool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: return nil
        }
    }
}
