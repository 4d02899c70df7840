import Foundation
import Relevance
import Testing

/// p-values from iterative special functions: compare to 1e-9, far below any reported digit.
private func close(_ value: Double, _ expected: Double, within tolerance: Double = 1e-9) -> Bool {
    abs(value - expected) < tolerance
}

/// An evaluation of one metric, nDCG@10, from per-query scores.
private func evaluation(_ scores: [String: Double]) -> Evaluation {
    Evaluation(perQuery: scores.mapValues { [.ndcg(10): $0] })
}

/// An evaluation with one query per score, named q00, q01, ... so their sorted order is the array's.
private func evaluation(_ scores: [Double]) -> Evaluation {
    evaluation(Dictionary(uniqueKeysWithValues: scores.enumerated().map { (String(format: "q%02d", $0.offset), $0.element) }))
}

@Suite struct PairedComparisonTests {
    @Test func countsWinsLossesAndTiesOverTheUnionOfQueries() {
        // q4 is missing from B and q5 from A: each counts 0 on the side that lacks it.
        let a = evaluation(["q1": 0.5, "q2": 0.3, "q3": 0.2, "q4": 0.4])
        let b = evaluation(["q1": 0.7, "q2": 0.3, "q3": 0.1, "q5": 0.6])
        let comparison = PairedComparison(a: a, b: b, metric: .ndcg(10))
        // B − A: q1 +0.2 win, q2 0 tie, q3 −0.1 loss, q4 0 − 0.4 loss, q5 0.6 − 0 win
        #expect(comparison.queryCount == 5)
        #expect((comparison.wins, comparison.losses, comparison.ties) == (2, 2, 1))
        // A: (0.5 + 0.3 + 0.2 + 0.4 + 0) / 5 = 0.28; B: (0.7 + 0.3 + 0.1 + 0 + 0.6) / 5 = 0.34; B − A = 0.06
        #expect(close(comparison.meanA, 0.28))
        #expect(close(comparison.meanB, 0.34))
        #expect(close(comparison.meanDifference, 0.06))
        // scipy 1.17.1: stats.ttest_rel([0.7, 0.3, 0.1, 0.0, 0.6], [0.5, 0.3, 0.2, 0.4, 0.0]).pvalue
        #expect(close(comparison.tTestP, 0.7362488681135833))
        // Four nonzero differences, all 16 sign flips enumerated: |±0.2 ± 0.1 ± 0.4 ± 0.6| ≥ 0.3 for 12 of them.
        // scipy 1.17.1 agrees: stats.permutation_test(..., permutation_type='samples', n_resamples=np.inf).pvalue
        #expect(comparison.randomizationIsExact)
        #expect(comparison.randomizationP == 0.75)
    }

    @Test func differencesWithinTheToleranceAreTies() {
        let a = evaluation(["q1": 0.3, "q2": 0.3, "q3": 0.3])
        let b = evaluation(["q1": 0.3 + 1e-12, "q2": 0.3 - 1e-12, "q3": 0.3 + 1e-6])
        let comparison = PairedComparison(a: a, b: b, metric: .ndcg(10))
        #expect((comparison.wins, comparison.losses, comparison.ties) == (1, 0, 2))
    }

    @Test func tTestMatchesScipy() {
        let a = evaluation([0.61, 0.42, 0.0, 1.0, 0.33, 0.5, 0.75, 0.2, 0.9, 0.1, 0.45, 0.66])
        let b = evaluation([0.70, 0.40, 0.1, 1.0, 0.50, 0.55, 0.80, 0.2, 0.95, 0.3, 0.40, 0.71])
        let comparison = PairedComparison(a: a, b: b, metric: .ndcg(10))
        // scipy 1.17.1: stats.ttest_rel(b, a) -> statistic 2.691946385511003, pvalue 0.02095614318863959 (df 11)
        #expect(close(comparison.tTestP, 0.02095614318863959))
        // Ten nonzero differences, 2^10 flips: 24 of 1024 as extreme. scipy's exact permutation_test (as above) and
        // a brute force over all 2^12 flips both give 0.0234375.
        #expect(comparison.randomizationIsExact)
        #expect(close(comparison.randomizationP, 0.0234375, within: 1e-15))
        #expect((comparison.wins, comparison.losses, comparison.ties) == (8, 2, 2))
        // scipy 1.17.1: stats.ttest_rel([0.3, 0.6, 0.1, 0.7, 0.8], [0.2, 0.5, 0.1, 0.9, 0.4]).pvalue
        #expect(close(PairedComparison.pairedTTestP(differences: [0.1, 0.1, 0, -0.2, 0.4]), 0.4556595399579709))
    }

    @Test func tTestDegenerateCases() {
        // Nothing or one pair: no spread to measure, no evidence.
        #expect(PairedComparison.pairedTTestP(differences: []) == 1)
        #expect(PairedComparison.pairedTTestP(differences: [0.4]) == 1)
        // Identical systems: t = 0/0, indistinguishable.
        #expect(PairedComparison.pairedTTestP(differences: [0, 0, 0]) == 1)
        // Same nonzero gain on every query: t = ±∞, the limit is 0.
        #expect(PairedComparison.pairedTTestP(differences: [0.1, 0.1, 0.1]) == 0)
        #expect(PairedComparison.pairedTTestP(differences: [-0.25, -0.25]) == 0)
    }

    @Test func noQueriesComparesAsNoDifference() {
        let comparison = PairedComparison(a: evaluation([String: Double]()), b: evaluation([String: Double]()), metric: .ndcg(10))
        #expect(comparison.queryCount == 0)
        #expect((comparison.wins, comparison.losses, comparison.ties) == (0, 0, 0))
        #expect((comparison.meanA, comparison.meanB, comparison.meanDifference) == (0, 0, 0))
        #expect(comparison.randomizationP == 1)
        #expect(comparison.tTestP == 1)
    }

    @Test func aMetricMissingFromAQueryCountsZero() {
        let a = Evaluation(perQuery: ["q1": [.ndcg(10): 0.5, .recall(100): 1], "q2": [.recall(100): 1]])
        let b = Evaluation(perQuery: ["q1": [.ndcg(10): 0.5], "q2": [.ndcg(10): 0.25]])
        let comparison = PairedComparison(a: a, b: b, metric: .ndcg(10))
        // q2 has no nDCG@10 in A: 0.25 − 0 is a win
        #expect((comparison.wins, comparison.losses, comparison.ties) == (1, 0, 1))
        #expect(comparison.meanA == 0.25)
    }
}

@Suite struct RandomizationTestTests {
    /// Thirty queries where B gains 0.03 to 0.07 on every one.
    let baseline = (0..<30).map { Double(($0 * 7) % 10) / 12 }
    var clearlyBetter: [Double] { baseline.enumerated().map { $0.element + 0.05 + Double($0.offset % 3 - 1) * 0.02 } }

    @Test func exactForATinyCaseEnumeratedByHand() {
        // Differences 0.1, 0.2, 0.3, mean 0.2. The 8 flips give |sum| 0.6 (twice), 0.4, 0.4, 0.2, 0.2, 0.0, 0.0:
        // only the observed assignment and its mirror reach 0.6, so p = 2/8.
        let exact = RandomizationTest().pValue(differences: [0.1, 0.2, 0.3])
        #expect(exact.exact)
        #expect(exact.p == 0.25)
        // Differences 0.5, −0.1, 0.2 (sum 0.6): sums 0.6, 0.8 and their mirrors reach it, so 4/8; 0.5 − 0.1 + 0.2
        // rounds differently from 0.6, which the 1e-12 slack absorbs.
        #expect(RandomizationTest().pValue(differences: [0.5, -0.1, 0.2]).p == 0.5)
        // Zeros cannot move a sum: still 2/8, not 2/32.
        #expect(RandomizationTest().pValue(differences: [0.1, 0, 0.2, 0, 0.3]).p == 0.25)
        // Same gain everywhere: only the observed flip and its mirror, 2 / 2^3.
        #expect(RandomizationTest().pValue(differences: [0.1, 0.1, 0.1]).p == 0.25)
    }

    @Test func samplingApproximatesTheExactValue() {
        let differences = [0.1, 0.2, 0.3]
        let sampled = RandomizationTest(trials: 20_000, exactUpTo: 0).pValue(differences: differences)
        #expect(!sampled.exact)
        // Binomial spread at p = 0.25 over 20,000 trials is about 0.003; the exact value is 0.25.
        #expect(close(sampled.p, 0.25, within: 0.015))
        let sixteen = (0..<16).map { Double($0 % 5) / 10 - 0.15 }
        let exact = RandomizationTest().pValue(differences: sixteen)
        let estimate = RandomizationTest(exactUpTo: 0).pValue(differences: sixteen)
        #expect(exact.exact && !estimate.exact)
        #expect(close(estimate.p, exact.p, within: 0.02))
    }

    @Test func sameSeedSamePValue() {
        let scores = (0..<40).map { Double(($0 * 13) % 17) / 17 }
        let other = scores.enumerated().map { $0.element + Double(($0.offset * 5) % 7 - 3) / 20 }
        let a = evaluation(scores), b = evaluation(other)
        let first = PairedComparison(a: a, b: b, metric: .ndcg(10))
        let second = PairedComparison(a: a, b: b, metric: .ndcg(10))
        #expect(!first.randomizationIsExact)
        #expect(first.randomizationP == second.randomizationP)
        let reseeded = PairedComparison(a: a, b: b, metric: .ndcg(10), randomization: RandomizationTest(seed: 7))
        #expect(close(reseeded.randomizationP, first.randomizationP, within: 0.03))
    }

    @Test func identicalSystemsScoreOne() {
        let comparison = PairedComparison(a: evaluation(baseline), b: evaluation(baseline), metric: .ndcg(10))
        #expect(comparison.randomizationP == 1)
        #expect(comparison.tTestP == 1)
        #expect(comparison.ties == 30)
        // Sampling agrees: every flip of all-zero differences is as extreme, (10,000 + 1) / (10,000 + 1).
        #expect(RandomizationTest(exactUpTo: 0).pValue(differences: Array(repeating: 0, count: 30)).p == 1)
    }

    @Test func aClearlyBetterSystemIsSignificant() {
        let comparison = PairedComparison(a: evaluation(baseline), b: evaluation(clearlyBetter), metric: .ndcg(10))
        #expect(comparison.wins == 30)
        #expect(!comparison.randomizationIsExact)
        // No sampled flip reaches an all-positive sum: the floor, 1 / 10,001.
        #expect(comparison.randomizationP < 0.01)
        #expect(comparison.randomizationP == 1.0 / 10_001)
        #expect(comparison.tTestP < 0.0001)
        // The mirror image is just as significant, with the sign of the difference turned round.
        let reversed = PairedComparison(a: evaluation(clearlyBetter), b: evaluation(baseline), metric: .ndcg(10))
        #expect(reversed.losses == 30)
        #expect(reversed.randomizationP == comparison.randomizationP)
        #expect(close(reversed.tTestP, comparison.tTestP, within: 1e-15))
        #expect(close(reversed.meanDifference, -comparison.meanDifference))
    }

    @Test func noDifferencesAtAll() {
        #expect(RandomizationTest().pValue(differences: []) == (1, true))
    }
}

@Suite struct StudentTTests {
    // References from scipy 1.17.1, stats.t.cdf(t, df) and 2 * stats.t.sf(t, df), printed with repr.
    @Test(arguments: [
        (-2.5, 3.0, 0.04385332350403278),
        (0.7, 1.0, 0.6944001122142147),
        (1.96, 1000.0, 0.9748634075221256),
        (4.2, 7.5, 0.9982699590935238),
        (0.01, 2.0, 0.5035354455208996),
        (-3.3, 0.5, 0.17535060691937926),
        (2.5, 100_000.0, 0.9937895404037205),
    ])
    func cumulativeProbabilityMatchesScipy(t: Double, degreesOfFreedom: Double, expected: Double) {
        #expect(close(StudentT.cumulativeProbability(t, degreesOfFreedom: degreesOfFreedom), expected, within: 1e-10))
    }

    @Test func smallTwoSidedTailsKeepTheirRelativeDigits() {
        // scipy 1.17.1: 2 * stats.t.sf(40, 10) and 2 * stats.t.sf(12, 29); compared relatively, the tail is tiny.
        let far = StudentT.twoSidedP(40, degreesOfFreedom: 10)
        #expect(abs(far / 2.2808577430857535e-12 - 1) < 1e-8)
        let farther = StudentT.twoSidedP(-12, degreesOfFreedom: 29)
        #expect(abs(farther / 9.060708333137183e-13 - 1) < 1e-8)
        // 2 * stats.t.sf(0.3, 4)
        #expect(close(StudentT.twoSidedP(0.3, degreesOfFreedom: 4), 0.7791214282774598, within: 1e-12))
    }

    @Test func closedFormsAndEdges() {
        // One degree of freedom is the Cauchy distribution: 1/2 + atan(t)/π.
        for t in [-30.0, -1, -0.2, 0, 0.5, 3, 250] {
            #expect(close(StudentT.cumulativeProbability(t, degreesOfFreedom: 1), 0.5 + atan(t) / Double.pi, within: 1e-12))
        }
        // Two: 1/2 + t / (2√(2 + t²)).
        for t in [-8.0, -0.75, 0.1, 2, 40] {
            #expect(close(StudentT.cumulativeProbability(t, degreesOfFreedom: 2), 0.5 + t / (2 * (2 + t * t).squareRoot()), within: 1e-12))
        }
        #expect(StudentT.twoSidedP(0, degreesOfFreedom: 5) == 1)
        #expect(StudentT.twoSidedP(.infinity, degreesOfFreedom: 5) == 0)
        #expect(StudentT.cumulativeProbability(-.infinity, degreesOfFreedom: 5) == 0)
        #expect(StudentT.twoSidedP(1, degreesOfFreedom: 0).isNaN)
        #expect(StudentT.twoSidedP(.nan, degreesOfFreedom: 3).isNaN)
    }
}

@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // The well-known first outputs for seed 0, checked against the algorithm written out with Python integers.
        var generator = SplitMix64(seed: 0)
        #expect([generator.next(), generator.next(), generator.next()] == [
            0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F,
        ])
        var seeded = SplitMix64(seed: 1_234_567)
        #expect(seeded.next() == 0x599E_D017_FB08_FC85)
    }
}
