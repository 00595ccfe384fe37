import Foundation
import XPlatPlatform
import XPlatSupport

/// `--secret id=ID[,src=PATH|,env=NAME][,type=file|env]`: a secret a RUN step mounts
/// (`RUN --mount=type=secret,id=ID`). As BuildKit: without `src`/`env` the secret is the
/// environment variable named ID when it is set, else the file named ID.
public struct SecretSpec: Sendable, Hashable {
    /// Where the secret's value comes from.
    public enum Source: Sendable, Hashable {
        case file(String)
        case environment(String)
    }

    public var id: String
    public var source: Source

    public init(id: String, source: Source) {
        self.id = id
        self.source = source
    }

    /// Parses one `--secret` value; `environment` decides the source of a bare `id=ID`.
    public init(parsing text: String, environment: [String: String]) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--secret", value: text, reason: why) }
        var id: String?, file: String?, env: String?, type: String?
        for field in try OptionFields.split(text, option: "--secret") {
            guard let kv = KeyValue(field), let value = kv.value else { throw fail("\"\(field)\" is not key=value") }
            switch kv.key.lowercased() {
            case "type":
                guard value == "file" || value == "env" else {
                    throw fail("type=\(value): a secret is type=file or type=env")
                }
                type = value
            case "id": id = value
            case "src", "source": file = value
            case "env": env = value
            default: throw fail("unknown key \"\(kv.key)\" (id, src, env, type)")
            }
        }
        if type == "env", env == nil { (env, file) = (file, nil) }
        guard let id, !id.isEmpty else { throw fail("needs id=ID") }
        self.id = id
        if let env {
            source = .environment(env)
        } else if let file {
            source = .file(file)
        } else {
            source = environment[id] != nil ? .environment(id) : .file(id)
        }
        if case .file(let path) = source, !FileManager.default.isReadableFile(atPath: path) {
            throw fail("no readable file \(path)")
        }
        if case .environment(let name) = source, environment[name] == nil {
            throw fail("the environment variable \(name) is not set")
        }
    }

    /// buildx's form: `id=ID,src=PATH` or `id=ID,env=NAME`.
    public var flagValue: String {
        switch source {
        case .file(let path): return CSVFields.join(["id=\(id)", "src=\(path)"])
        case .environment(let name): return CSVFields.join(["id=\(id)", "env=\(name)"])
        }
    }
}
