// The README's "From your own tests" example, as it is printed there (between the markers): a test
// that imports XPlatVerify and checks every platform of a published image. Here the image is the
// engine-made `good:list`, copied into an OCI layout; any SOURCE `xplat verify` takes works the same.

import Testing
import XPlatPlatform
import XPlatVerify

@Test(ImageEngine.enabled) func publishedImageHoldsOnlyItsOwnBinaries() async throws {
    guard await ImageEngine.usable("README example") else { return }
    let image = try await ImageEngine.images.value.goodLayout
    // README example begins
    let platforms = try ["linux/amd64", "linux/arm64", "linux/arm/v7"].map { try Platform(parsing: $0) }
    let report = try await ImageVerifier().verify(image, platforms: platforms)
    #expect(report.ok, "\(report.problemLines.joined(separator: "\n"))")
    #expect(report.roots(platform: "linux/arm64").first?.elf == 1)
    // README example ends
}
