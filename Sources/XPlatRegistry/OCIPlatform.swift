import Foundation

/// The platform of an index entry or an image config (`os`, `architecture`, `variant`, ...).
public struct OCIPlatform: Codable, Sendable, Hashable {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    /// `linux/arm/v7`.
    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }
}
