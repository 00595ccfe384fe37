// Path arithmetic on strings. Foundation's `NSString.deletingLastPathComponent` traps (SIGILL) on a
// one-character path such as `d` in Swift 6.3.1's Foundation (checked with a three-line program), and
// every context folder, Dockerfile or archive member can be named so; xplat takes folders from here.

/// Folder and name parts of a path, as text.
public enum PathText {
    /// The folder part of `path`, as `NSString.deletingLastPathComponent` gives it: `a/b` -> `a`,
    /// `a` -> ``, `/a` -> `/`, `a/b/` -> `a`, `/` -> `/`.
    public static func parent(of path: String) -> String {
        var rest = Substring(path)
        while rest.count > 1, rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let slash = rest.lastIndex(of: "/") else { return "" }
        var head = rest[..<slash]
        while head.hasSuffix("/") { head = head.dropLast() }
        return head.isEmpty ? "/" : String(head)
    }
}
