import Testing

@testable import XPlatDockerfile

@Suite("RunClassifier")
struct RunClassifierTests {
    @Test(
        "toolchains: compile steps in command position, in order of first use",
        arguments: [
            ("go build -o /out/app .", [Toolchain.go]),
            ("CGO_ENABLED=0 go install ./cmd/app", [.go]),
            ("go install golang.org/x/tools/cmd/stringer@latest", [.go]),
            ("cargo build --release && make install", [.rust, .c]),
            ("./configure && make", [.c]),
            ("zig build -Doptimize=ReleaseSmall", [.zig]),
            ("GOARCH=arm64 make", [.go]),
            ("echo make gcc go build", []),
            ("go mod download", []),
        ])
    func toolchains(command: String, expected: [Toolchain]) {
        #expect(RunClassifier.toolchains(command) == expected, "\(command)")
    }

    @Test(
        "heavy: compiling or installing packages; light: the rest",
        arguments: [
            ("go build -o /out/app .", true),
            ("go mod download", true),
            ("set -eux; apt-get update && apt-get install -y curl", true),
            ("DEBIAN_FRONTEND=noninteractive apt install -y make", true),
            ("apk add --no-cache git", true),
            ("pip3 install -r requirements.txt", true),
            ("npm ci", true),
            ("aarch64-linux-gnu-gcc -o hello hello.c", true),
            ("make", true),
            ("mkdir -p /out && uname -m > /out/machine", false),
            ("echo \"built for $(cat /out/machine)\" > /out/greeting && cp /bin/busybox /out/busybox", false),
            ("echo apt-get make go", false),
            ("chmod +x /hello", false),
        ])
    func heavy(command: String, expected: Bool) {
        #expect(RunClassifier.isHeavy(command) == expected, "\(command)")
    }
}
