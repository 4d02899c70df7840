/// The Snowball English ("Porter2") stemmer, as PostgreSQL's `english_stem` dictionary runs it, implemented
/// from the published algorithm (snowballstem.org, "The English (Porter2) stemming algorithm").
///
/// It works on lowercase UTF-8 bytes. Letters above ASCII count as consonants, and counts of letters
/// (words shorter than three letters are left alone) are in characters, as in Snowball's UTF-8 stemmers.
public enum EnglishStemmer {
    /// The stem of a lowercase word: `running` -> `run`, `generously` -> `generous`.
    public static func stem(_ word: String) -> String {
        var bytes = Array(word.utf8)
        stem(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Stems the lowercase UTF-8 word in `word` in place.
    public static func stem(_ word: inout [UInt8]) {
        if let replacement = exceptionalForm(word) {
            word = replacement
            return
        }
        guard characterCount(word, atLeast: 3) else { return }
        // The word's storage moves into the stemmer and back, so stemming copies nothing.
        var stemmer = Porter2Word()
        swap(&stemmer.letters, &word)
        stemmer.run()
        swap(&stemmer.letters, &word)
    }

    /// The algorithm's first exception list: words with a fixed stem, some of them left as they are.
    private static let exceptionalForms: [(word: [UInt8], stem: [UInt8])] = [
        ("skis", "ski"), ("skies", "sky"), ("dying", "die"), ("lying", "lie"), ("tying", "tie"), ("idly", "idl"),
        ("gently", "gentl"), ("ugly", "ugli"), ("early", "earli"), ("only", "onli"), ("singly", "singl"),
        ("sky", "sky"), ("news", "news"), ("howe", "howe"), ("atlas", "atlas"), ("cosmos", "cosmos"),
        ("bias", "bias"), ("andes", "andes"),
    ].map { (Array($0.utf8), Array($1.utf8)) }

    private static func exceptionalForm(_ word: [UInt8]) -> [UInt8]? {
        // All of them have 3 to 6 letters and end in s, g, y or e.
        guard word.count >= 3 && word.count <= 6, let last = word.last,
            last == UInt8(ascii: "s") || last == UInt8(ascii: "g") || last == UInt8(ascii: "y")
                || last == UInt8(ascii: "e")
        else { return nil }
        return exceptionalForms.first { $0.word == word }?.stem
    }

    private static func characterCount(_ word: [UInt8], atLeast minimum: Int) -> Bool {
        var count = 0
        for byte in word where byte & 0xC0 != 0x80 {
            count += 1
            if count >= minimum { return true }
        }
        return false
    }
}

/// A suffix the algorithm looks for and what happens to it once it is the longest match of its step.
private struct SuffixRule: Sendable {
    enum Action: Sendable {
        case replace(StaticString)
        case delete
        /// Step 1a, ied and ies: i after two or more letters, else ie.
        case iOrIe
        /// Step 1a, s: goes when a vowel comes before the letter preceding it.
        case deleteAfterVowel
        /// Step 1a, us and ss: stay.
        case keep
        /// Step 1b, eed and eedly: ee, in R1.
        case eeInR1
        /// Step 1b, ed, edly, ing, ingly: go after a vowel; the stem is then tidied.
        case deleteAfterVowelAndTidy
        /// Step 3, ative: goes in R2.
        case deleteInR2
        /// Step 2, ogi: og after l.
        case ogAfterL
        /// Step 2, li: goes after c, d, e, g, h, k, m, n, r or t.
        case deleteAfterLiEnding
        /// Step 4, ion: goes after s or t.
        case deleteAfterSOrT
    }

    let suffix: StaticString
    let action: Action

    init(_ suffix: StaticString, _ action: Action) {
        self.suffix = suffix
        self.action = action
    }

    var length: Int { suffix.utf8CodeUnitCount }
    var lastByte: UInt8 { suffix.utf8Start[length - 1] }
}

/// One step's suffixes, grouped by last letter and longest first, so a word is compared with only the few
/// suffixes that end like it.
private struct SuffixTable: Sendable {
    /// All rules, ordered by last letter, then longest first.
    let rules: [SuffixRule]
    /// The rules ending in byte `b` are `rules[groupStarts[b]..<groupStarts[b + 1]]`.
    private let groupStarts: [Int]

    init(_ rules: [SuffixRule]) {
        self.rules = rules.sorted { ($0.lastByte, $1.length) < ($1.lastByte, $0.length) }
        var starts = [Int](repeating: 0, count: 129)
        for rule in self.rules { starts[Int(rule.lastByte) + 1] += 1 }
        for byte in 0..<128 { starts[byte + 1] += starts[byte] }
        groupStarts = starts
    }

    func indices(endingWith byte: UInt8) -> Range<Int> {
        byte < 128 ? groupStarts[Int(byte)]..<groupStarts[Int(byte) + 1] : 0..<0
    }
}

/// One word going through the algorithm's steps. Positions are byte offsets; the suffixes the steps look
/// for are ASCII, so only the character-stepping helpers need to know about multi-byte letters.
private struct Porter2Word {
    var letters: [UInt8] = []
    /// Start of R1 and R2 (the regions after the first and second vowel-consonant pairs).
    var r1 = 0
    var r2 = 0
    var hasConsonantY = false

    private static let a = UInt8(ascii: "a"), e = UInt8(ascii: "e"), i = UInt8(ascii: "i"), o = UInt8(ascii: "o")
    private static let u = UInt8(ascii: "u"), y = UInt8(ascii: "y"), consonantY = UInt8(ascii: "Y")

    @inline(__always) static func isVowel(_ byte: UInt8) -> Bool {
        byte == a || byte == e || byte == i || byte == o || byte == u || byte == y
    }

    /// A consonant other than w, x and the consonant Y: what may end a short syllable.
    @inline(__always) static func isShortSyllableEnd(_ byte: UInt8) -> Bool {
        !isVowel(byte) && byte != UInt8(ascii: "w") && byte != UInt8(ascii: "x") && byte != consonantY
    }

    mutating func run() {
        markConsonantYs()
        markRegions()
        removePossessiveAndPlural()
        if isInvariantAfterPlural() {
            restoreYs()
            return
        }
        removeEdAndIng()
        replaceFinalY()
        replaceDoubleSuffixes()
        replaceDerivationalSuffixes()
        removeSuffixesInR2()
        removeFinalEOrL()
        restoreYs()
    }

    // MARK: characters

    /// Start of the character that ends just before `index`.
    func previousCharacterStart(before index: Int) -> Int {
        var start = index - 1
        while start > 0 && letters[start] & 0xC0 == 0x80 { start -= 1 }
        return start
    }

    /// Index just past the first vowel at or after `start`, or nil.
    func pastVowel(from start: Int) -> Int? {
        var index = start
        while index < letters.count {
            if Self.isVowel(letters[index]) { return index + 1 }
            index += 1
        }
        return nil
    }

    /// Index just past the first consonant (any non-vowel character) at or after `start`, or nil.
    func pastConsonant(from start: Int) -> Int? {
        var index = start
        while index < letters.count {
            let byte = letters[index]
            if byte < 0x80 {
                if !Self.isVowel(byte) { return index + 1 }
                index += 1
            } else {
                var end = index + 1
                while end < letters.count && letters[end] & 0xC0 == 0x80 { end += 1 }
                return end
            }
        }
        return nil
    }

    /// True when a vowel occurs before `end`.
    func hasVowel(before end: Int) -> Bool {
        var index = 0
        while index < end {
            if Self.isVowel(letters[index]) { return true }
            index += 1
        }
        return false
    }

    /// True when the letters before `end` finish with a short syllable: consonant, vowel, consonant
    /// (not w, x or Y), or a vowel at the start followed by a consonant.
    func endsWithShortSyllable(_ end: Int) -> Bool {
        guard end > 0 else { return false }
        let last = previousCharacterStart(before: end)
        let lastByte = letters[last]
        guard last > 0, Self.isVowel(letters[last - 1]) else { return false }
        let vowel = last - 1
        if vowel == 0 { return !Self.isVowel(lastByte) }
        guard !(lastByte < 0x80 && !Self.isShortSyllableEnd(lastByte)) else { return false }
        return !Self.isVowel(letters[vowel - 1])
    }

    func hasSuffix(_ suffix: StaticString) -> Bool {
        let count = suffix.utf8CodeUnitCount
        guard letters.count >= count else { return false }
        // From the last letter back: most suffixes fail at once.
        let suffixBytes = suffix.utf8Start
        var index = count - 1
        var letter = letters.count - 1
        while index >= 0 {
            if letters[letter] != suffixBytes[index] { return false }
            index -= 1
            letter -= 1
        }
        return true
    }

    /// The longest suffix of `table` the word ends with, and where it starts.
    func longestMatch(_ table: SuffixTable) -> (rule: SuffixRule, start: Int)? {
        guard let last = letters.last else { return nil }
        for index in table.indices(endingWith: last) where hasSuffix(table.rules[index].suffix) {
            return (table.rules[index], letters.count - table.rules[index].length)
        }
        return nil
    }

    mutating func replaceSuffix(from start: Int, with replacement: StaticString) {
        letters.removeSubrange(start...)
        replacement.withUTF8Buffer { letters.append(contentsOf: $0) }
    }

    // MARK: preparation

    /// An initial apostrophe goes; a y at the start or after a vowel is a consonant (marked Y).
    mutating func markConsonantYs() {
        if letters.first == UInt8(ascii: "'") { letters.removeFirst() }
        if letters.first == Self.y {
            letters[0] = Self.consonantY
            hasConsonantY = true
        }
        var index = 0
        while index + 1 < letters.count {
            if Self.isVowel(letters[index]) && letters[index + 1] == Self.y {
                letters[index + 1] = Self.consonantY
                hasConsonantY = true
                index += 2
            } else {
                index += 1
            }
        }
    }

    mutating func markRegions() {
        r1 = letters.count
        r2 = letters.count
        if hasPrefix("gener") || hasPrefix("arsen") {
            r1 = 5
        } else if hasPrefix("commun") {
            r1 = 6
        } else if let vowel = pastVowel(from: 0), let consonant = pastConsonant(from: vowel) {
            r1 = consonant
        } else {
            return
        }
        if let vowel = pastVowel(from: r1), let consonant = pastConsonant(from: vowel) { r2 = consonant }
    }

    func hasPrefix(_ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard letters.count >= count else { return false }
        return prefix.withUTF8Buffer { prefixBytes in letters.starts(with: prefixBytes) }
    }

    mutating func restoreYs() {
        guard hasConsonantY else { return }
        for index in letters.indices where letters[index] == Self.consonantY { letters[index] = Self.y }
    }

    // MARK: steps

    private static let possessives = SuffixTable([
        SuffixRule("'s'", .delete), SuffixRule("'s", .delete), SuffixRule("'", .delete),
    ])
    private static let plurals = SuffixTable([
        SuffixRule("sses", .replace("ss")), SuffixRule("ied", .iOrIe), SuffixRule("ies", .iOrIe),
        SuffixRule("ss", .keep), SuffixRule("us", .keep), SuffixRule("s", .deleteAfterVowel),
    ])
    private static let edAndIng = SuffixTable([
        SuffixRule("eedly", .eeInR1), SuffixRule("eed", .eeInR1), SuffixRule("ingly", .deleteAfterVowelAndTidy),
        SuffixRule("edly", .deleteAfterVowelAndTidy), SuffixRule("ing", .deleteAfterVowelAndTidy),
        SuffixRule("ed", .deleteAfterVowelAndTidy),
    ])
    /// Step 2, in R1: ization -> ize, ational -> ate, fulness -> ful, ...
    private static let step2 = SuffixTable([
        SuffixRule("tional", .replace("tion")), SuffixRule("enci", .replace("ence")),
        SuffixRule("anci", .replace("ance")), SuffixRule("abli", .replace("able")), SuffixRule("entli", .replace("ent")),
        SuffixRule("izer", .replace("ize")), SuffixRule("ization", .replace("ize")),
        SuffixRule("ational", .replace("ate")), SuffixRule("ation", .replace("ate")), SuffixRule("ator", .replace("ate")),
        SuffixRule("alism", .replace("al")), SuffixRule("aliti", .replace("al")), SuffixRule("alli", .replace("al")),
        SuffixRule("fulness", .replace("ful")), SuffixRule("ousli", .replace("ous")),
        SuffixRule("ousness", .replace("ous")), SuffixRule("iveness", .replace("ive")),
        SuffixRule("iviti", .replace("ive")), SuffixRule("biliti", .replace("ble")), SuffixRule("bli", .replace("ble")),
        SuffixRule("ogi", .ogAfterL), SuffixRule("fulli", .replace("ful")), SuffixRule("lessli", .replace("less")),
        SuffixRule("li", .deleteAfterLiEnding),
    ])
    /// Step 3, in R1: ational -> ate, alize -> al, icate -> ic, ful and ness go, ative goes in R2.
    private static let step3 = SuffixTable([
        SuffixRule("tional", .replace("tion")), SuffixRule("ational", .replace("ate")),
        SuffixRule("alize", .replace("al")), SuffixRule("icate", .replace("ic")), SuffixRule("iciti", .replace("ic")),
        SuffixRule("ical", .replace("ic")), SuffixRule("ful", .delete), SuffixRule("ness", .delete),
        SuffixRule("ative", .deleteInR2),
    ])
    /// Step 4, in R2: al, ance, ence, er, ic, able, ... go; ion goes after s or t.
    private static let step4 = SuffixTable([
        SuffixRule("al", .delete), SuffixRule("ance", .delete), SuffixRule("ence", .delete), SuffixRule("er", .delete),
        SuffixRule("ic", .delete), SuffixRule("able", .delete), SuffixRule("ible", .delete), SuffixRule("ant", .delete),
        SuffixRule("ement", .delete), SuffixRule("ment", .delete), SuffixRule("ent", .delete), SuffixRule("ism", .delete),
        SuffixRule("ate", .delete), SuffixRule("iti", .delete), SuffixRule("ous", .delete), SuffixRule("ive", .delete),
        SuffixRule("ize", .delete), SuffixRule("ion", .deleteAfterSOrT),
    ])

    /// Step 0 and 1a: `'s'`, `'s`, `'`; then sses -> ss, ied/ies -> i or ie, s after a vowel goes.
    mutating func removePossessiveAndPlural() {
        apply(Self.possessives, regionStart: 0)
        apply(Self.plurals, regionStart: 0)
    }

    private static let invariantsAfterPlural: [[UInt8]] = [
        "inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed",
    ].map { Array($0.utf8) }

    /// The second exception list: words left alone after step 1a.
    func isInvariantAfterPlural() -> Bool {
        guard letters.count >= 6 && letters.count <= 7, let last = letters.last,
            last == UInt8(ascii: "g") || last == UInt8(ascii: "d")
        else { return false }
        return Self.invariantsAfterPlural.contains(letters)
    }

    /// Step 1b: eed/eedly -> ee in R1; ed/edly/ing/ingly go after a vowel, then the stem is tidied.
    mutating func removeEdAndIng() { apply(Self.edAndIng, regionStart: 0) }

    /// After ed or ing went: at, bl, iz gain an e; a double letter loses one; a short word gains an e.
    mutating func tidyAfterEdOrIng() {
        if hasSuffix("at") || hasSuffix("bl") || hasSuffix("iz") {
            letters.append(Self.e)
        } else if let last = letters.last, letters.count >= 2, letters[letters.count - 2] == last,
            Self.isDoubleToUndo(last)
        {
            letters.removeLast()
        } else if r1 == letters.count && endsWithShortSyllable(letters.count) {
            letters.append(Self.e)
        }
    }

    static func isDoubleToUndo(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "b"), UInt8(ascii: "d"), UInt8(ascii: "f"), UInt8(ascii: "g"), UInt8(ascii: "m"),
            UInt8(ascii: "n"), UInt8(ascii: "p"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return true
        default:
            return false
        }
    }

    /// Step 1c: a final y (or Y) after a consonant that is not the first letter becomes i.
    mutating func replaceFinalY() {
        guard let last = letters.last, last == Self.y || last == Self.consonantY, letters.count >= 2 else { return }
        let before = previousCharacterStart(before: letters.count - 1)
        guard before > 0, letters[before] >= 0x80 || !Self.isVowel(letters[before]) else { return }
        letters[letters.count - 1] = Self.i
    }

    mutating func replaceDoubleSuffixes() { apply(Self.step2, regionStart: r1) }
    mutating func replaceDerivationalSuffixes() { apply(Self.step3, regionStart: r1) }
    mutating func removeSuffixesInR2() { apply(Self.step4, regionStart: r2) }

    /// Finds the longest suffix of `table`; when it starts in the region, applies its action. A longest
    /// suffix outside the region or failing its condition ends the step: shorter ones are not tried.
    mutating func apply(_ table: SuffixTable, regionStart: Int) {
        guard let (rule, start) = longestMatch(table), start >= regionStart else { return }
        let before: UInt8 = start > 0 ? letters[start - 1] : 0
        switch rule.action {
        case .replace(let replacement):
            replaceSuffix(from: start, with: replacement)
        case .delete:
            letters.removeSubrange(start...)
        case .iOrIe:
            // "ties" -> "tie", "cries" -> "cri".
            let oneBefore = start > 0 ? previousCharacterStart(before: start) : -1
            replaceSuffix(from: start, with: oneBefore > 0 ? "i" : "ie")
        case .deleteAfterVowel:
            if start > 0 && hasVowel(before: previousCharacterStart(before: start)) { letters.removeSubrange(start...) }
        case .keep:
            break
        case .eeInR1:
            if start >= r1 { replaceSuffix(from: start, with: "ee") }
        case .deleteAfterVowelAndTidy:
            guard hasVowel(before: start) else { return }
            letters.removeSubrange(start...)
            tidyAfterEdOrIng()
        case .deleteInR2:
            if start >= r2 { letters.removeSubrange(start...) }
        case .ogAfterL:
            if before == UInt8(ascii: "l") { replaceSuffix(from: start, with: "og") }
        case .deleteAfterLiEnding:
            if Self.isValidLiEnding(before) { letters.removeSubrange(start...) }
        case .deleteAfterSOrT:
            if before == UInt8(ascii: "s") || before == UInt8(ascii: "t") { letters.removeSubrange(start...) }
        }
    }

    static func isValidLiEnding(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "c"), UInt8(ascii: "d"), UInt8(ascii: "e"), UInt8(ascii: "g"), UInt8(ascii: "h"),
            UInt8(ascii: "k"), UInt8(ascii: "m"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return true
        default:
            return false
        }
    }

    /// Step 5: a final e goes in R2, or in R1 when no short syllable precedes it; ll -> l in R2.
    mutating func removeFinalEOrL() {
        guard let last = letters.last else { return }
        let start = letters.count - 1
        if last == Self.e {
            if start >= r2 || (start >= r1 && !endsWithShortSyllable(start)) { letters.removeLast() }
        } else if last == UInt8(ascii: "l") {
            if start >= r2 && start > 0 && letters[start - 1] == UInt8(ascii: "l") { letters.removeLast() }
        }
    }
}
