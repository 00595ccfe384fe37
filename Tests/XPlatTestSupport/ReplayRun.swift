// One replayed recording of xplat's own builds: the transcript, a TMPDIR and an output folder of
// its own, and the replayer that maps the recording's placeholders to this run's folders.

import Foundation

/// A transcript replayed into fresh folders: `$OUT` and `$TMP` are this run's, `$BKA`, `$BKB` and
/// `$BKC` the recorded builders' sockets, and the contexts are the placeholders given (in order:
/// `$CTX0` before `$CTX`, since a placeholder is replaced wherever it occurs).
public struct ReplayRun: Sendable {
    public let transcript: Transcript
    /// The build's TMPDIR (its temporary folders land here).
    public let tmp: String
    /// The folder the recording's outputs were written to (`$OUT`).
    public let out: String
    public let replayer: TranscriptReplayer

    /// Loads the transcript at `path`; `prefix` names the two temporary folders. `substitutions`
    /// map more of the recording's text to this run's (an image name built under, say), applied last.
    public init(_ path: String, prefix: String, contexts: [(String, String)], substitutions: [(String, String)] = [])
        throws
    {
        transcript = try Transcript.load(path)
        tmp = try makeTemporaryDirectory("\(prefix)-tmp")
        out = try makeTemporaryDirectory("\(prefix)-out")
        replayer = TranscriptReplayer(
            transcript,
            placeholders: Placeholders(
                [("$OUT", out)] + contexts + [
                    ("$TMP", tmp), ("$BKA", "/run/bk-a.sock"), ("$BKB", "/run/bk-b.sock"), ("$BKC", "/run/bk-c.sock"),
                ] + substitutions))
    }

    /// Removes the two folders.
    public func remove() {
        removeTree(tmp)
        removeTree(out)
    }
}
