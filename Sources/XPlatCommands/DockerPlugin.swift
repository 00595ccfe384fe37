// xplat as a docker CLI plugin: `docker xplat build ...` once `~/.docker/cli-plugins/docker-xplat`
// links to xplat. Docker's CLI (20.10 and 28.2 checked) lists a plugin by running
// `docker-xplat docker-cli-plugin-metadata`, and runs it with every argument it was given:
// `docker --context ctx xplat build .` runs `docker-xplat --context ctx xplat build .`, with
// DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND naming the docker binary. The global options before `xplat`
// are docker's; xplat hands them to the docker client it runs as docker's environment variables.

import Foundation
import XPlatHost
import XPlatSupport

/// The plugin side of xplat.
enum DockerPlugin {
    /// The subcommand docker's CLI runs to list a plugin.
    static let metadataCommand = "docker-cli-plugin-metadata"

    /// The plugin's name: the word after docker's global options.
    static let name = "xplat"

    /// The metadata docker's CLI reads: `SchemaVersion` must be 0.1.0 and `Vendor` must be set.
    static var metadata: String {
        #"{"SchemaVersion":"0.1.0","Vendor":"xplat","Version":"\#(XPlatVersion.string)","#
            + #""ShortDescription":"Multi-platform builds, native, cross or emulated per platform, verified"}"# + "\n"
    }

    /// A run by docker's CLI: xplat's own arguments and the environment docker's global options mean
    /// (a nil value: the variable is removed).
    struct Invocation: Equatable {
        var arguments: [String]
        var environment: [String: String?]
    }

    /// Reads `[GLOBAL OPTIONS] xplat ARGS` (or `help xplat ARGS`, which is `xplat ARGS --help`); nil
    /// when xplat was not run by docker's CLI (no DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND) or the
    /// arguments do not have that shape. Throws a usage failure for a global option xplat cannot pass on.
    static func invocation(arguments: [String], environment: [String: String]) throws -> Invocation? {
        guard environment[DockerClientChoice.pluginParent] != nil else { return nil }
        var globals = GlobalOptions()
        var rest = arguments[...]
        while let word = rest.first, word.hasPrefix("-") {
            rest = rest.dropFirst()
            try globals.read(word, from: &rest)
        }
        if rest.first == "help", rest.dropFirst().first == name {
            return Invocation(arguments: Array(rest.dropFirst(2)) + ["--help"], environment: try globals.environment())
        }
        guard rest.first == name else { return nil }
        return Invocation(arguments: Array(rest.dropFirst()), environment: try globals.environment())
    }
}

/// Docker's global options (`docker --help`), as the CLI hands them to a plugin.
private struct GlobalOptions {
    var values: [String: String] = [:]
    var flags: Set<String> = []

    /// Options that take a value, by every name docker gives them.
    private static let valued: [String: String] = [
        "--config": "config", "-c": "context", "--context": "context", "-H": "host", "--host": "host",
        "-l": "log-level", "--log-level": "log-level", "--tlscacert": "tlscacert", "--tlscert": "tlscert",
        "--tlskey": "tlskey",
    ]
    private static let switches: [String: String] = [
        "-D": "debug", "--debug": "debug", "--tls": "tls", "--tlsverify": "tlsverify",
    ]

    /// Reads one option (`--context ctx`, `--context=ctx`, `-c=ctx`), taking its value from `rest`.
    mutating func read(_ word: String, from rest: inout ArraySlice<String>) throws {
        let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
        if let name = Self.switches[parts[0]] {
            if parts.count == 1 || parts[1] == "true" { flags.insert(name) }
            return
        }
        guard let name = Self.valued[parts[0]] else {
            throw ErrorMap.usage(
                "docker \(word) \(DockerPlugin.name): \(parts[0]) is not a docker global option xplat knows")
        }
        if parts.count == 2 {
            values[name] = parts[1]
        } else if let value = rest.first {
            values[name] = value
            rest = rest.dropFirst()
        } else {
            throw ErrorMap.usage("docker \(word): the option needs a value")
        }
    }

    /// The environment variables docker's client reads for the same settings. `--context NAME`
    /// beats a `DOCKER_HOST` in the environment for docker's CLI, while the variable beats
    /// `DOCKER_CONTEXT`: so the variable is removed (the `default` context is `DOCKER_HOST`'s).
    func environment() throws -> [String: String?] {
        var env: [String: String?] = [:]
        if let config = values["config"] { env["DOCKER_CONFIG"] = config }
        if let context = values["context"] {
            env["DOCKER_CONTEXT"] = context
            if context != "default" { env["DOCKER_HOST"] = .some(nil) }
        }
        if let host = values["host"] { env["DOCKER_HOST"] = host }
        if flags.contains("tlsverify") { env["DOCKER_TLS_VERIFY"] = "1" }
        if flags.contains("tls") { env["DOCKER_TLS"] = "1" }
        if let certs = try certificateFolder() { env["DOCKER_CERT_PATH"] = certs }
        return env
    }

    /// `--tlscacert/--tlscert/--tlskey` reach the client as DOCKER_CERT_PATH, which names a folder
    /// holding ca.pem, cert.pem and key.pem: files under other names cannot be passed on.
    private func certificateFolder() throws -> String? {
        let files = [("tlscacert", "ca.pem"), ("tlscert", "cert.pem"), ("tlskey", "key.pem")].compactMap {
            option, expected in
            values[option].map { (option, $0, expected) }
        }
        guard !files.isEmpty else { return nil }
        let folders = Set(files.map { PathText.parent(of: $0.1) })
        guard folders.count == 1, files.allSatisfy({ ($0.1 as NSString).lastPathComponent == $0.2 }) else {
            throw ErrorMap.usage(
                "docker --tlscacert/--tlscert/--tlskey: xplat passes them to the docker client as DOCKER_CERT_PATH, a "
                    + "folder holding ca.pem, cert.pem and key.pem; put the files there under those names and set "
                    + "DOCKER_CERT_PATH")
        }
        return folders.first
    }
}
