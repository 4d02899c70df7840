import Foundation
import InvertedIndex
import Testing

/// Measures analysis speed over SciFact; it reports and never fails on time. Opt in, and build optimised:
///
///     LOUPE_MEASURE_ANALYSIS=1 swift test -c release --filter AnalysisThroughputTests
@Suite struct AnalysisThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LOUPE_MEASURE_ANALYSIS"] != nil))
    func sciFactThroughput() throws {
        let documents = try SciFactCorpus.documents().map(\.text)
        let bytes = documents.reduce(0) { $0 + $1.utf8.count }
        let analyzer = EnglishAnalyzer()

        func best(of rounds: Int, _ body: () -> Int) -> Double {
            var fastest = Double.infinity
            for _ in 0..<rounds {
                let clock = ContinuousClock()
                var sink = 0
                let elapsed = clock.measure { sink = body() }
                precondition(sink >= 0)
                fastest = min(fastest, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            return fastest
        }
        let measurements = [
            ("tokenize", best(of: 5) { documents.reduce(0) { $0 + DefaultParser.tokens(in: $1).count } }),
            ("analyze", best(of: 5) { documents.reduce(0) { $0 + analyzer.analyze($1).count } }),
            ("vector", best(of: 5) { documents.reduce(0) { $0 + analyzer.vector($1).positions.count } }),
        ]
        for (name, seconds) in measurements {
            let perSecond = Double(documents.count) / seconds
            let megabytes = Double(bytes) / seconds / 1_000_000
            print("\(name): \(Int(perSecond)) documents/s, \((megabytes * 10).rounded() / 10) MB/s "
                + "(\(documents.count) SciFact documents, \(bytes) bytes, best of 5)")
        }
    }
}
