import Foundation

/// Student's t distribution, which the paired t-test reads its p-value from.
///
/// Self-contained so results do not depend on a platform's maths library: the tails come from the regularised
/// incomplete beta function, evaluated as a continued fraction (modified Lentz) on a Lanczos log-gamma. Agrees with
/// scipy to 1e-12 absolute up to about 5,000 degrees of freedom; the log-gamma differences lose digits as they grow
/// (7e-11 at 100,000), still far below the 4 decimals a report shows.
public enum StudentT {
    /// P(T ≤ t) for T with `degreesOfFreedom` degrees of freedom (any real number above 0); NaN for a NaN `t` or
    /// degrees of freedom that are not above 0.
    public static func cumulativeProbability(_ t: Double, degreesOfFreedom: Double) -> Double {
        let tail = twoSidedP(t, degreesOfFreedom: degreesOfFreedom) / 2
        return t > 0 ? 1 - tail : tail
    }

    /// P(|T| ≥ |t|): the two-sided p-value of an observed `t`. 0 for an infinite `t`; NaN as for
    /// ``cumulativeProbability(_:degreesOfFreedom:)``.
    public static func twoSidedP(_ t: Double, degreesOfFreedom: Double) -> Double {
        guard degreesOfFreedom > 0, !t.isNaN else { return .nan }
        guard t.isFinite else { return 0 }
        // P(|T| ≥ |t|) = I_x(ν/2, 1/2) with x = ν / (ν + t²). 1 − x is computed on its own, not by subtraction,
        // so a t near 0 keeps its digits.
        let squared = t * t
        let x = degreesOfFreedom / (degreesOfFreedom + squared)
        let complement = squared / (degreesOfFreedom + squared)
        return regularizedIncompleteBeta(x, complement: complement, a: degreesOfFreedom / 2, b: 0.5)
    }

    /// I_x(a, b) for a, b > 0, given x and 1 − x.
    ///
    /// The continued fraction converges fast only for x below (a + 1) / (a + b + 2), so above that it evaluates
    /// the mirror image, I_x(a, b) = 1 − I_{1−x}(b, a).
    static func regularizedIncompleteBeta(_ x: Double, complement: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if complement <= 0 { return 1 }
        // x^a (1 − x)^b / B(a, b), in logs so large a and b do not overflow.
        let logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log(complement)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(complement, a: b, b: a) / b
    }

    /// 1 / (1 + d₁ / (1 + d₂ / (1 + …))), the continued fraction of I_x(a, b) (DLMF 8.17.22), by modified Lentz.
    private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        // Lentz replaces an exact zero denominator by this, rather than dividing by zero.
        let tiny = 1e-300
        let epsilon = 1e-16
        // Convergence takes O(√max(a, b)) terms; this allows for a million degrees of freedom with room to spare.
        let maximumTerms = 20_000
        var value = 1.0  // b₀ = 1
        var c = value
        var d = 0.0
        for term in 1...maximumTerms {
            let m = Double(term / 2)
            let numerator: Double =
                if term % 2 == 1 {
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                } else {
                    m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                }
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = c * d
            value *= step
            if abs(step - 1) < epsilon { break }
        }
        return 1 / value
    }

    /// Coefficients of Lanczos' series for g = 7, nine terms (Godfrey's set): about 15 significant digits.
    private static let lanczos: [Double] = [
        0.999_999_999_999_809_93, 676.520_368_121_885_1, -1_259.139_216_722_402_8, 771.323_428_777_653_13,
        -176.615_029_162_140_59, 12.507_343_278_686_905, -0.138_571_095_265_720_12, 9.984_369_578_019_571_6e-6,
        1.505_632_735_149_311_6e-7,
    ]

    /// ln Γ(z) for z > 0.
    static func logGamma(_ z: Double) -> Double {
        if z < 0.5 {
            // Reflection, Γ(z) Γ(1 − z) = π / sin(πz): the series is accurate only for z ≥ 1/2.
            return log(Double.pi / sin(Double.pi * z)) - logGamma(1 - z)
        }
        let shifted = z - 1
        var series = lanczos[0]
        for index in 1..<lanczos.count {
            series += lanczos[index] / (shifted + Double(index))
        }
        let base = shifted + 7.5  // shifted + g + 1/2
        return 0.5 * log(2 * Double.pi) + (shifted + 0.5) * log(base) - base + log(series)
    }
}
