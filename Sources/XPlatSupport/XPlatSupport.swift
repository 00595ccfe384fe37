// XPlatSupport: what every service of xplat shares, below the services and above XPlatSystem.
//
// - Processes: services never spawn one themselves; they take a `CommandRunner`
//   (CommandRunner.swift). `SubprocessRunner` is the real one; `ShellQuote` shows a command a user
//   can paste and splits one the way a POSIX shell does.
// - Flag values as docker and buildx read them: `KeyValue` (`KEY=VALUE`) and `CSVFields` (one line
//   of CSV).
// - The terminal: `Style` (colour only on a TTY, never under NO_COLOR) and `StandardError`.
// - Ctrl-C as task cancellation (`Interrupts`), the exit codes `XPlatExit`, and
//   `Duration.seconds`.
//
// Services that run processes also write files: XPlatSupport hands them the bottom layer's file
// helpers (errno text, atomic writes, user file reads, temporary folders) with one import, the
// re-export below (the one statement in this guide).

@_exported import XPlatSystem
