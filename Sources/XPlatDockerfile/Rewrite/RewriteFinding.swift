// Why the rewriter left a build stage, as findings with an id, a place and a fix: the same
// `file:line:column: warning: XP1nn name: message` form as the linter's, in `xplat rewrite`,
// `xplat lint` (`RewriteResult.stageFindings`) and both JSON documents. The ids are XP1nn so they never
// collide with the linter's XP0nn rules.

/// The reasons a build stage is left on the target platform.
public enum RewriteRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// A test run (`go test`, `cargo test`, `make check`, `make test`, `ctest`) or a freshly built binary run.
    case runsTargetCode = "runs-target-code"
    /// The Go code needs cgo and the stage's image has no way to a target C toolchain xplat can wire.
    case cgoUnwired = "cgo-unwired"
    /// Target libraries (-dev packages, -sys crates) that xplat cannot install for the target here.
    case targetLibraries = "target-libraries"
    /// A Makefile, script or build system whose content is not visible, or not enough, to cross-compile.
    case opaqueBuild = "opaque-build"
    /// npm/pip installs that may build native add-ons for the machine they run on.
    case nativeAddons = "native-addons"
    /// `uname -m` and friends pick files; after the move they would see the build machine.
    case archProbe = "arch-probe"
    /// A compiler target fixed in the command (`cargo --target x86_64-...`, `zig -Dtarget`).
    case fixedTarget = "fixed-target"
    /// An exec-form (JSON) RUN cannot take the cross-compilation environment.
    case execForm = "exec-form"

    /// `XP101` ...
    public var id: String {
        switch self {
        case .runsTargetCode: return "XP101"
        case .cgoUnwired: return "XP102"
        case .targetLibraries: return "XP103"
        case .opaqueBuild: return "XP104"
        case .nativeAddons: return "XP105"
        case .archProbe: return "XP106"
        case .fixedTarget: return "XP107"
        case .execForm: return "XP108"
        }
    }
}

/// One reason a stage was left, at the place that shows it.
public struct RewriteFinding: DockerfileFinding, Hashable, Codable {
    public var rule: RewriteRule
    public var file: String
    public var line: Int
    /// 1-based, in characters.
    public var column: Int
    /// The stage left.
    public var stage: Int
    public var message: String
    public var fix: String?

    /// Always `warning`: a stage left as it is still builds (under emulation for foreign platforms).
    public var severity: Severity { .warning }
    /// `XP101`.
    public var id: String { rule.id }
    /// `runs-target-code`.
    public var ruleName: String { rule.rawValue }
}
