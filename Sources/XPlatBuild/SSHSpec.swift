import Foundation
import XPlatPlatform
import XPlatSupport

/// `--ssh default|ID[=SOCKET|KEY[,KEY...]]`: an ssh agent (or keys) a RUN step reaches
/// (`RUN --mount=type=ssh`). Without paths, the agent of `$SSH_AUTH_SOCK`, as BuildKit reads it.
public struct SSHSpec: Sendable, Hashable {
    public var id: String
    /// Agent sockets or private key files; never empty after parsing.
    public var paths: [String]

    public init(id: String, paths: [String]) {
        self.id = id
        self.paths = paths
    }

    /// Parses one `--ssh` value; `environment` gives `SSH_AUTH_SOCK` for an id without paths.
    public init(parsing text: String, environment: [String: String]) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--ssh", value: text, reason: why) }
        let kv = KeyValue(text)
        guard let kv else { throw fail("needs an id (default, or ID=SOCKET)") }
        id = kv.key
        if let value = kv.value {
            paths = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !paths.contains(where: \.isEmpty) else { throw fail("an empty socket or key path") }
        } else {
            guard let socket = environment["SSH_AUTH_SOCK"], !socket.isEmpty else {
                throw fail("no path given and SSH_AUTH_SOCK is not set (start ssh-agent, or give ID=SOCKET)")
            }
            paths = [socket]
        }
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw fail("\(path) does not exist")
        }
    }

    /// The form buildx and `docker build` take: `ID=PATH[,PATH]`.
    public var flagValue: String { "\(id)=\(paths.joined(separator: ","))" }
}
