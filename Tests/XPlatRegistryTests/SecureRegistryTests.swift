// The client against Debian's docker-registry as users have it (Scripts/secure-registry-up): TLS
// from a CA made there, a host name resolving to 127.0.0.1, htpasswd logins on :5443 and Bearer
// tokens from the tests' own issuer on :5445. Push an image of two platforms, read it back, mount
// across repositories, and the errors of a wrong or missing login.
// Skipped, with the reason, when those registries do not answer, unless XPLAT_REQUIRE_ENGINE=1 (then it fails).

import Foundation
import Testing
import XPlatRegistry
import XPlatTestSupport

/// The test registries and their login.
enum SecureRegistry {
    static let name = ProcessInfo.processInfo.environment["XPLAT_SECURE_REGISTRY_NAME"] ?? "xplat-registry.test"
    static let basic = "\(name):5443"
    static let token = "\(name):5445"
    static let user = "xplat-test"
    static let password = "xplat-test-password"
    static let required = Prerequisite.required

    /// Nil when both registries answer `/v2/` (401 without a login); else why not.
    static func unusable() async -> String? {
        let config = RegistryConfiguration(credentials: NoCredentials(), retry: .none, connectTimeout: .seconds(2))
        for registry in [basic, token]
        where (try? await RegistryClient.with(configuration: config) { try await $0.ping(registry) }) == nil {
            return "\(registry) does not answer (Scripts/secure-registry-up)"
        }
        return nil
    }

    /// Skips, with the reason, when the registries are absent, except under XPLAT_REQUIRE_ENGINE=1.
    static let prerequisite = Prerequisite(
        needs: "the TLS+login registries \(basic) and \(token) (Scripts/setup --tests)"
    ) {
        await unusable()
    }
    static var enabled: ConditionTrait { prerequisite.trait }

    /// Records why the test cannot run (under XPLAT_REQUIRE_ENGINE=1).
    static func usable(_ test: String) async -> Bool { await prerequisite.usable(test) }

    /// A docker config folder holding `user:password` for both registries.
    static func config(password: String = SecureRegistry.password) throws -> String {
        let dir = NSTemporaryDirectory() + "xplat-docker-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let auth = Data("\(user):\(password)".utf8).base64EncodedString()
        try #"{"auths": {"\#(basic)": {"auth": "\#(auth)"}, "\#(token)": {"auth": "\#(auth)"}}}"#
            .write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        return dir
    }

    static func client(_ configDir: String) -> RegistryConfiguration {
        RegistryConfiguration(
            credentials: DockerCredentials(configDirectory: configDir, helperSearchPath: []),
            retry: RetryOptions(retries: 2, initialDelay: .milliseconds(50)))
    }

    /// Two tiny images (linux/amd64, linux/arm64) as local files: a config and one gzip layer each.
    static func images(in dir: String) throws -> [LocalImage] {
        try ["amd64", "arm64"].map { arch in
            let layerPath = "\(dir)/layer-\(arch).tar.gz"
            let tarDir = "\(dir)/root-\(arch)"
            try FileManager.default.createDirectory(atPath: tarDir, withIntermediateDirectories: true)
            try "built for \(arch) at \(UUID())\n".write(
                toFile: "\(tarDir)/hello.txt", atomically: true, encoding: .utf8)
            let tar = Process()
            tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            tar.arguments = ["tar", "-czf", layerPath, "-C", tarDir, "."]
            try tar.run()
            tar.waitUntilExit()
            let layer = try sha256Digest(file: layerPath)
            let config = Data(
                #"{"architecture":"\#(arch)","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
            let configPath = "\(dir)/config-\(arch).json"
            try config.write(to: URL(fileURLWithPath: configPath))
            let manifest = Manifest(
                config: Descriptor(
                    mediaType: MediaType.ociConfig, digest: sha256Digest(config), size: Int64(config.count)),
                layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: layer.digest, size: layer.size)])
            let bytes = canonicalJSON(manifest)
            return LocalImage(
                platform: OCIPlatform(os: "linux", architecture: arch),
                manifest: FetchedManifest(mediaType: MediaType.ociManifest, digest: sha256Digest(bytes), data: bytes),
                decoded: manifest, blobFiles: [sha256Digest(config): configPath, layer.digest: layerPath])
        }
    }
}

@Suite("Secure registries", .serialized)
struct SecureRegistryTests {
    @Test(
        """
        htpasswd (:5443) and Bearer tokens (:5445): push two platforms by digest + an index under a tag, read \
        every part back
        """,
        SecureRegistry.enabled, arguments: [SecureRegistry.basic, SecureRegistry.token])
    func pushAndPull(_ registry: String) async throws {
        guard await SecureRegistry.usable("pushAndPull \(registry)") else { return }
        let dir = try SecureRegistry.config()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try SecureRegistry.images(in: dir)
        let repo = "xplat-unit/client-\(UUID().uuidString.prefix(8).lowercased())"
        let tag = try RegistryReference(parsing: "\(registry)/\(repo):1")
        try await RegistryClient.with(configuration: SecureRegistry.client(dir)) { client in
            let result = try await client.publish(images, to: [tag])
            #expect(client.transferCounts.blobsUploaded == 4)
            #expect(client.transferCounts.bytesUploaded == images.reduce(0) { $0 + $1.blobBytes })

            let top = try await client.manifest(tag)
            #expect(top.digest == result.indexDigest && top.isIndex)
            let index = try client.decodeIndex(top, of: tag)
            #expect(index.manifests.map { $0.platform?.description } == ["linux/amd64", "linux/arm64"])
            let pulled = try await client.platformImages(tag)
            #expect(pulled.map(\.config.architecture) == ["amd64", "arm64"])
            #expect(
                pulled.map(\.manifest.digest) == images.map(\.manifest.digest), "the manifests' exact bytes came back")
            var streamed = Data()
            let count = try await client.fetchBlob(tag, digest: images[1].decoded.layers[0].digest) {
                streamed.append(contentsOf: $0.readableBytesView)
            }
            let local = try Data(
                contentsOf: URL(fileURLWithPath: images[1].blobFiles[images[1].decoded.layers[0].digest]!))
            #expect(streamed == local && count == Int64(local.count))
            #expect(try await client.platforms(of: tag).map(\.description) == ["linux/amd64", "linux/arm64"])

            // A second repository: the blobs are mounted from the first, not uploaded again.
            let other = try RegistryReference(parsing: "\(registry)/\(repo)-copy:1")
            let before = client.transferCounts
            _ = try await client.publish(images, to: [tag, other])
            let after = client.transferCounts
            #expect(after.blobsUploaded == before.blobsUploaded, "nothing uploaded twice")
            #expect(after.blobsMounted - before.blobsMounted == 4, "config and layer of both images mounted")

            await #expect {
                _ = try await client.manifest(tag.with(reference: "nope"))
            } throws: { error in
                guard case .notFound(let op, _) = error as? RegistryError else { return false }
                return op.image == "\(registry)/\(repo):nope"
                    && "\(error)".contains("action: check the repository and tag")
            }
        }
    }

    @Test(
        "a wrong password: 401 naming registry, repository and `docker login`; no login at all: 'needs a login'",
        SecureRegistry.enabled, arguments: [SecureRegistry.basic, SecureRegistry.token])
    func wrongLogin(_ registry: String) async throws {
        guard await SecureRegistry.usable("wrongLogin \(registry)") else { return }
        let dir = try SecureRegistry.config(password: "wrong")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reference = try RegistryReference(parsing: "\(registry)/xplat-unit/denied:1")
        await #expect {
            try await RegistryClient.with(configuration: SecureRegistry.client(dir)) {
                _ = try await $0.manifest(reference)
            }
        } throws: { error in
            guard case .unauthorized(let op, true, _) = error as? RegistryError else { return false }
            let text = "\(error)"
            return op.registry == registry && op.repository == "xplat-unit/denied"
                && text.contains("refused the credentials") && text.contains("docker login \(registry)")
        }
        let anonymous = RegistryConfiguration(credentials: NoCredentials(), retry: .none)
        await #expect {
            try await RegistryClient.with(configuration: anonymous) { _ = try await $0.manifest(reference) }
        } throws: { error in
            guard case .unauthorized(_, false, _) = error as? RegistryError else { return false }
            return "\(error)".contains("needs a login for xplat-unit/denied")
        }
    }
}
