extension Duration {
    /// Seconds as a Double, for reports and metadata (the one conversion xplat uses).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
