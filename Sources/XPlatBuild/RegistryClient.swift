// A minimal OCI distribution client for the local registry (plain HTTP on loopback): read
// manifests and indexes, put an image index, delete temporary manifests.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XPlatPlatform

/// One manifest as the registry serves it.
public struct RegistryManifest: Sendable, Hashable {
    public var mediaType: String
    public var digest: String
    public var data: Data
}

/// Talks to `http://HOST:PORT/v2/`.
public struct RegistryClient: Sendable {
    public var registry: String

    public init(registry: String) { self.registry = registry }

    static let accept = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ].joined(separator: ", ")

    /// Splits `127.0.0.1:5000/a/b:tag` into its repository path and reference, for this registry.
    /// A reference without a registry host (`busybox`) means `library/busybox:latest` through the mirror.
    public func locate(_ image: String) -> (repository: String, reference: String) {
        var ref = image
        for prefix in ["docker.io/", "index.docker.io/", registry + "/"] where ref.hasPrefix(prefix) {
            ref.removeFirst(prefix.count)
        }
        var reference = "latest"
        if let at = ref.firstIndex(of: "@") {
            reference = String(ref[ref.index(after: at)...])
            ref = String(ref[..<at])
        } else {
            let (repo, tag) = ImageReference.split(ref)
            ref = repo
            if let tag { reference = tag }
        }
        if !ref.contains("/") { ref = "library/" + ref }
        return (ref, reference)
    }

    func url(_ repository: String, _ reference: String) -> URL {
        URL(string: "http://\(registry)/v2/\(repository)/manifests/\(reference)")!
    }

    /// GETs a manifest or index.
    public func manifest(repository: String, reference: String) async throws -> RegistryManifest {
        var request = URLRequest(url: url(repository, reference))
        request.setValue(Self.accept, forHTTPHeaderField: "Accept")
        let (data, response) = try await fetch(request)
        guard response.statusCode == 200 else {
            throw BuildError.assemblyFailed("registry \(registry): \(repository):\(reference): HTTP \(response.statusCode) \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return RegistryManifest(
            mediaType: response.value(forHTTPHeaderField: "Content-Type") ?? "",
            digest: response.value(forHTTPHeaderField: "Docker-Content-Digest") ?? "", data: data)
    }

    /// PUTs a manifest or index under `reference`; returns its digest.
    @discardableResult
    public func put(repository: String, reference: String, mediaType: String, data: Data) async throws -> String {
        var request = URLRequest(url: url(repository, reference))
        request.httpMethod = "PUT"
        request.setValue(mediaType, forHTTPHeaderField: "Content-Type")
        request.httpBody = data
        let (body, response) = try await fetch(request)
        guard response.statusCode == 201 || response.statusCode == 200 else {
            throw BuildError.assemblyFailed("registry \(registry): cannot put \(repository):\(reference): HTTP \(response.statusCode) \(String(decoding: body.prefix(300), as: UTF8.self))")
        }
        return response.value(forHTTPHeaderField: "Docker-Content-Digest") ?? ""
    }

    /// Deletes a manifest by digest (temporary images).
    public func delete(repository: String, digest: String) async throws {
        var request = URLRequest(url: url(repository, digest))
        request.httpMethod = "DELETE"
        _ = try await fetch(request)
    }

    /// The registry host of an image reference (`127.0.0.1:5000/a/b:1` -> `127.0.0.1:5000`), or nil
    /// when the first path component is not a host (`hello:1`, `library/busybox`: Docker Hub).
    public static func host(of image: String) -> String? {
        guard let slash = image.firstIndex(of: "/") else { return nil }
        let first = image[..<slash]
        guard first.contains(".") || first.contains(":") || first == "localhost" else { return nil }
        return String(first)
    }

    /// Makes blob `digest` of repository `source` available in `repository` without uploading it
    /// again (the distribution API's cross-repository mount).
    public func mountBlob(_ digest: String, from source: String, into repository: String) async throws {
        var components = URLComponents(string: "http://\(registry)/v2/\(repository)/blobs/uploads/")!
        components.queryItems = [URLQueryItem(name: "mount", value: digest), URLQueryItem(name: "from", value: source)]
        var request = URLRequest(url: components.url!)
        request.httpMethod = "POST"
        request.setValue("0", forHTTPHeaderField: "Content-Length")
        let (body, response) = try await fetch(request)
        // 201: mounted. 202 would mean the registry opened an upload instead (blob not found in source).
        guard response.statusCode == 201 else {
            if response.statusCode == 202, let location = response.value(forHTTPHeaderField: "Location") {
                var cancel = URLRequest(url: URL(string: location, relativeTo: URL(string: "http://\(registry)"))!.absoluteURL)
                cancel.httpMethod = "DELETE"
                _ = try? await fetch(cancel)
            }
            throw BuildError.assemblyFailed("registry \(registry): cannot mount blob \(digest) from \(source) into \(repository): HTTP \(response.statusCode) \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
    }

    /// Copies one image manifest (not an index) from `source` to `repository` by digest: its config
    /// and layers are mounted, then the manifest is put under its digest, so no tag is created.
    public func copy(_ manifest: RegistryManifest, from source: String, to repository: String) async throws {
        guard source != repository else { return }
        guard let object = try? JSONSerialization.jsonObject(with: manifest.data) as? [String: Any] else {
            throw BuildError.assemblyFailed("registry \(registry): \(source)@\(manifest.digest) is not a JSON manifest")
        }
        var blobs: [String] = []
        if let config = object["config"] as? [String: Any], let d = config["digest"] as? String { blobs.append(d) }
        for layer in object["layers"] as? [[String: Any]] ?? [] { if let d = layer["digest"] as? String { blobs.append(d) } }
        for blob in blobs { try await mountBlob(blob, from: source, into: repository) }
        let digest = try await put(repository: repository, reference: manifest.digest, mediaType: manifest.mediaType, data: manifest.data)
        guard digest.isEmpty || digest == manifest.digest else {
            throw BuildError.assemblyFailed("registry \(registry): \(repository)@\(manifest.digest) came back as \(digest)")
        }
    }

    /// Deletes an image and, for an index, the manifests it lists (temporary staging images).
    /// Errors are ignored: this is cleanup, and a registry without deletion keeps only unreferenced data.
    public func remove(repository: String, reference: String) async {
        guard let m = try? await manifest(repository: repository, reference: reference) else { return }
        if let object = try? JSONSerialization.jsonObject(with: m.data) as? [String: Any],
           let list = object["manifests"] as? [[String: Any]] {
            for entry in list { if let d = entry["digest"] as? String { try? await delete(repository: repository, digest: d) } }
        }
        if !m.digest.isEmpty { try? await delete(repository: repository, digest: m.digest) }
    }

    /// The platforms an image index lists (`linux/amd64`, ...), or the one platform of a plain manifest's config.
    public func platforms(of image: String) async throws -> [String] {
        let (repository, reference) = locate(image)
        let m = try await manifest(repository: repository, reference: reference)
        guard let object = try JSONSerialization.jsonObject(with: m.data) as? [String: Any] else { return [] }
        if let list = object["manifests"] as? [[String: Any]] {
            return list.compactMap { entry in
                guard let p = entry["platform"] as? [String: Any], let os = p["os"] as? String,
                      let arch = p["architecture"] as? String else { return nil }
                return [os, arch, p["variant"] as? String].compactMap { $0 }.joined(separator: "/")
            }
        }
        return []
    }

    func fetch(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            guard let http = response as? HTTPURLResponse else { throw BuildError.assemblyFailed("registry \(registry): not an HTTP answer") }
            return (data, http)
        } catch let error as BuildError {
            throw error
        } catch {
            throw BuildError.assemblyFailed("registry \(registry) unreachable: \(error.localizedDescription)\n  action: start it with Scripts/engine-up, or set XPLAT_REGISTRY")
        }
    }

    /// Builds an OCI image index over per-platform manifests, each entry annotated with the
    /// platform xplat built it for (never `unknown/unknown`: attestation manifests are not listed).
    public static func index(entries: [(platform: Platform, manifest: RegistryManifest)]) -> Data {
        let manifests: [[String: Any]] = entries.map { entry in
            var platform: [String: Any] = ["os": entry.platform.os, "architecture": entry.platform.architecture]
            if let v = entry.platform.variant { platform["variant"] = v }
            return ["mediaType": entry.manifest.mediaType, "digest": entry.manifest.digest,
                    "size": entry.manifest.data.count, "platform": platform]
        }
        let isDocker = entries.allSatisfy { $0.manifest.mediaType.contains("docker") }
        let object: [String: Any] = [
            "schemaVersion": 2,
            "mediaType": isDocker ? "application/vnd.docker.distribution.manifest.list.v2+json" : "application/vnd.oci.image.index.v1+json",
            "manifests": manifests,
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// The media type of `index(entries:)` for these entries.
    public static func indexMediaType(for entries: [(platform: Platform, manifest: RegistryManifest)]) -> String {
        entries.allSatisfy { $0.manifest.mediaType.contains("docker") }
            ? "application/vnd.docker.distribution.manifest.list.v2+json" : "application/vnd.oci.image.index.v1+json"
    }
}
