// The one way xplat writes its `--json` documents, so that every schema (platforms, verify, doctor,
// rewrite, lint, plan) has the same shape on the wire.

import Foundation

/// JSON as every `--json` output prints it: keys sorted, pretty-printed, `/` unescaped, a final newline.
public enum StableJSON {
    /// The document for `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
