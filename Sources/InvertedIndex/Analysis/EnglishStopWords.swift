/// PostgreSQL's English stop-word list (`tsearch_data/english.stop`, 127 words), which the `english` text
/// search configuration removes before stemming. Matching it exactly keeps both engines' terms the same.
public enum EnglishStopWords {
    public static let words: Set<String> = [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
        "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it",
        "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which", "who",
        "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be", "been",
        "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and",
        "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about",
        "against", "between", "into", "through", "during", "before", "after", "above", "below", "to",
        "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then",
        "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few",
        "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so",
        "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now"
    ]

    /// True when `lowercasedWord` is removed by PostgreSQL's `english` configuration.
    public static func contains(_ lowercasedWord: some StringProtocol) -> Bool {
        words.contains(String(lowercasedWord))
    }

    /// The same test on lowercase UTF-8 bytes, without making a string: the analyzer asks it of every word.
    static func contains(bytes lowercasedWord: [UInt8]) -> Bool {
        guard let key = packedKey(lowercasedWord) else { return false }
        var low = 0
        var high = packedWords.count
        while low < high {
            let middle = (low + high) / 2
            if packedWords[middle] < key {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < packedWords.count && packedWords[low] == key
    }

    /// The stop words as `packedKey`s, sorted.
    private static let packedWords: [UInt64] = words.compactMap { packedKey(Array($0.utf8)) }.sorted()

    /// A word of 1 to 12 letters a-z as five bits per letter (never zero, so lengths cannot collide); nil
    /// for anything else, which is no stop word.
    private static func packedKey(_ word: [UInt8]) -> UInt64? {
        guard !word.isEmpty && word.count <= 12 else { return nil }
        var key: UInt64 = 0
        for byte in word {
            let letter = byte &- 0x60
            guard letter >= 1 && letter <= 26 else { return nil }
            key = key << 5 | UInt64(letter)
        }
        return key
    }
}
