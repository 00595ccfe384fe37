// TEMPORARY until the registry branch lands (removed by the merge).
public struct RegistryAccess: Sendable {
    public init() {}
    func withContent<T: Sendable>(_ reference: String, threads: Int, _ body: (OCILayoutContent) async throws -> T) async throws -> T {
        throw VerifyError(reference, "registry client pending")
    }
}
