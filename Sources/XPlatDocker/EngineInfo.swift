// `docker info --format '{{json .}}'`: the engine a build runs on.

import Foundation
import XPlatPlatform

/// The parts of `docker info` JSON xplat reads.
public struct EngineInfo: Sendable, Hashable {
    /// `x86_64`, `aarch64`: the kernel's machine name, as `uname -m`.
    public var architecture: String
    public var osType: String
    public var serverVersion: String
    /// The registries the engine reaches without TLS (`RegistryConfig.IndexConfigs` entries with
    /// `Secure: false`), sorted: a push by xplat may speak plain HTTP to them as the engine does.
    public var insecureRegistries: [String]

    public init(
        architecture: String, osType: String = "linux", serverVersion: String = "", insecureRegistries: [String] = []
    ) {
        self.architecture = architecture
        self.osType = osType
        self.serverVersion = serverVersion
        self.insecureRegistries = insecureRegistries
    }

    /// Parses the JSON; nil when it is not `docker info` JSON.
    public static func parse(_ json: String) -> EngineInfo? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let arch = object["Architecture"] as? String
        else { return nil }
        let configs = (object["RegistryConfig"] as? [String: Any])?["IndexConfigs"] as? [String: Any] ?? [:]
        return EngineInfo(
            architecture: arch, osType: object["OSType"] as? String ?? "linux",
            serverVersion: object["ServerVersion"] as? String ?? "", insecureRegistries: insecure(configs))
    }

    /// `docker info --format '{{json .RegistryConfig.IndexConfigs}}'`: the insecure registries.
    public static func insecureRegistries(indexConfigs json: String) -> [String] {
        insecure((try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:])
    }

    static func insecure(_ configs: [String: Any]) -> [String] {
        configs.values.compactMap { $0 as? [String: Any] }
            .filter { ($0["Secure"] as? Bool) == false }
            .compactMap { $0["Name"] as? String }
            .sorted()
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
