// swift-tools-version:6.1
// xplat: correct and fast multi-architecture container builds.
import PackageDescription

let package = Package(
    name: "xplat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "xplat", targets: ["xplat"]),
        /// The platform model: parse, normalize and match OCI platforms; the per-architecture table.
        .library(name: "XPlatPlatform", targets: ["XPlatPlatform"]),
        /// ELF inspection through libelf.
        .library(name: "XPlatELF", targets: ["XPlatELF"]),
        /// Verify that every ELF under a root is built for a platform; import it from your own tests.
        .library(name: "XPlatVerify", targets: ["XPlatVerify"]),
        /// Streaming tar/layer reader over libarchive (gzip, zstd, xz).
        .library(name: "XPlatArchive", targets: ["XPlatArchive"]),
        /// The lossless Dockerfile parser and the cross-compilation rewriter.
        .library(name: "XPlatDockerfile", targets: ["XPlatDockerfile"]),
        /// An OCI distribution client (TLS, docker credentials, token auth) and the OCI image types.
        .library(name: "XPlatRegistry", targets: ["XPlatRegistry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // libelf (Debian libelf-dev), wrapped so that a C failure becomes a typed Swift error.
        .systemLibrary(
            name: "CElf",
            pkgConfig: "libelf",
            providers: [.apt(["libelf-dev"])]
        ),
        // libarchive (Debian libarchive-dev): tar with gzip, zstd, xz read as streams.
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        // ISA-L (Debian libisal-dev): gzip inflated about twice as fast as zlib.
        .systemLibrary(
            name: "CIsal",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // errno text, Foundation errors in the system's words, user file reads, atomic writes,
        // temporary folders: the bottom layer under every module that touches files. Leaf.
        .target(name: "XPlatSystem"),
        .target(name: "XPlatArchive", dependencies: ["CArchive", "CIsal", "XPlatSystem"]),
        // The one JSON writer of every `--json` document. Leaf.
        .target(name: "XPlatJSON"),
        // The platform model; needs only the JSON writer (for `xplat platforms --json`).
        .target(name: "XPlatPlatform", dependencies: ["XPlatJSON"]),
        // Subprocess runner, terminal styling, interrupts: the I/O edges shared by services (it
        // re-exports XPlatSystem, so a service importing it has the file helpers too).
        .target(
            name: "XPlatSupport",
            dependencies: ["XPlatSystem", .product(name: "Subprocess", package: "swift-subprocess")]
        ),
        .target(name: "XPlatELF", dependencies: ["CElf", "XPlatPlatform", "XPlatSystem"]),
        .target(
            name: "XPlatVerify",
            dependencies: [
                "XPlatELF", "XPlatPlatform", "XPlatJSON", "XPlatArchive", "XPlatRegistry", "XPlatSystem",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The registry client: AsyncHTTPClient for HTTP/TLS, swift-crypto for digests, swift-subprocess
        // for docker credential helpers. Of xplat, only the bottom layer (XPlatSystem).
        .target(
            name: "XPlatRegistry",
            dependencies: [
                "XPlatSystem",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // What docker, the engine and buildx print about themselves, parsed once for doctor and build.
        .target(name: "XPlatDocker", dependencies: ["XPlatPlatform"]),
        .target(
            name: "XPlatHost",
            dependencies: ["XPlatPlatform", "XPlatJSON", "XPlatSupport", "XPlatELF", "XPlatDocker", "XPlatRegistry"]),
        .target(name: "XPlatDockerfile", dependencies: ["XPlatPlatform", "XPlatJSON", "XPlatSystem"]),
        .target(
            name: "XPlatBuild",
            // Probe and verification come in through protocols this target declares (wired in XPlatCommands).
            dependencies: [
                "XPlatPlatform", "XPlatJSON", "XPlatSupport", "XPlatDocker", "XPlatDockerfile", "XPlatRegistry",
            ]
        ),
        .target(
            name: "XPlatCommands",
            dependencies: [
                "XPlatPlatform", "XPlatSupport", "XPlatELF", "XPlatVerify", "XPlatHost",
                "XPlatDocker", "XPlatDockerfile", "XPlatBuild", "XPlatRegistry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "xplat", dependencies: ["XPlatCommands"]),
        // Scripts/bench-rewrite's in-process timing of parse + rewrite (not part of the CLI).
        .executableTarget(name: "xplat-bench", dependencies: ["XPlatDockerfile", "XPlatSupport"]),
        // Scripts/seed-images' image half: configs, manifests, the index, the registry check and the push.
        .executableTarget(
            name: "xplat-seed",
            dependencies: ["XPlatRegistry", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(
            name: "XPlatPlatformTests", dependencies: ["XPlatPlatform", "XPlatTestSupport"], exclude: ["Golden"]),
        // Shared test helpers (real test binaries built by Scripts/make-test-binaries); tests only.
        .target(name: "XPlatTestSupport", dependencies: ["XPlatSupport"], path: "Tests/XPlatTestSupport"),
        .testTarget(name: "XPlatSupportTests", dependencies: ["XPlatSupport", "XPlatTestSupport"]),
        .testTarget(
            name: "XPlatELFTests", dependencies: ["XPlatELF", "XPlatPlatform", "XPlatSupport", "XPlatTestSupport"]),
        .testTarget(
            name: "XPlatVerifyTests",
            dependencies: [
                "XPlatVerify", "XPlatELF", "XPlatPlatform", "XPlatSupport", "XPlatTestSupport", "XPlatArchive",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Recordings"]
        ),
        .testTarget(
            name: "XPlatHostTests",
            dependencies: ["XPlatHost", "XPlatDocker", "XPlatPlatform", "XPlatSupport", "XPlatTestSupport"],
            resources: [.copy("Fixtures")]),
        // The golden cases are read in the source tree, where XPLAT_UPDATE_GOLDEN=1 rewrites them.
        .testTarget(
            name: "XPlatDockerfileTests", dependencies: ["XPlatDockerfile", "XPlatPlatform", "XPlatTestSupport"],
            exclude: ["Golden", "LintGolden"]
        ),
        .testTarget(
            name: "XPlatBuildTests",
            dependencies: [
                "XPlatBuild", "XPlatDocker", "XPlatDockerfile", "XPlatPlatform", "XPlatRegistry", "XPlatSupport",
                "XPlatTestSupport",
            ],
            resources: [.copy("Recordings")]
        ),
        .testTarget(name: "XPlatRegistryTests", dependencies: ["XPlatRegistry", "XPlatTestSupport"]),
        .testTarget(
            name: "XPlatCLITests",
            dependencies: [
                "XPlatCommands", "XPlatSupport", "XPlatTestSupport", "XPlatBuild", "XPlatDockerfile", "XPlatHost",
                "XPlatPlatform",
                "XPlatRegistry", "XPlatVerify",
            ]
        ),
        .testTarget(
            name: "XPlatIntegrationTests",
            dependencies: [
                "XPlatBuild", "XPlatCommands", "XPlatHost", "XPlatVerify", "XPlatDockerfile", "XPlatPlatform",
                "XPlatSupport",
                "XPlatTestSupport", "XPlatRegistry",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
