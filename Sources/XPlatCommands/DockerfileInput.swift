import Foundation
import XPlatDockerfile
import XPlatPlatform
import XPlatSupport

/// Reads a Dockerfile argument (`-` is standard input) for rewrite and lint.
enum DockerfileInput {
    static func read(_ path: String) throws -> (name: String, bytes: [UInt8]) {
        if path == "-" { return ("<stdin>", Array(FileHandle.standardInput.readDataToEndOfFile())) }
        do {
            return (path, Array(try UserFile.read(path)))
        } catch {
            throw ErrorMap.couldNotCheck("\(error)")
        }
    }

    static func parse(_ path: String) throws -> Dockerfile {
        let (name, bytes) = try read(path)
        do {
            return try DockerfileParser.parse(bytes: bytes, fileName: name)
        } catch {
            throw ErrorMap.failure(for: error)
        }
    }

    /// Rewrite options from the flags: the context folder (default: the Dockerfile's; none for
    /// standard input) and the platform list (default: one per architecture).
    static func options(file: String, target: String?, buildArgs: [String: String], context: String?, platform: String?)
        throws -> RewriteOptions
    {
        var platforms = RewriteOptions.defaultPlatforms
        if let platform {
            do { platforms = try Platform.parseList(platform) } catch {
                throw ErrorMap.usage("--platform \(platform): \(error)")
            }
        }
        var folder = context
        if folder == nil && file != "-" { folder = PathText.parent(of: file) }
        if folder == "" { folder = "." }
        var isDir: ObjCBool = false
        if let folder, context != nil,
            !FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) || !isDir.boolValue
        {
            throw ErrorMap.couldNotCheck("--context \(folder): not a folder")
        }
        return RewriteOptions(
            target: target, buildArgs: buildArgs, platforms: platforms,
            context: folder.map { BuildContext.load(directory: $0) })
    }

    static func severityColor(_ style: Style) -> (Severity, String) -> String {
        { severity, text in severity == .error ? style.red(text) : style.yellow(text) }
    }
}
