/// The paired randomisation (sign-flip permutation) test: if two systems were interchangeable, each query's
/// difference would be as likely to have the opposite sign, so the p-value is the share of sign assignments whose
/// mean difference is at least as far from 0 as the one observed. Two-sided; makes no assumption about the
/// distribution of the differences (Fisher; Smucker, Allan and Carterette, CIKM 2007, for its use in IR).
///
/// Deterministic: a fixed seed drives the sampling, and few enough queries are enumerated exactly.
public struct RandomizationTest: Sendable, Equatable {
    /// The default seed ("Loupe" in ASCII), so every report samples the same sign flips.
    public static let defaultSeed: UInt64 = 0x4C_6F_75_70_65

    /// The largest ``exactUpTo`` honoured: 2^24 sums is already seconds in a debug build.
    public static let exactLimit = 24

    /// Random sign assignments drawn when the test samples.
    public var trials: Int
    /// Seed of the ``SplitMix64`` generator that draws them.
    public var seed: UInt64
    /// Up to this many nonzero differences, every one of the 2^n sign assignments is counted instead of sampling
    /// them: the exact p-value, at a cost (2^20 ≈ 1M sums) below that of 10,000 trials over a few thousand queries.
    /// 0 samples whenever any difference is nonzero; values above ``exactLimit`` act as ``exactLimit``.
    public var exactUpTo: Int

    public init(trials: Int = 10_000, seed: UInt64 = RandomizationTest.defaultSeed, exactUpTo: Int = 20) {
        self.trials = trials
        self.seed = seed
        self.exactUpTo = exactUpTo
    }

    /// The p-value for paired differences (B − A per query), and whether it is exact.
    ///
    /// Sampled: (assignments with |mean| ≥ |observed mean| − 1e-12, plus 1) / (trials + 1); counting the observed
    /// assignment once keeps p above 0, as a p-value estimated from samples must be. Exact: (assignments with
    /// |mean| ≥ |observed mean| − 1e-12) / 2^n, the observed one among them. The 1e-12 slack counts sums that equal
    /// the observed one but for rounding. Differences of exactly 0 cannot change any sum under a sign flip, so they
    /// are left out of the enumeration (they still count in the mean); no differences at all gives 1.
    public func pValue(differences: [Double]) -> (p: Double, exact: Bool) {
        guard !differences.isEmpty else { return (1, true) }
        let count = Double(differences.count)
        let moving = differences.filter { $0 != 0 }
        if moving.count <= min(exactUpTo, Self.exactLimit) {
            return (exactP(moving, count: count), true)
        }
        return (sampledP(moving, count: count), false)
    }

    private func sampledP(_ differences: [Double], count: Double) -> Double {
        let threshold = abs(differences.reduce(0, +) / count) - 1e-12
        var generator = SplitMix64(seed: seed)
        var atLeastAsExtreme = 0
        for _ in 0..<max(trials, 0) {
            var sum = 0.0
            var bits: UInt64 = 0
            var bitsLeft = 0
            for difference in differences {
                if bitsLeft == 0 {
                    bits = generator.next()
                    bitsLeft = 64
                }
                sum += bits & 1 == 0 ? difference : -difference
                bits >>= 1
                bitsLeft -= 1
            }
            if abs(sum / count) >= threshold { atLeastAsExtreme += 1 }
        }
        return Double(atLeastAsExtreme + 1) / Double(max(trials, 0) + 1)
    }

    /// Meets in the middle: every signed sum of each half of the differences, then every pairing of the two. Each
    /// total is one addition of two directly computed sums, so equal totals stay equal to the last bit or so, which
    /// a running (Gray code) sum over a million flips would not promise.
    private func exactP(_ differences: [Double], count: Double) -> Double {
        let half = differences.count / 2
        let low = Self.signedSums(differences[..<half])
        let high = Self.signedSums(differences[half...])
        // Mask 0 in both halves is the observed assignment.
        let threshold = abs((low[0] + high[0]) / count) - 1e-12
        var atLeastAsExtreme = 0
        for lowSum in low {
            for highSum in high where abs((lowSum + highSum) / count) >= threshold {
                atLeastAsExtreme += 1
            }
        }
        return Double(atLeastAsExtreme) / Double(low.count * high.count)
    }

    /// For each mask below 2^n, the sum of the values with those whose bit is set negated, added in order.
    private static func signedSums(_ values: ArraySlice<Double>) -> [Double] {
        (0..<(1 << values.count)).map { mask in
            var sum = 0.0
            for (bit, value) in values.enumerated() {
                sum += mask & (1 << bit) == 0 ? value : -value
            }
            return sum
        }
    }
}
