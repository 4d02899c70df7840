// What every benchmark program needs: reading the corpora, percentiles, and the machine facts
// recorded next to each figure.
import Benchmarks
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
    values.isEmpty ? nil : LatencySummary.nearestRank(values.sorted(), p)
}

/// CPU, cores, memory, versions, commit, load and date, for every report (the same facts `loupe bench` records).
public func machineFacts(postgres: [String: String] = [:]) -> [String: String] {
    MachineFacts.collect(postgres: postgres)
}

/// Runs a benchmark's body: an error (a bad option, a database that cannot be reached) is printed on one line
/// of standard error and ends the program with status 1, instead of a top-level trap with a backtrace.
public func runBenchmark(_ body: () async throws -> Void) async {
    do {
        try await body()
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}
