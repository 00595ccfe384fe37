// `docker info --format '{{json .}}'`: the engine a build runs on.

import Foundation
import XPlatPlatform

/// The parts of `docker info` JSON xplat reads.
public struct EngineInfo: Sendable, Hashable {
    /// `x86_64`, `aarch64`: the kernel's machine name, as `uname -m`.
    public var architecture: String
    public var osType: String
    public var serverVersion: String

    public init(architecture: String, osType: String = "linux", serverVersion: String = "") {
        self.architecture = architecture
        self.osType = osType
        self.serverVersion = serverVersion
    }

    /// Parses the JSON; nil when it is not `docker info` JSON.
    public static func parse(_ json: String) -> EngineInfo? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let arch = object["Architecture"] as? String else { return nil }
        return EngineInfo(architecture: arch, osType: object["OSType"] as? String ?? "linux",
                          serverVersion: object["ServerVersion"] as? String ?? "")
    }

    /// The `ServerErrors` a client prints inside `docker info` JSON when no daemon answers
    /// (newer clients write them to stdout, not stderr).
    public static func serverErrors(_ json: String) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [] }
        return object["ServerErrors"] as? [String] ?? []
    }

    /// The engine's native platform (`x86_64` on linux: linux/amd64).
    public var platform: Platform? {
        guard osType == "linux" else { return try? Platform(os: osType, architecture: architecture) }
        return ArchitectureTable.platform(unameMachine: architecture)
    }
}
