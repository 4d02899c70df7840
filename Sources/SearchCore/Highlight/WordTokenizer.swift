/// Splits text into word tokens (maximal runs of letters, digits and combining marks), with UTF-8 byte
/// ranges. Engines without their own offset-keeping analyzer use it to find where words are before
/// asking their analyzer what each word means.
public enum WordTokenizer {
    /// Words in `text`, looking at no more than its first `maximumBytes` bytes.
    public static func words(in text: String, maximumBytes: Int = .max) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start: Int?
        var offset = 0
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            if offset + width > maximumBytes { break }
            if isWordScalar(scalar) {
                if start == nil { start = offset }
            } else if let begun = start {
                ranges.append(begun..<offset)
                start = nil
            }
            offset += width
        }
        if let begun = start { ranges.append(begun..<offset) }
        return ranges
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic { return true }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }
}
