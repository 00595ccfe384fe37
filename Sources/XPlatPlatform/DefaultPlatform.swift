// The platforms a build targets when `--platform` is not given, decided as docker and buildx decide
// it. The environment and the machine name are parameters, so the rule is tested without either.

/// Why no default platform could be chosen.
public enum DefaultPlatformError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `DOCKER_DEFAULT_PLATFORM` holds something that is not a platform list.
    case badEnvironment(String, PlatformError)
    /// The machine's `uname -m` is not in the architecture table.
    case unknownMachine(String)

    public var description: String {
        switch self {
        case .badEnvironment(let value, let error):
            return "DOCKER_DEFAULT_PLATFORM=\(value): \(error)"
        case .unknownMachine(let machine):
            return "this machine's architecture \"\(machine)\" is not in xplat's table: give --platform"
        }
    }
}

/// The default `--platform` of `plan` and `build`.
public enum DefaultPlatform {
    /// `DOCKER_DEFAULT_PLATFORM` when set and not empty (as docker and buildx read it), else the
    /// machine's own platform in its base form (`linux/amd64`, not `linux/amd64/v4`).
    public static func resolve(environment: [String: String], unameMachine: String) throws(DefaultPlatformError)
        -> [Platform]
    {
        if let value = environment["DOCKER_DEFAULT_PLATFORM"], !value.isEmpty {
            do {
                return try Platform.parseList(value)
            } catch let error as PlatformError {
                throw .badEnvironment(value, error)
            } catch {
                throw .badEnvironment(value, .malformed(value, "\(error)"))
            }
        }
        guard let native = ArchitectureTable.platform(unameMachine: unameMachine) else {
            throw .unknownMachine(unameMachine)
        }
        return [native]
    }
}
