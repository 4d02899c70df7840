import DocumentSources
import Foundation
import Synchronization
import Testing

@Suite struct ProgressTests {
    @Test func numbersAreFormattedForPeople() {
        #expect(ProgressLine.count(0) == "0")
        #expect(ProgressLine.count(999) == "999")
        #expect(ProgressLine.count(1_234_567) == "1,234,567")
        #expect(ProgressLine.megabytes(7_977_181) == "8.0")
        #expect(ProgressLine.megabytes(123_456) == "0.1")
        #expect(ProgressLine.duration(7) == "0:07")
        #expect(ProgressLine.duration(754) == "12:34")
        #expect(ProgressLine.duration(3723) == "1:02:03")
        #expect(ProgressLine.gauge(0.5, width: 10) == "#####-----")
        #expect(ProgressLine.gauge(nil, width: 4) == "----")
        #expect(ProgressLine.gauge(1.7, width: 4) == "####")
    }

    @Test func theBarShowsFractionCountsRateAndETA() {
        let snapshot = ProgressSnapshot(
            documents: 20_000, bytes: 2_000_000, totalBytes: 8_000_000, problems: 2, elapsed: .seconds(10))
        #expect(snapshot.fraction == 0.25)
        #expect(snapshot.documentsPerSecond == 2_000)
        #expect(snapshot.remainingSeconds == 30)
        let bar = ProgressLine.bar(snapshot, label: "import", width: 120)
        #expect(bar == "import [##########------------------------------]   25%  20,000 docs  2.0/8.0 MB  2,000 docs/s  ETA 0:30  2 errors")
        #expect(bar.count <= 120)
        // Narrow terminals keep the numbers and drop the gauge.
        let narrow = ProgressLine.bar(snapshot, label: "import", width: 60)
        #expect(!narrow.contains("[") && narrow.count < 60)
    }

    @Test func withoutATotalTheETAIsUnknown() {
        let snapshot = ProgressSnapshot(documents: 500, bytes: 1_000, elapsed: .seconds(2))
        #expect(snapshot.fraction == nil)
        #expect(ProgressLine.bar(snapshot, width: 100).contains("ETA --:--"))
        #expect(ProgressLine.log(snapshot, label: "import") == "import: 500 docs, 0.0 MB, 250 docs/s, 0 errors")
        let counted = ProgressSnapshot(documents: 50, totalDocuments: 200, elapsed: .seconds(5))
        #expect(ProgressLine.log(counted, label: "reindex") == "reindex:  25% 50/200 docs, 10 docs/s, ETA 0:15, 0 errors")
    }

    final class Clock: Sendable {
        let instant = Mutex(ContinuousClock.now)
        func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
        func now() -> ContinuousClock.Instant { instant.withLock { $0 } }
    }

    final class Output: Sendable {
        let text = Mutex("")
        func write(_ piece: String) { text.withLock { $0 += piece } }
        var value: String { text.withLock { $0 } }
    }

    @Test func onATerminalTheBarIsRedrawnInPlaceAndMessagesPrintAboveIt() {
        let clock = Clock(), output = Output()
        let reporter = ProgressReporter(
            label: "import", style: .bar, width: 100, redrawInterval: .milliseconds(200),
            now: { clock.now() }, write: { output.write($0) })
        reporter.update(ProgressSnapshot(documents: 1, elapsed: .seconds(1)))
        reporter.update(ProgressSnapshot(documents: 2, elapsed: .seconds(1)))  // too soon: not drawn
        clock.advance(.milliseconds(250))
        reporter.update(ProgressSnapshot(documents: 3, elapsed: .seconds(1)))
        reporter.message("bad record: x.jsonl:3: nope")
        reporter.finish(ProgressSnapshot(documents: 4, elapsed: .seconds(2)), summary: "imported 4")
        let text = output.value
        #expect(text.components(separatedBy: "\r").count - 1 >= 3)
        #expect(text.contains("]  1 docs") && !text.contains("]  2 docs") && text.contains("]  3 docs"))
        #expect(text.contains("\r\u{1B}[Kbad record: x.jsonl:3: nope\n"))
        #expect(text.hasSuffix(" 4 docs  2 docs/s  ETA --:--\u{1B}[K\nimported 4\n"))
    }

    @Test func offATerminalItLogsALineEveryFewSecondsAndAlwaysTheSummary() {
        let clock = Clock(), output = Output()
        let reporter = ProgressReporter(
            label: "import", style: .log, logInterval: .seconds(5), now: { clock.now() }, write: { output.write($0) })
        for step in 1...12 {
            reporter.update(ProgressSnapshot(documents: step * 100, elapsed: .seconds(step)))
            clock.advance(.seconds(1))
        }
        reporter.message("bad record: a:1: b")
        reporter.finish(ProgressSnapshot(documents: 1_200, elapsed: .seconds(12)), summary: "imported 1,200")
        let lines = output.value.split(separator: "\n").map(String.init)
        #expect(!output.value.contains("\r") && !output.value.contains("\u{1B}"))
        #expect(lines == [
            "import: 600 docs, 100 docs/s, 0 errors",
            "import: 1,100 docs, 100 docs/s, 0 errors",
            "bad record: a:1: b",
            "imported 1,200",
        ])
    }
}
