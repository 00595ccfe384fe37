// The tests' plain registry on 127.0.0.1:5000 (Scripts/setup --tests starts it): whether it is
// there, for suites that push to it and skip visibly without it.

import Foundation

/// The plain registry the tests push to.
public enum LocalRegistry {
    /// True when something listens on 127.0.0.1:5000.
    public static let listening: Bool = {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(5000).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }()
}
