import Foundation

/// How fast a reindex may go, so it leaves room for the application's own queries.
public enum ReindexThrottle: Sendable, Hashable, CustomStringConvertible {
    case none
    /// A pause after every batch.
    case pause(Duration)
    /// At most this many documents per second, on average.
    case rate(Double)

    /// `250ms`, `2s` (a pause) or `5000/s` (a rate).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "none" || trimmed == "0" {
            self = .none
        } else if trimmed.hasSuffix("/s"), let rate = Double(trimmed.dropLast(2)), rate > 0, rate.isFinite {
            self = .rate(rate)
        } else if trimmed.hasSuffix("ms"), let value = Int(trimmed.dropLast(2)), value >= 0 {
            self = .pause(.milliseconds(value))
        } else if trimmed.hasSuffix("s"), let value = Double(trimmed.dropLast(1)), value >= 0, value.isFinite {
            self = .pause(.milliseconds(Int(value * 1000)))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .pause(let pause): "\(pause / .milliseconds(1))ms pause per batch"
        case .rate(let rate): "\(Int(rate)) documents/s"
        }
    }

    /// How long to wait after `documents` were done in `elapsed`.
    func delay(documents: Int, elapsed: Duration) -> Duration {
        switch self {
        case .none: return .zero
        case .pause(let pause): return pause
        case .rate(let rate):
            let due = Duration.milliseconds(Int(Double(documents) / rate * 1000))
            return due > elapsed ? due - elapsed : .zero
        }
    }
}

public struct ReindexOptions: Sendable {
    /// Documents per batch (one short transaction each).
    public var batchSize: Int
    public var throttle: ReindexThrottle
    /// Continue the collection's unfinished reindex from its checkpoint.
    public var resume: Bool
    /// Clean the GIN pending lists after about this many rewritten documents.
    public var cleanPendingListEvery: Int

    /// Batches rewritten at once, each on its own connection (at most the pool's connections).
    public var parallelism: Int

    public init(
        batchSize: Int = 1_000, throttle: ReindexThrottle = .none, resume: Bool = false, cleanPendingListEvery: Int = 20_000,
        parallelism: Int = 2
    ) {
        self.batchSize = batchSize
        self.parallelism = parallelism
        self.throttle = throttle
        self.resume = resume
        self.cleanPendingListEvery = cleanPendingListEvery
    }
}

public struct ReindexProgress: Sendable {
    /// Documents looked at, and how many the collection holds (live and deleted).
    public var documents: Int
    public var totalDocuments: Int
    /// Documents whose vectors were stale (rewritten, or that would be).
    public var stale: Int
    public var elapsed: Duration
}

public struct ReindexSummary: Sendable {
    public var resumed: Bool
    /// Documents looked at by this run.
    public var documents: Int
    /// Documents rewritten (stale vectors), by this run.
    public var rewritten: Int
    /// GIN pending-list pages cleaned along the way.
    public var pendingPagesCleaned: Int
    /// Transactions (batches, or skipped documents rewritten alone) run again after losing a deadlock or
    /// serialization race with the application's writes.
    public var retried: Int = 0
    public var elapsed: Duration
    /// Of `elapsed`: the batches (with GIN pending-list cleaning), then the move of the reference length and
    /// the impacts (`ImpactRefresh`); the packing comes last.
    public var rewriting: Duration = .zero
    public var impactRefresh: Duration = .zero
    /// The build of the collection's packed postings at the end, when the run left them stale.
    public var packing: PostingsPacker.Summary? = nil
}

/// Documents whose stored vectors differ from what the collection's settings give now.
public struct StaleVectorReport: Sendable {
    public var documents: Int
    public var stale: Int
    /// A few stale documents' ids, for a dry run to show.
    public var examples: [String]
    public var elapsed: Duration
}

/// The state of a GIN index's pending list (entries waiting to be merged into the index proper).
public struct PendingListState: Sendable {
    public var index: String
    /// Pages in the pending list; nil when the pgstattuple extension is not installed to read it.
    public var pages: Int?
    /// Tuples in the pending list; nil like `pages`.
    public var tuples: Int?
}
