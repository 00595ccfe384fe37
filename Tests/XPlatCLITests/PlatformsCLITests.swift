import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

@Suite("xplat platforms (end to end)")
struct PlatformsCLITests {
    @Test("explains an alias on stdout with exit 0")
    func explains() async throws {
        let out = try await XPlatBinary.run(["platforms", "armhf"])
        #expect(out.exitCode == 0)
        #expect(out.stdout.hasPrefix("armhf -> linux/arm/v7\n"))
        #expect(out.stdout.contains("GOARCH=arm GOARM=7"))
        #expect(out.stderr.isEmpty)
    }

    @Test("--json is valid JSON with the normalized platform")
    func json() async throws {
        let out = try await XPlatBinary.run(["platforms", "--json", "x86_64/v3"])
        #expect(out.exitCode == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.first?["platform"] as? String == "linux/amd64/v3")
        #expect((rows?.first?["info"] as? [String: Any])?["goamd64"] as? String == "v3")
    }

    @Test("a bad platform exits 2 and quotes the input on stderr")
    func rejects() async throws {
        let out = try await XPlatBinary.run(["platforms", "linux/sparc"])
        #expect(out.exitCode == 2)
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.contains("\"linux/sparc\"") && out.stderr.contains("unknown architecture"))
    }

    @Test("an unknown flag is a usage error (64)")
    func usage() async throws {
        let out = try await XPlatBinary.run(["platforms", "--frobnicate"])
        #expect(out.exitCode == 64)
    }
}
