/// Marks the query's matches in a field's text and cuts the fragments that show them best.
///
/// Works only on the bytes up to the last token it is given (and on the slices it outputs), so a huge text
/// whose analysis stopped early costs no more than its analysed part.
///
/// Every matched word gets its own tag pair, also inside a phrase, so the markup always agrees with
/// `matches` and never wraps the spaces or punctuation between words.
///
/// Fragments: windows of at most `fragmentWords` consecutive words. A window scores by the number of
/// distinct query parts it matches (a term lexeme, a prefix, a phrase), then by how many of its words
/// match, then by how well centred its matches are; the earliest wins a tie. The best window is taken,
/// its words are removed, and the search repeats until `maximumFragments` are taken or no window with a
/// match is left. Fragments come out in document order.
public enum Highlighter {
    public static func highlight(text: String, tokens: [AnalyzedToken], query: HighlightQuery, options: HighlightOptions) -> FieldHighlight {
        var text = text
        // withUTF8 lends a native string's own storage, so the text is not copied.
        return text.withUTF8 { bytes in
            let words = usableWords(tokens, in: bytes)
            let parts = matchedParts(of: words, query: query)
            let matchedWords = words.indices.filter { !parts.perWord[$0].isEmpty }
            guard !matchedWords.isEmpty else { return FieldHighlight(fragments: [], matches: []) }

            let windows = bestWindows(
                parts: parts,
                matchedWords: matchedWords,
                count: max(1, options.maximumFragments),
                width: max(1, options.fragmentWords)
            )
            let tags = (pre: Array(options.preTag.utf8), post: Array(options.postTag.utf8))
            let fragments = windows.map { window in
                fragment(window, of: words, isMatched: { !parts.perWord[$0].isEmpty }, bytes: bytes, tags: tags)
            }
            let matches = scalarRanges(of: matchedWords.map { words[$0].byteRange }, in: bytes)
            return FieldHighlight(fragments: fragments, matches: matches)
        }
    }

    // MARK: - Words

    /// A token that is safe to use: in bounds, after the previous one, on scalar boundaries.
    private struct Word {
        /// The token's index in the engine's list, which is its position for phrases.
        var position: Int
        var byteRange: Range<Int>
        var lexemes: [String]
    }

    private static func usableWords(_ tokens: [AnalyzedToken], in bytes: UnsafeBufferPointer<UInt8>) -> [Word] {
        func isScalarBoundary(_ offset: Int) -> Bool {
            offset == bytes.count || !isContinuationByte(bytes[offset])
        }
        var words: [Word] = []
        words.reserveCapacity(tokens.count)
        var previousEnd = 0
        for (position, token) in tokens.enumerated() {
            let range = token.byteRange
            guard !range.isEmpty, range.lowerBound >= previousEnd, range.upperBound <= bytes.count,
                isScalarBoundary(range.lowerBound), isScalarBoundary(range.upperBound)
            else { continue }
            words.append(Word(position: position, byteRange: range, lexemes: token.lexemes))
            previousEnd = range.upperBound
        }
        return words
    }

    private static func isContinuationByte(_ byte: UInt8) -> Bool {
        byte & 0b1100_0000 == 0b1000_0000
    }

    // MARK: - Matching

    /// One thing the query asks for; a window that shows more different ones is a better fragment.
    private enum QueryPart: Hashable {
        case term(String)
        case prefix(String)
        case phrase([String?])
    }

    /// For each word, the ids of the query parts it matches (empty when it matches none).
    private struct MatchedParts {
        var perWord: [[Int]]
        var count: Int
    }

    private static func matchedParts(of words: [Word], query: HighlightQuery) -> MatchedParts {
        var ids: [QueryPart: Int] = [:]
        var perWord = [[Int]](repeating: [], count: words.count)
        func mark(_ index: Int, with part: QueryPart) {
            let id = ids[part] ?? ids.count
            ids[part] = id
            if !perWord[index].contains(id) { perWord[index].append(id) }
        }

        // An empty prefix would mark every word.
        let prefixes = query.prefixes.filter { !$0.isEmpty }
        for (index, word) in words.enumerated() {
            for lexeme in word.lexemes {
                if query.terms.contains(lexeme) { mark(index, with: .term(lexeme)) }
                for prefix in prefixes where lexeme.hasPrefix(prefix) { mark(index, with: .prefix(prefix)) }
            }
        }

        for phrase in query.phrases where phrase.contains(where: { $0 != nil }) && phrase.count <= words.count {
            for start in 0...(words.count - phrase.count) {
                let end = start + phrase.count - 1
                // Positions strictly increase, so an equal span means no position is missing in between.
                guard words[end].position - words[start].position == phrase.count - 1 else { continue }
                let occurs = phrase.indices.allSatisfy { slot in
                    phrase[slot].map { words[start + slot].lexemes.contains($0) } ?? true
                }
                if occurs {
                    for index in start...end { mark(index, with: .phrase(phrase)) }
                }
            }
        }
        return MatchedParts(perWord: perWord, count: ids.count)
    }

    // MARK: - Fragment selection

    private struct WindowScore: Comparable {
        var distinctParts: Int
        var matchedWords: Int
        /// Difference between the words before the first match and after the last; 0 is centred.
        var offCentre: Int

        static func < (lhs: WindowScore, rhs: WindowScore) -> Bool {
            (lhs.distinctParts, lhs.matchedWords, -lhs.offCentre) < (rhs.distinctParts, rhs.matchedWords, -rhs.offCentre)
        }
    }

    /// Greedily takes the best non-overlapping windows (word index ranges), returned in document order.
    private static func bestWindows(parts: MatchedParts, matchedWords: [Int], count: Int, width: Int) -> [Range<Int>] {
        var chosen: [Range<Int>] = []
        while chosen.count < count {
            var best: (score: WindowScore, window: Range<Int>)?
            // Gaps and windows are visited in document order, so the match cursors only move forward.
            var firstInWindow = 0
            var pastWindow = 0
            for gap in gaps(around: chosen, wordCount: parts.perWord.count) {
                let windowWidth = min(width, gap.count)
                var counts = [Int](repeating: 0, count: parts.count)
                var distinct = 0
                func enter(_ index: Int) {
                    for id in parts.perWord[index] {
                        if counts[id] == 0 { distinct += 1 }
                        counts[id] += 1
                    }
                }
                func leave(_ index: Int) {
                    for id in parts.perWord[index] {
                        counts[id] -= 1
                        if counts[id] == 0 { distinct -= 1 }
                    }
                }
                for index in gap.lowerBound..<(gap.lowerBound + windowWidth) { enter(index) }
                for start in gap.lowerBound...(gap.upperBound - windowWidth) {
                    let end = start + windowWidth
                    if start > gap.lowerBound {
                        leave(start - 1)
                        enter(end - 1)
                    }
                    while firstInWindow < matchedWords.count, matchedWords[firstInWindow] < start { firstInWindow += 1 }
                    while pastWindow < matchedWords.count, matchedWords[pastWindow] < end { pastWindow += 1 }
                    guard firstInWindow < pastWindow else { continue }
                    let before = matchedWords[firstInWindow] - start
                    let after = end - 1 - matchedWords[pastWindow - 1]
                    let score = WindowScore(distinctParts: distinct, matchedWords: pastWindow - firstInWindow, offCentre: abs(before - after))
                    if best.map({ score > $0.score }) ?? true { best = (score, start..<end) }
                }
            }
            guard let best else { break }
            chosen.append(best.window)
            chosen.sort { $0.lowerBound < $1.lowerBound }
        }
        return chosen
    }

    /// The non-empty runs of word indices that no chosen window covers, in order; `chosen` is sorted.
    private static func gaps(around chosen: [Range<Int>], wordCount: Int) -> [Range<Int>] {
        var gaps: [Range<Int>] = []
        var start = 0
        for window in chosen {
            if start < window.lowerBound { gaps.append(start..<window.lowerBound) }
            start = window.upperBound
        }
        if start < wordCount { gaps.append(start..<wordCount) }
        return gaps
    }

    // MARK: - Output

    /// Punctuation that belongs to the word it touches, so `"a quote."` is not cut to `a quote`.
    private static let openingPunctuation: Set<UInt8> = Set("([{<\"'".utf8)
    private static let closingPunctuation: Set<UInt8> = Set(".,;:!?)]}>\"'".utf8)
    /// Bounds the look around a fragment, so a run of punctuation never costs more than a few bytes.
    private static let attachedPunctuationLimit = 3

    private static func fragment(
        _ window: Range<Int>,
        of words: [Word],
        isMatched: (Int) -> Bool,
        bytes: UnsafeBufferPointer<UInt8>,
        tags: (pre: [UInt8], post: [UInt8])
    ) -> String {
        // Attached punctuation stops at the neighbouring word, which may belong to another fragment.
        let floor = window.lowerBound > 0 ? words[window.lowerBound - 1].byteRange.upperBound : 0
        let ceiling = window.upperBound < words.count ? words[window.upperBound].byteRange.lowerBound : bytes.count
        var start = words[window.lowerBound].byteRange.lowerBound
        while start > max(floor, words[window.lowerBound].byteRange.lowerBound - attachedPunctuationLimit),
            openingPunctuation.contains(bytes[start - 1])
        {
            start -= 1
        }
        var end = words[window.upperBound - 1].byteRange.upperBound
        while end < min(ceiling, words[window.upperBound - 1].byteRange.upperBound + attachedPunctuationLimit),
            closingPunctuation.contains(bytes[end])
        {
            end += 1
        }

        var output: [UInt8] = []
        var cursor = start
        for index in window where isMatched(index) {
            let range = words[index].byteRange
            HTMLEscaping.appendEscaped(bytes[cursor..<range.lowerBound], to: &output)
            output.append(contentsOf: tags.pre)
            HTMLEscaping.appendEscaped(bytes[range], to: &output)
            output.append(contentsOf: tags.post)
            cursor = range.upperBound
        }
        HTMLEscaping.appendEscaped(bytes[cursor..<end], to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Converts sorted byte ranges to scalar offsets in one forward pass, reading no further than the last.
    private static func scalarRanges(of byteRanges: [Range<Int>], in bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var byteOffset = 0
        var scalarCount = 0
        func scalarOffset(at target: Int) -> Int {
            while byteOffset < target {
                if !isContinuationByte(bytes[byteOffset]) { scalarCount += 1 }
                byteOffset += 1
            }
            return scalarCount
        }
        return byteRanges.map { range in
            let lowerBound = scalarOffset(at: range.lowerBound)
            return lowerBound..<scalarOffset(at: range.upperBound)
        }
    }
}
