// Ctrl-C as task cancellation: SIGINT/SIGTERM cancel the operation instead of killing the process,
// so the operation's children are stopped and its temporary files removed before xplat exits 130.

import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs work that a signal cancels.
public enum Interrupts {
    /// Runs `operation` in a task that SIGINT or SIGTERM cancels. Returns its result and whether a
    /// signal arrived. A second signal while cleaning up ends the process at once (exit 130).
    public static func cancellingOnSignals<T: Sendable>(
        _ signals: [Int32] = [SIGINT, SIGTERM],
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> (result: Result<T, any Error>, interrupted: Bool) {
        let task = Task { try await operation() }
        let hits = Mutex(0)
        let queue = DispatchQueue(label: "xplat.signals")
        var sources: [any DispatchSourceSignal] = []
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                let n = hits.withLock {
                    $0 += 1; return $0
                }
                if n > 1 { _exit(130) }
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        let result = await task.result
        for source in sources { source.cancel() }
        for sig in signals { signal(sig, SIG_DFL) }
        return (result, hits.withLock { $0 } > 0)
    }
}
