// `xplat-bench ITERATIONS FILE...`: parse + rewrite every file ITERATIONS times in one process and
// print the figures (files/s, ms per file). Run through `Scripts/bench-rewrite`.

import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2, let iterations = Int(arguments[0]), iterations > 0 else {
    FileHandle.standardError.write(Data("usage: xplat-bench ITERATIONS FILE...\n".utf8))
    exit(64)
}
var files: [(name: String, bytes: [UInt8])] = []
for path in arguments.dropFirst() {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("xplat-bench: cannot read \(path)\n".utf8))
        exit(2)
    }
    files.append((path, Array(data)))
}
print(RewriteBenchmark.run(files: files, iterations: iterations))
