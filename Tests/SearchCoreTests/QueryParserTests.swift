import SearchCore
import Testing

@Suite struct QueryParserTests {
    // MARK: Words and punctuation

    @Test func bareWordsAreClausesInQueryOrder() {
        #expect(parse("quick brown fox") == query([.term("quick")], [.term("brown")], [.term("fox")]))
        #expect(parse("  Quick\t\nFox  ") == query([.term("Quick")], [.term("Fox")]))
        #expect(parse("") == ParsedQuery())
        #expect(parse(" \t\n ") == ParsedQuery())
    }

    @Test func stopWordsAndLowercaseOrAreOrdinaryWords() {
        let words = ["to", "be", "or", "not", "to", "be"]
        #expect(parse("to be or not to be") == ParsedQuery(clauses: words.map { QueryClause([.term($0)]) }))
    }

    @Test(arguments: ["node.js", "e-mail", "C++", "c#", "o'neil", "3.14", "foo@bar.com", "snake_case", "a/b", "o’neil"])
    func innerPunctuationStaysInTheWord(_ word: String) {
        #expect(parse(word) == query([.term(word)]))
    }

    @Test func surroundingPunctuationIsTrimmed() {
        #expect(parse("(fox)") == query([.term("fox")]))
        #expect(parse("fox,") == query([.term("fox")]))
        #expect(parse("fox!?") == query([.term("fox")]))
        #expect(parse("¿qué?") == query([.term("qué")]))
        #expect(parse("[node.js].") == query([.term("node.js")]))
        #expect(parse(".net") == query([.term("net")]))
        #expect(parse("'quoted'") == query([.term("quoted")]))
        #expect(parse("(C++)") == query([.term("C++")]))
        #expect(parse("f#,") == query([.term("f#")]))
        // Only a letter keeps a trailing `+`.
        #expect(parse("1+") == query([.term("1")]))
    }

    @Test(arguments: ["---", "...", "&&", "!!", "(", ")", "* * *", "'", "\u{301}", "“”"])
    func punctuationOnlyWordsDisappear(_ text: String) {
        #expect(parse(text) == ParsedQuery())
        #expect(parse("fox \(text) den") == query([.term("fox")], [.term("den")]))
    }

    @Test func wordsAreNotNormalised() {
        #expect(parse("Running FOXES") == query([.term("Running")], [.term("FOXES")]))
    }

    // MARK: Phrases

    @Test func quotedWordsArePhrases() {
        #expect(parse("\"quick brown fox\"") == query([.phrase(["quick", "brown", "fox"])]))
        #expect(parse("a \"b c\" d") == query([.term("a")], [.phrase(["b", "c"])], [.term("d")]))
        #expect(parse("\"(quick), fox!\"") == query([.phrase(["quick", "fox"])]))
        // Operators inside quotes are words.
        #expect(parse("\"a OR -b\"") == query([.phrase(["a", "OR", "b"])]))
        // A quote in the middle of a word still opens a phrase.
        #expect(parse("say\"hello world\"") == query([.term("say")], [.phrase(["hello", "world"])]))
    }

    @Test func oneWordPhraseIsATermAndEmptyPhraseDisappears() {
        #expect(parse("\"fox\"") == query([.term("fox")]))
        #expect(parse("\" fox !! \"") == query([.term("fox")]))
        #expect(parse("\"\"") == ParsedQuery())
        #expect(parse("a \"  ...  \" b") == query([.term("a")], [.term("b")]))
    }

    @Test func unbalancedQuoteRunsToTheEnd() {
        #expect(parse("a \"b c") == query([.term("a")], [.phrase(["b", "c"])]))
        #expect(parse("\"a b\" \"c d OR e") == query([.phrase(["a", "b"])], [.phrase(["c", "d", "OR", "e"])]))
        #expect(parse("fox \"") == query([.term("fox")]))
    }

    @Test func curlyAndFullWidthQuotesAreQuotes() {
        #expect(parse("“quick fox”") == query([.phrase(["quick", "fox"])]))
        #expect(parse("\"quick fox”") == query([.phrase(["quick", "fox"])]))
        #expect(parse("„schnelle Füchse“") == query([.phrase(["schnelle", "Füchse"])]))
        #expect(parse("＂東京 タワー＂") == query([.phrase(["東京", "タワー"])]))
        #expect(parse("-“lazy dog”") == query(excluding: [.phrase(["lazy", "dog"])]))
    }

    // MARK: OR

    @Test func orJoinsTheUnitsAroundIt() {
        #expect(parse("a OR b OR c") == query([.term("a"), .term("b"), .term("c")]))
        #expect(parse("a b OR c") == query([.term("a")], [.term("b"), .term("c")]))
        #expect(parse("a | b") == query([.term("a"), .term("b")]))
        #expect(parse("\"quick fox\" OR lazy -dog pre*")
            == query([.phrase(["quick", "fox"]), .term("lazy")], [.prefix("pre")], excluding: [.term("dog")]))
    }

    @Test func strayOrIsIgnored() {
        #expect(parse("OR a") == query([.term("a")]))
        #expect(parse("a OR") == query([.term("a")]))
        #expect(parse("a OR OR b") == query([.term("a"), .term("b")]))
        #expect(parse("| a | | b |") == query([.term("a"), .term("b")]))
        #expect(parse("OR") == ParsedQuery())
        // A word that vanishes leaves the OR around it intact.
        #expect(parse("a OR !! OR b") == query([.term("a"), .term("b")]))
        // Only the standalone uppercase word is an operator.
        #expect(parse("a Or b") == query([.term("a")], [.term("Or")], [.term("b")]))
        #expect(parse("ORACLE") == query([.term("ORACLE")]))
    }

    @Test func exclusionInsideAnOrGroupDropsTheOr() {
        #expect(parse("a OR -b") == query([.term("a")], excluding: [.term("b")]))
        #expect(parse("-a OR b") == query([.term("b")], excluding: [.term("a")]))
        #expect(parse("a OR -b OR c") == query([.term("a")], [.term("c")], excluding: [.term("b")]))
    }

    // MARK: Exclusions and signs

    @Test func minusExcludesWordsAndPhrases() {
        #expect(parse("fox -dog") == query([.term("fox")], excluding: [.term("dog")]))
        #expect(parse("fox -\"lazy dog\"") == query([.term("fox")], excluding: [.phrase(["lazy", "dog"])]))
        #expect(parse("-\"dog\"") == query(excluding: [.term("dog")]))
        #expect(parse("--dog") == query(excluding: [.term("dog")]))
        #expect(parse("-(dog)") == query(excluding: [.term("dog")]))
        #expect(parse("-dog") == ParsedQuery(exclusions: [.term("dog")]))
    }

    @Test func strayAndInnerSignsAreNotExclusions() {
        #expect(parse("fox - dog") == query([.term("fox")], [.term("dog")]))
        #expect(parse("-") == ParsedQuery())
        #expect(parse("e-mail") == query([.term("e-mail")]))
        #expect(parse("fox-") == query([.term("fox")]))
        #expect(parse("+fox") == query([.term("fox")]))
        #expect(parse("+\"lazy dog\"") == query([.phrase(["lazy", "dog"])]))
        #expect(parse("-!!") == ParsedQuery())
    }

    // MARK: Prefixes

    @Test func trailingStarMakesAPrefix() {
        #expect(parse("pre*") == query([.prefix("pre")]))
        #expect(parse("pre***") == query([.prefix("pre")]))
        #expect(parse("(pre*)") == query([.prefix("pre")]))
        #expect(parse("c++*") == query([.prefix("c++")]))
        #expect(parse("-pre*") == query(excluding: [.prefix("pre")]))
        #expect(parse("pre* OR post*") == query([.prefix("pre"), .prefix("post")]))
    }

    @Test func starsElsewhereAreDropped() {
        #expect(parse("*") == ParsedQuery())
        #expect(parse("***") == ParsedQuery())
        #expect(parse("fo*x") == query([.term("fox")]))
        #expect(parse("*fox") == query([.term("fox")]))
        #expect(parse("\"pre* fix\"") == query([.phrase(["pre", "fix"])]))
        #expect(parse("\"pre*\"") == query([.term("pre")]))
    }

    // MARK: Duplicates

    @Test func duplicatesWithinAClauseAndExclusionsAreRemoved() {
        #expect(parse("a OR a OR b OR a") == query([.term("a"), .term("b")]))
        #expect(parse("-dog -dog --dog") == query(excluding: [.term("dog")]))
        #expect(parse("a OR \"a\"") == query([.term("a")]))
        // The same word in separate clauses is the user's choice, and a prefix is not the term.
        #expect(parse("a a") == query([.term("a")], [.term("a")]))
        #expect(parse("a OR a*") == query([.term("a"), .prefix("a")]))
        #expect(parse("a OR A") == query([.term("a"), .term("A")]))
    }

    // MARK: Limits

    @Test func defaultLimits() {
        #expect(QueryParser.Limits.default == QueryParser.Limits(maximumUnits: 32, maximumPhraseWords: 16, maximumLength: 1024))
        let forty = (1...40).map { "w\($0)" }
        let parsed = parse(forty.joined(separator: " "))
        #expect(parsed.positiveUnits == forty.prefix(32).map { .term($0) })
        #expect(parsed.truncated)
    }

    @Test func unitLimitCountsPositiveUnitsAndExclusions() {
        let two = QueryParser.Limits(maximumUnits: 2)
        #expect(parse("a b c", limits: two) == query([.term("a")], [.term("b")], truncated: true))
        #expect(parse("a -b c", limits: two) == query([.term("a")], excluding: [.term("b")], truncated: true))
        #expect(parse("a OR b OR c", limits: two) == query([.term("a"), .term("b")], truncated: true))
        // Dropped duplicates and vanished words do not count.
        #expect(parse("a OR a -b -b !!", limits: two) == query([.term("a")], excluding: [.term("b")]))
        #expect(parse("a b") == query([.term("a")], [.term("b")]))
    }

    @Test func phraseWordLimit() {
        #expect(parse("\"a b c\"", limits: .init(maximumPhraseWords: 2)) == query([.phrase(["a", "b"])], truncated: true))
        #expect(parse("\"a b c\"", limits: .init(maximumPhraseWords: 1)) == query([.term("a")], truncated: true))
        #expect(parse("\"a b\"", limits: .init(maximumPhraseWords: 2)) == query([.phrase(["a", "b"])]))
        let seventeen = (1...17).map { "w\($0)" }
        #expect(parse("\"\(seventeen.joined(separator: " "))\"") == query([.phrase(Array(seventeen.prefix(16)))], truncated: true))
    }

    @Test func lengthLimitCountsUnicodeScalarsAndAppliesFirst() {
        #expect(parse("abc def", limits: .init(maximumLength: 5)) == query([.term("abc")], [.term("d")], truncated: true))
        #expect(parse("abc def", limits: .init(maximumLength: 7)) == query([.term("abc")], [.term("def")]))
        // 👍🏽 is one character but two scalars.
        #expect(parse("👍🏽 fox", limits: .init(maximumLength: 1)) == query([.term("👍")], truncated: true))
        // Cutting inside a phrase leaves an unbalanced quote.
        #expect(parse("\"a b c\"", limits: .init(maximumLength: 4)) == query([.phrase(["a", "b"])], truncated: true))
    }

    @Test func nonsensicalLimitsKeepNothing() {
        let none = QueryParser.Limits(maximumUnits: -1, maximumPhraseWords: -5, maximumLength: -3)
        #expect(parse("fox \"a b\"", limits: none) == ParsedQuery(truncated: true))
        #expect(parse("\"a b\" fox", limits: .init(maximumPhraseWords: 0)) == query([.term("fox")], truncated: true))
        #expect(parse("fox", limits: .init(maximumUnits: 0)) == ParsedQuery(truncated: true))
    }

    // MARK: Odd input

    @Test func controlCharactersSplitWords() {
        #expect(parse("fox\u{0}dog") == query([.term("fox")], [.term("dog")]))
        #expect(parse("\u{0}") == ParsedQuery())
        #expect(parse("fox\u{7}\u{1B}dog\u{7F}") == query([.term("fox")], [.term("dog")]))
        #expect(parse("\"lazy\u{0}dog\"") == query([.phrase(["lazy", "dog"])]))
        #expect(parse("fox\u{2028}dog\u{00A0}cat") == query([.term("fox")], [.term("dog")], [.term("cat")]))
        #expect(parse("\u{FEFF}fox\u{200B}dog") == query([.term("fox")], [.term("dog")]))
    }

    @Test func invalidUnicodeSplitsWords() {
        let repaired = String(decoding: [0x66, 0x6F, 0xFF, 0x78, 0xC3], as: UTF8.self)
        #expect(parse(repaired) == query([.term("fo")], [.term("x")]))
        #expect(parse("fox\u{E000}dog\u{FFFF}") == query([.term("fox")], [.term("dog")]))
    }

    @Test func emojiAreWords() {
        #expect(parse("🦊 fox") == query([.term("🦊")], [.term("fox")]))
        #expect(parse("👍🏽 -👎") == query([.term("👍🏽")], excluding: [.term("👎")]))
        #expect(parse("👨‍👩‍👧") == query([.term("👨‍👩‍👧")]))
        #expect(parse("🇫🇷 OR 🇩🇪") == query([.term("🇫🇷"), .term("🇩🇪")]))
        #expect(parse("1️⃣") == query([.term("1️⃣")]))
    }

    @Test func otherScriptsAreWords() {
        #expect(parse("東京 タワー*") == query([.term("東京")], [.prefix("タワー")]))
        #expect(parse("「東京」。") == query([.term("東京")]))
        #expect(parse("שלום -עולם") == query([.term("שלום")], excluding: [.term("עולם")]))
        #expect(parse("\u{200F}مرحبا\u{200F} OR \"السلام عليكم\"") == query([.term("مرحبا"), .phrase(["السلام", "عليكم"])]))
        #expect(parse("नमस्ते") == query([.term("नमस्ते")]))
        #expect(parse("می‌خواهم") == query([.term("می‌خواهم")]))
    }

    // MARK: Fuzz

    /// Random garbage never traps and always yields a well-formed, bounded, deterministic query.
    @Test func randomGarbageParsesToWellFormedQueries() {
        let alphabet = [
            "\"", "\"", "“", "”", "-", "--", "*", "**", "OR", "OR", "or", "|", "(", ")", "+", ".", "'", "#", ",",
            " ", " ", " ", "  ", "\t", "\n", "a", "b", "Fox", "c++", "e-mail", "7", "3.14", "é", "e\u{301}",
            "🦊", "👍🏽", "👨‍👩‍👧", "🇫🇷", "\u{0}", "\u{301}", "\u{200D}", "\u{200F}", "\u{FEFF}", "\u{FFFD}",
            "\u{7F}", "\u{E000}", "漢字", "שלום", "مرحبا",
        ]
        var random = SplitMix64(seed: 0x5EED_10_0E)
        for round in 0..<1_000 {
            let text = (0..<random.below(60)).map { _ in alphabet[random.below(alphabet.count)] }.joined()
            // Half the rounds use tight limits so truncation is exercised too.
            let limits =
                round.isMultiple(of: 2)
                ? QueryParser.Limits.default
                : QueryParser.Limits(maximumUnits: random.below(6), maximumPhraseWords: random.below(5), maximumLength: random.below(80))
            let parsed = QueryParser.parse(text, limits: limits)

            #expect(parsed == QueryParser.parse(text, limits: limits), "not deterministic: \(text.debugDescription)")
            #expect(parsed.positiveUnits.count + parsed.exclusions.count <= limits.maximumUnits, "\(text.debugDescription)")
            #expect(Set(parsed.exclusions).count == parsed.exclusions.count, "\(text.debugDescription)")
            for clause in parsed.clauses {
                #expect(!clause.alternatives.isEmpty, "\(text.debugDescription)")
                #expect(Set(clause.alternatives).count == clause.alternatives.count, "\(text.debugDescription)")
            }
            for unit in parsed.positiveUnits + parsed.exclusions {
                if case .phrase(let words) = unit {
                    #expect(words.count >= 2 && words.count <= limits.maximumPhraseWords, "\(text.debugDescription)")
                }
                for word in unit.words {
                    #expect(!word.isEmpty, "\(text.debugDescription)")
                    #expect(!word.unicodeScalars.contains(where: isSplitting), "\(word.debugDescription) in \(text.debugDescription)")
                    #expect(!word.unicodeScalars.contains("\""), "\(word.debugDescription) in \(text.debugDescription)")
                }
            }
            // The length limit is the same as cutting the input first.
            let cut = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limits.maximumLength)))
            var unlimited = limits
            unlimited.maximumLength = .max
            let parsedCut = QueryParser.parse(cut, limits: unlimited)
            #expect(parsedCut.clauses == parsed.clauses && parsedCut.exclusions == parsed.exclusions, "\(text.debugDescription)")
        }
    }
}

// MARK: - Helpers

private func parse(_ text: String, limits: QueryParser.Limits = .default) -> ParsedQuery {
    QueryParser.parse(text, limits: limits)
}

/// A query from its clauses' alternatives, e.g. `query([.term("a"), .term("b")], [.prefix("c")])`.
private func query(_ clauses: [QueryUnit]..., excluding exclusions: [QueryUnit] = [], truncated: Bool = false) -> ParsedQuery {
    ParsedQuery(clauses: clauses.map(QueryClause.init), exclusions: exclusions, truncated: truncated)
}

/// Scalars that must never appear inside a word.
private func isSplitting(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.isWhitespace || scalar.properties.generalCategory == .control || scalar == "\u{FFFD}"
}

/// SplitMix64: a tiny seeded generator, so every run sees the same garbage.
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
