// What every benchmark program needs: reading the corpora, percentiles, and the machine facts
// recorded next to each figure.
import Foundation

public struct BenchError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A file's text; `.gz` files are decompressed with the system's gzip.
public func readText(_ path: String) throws -> String {
    guard path.hasSuffix(".gz") else { return try String(contentsOfFile: path, encoding: .utf8) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-dc", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchError("gzip could not read \(path)") }
    return String(decoding: data, as: UTF8.self)
}

/// The value at fraction `p` (0.5 = median) of `values`, nearest rank; nil when empty.
public func percentile(_ values: [Double], _ p: Double) -> Double? {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return nil }
    return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
}

/// CPU, cores, memory, PostgreSQL version, commit, load and date, for every report.
public func machineFacts() -> [String: String] {
    [
        "date": ISO8601DateFormatter().string(from: Date()),
        "cpu": shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
        "cores": shell("nproc"),
        "memory": shell("free -g | awk '/Mem:/ {print $2 \" GiB\"}'"),
        "postgresql": shell("psql --version"),
        "commit": shell("git rev-parse --short HEAD"),
        "load": shell("cat /proc/loadavg"),
    ]
}

func shell(_ command: String) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    try? process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
