import SearchCore

/// Query analysis the way the Postgres engine does it (`ts_debug` word by word), with Loupe's analyzer.
extension AnalyzedQuery {
    /// `simple` lowercases every word; otherwise the collection's language (`english`) stems and drops stop words.
    static func analyze(_ parsed: ParsedQuery, simple: Bool) -> AnalyzedQuery {
        let analyzer = EnglishAnalyzer()
        func positions(of word: String) -> [[String]] {
            var result: [[String]] = []
            var text = word
            text.withUTF8 { bytes in
                analyzer.forEachToken(in: word) { token in
                    if simple {
                        let piece = String(decoding: UnsafeBufferPointer(rebasing: bytes[token.byteRange]), as: UTF8.self)
                        result.append(analyzer.lexeme(of: piece, dictionary: .simple).map { [$0.text] } ?? [])
                    } else {
                        result.append(token.lexeme.map { [$0.text] } ?? [])
                    }
                }
            }
            return result
        }
        return assemble(parsed, positions: positions(of:))
    }
}
