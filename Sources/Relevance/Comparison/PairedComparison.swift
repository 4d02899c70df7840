/// Two systems compared on one metric, query by query: how often B beats A, by how much on average, and how likely
/// a difference that large would be if the systems were interchangeable.
///
/// Pairs are taken over every query either evaluation scored; a query one side lacks (or a metric missing for a
/// query) counts 0 on that side, as ``Evaluator`` counts a query the run has no ranking for. So the means here
/// can differ from an ``Evaluation``'s own mean when the two evaluations cover different queries.
public struct PairedComparison: Sendable, Equatable {
    /// A per-query difference within this of 0 is a tie: metric values that differ only by rounding.
    public static let tieTolerance = 1e-9

    public let metric: Metric
    /// Queries paired: the union of both evaluations' queries.
    public let queryCount: Int
    /// Queries where B scores more than `tieTolerance` above A.
    public let wins: Int
    /// Queries where B scores more than `tieTolerance` below A.
    public let losses: Int
    /// The other queries.
    public let ties: Int
    /// Mean of A's scores over the paired queries; 0 when there are none.
    public let meanA: Double
    /// Mean of B's scores over the paired queries; 0 when there are none.
    public let meanB: Double
    /// Mean of B − A, positive when B is better on average.
    public let meanDifference: Double
    /// Two-sided p-value of the paired randomisation test (see ``RandomizationTest``).
    public let randomizationP: Double
    /// Whether `randomizationP` counted every sign assignment (exact) rather than sampling them.
    public let randomizationIsExact: Bool
    /// Two-sided p-value of the paired Student t-test (see ``pairedTTestP(differences:)``).
    public let tTestP: Double

    /// Compares `b` against `a` (differences are B − A) on `metric`.
    public init(a: Evaluation, b: Evaluation, metric: Metric, randomization: RandomizationTest = RandomizationTest()) {
        // Sorted, so sums and the random sign flips follow the same queries in the same order on every run.
        let queryIDs = Set(a.perQuery.keys).union(b.perQuery.keys).sorted()
        let scoresA = queryIDs.map { a.perQuery[$0]?[metric] ?? 0 }
        let scoresB = queryIDs.map { b.perQuery[$0]?[metric] ?? 0 }
        let differences = zip(scoresB, scoresA).map { $0 - $1 }
        let count = Double(max(queryIDs.count, 1))
        self.metric = metric
        self.queryCount = queryIDs.count
        self.wins = differences.count { $0 > Self.tieTolerance }
        self.losses = differences.count { $0 < -Self.tieTolerance }
        self.ties = queryIDs.count - wins - losses
        self.meanA = scoresA.reduce(0, +) / count
        self.meanB = scoresB.reduce(0, +) / count
        self.meanDifference = differences.reduce(0, +) / count
        let randomized = randomization.pValue(differences: differences)
        self.randomizationP = randomized.p
        self.randomizationIsExact = randomized.exact
        self.tTestP = Self.pairedTTestP(differences: differences)
    }

    /// Two-sided p-value of the paired t-test on `differences`: t = mean / (sd / √n) with the sample standard
    /// deviation, read from Student's t with n − 1 degrees of freedom.
    ///
    /// Where the statistic is undefined the answer is its limit or the cautious one:
    /// - fewer than 2 differences: 1, since one pair says nothing about how much pairs vary;
    /// - every difference 0: 1 (t = 0/0), the systems are indistinguishable;
    /// - every difference the same nonzero value: 0 (t = ±∞), the limit as the spread goes to 0. The t-test
    ///   overstates the evidence here; the randomisation p (2 / 2^n exactly) is the one to read.
    public static func pairedTTestP(differences: [Double]) -> Double {
        guard differences.count >= 2 else { return 1 }
        if differences.allSatisfy({ $0 == differences[0] }) {
            return differences[0] == 0 ? 1 : 0
        }
        let count = Double(differences.count)
        let mean = differences.reduce(0, +) / count
        // Two passes (mean, then squared deviations) rather than Σx² − n·mean², which cancels badly.
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1)
        // Only reachable by underflow (differences near 1e-300): treat as no spread, like the equal case above.
        guard variance > 0 else { return mean == 0 ? 1 : 0 }
        let t = mean / (variance.squareRoot() / count.squareRoot())
        return StudentT.twoSidedP(t, degreesOfFreedom: count - 1)
    }
}
