// What one run knows of its docker client's buildx plugin: asked once (`docker buildx version`),
// then handed from the client choice to node discovery to the build.

import Foundation

/// What is known of a docker client's buildx plugin. `docker buildx version` is asked once per
/// run: what the client choice or node discovery learned is handed on, not asked again.
public enum BuildxPlugin: Sendable, Hashable {
    /// Not asked yet (the client was named by `XPLAT_DOCKER`, or nothing needed buildx so far).
    case unasked
    /// `docker buildx version` failed: the client has no buildx; `said` is what it printed.
    case absent(said: String)
    /// The plugin's version (`unknown`, 0.0.0, when its answer names none).
    case present(BuildxVersion)

    /// From `docker buildx version`'s outcome, exit status and output.
    public init(succeeded: Bool, exitCode: Int32, stdout: String, stderr: String) {
        guard succeeded else {
            let said = [stderr, stdout].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.first {
                !$0.isEmpty
            }
            self = .absent(said: said ?? "exit \(exitCode)")
            return
        }
        self = .present(BuildxVersion.parse(stdout) ?? BuildxVersion(major: 0, minor: 0, patch: 0, text: "unknown"))
    }

    /// The version when the plugin is there.
    public var version: BuildxVersion? {
        if case .present(let version) = self { return version }
        return nil
    }
}
