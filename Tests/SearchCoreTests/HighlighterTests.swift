import SearchCore
import Testing

/// A stand-in analyzer: words are runs of letters and digits, lexemes are lowercased, stop words have none.
private func analyze(_ text: String) -> [AnalyzedToken] {
    let stopWords: Set<String> = ["a", "and", "in", "is", "of", "the", "to"]
    var tokens: [AnalyzedToken] = []
    var word = String.UnicodeScalarView()
    var wordStart = 0
    var offset = 0
    func endWord() {
        guard !word.isEmpty else { return }
        let lexeme = String(word).lowercased()
        tokens.append(AnalyzedToken(byteRange: wordStart..<offset, lexemes: stopWords.contains(lexeme) ? [] : [lexeme]))
        word = String.UnicodeScalarView()
    }
    for scalar in text.unicodeScalars {
        if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
            if word.isEmpty { wordStart = offset }
            word.append(scalar)
        } else {
            endWord()
        }
        offset += UTF8.width(scalar)
    }
    endWord()
    return tokens
}

private func highlight(
    _ text: String,
    terms: Set<String> = [],
    prefixes: [String] = [],
    phrases: [[String?]] = [],
    options: HighlightOptions = HighlightOptions()
) -> FieldHighlight {
    let query = HighlightQuery(terms: terms, prefixes: prefixes, phrases: phrases)
    return Highlighter.highlight(text: text, tokens: analyze(text), query: query, options: options)
}

/// The text under each match, cut by scalar offsets without the highlighter's help.
private func markedText(_ result: FieldHighlight, in text: String) -> [String] {
    let scalars = Array(text.unicodeScalars)
    return result.matches.map { range in
        guard range.lowerBound >= 0, range.upperBound <= scalars.count else { return "<out of bounds \(range)>" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }
}

@Suite struct HighlighterTests {
    @Test func singleTermIsMarkedInItsSentence() {
        let text = "The quick brown fox jumps over the lazy dog."
        let result = highlight(text, terms: ["fox"])
        #expect(result.fragments == ["The quick brown <mark>fox</mark> jumps over the lazy dog."])
        #expect(result.matches == [16..<19])
        #expect(markedText(result, in: text) == ["fox"])
    }

    @Test func prefixMarksWordsThatStartWithIt() {
        let text = "Searching for searchers: research continues."
        let result = highlight(text, prefixes: ["search"])
        #expect(result.fragments == ["<mark>Searching</mark> for <mark>searchers</mark>: research continues."])
        #expect(markedText(result, in: text) == ["Searching", "searchers"])
    }

    @Test func anyLexemeOfACompoundTokenMatches() {
        let text = "send e-mail now"
        let tokens = [
            AnalyzedToken(byteRange: 0..<4, lexemes: ["send"]),
            AnalyzedToken(byteRange: 5..<11, lexemes: ["e-mail", "e", "mail"]),
            AnalyzedToken(byteRange: 12..<15, lexemes: ["now"]),
        ]
        let result = Highlighter.highlight(text: text, tokens: tokens, query: HighlightQuery(terms: ["mail"]), options: HighlightOptions())
        #expect(result.fragments == ["send <mark>e-mail</mark> now"])
        #expect(result.matches == [5..<11])
    }

    @Test func phraseWordsAreMarkedOnlyWhereTheWholePhraseOccurs() {
        let text = "A fox ran. Then a quick fox jumped over the quick dog."
        let result = highlight(text, phrases: [["quick", "fox"]])
        #expect(result.fragments == ["A fox ran. Then a <mark>quick</mark> <mark>fox</mark> jumped over the quick dog."])
        #expect(result.matches == [18..<23, 24..<27])

        #expect(highlight(text, phrases: [["fox", "quick"]]) == FieldHighlight(fragments: [], matches: []))
        #expect(highlight(text, phrases: [[], [nil, nil]]) == FieldHighlight(fragments: [], matches: []))
    }

    @Test func phraseHoleIsFilledByAnyWord() {
        let text = "The Bank of England sets rates; a bank in north England does not."
        let result = highlight(text, phrases: [["bank", nil, "england"]])
        #expect(
            result.fragments == ["The <mark>Bank</mark> <mark>of</mark> <mark>England</mark> sets rates; a bank in north England does not."]
        )
        #expect(markedText(result, in: text) == ["Bank", "of", "England"])
    }

    @Test func fragmentsAreTheBestWindowsInDocumentOrder() {
        var words = (0..<80).map { "w\($0)" }
        words[10] = "alpha"
        words[40] = "alpha"
        words[41] = "beta"
        words[70] = "alpha"
        let text = words.joined(separator: " ")

        // The window with both terms wins first, but fragments come out in text order.
        let two = highlight(text, terms: ["alpha", "beta"], options: HighlightOptions(maximumFragments: 2, fragmentWords: 5))
        #expect(two.fragments == ["w8 w9 <mark>alpha</mark> w11 w12", "w38 w39 <mark>alpha</mark> <mark>beta</mark> w42"])
        #expect(markedText(two, in: text) == ["alpha", "alpha", "beta", "alpha"])

        let three = highlight(text, terms: ["alpha", "beta"], options: HighlightOptions(maximumFragments: 3, fragmentWords: 5))
        #expect(three.fragments.count == 3)
        #expect(three.fragments.last == "w68 w69 <mark>alpha</mark> w71 w72")
        for fragment in three.fragments {
            #expect(analyze(fragment.replacing("<mark>", with: "").replacing("</mark>", with: "")).count <= 5)
        }
    }

    @Test func windowsStayInsideTheTextAndNeverOverlap() {
        let text = (0..<30).map { "w\($0)" }.joined(separator: " ")
        let edge = highlight(text, terms: ["w1"], options: HighlightOptions(fragmentWords: 5))
        #expect(edge.fragments == ["w0 <mark>w1</mark> w2 w3 w4"])

        // One window shows both matches, and the rest of the text has none to show.
        let close = highlight(text, terms: ["w10", "w12"], options: HighlightOptions(maximumFragments: 3, fragmentWords: 3))
        #expect(close.fragments == ["<mark>w10</mark> w11 <mark>w12</mark>"])
    }

    @Test func htmlInTheTextIsEscaped() {
        let script = #"<script>alert("x")&'</script>"#
        #expect(HTMLEscaping.escape(script) == "&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;&lt;/script&gt;")
        #expect(HTMLEscaping.escape(script.dropFirst(8).prefix(5)) == "alert")
        // Angle brackets attach to the word they touch, like other punctuation.
        #expect(highlight(script, terms: ["alert"]).fragments == ["&lt;script&gt;<mark>alert</mark>(&quot;x&quot;)&amp;&#39;&lt;/script&gt;"])

        let tagLookalike = "Use <mark> to mark text."
        #expect(highlight(tagLookalike, terms: ["text"]).fragments == ["Use &lt;mark&gt; to mark <mark>text</mark>."])
        #expect(highlight(tagLookalike, terms: ["mark"]).fragments == ["Use &lt;<mark>mark</mark>&gt; to <mark>mark</mark> text."])
    }

    @Test func customTagsAreInsertedAsGiven() {
        let emphasis = HighlightOptions(preTag: #"<em class="hit">"#, postTag: "</em>")
        #expect(highlight("quick fox", terms: ["fox"], options: emphasis).fragments == [#"quick <em class="hit">fox</em>"#])

        let plain = highlight("quick fox", terms: ["fox"], options: HighlightOptions(preTag: "", postTag: ""))
        #expect(plain.fragments == ["quick fox"])
        #expect(plain.matches == [6..<9])
    }

    @Test func matchesAreScalarOffsetsInMultibyteText() {
        let text = "Caf\u{E9} 漢字 👩‍💻 na\u{EF}ve: caf\u{E9}, 漢字!"
        let result = highlight(text, terms: ["caf\u{E9}", "漢字", "na\u{EF}ve"])
        #expect(result.matches == [0..<4, 5..<7, 12..<17, 19..<23, 25..<27])
        #expect(markedText(result, in: text) == ["Caf\u{E9}", "漢字", "na\u{EF}ve", "caf\u{E9}", "漢字"])
        #expect(
            result.fragments == [
                "<mark>Caf\u{E9}</mark> <mark>漢字</mark> 👩‍💻 <mark>na\u{EF}ve</mark>: <mark>caf\u{E9}</mark>, <mark>漢字</mark>!"
            ]
        )
    }

    @Test func badTokenRangesAreIgnored() {
        // Bytes: "caf" 0..<3, "é" 3..<5, " " 5, "alpha" 6..<11, " " 11, "beta" 12..<16.
        let text = "caf\u{E9} alpha beta"
        let tokens = [
            AnalyzedToken(byteRange: -3..<2, lexemes: ["alpha"]),  // before the text
            AnalyzedToken(byteRange: 0..<4, lexemes: ["caf\u{E9}"]),  // ends inside "é"
            AnalyzedToken(byteRange: 4..<5, lexemes: ["caf\u{E9}"]),  // starts inside "é"
            AnalyzedToken(byteRange: 6..<11, lexemes: ["alpha"]),
            AnalyzedToken(byteRange: 8..<14, lexemes: ["beta"]),  // overlaps "alpha"
            AnalyzedToken(byteRange: 12..<16, lexemes: ["beta"]),
            AnalyzedToken(byteRange: 12..<16, lexemes: ["alpha"]),  // not after the previous token
            AnalyzedToken(byteRange: 14..<40, lexemes: ["alpha"]),  // past the end
            AnalyzedToken(byteRange: 16..<16, lexemes: ["alpha"]),  // empty
        ]
        let query = HighlightQuery(terms: ["alpha", "beta", "caf\u{E9}"])
        let result = Highlighter.highlight(text: text, tokens: tokens, query: query, options: HighlightOptions())
        #expect(result.matches == [5..<10, 11..<15])
        #expect(result.fragments == ["<mark>alpha</mark> <mark>beta</mark>"])

        let onlyBad = Highlighter.highlight(text: text, tokens: [tokens[0], tokens[7]], query: query, options: HighlightOptions())
        #expect(onlyBad == FieldHighlight(fragments: [], matches: []))
    }

    @Test func noMatchesGiveNoFragments() {
        let none = FieldHighlight(fragments: [], matches: [])
        #expect(highlight("nothing to see here", terms: ["absent"], prefixes: ["zz"]) == none)
        #expect(highlight("", terms: ["absent"]) == none)
        #expect(highlight("the and of", terms: [""], phrases: [[nil]]) == none)
    }

    @Test func nonsenseOptionsAreClamped() {
        let result = highlight(
            "The quick brown fox jumps.",
            terms: ["fox"],
            options: HighlightOptions(maximumFragments: 0, fragmentWords: -5)
        )
        #expect(result.fragments == ["<mark>fox</mark>"])
        #expect(result.matches == [16..<19])
    }

    @Test func hugeTextIsHighlightedFromItsAnalysedPrefix() {
        let filler = String(repeating: "lorem ipsum dolor sit amet ", count: 1_850)
        let head = filler + "first needle here " + filler + "second needle"
        let tail = " " + String(repeating: "<p>unanalysed & ignored</p> ", count: 5_000_000 / 28)
        let text = head + tail
        let tokens = analyze(head)
        #expect(head.utf8.count > 99_000 && text.utf8.count > 5_000_000)

        var result = FieldHighlight(fragments: [], matches: [])
        let elapsed = ContinuousClock().measure {
            result = Highlighter.highlight(text: text, tokens: tokens, query: HighlightQuery(terms: ["needle"]), options: HighlightOptions())
        }
        print("highlighting \(text.utf8.count) bytes with \(tokens.count) tokens took \(elapsed)")

        let firstNeedle = filler.unicodeScalars.count + "first ".unicodeScalars.count
        #expect(result.matches.first == firstNeedle..<(firstNeedle + 6))
        #expect(markedText(result, in: text) == ["needle", "needle"])
        #expect(result.fragments.count == 2)
        #expect(result.fragments.first?.contains("first <mark>needle</mark> here") == true)
        #expect(result.fragments.last?.hasSuffix("second <mark>needle</mark>") == true)
        #expect(result.fragments.allSatisfy { !$0.contains("unanalysed") })
    }
}
