import Foundation
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A one-request HTTP/1.0 GET over a Unix socket: enough to ask a docker daemon for `/_ping` and
/// `/version`, with no networking stack beyond the socket. Registries are asked through
/// XPlatRegistry's client (TLS, docker's CA files).
enum HTTPProbe {
    struct Response: Sendable {
        var status: Int
        var body: String
    }

    enum Target {
        case unix(String)
    }

    /// `connect(2)` with any `sockaddr_*` value.
    static func connectSocket<Address>(_ fd: Int32, _ address: inout Address) -> Int32 {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<Address>.size))
            }
        }
    }

    static func get(_ target: Target, path: String, timeout: Double = 1) -> Result<Response, HostProbeError> {
        let fd: Int32
        switch target {
        case .unix(let socketPath):
            switch connectUnix(to: socketPath, timeout: timeout) {
            case .success(let connected): fd = connected
            case .failure(let error): return .failure(error)
            }
        }
        defer { close(fd) }
        let request = "GET \(path) HTTP/1.0\r\nHost: localhost\r\nUser-Agent: xplat-doctor\r\n\r\n"
        let sent = request.utf8CString.withUnsafeBufferPointer {
            send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL))
        }
        guard sent > 0 else { return .failure(.network("send: \(errorText(errno))")) }
        let data: [UInt8]
        switch receiveAnswer(from: fd) {
        case .success(let received): data = received
        case .failure(let error): return .failure(error)
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix("HTTP/"), let statusText = text.split(separator: " ").dropFirst().first,
            let status = Int(statusText)
        else {
            return .failure(.network("not an HTTP answer: \(String(text.prefix(40)).debugDescription)"))
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return .success(Response(status: status, body: body))
    }

    /// A stream socket connected to the Unix socket at `socketPath`, with `timeout` on sends and receives.
    private static func connectUnix(to socketPath: String, timeout: Double) -> Result<Int32, HostProbeError> {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.network(errorText(errno))) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            return .failure(.network("socket path too long: \(socketPath)"))
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        setTimeouts(fd, timeout)
        let rc = connectSocket(fd, &addr)
        guard rc == 0 else {
            let e = errno
            close(fd)
            return .failure(.network("\(socketPath): \(errorText(e))"))
        }
        return .success(fd)
    }

    /// The answer's bytes until the peer closes (at most 1 MiB); a failure only when nothing came.
    private static func receiveAnswer(from fd: Int32) -> Result<[UInt8], HostProbeError> {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                data += buffer[0..<n]
            } else if n == 0 {
                break
            } else if errno == EINTR {
                continue
            } else {
                if data.isEmpty { return .failure(.network("no answer: \(errorText(errno))")) }
                break
            }
        }
        return .success(data)
    }

    private static func setTimeouts(_ fd: Int32, _ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}
