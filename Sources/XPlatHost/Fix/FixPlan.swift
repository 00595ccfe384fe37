import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What `--fix` will do and what it cannot.
public struct FixPlan: Sendable, Hashable {
    public var actions: [FixAction]
    /// Problems no action here can solve (no interpreter installed), with the command that does.
    public var unfixable: [String]
}
