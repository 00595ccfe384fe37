// The fields of one docker/buildx flag value, split as buildx splits them: one line of CSV
// (Go's encoding/csv), so `"src=a,b",id=x` is two fields and a quoted comma stays in its field.

import Foundation

/// Why a flag value is not one line of CSV.
public struct CSVFieldsError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public var description: String { reason }
}

/// Splitting one CSV line into fields.
public enum CSVFields {
    /// The fields of `text`, one CSV record: commas separate fields, a field that starts with `"`
    /// runs to the matching `"` (`""` inside it is one quote). An empty text is one empty field.
    /// - Throws: `CSVFieldsError` for a quote left open or a stray quote in an unquoted field.
    public static func split(_ text: String) throws -> [String] {
        var fields: [String] = []
        var field = ""
        var chars = Array(text)[...]
        var quotedField = false
        while let c = chars.popFirst() {
            switch c {
            case ",":
                fields.append(field)
                field = ""
                quotedField = false
            case "\"" where field.isEmpty && !quotedField:
                quotedField = true
                try readQuoted(&chars, into: &field, whole: text)
            case "\"":
                throw CSVFieldsError(reason: "\(text): bare \" in a field (quote the whole field)")
            default:
                if quotedField { throw CSVFieldsError(reason: "\(text): extraneous text after a quoted field") }
                field.append(c)
            }
        }
        fields.append(field)
        return fields
    }

    /// Reads a quoted field's body up to its closing quote.
    private static func readQuoted(_ chars: inout ArraySlice<Character>, into field: inout String, whole text: String)
        throws
    {
        while let c = chars.popFirst() {
            guard c == "\"" else { field.append(c); continue }
            if chars.first == "\"" {
                chars.removeFirst()
                field.append("\"")
                continue
            }
            return
        }
        throw CSVFieldsError(reason: "\(text): a quoted field is not closed")
    }

    /// Joins fields back into one CSV line, quoting a field that holds a comma or a quote.
    public static func join(_ fields: [String]) -> String {
        fields.map { f in
            f.contains(",") || f.contains("\"") ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",")
    }
}
