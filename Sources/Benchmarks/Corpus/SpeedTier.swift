/// A corpus size the speed benchmark runs at. The small tiers are even samples of the real scale corpus;
/// the large ones are synthetic, drawn from its distributions, and every report says so.
public enum SpeedTier: String, Sendable, CaseIterable, Codable {
    case tenThousand = "10k"
    case hundredThousand = "100k"
    case scale = "300k"
    case oneMillion = "1m"
    case threeMillion = "3m"

    /// Documents in the tier; nil for the whole scale corpus (307,850).
    public var documentCount: Int? {
        switch self {
        case .tenThousand: 10_000
        case .hundredThousand: 100_000
        case .scale: nil
        case .oneMillion: 1_000_000
        case .threeMillion: 3_000_000
        }
    }

    public var isSynthetic: Bool { self == .oneMillion || self == .threeMillion }
}
