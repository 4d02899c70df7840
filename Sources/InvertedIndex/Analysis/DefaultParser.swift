/// Splits text into tokens the way PostgreSQL's default text-search parser does (`ts_parse('default', ...)`),
/// with each token's type and UTF-8 byte range.
///
/// The rules were learnt from PostgreSQL 15's behaviour (`ts_debug`), not from its source. At each point
/// the longest reading in a fixed order of preference wins: an email, a host or URL, a protocol, a file
/// path, a hyphenated word, a number, then a plain word; anything else is a blank. Letters above ASCII are
/// classified by the server's locale tables (`PostgresCharacterTables`).
public enum DefaultParser {
    /// Every token of `text`, blanks included, in PostgreSQL's order.
    public static func tokens(in text: String) -> [ParserToken] {
        var tokens: [ParserToken] = []
        var copy = text
        copy.withUTF8 { tokenize($0, into: &tokens) }
        return tokens
    }

    /// Appends the tokens of UTF-8 `bytes` (which must be valid UTF-8) to `tokens`.
    public static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, into tokens: inout [ParserToken]) {
        var scanner = DefaultParserScanner(text: bytes, tokens: tokens)
        tokens = []
        scanner.scanAll()
        tokens = scanner.tokens
    }
}

private enum ASCII {
    static let dash = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let slash = UInt8(ascii: "/")
    static let tilde = UInt8(ascii: "~")
    static let underscore = UInt8(ascii: "_")
    static let at = UInt8(ascii: "@")
    static let colon = UInt8(ascii: ":")
    static let less = UInt8(ascii: "<")
    static let greater = UInt8(ascii: ">")
    static let ampersand = UInt8(ascii: "&")
    static let semicolon = UInt8(ascii: ";")
    static let hash = UInt8(ascii: "#")
    static let bang = UInt8(ascii: "!")
    static let question = UInt8(ascii: "?")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let backslash = UInt8(ascii: "\\")

    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20) &- 0x61 < 6 }
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte &- 0x09 < 5 }

    /// Characters a tag may hold between its name and its `>`, outside quotes.
    static func isTagAttributeCharacter(_ byte: UInt8) -> Bool {
        if isAlphanumeric(byte) || isSpace(byte) { return true }
        switch byte {
        case UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Characters a URL path may hold after its first slash (RFC 3986's unreserved and reserved sets, and %).
    static func isURLPathCharacter(_ byte: UInt8) -> Bool {
        if isAlphanumeric(byte) { return true }
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"),
            UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","),
            UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }
}

/// A maximal run of letters and digits: the raw material of words, numbers and hyphenated-word parts.
private struct WordRun {
    var start: Int
    var end: Int
    var hasLetter = false
    var hasDigit = false
    var hasNonASCII = false
}

/// Where a file path is in its little automaton; each state says what the last character was.
private enum FilePathState {
    /// Inside a name: letters, digits, `-` and `_`. A path may end here.
    case name
    /// Just after `/`.
    case slash
    /// Just after a `.` that follows a name.
    case dot
    /// Just after `~` (at the start, or after `/`).
    case tilde
    /// Just after `/.`.
    case slashDot
    /// Just after `..` (at the start, or after `/`).
    case dotDot
}

/// What a tag does to the parsing of the text after it.
private enum TagEffect {
    case none
    /// `<script ...>` or `<style ...>`: what follows, up to a closing tag, is blanks and tags only.
    case opensRawText
    /// `</script>` or `</style>`.
    case closesRawText
}

private struct DefaultParserScanner {
    let text: UnsafeBufferPointer<UInt8>
    var tokens: [ParserToken]
    /// Between `<script>` (or `<style>`) and its closing tag.
    var insideRawText = false

    @inline(__always) func byte(_ index: Int) -> UInt8 { index < text.count ? text[index] : 0 }

    mutating func emit(_ kind: TokenClass, _ start: Int, _ end: Int) {
        tokens.append(ParserToken(kind: kind, byteRange: start..<end))
    }

    mutating func scanAll() {
        var position = 0
        while position < text.count {
            position = insideRawText ? scanRawText(at: position) : scanToken(at: position)
        }
    }

    /// Inside a script or style element: a tag, or a blank up to the next `<`.
    mutating func scanRawText(at start: Int, skippingTag: Bool = false) -> Int {
        if !skippingTag && text[start] == ASCII.less, let end = scanTag(from: start) { return end }
        var end = start + 1
        while end < text.count && text[end] != ASCII.less { end += 1 }
        emit(.blank, start, end)
        return end
    }

    mutating func scanTag(from start: Int) -> Int? {
        guard let (end, effect) = tagEnd(from: start) else { return nil }
        emit(.tag, start, end)
        switch effect {
        case .none: break
        case .opensRawText: insideRawText = true
        case .closesRawText: insideRawText = false
        }
        return end
    }

    /// Emits the token (or compound) starting at `start` and returns where the next one starts.
    mutating func scanToken(at start: Int) -> Int {
        let first = text[start]
        switch first {
        case ASCII.less:
            if let end = scanTag(from: start) { return end }
            if opensRawTextWithoutClosing(at: start) {
                // `<script` and a space switch to raw text even when the tag never closes.
                insideRawText = true
                return scanRawText(at: start, skippingTag: true)
            }
        case ASCII.ampersand:
            if let end = entityEnd(from: start) {
                emit(.entity, start, end)
                return end
            }
        case ASCII.tilde:
            if let end = filePathEnd(from: start + 1, state: .tilde) {
                emit(.file, start, end)
                return end
            }
        case ASCII.slash:
            if let end = filePathEnd(from: start + 1, state: .slash) {
                emit(.file, start, end)
                return end
            }
        case ASCII.dot:
            if let end = relativePathEnd(from: start) {
                emit(.file, start, end)
                return end
            }
        case ASCII.dash, ASCII.plus:
            if let end = scanSignedNumber(from: start) { return end }
        default:
            if ASCII.isAlphanumeric(first) || (first >= 0x80 && nonASCIILetterWidth(at: start) > 0) {
                return scanWordLike(from: start)
            }
        }
        return scanBlank(from: start)
    }

    // MARK: characters

    /// The width of the letter above ASCII at `index`, or 0 when the character there is not one.
    @inline(__always) func nonASCIILetterWidth(at index: Int) -> Int {
        let (codePoint, width) = PostgresCharacters.decode(text, at: index)
        return PostgresCharacters.isLetter(codePoint) ? width : 0
    }

    /// True when a mark (a character that continues words but cannot start one) is at `index`.
    func isMark(at index: Int) -> Bool {
        index < text.count && text[index] >= 0x80
            && PostgresCharacters.isMark(PostgresCharacters.decode(text, at: index).codePoint)
    }

    /// The run of letters, digits and marks starting at `start`; empty unless a letter or digit is there.
    func scanRun(from start: Int) -> WordRun {
        var run = WordRun(start: start, end: start)
        var index = start
        while index < text.count {
            let byte = text[index]
            if byte < 0x80 {
                if ASCII.isLetter(byte) {
                    run.hasLetter = true
                } else if ASCII.isDigit(byte) {
                    run.hasDigit = true
                } else {
                    break
                }
                index += 1
            } else {
                let (codePoint, width) = PostgresCharacters.decode(text, at: index)
                guard PostgresCharacters.isLetter(codePoint) || (index > start && PostgresCharacters.isMark(codePoint))
                else { break }
                run.hasLetter = true
                run.hasNonASCII = true
                index += width
            }
        }
        run.end = index
        return run
    }

    func digitsEnd(from start: Int) -> Int {
        var index = start
        while ASCII.isDigit(byte(index)) { index += 1 }
        return index
    }

    /// True at the end of the text or at a space character (the server's `iswspace`).
    func isSpaceOrEnd(at index: Int) -> Bool {
        guard index < text.count else { return true }
        let byte = text[index]
        if byte < 0x80 { return ASCII.isSpace(byte) }
        switch PostgresCharacters.decode(text, at: index).codePoint {
        case 0x1680, 0x2000...0x2006, 0x2008...0x200A, 0x2028, 0x2029, 0x205F, 0x3000: return true
        default: return false
        }
    }

    // MARK: blanks

    /// A blank: the character at `start`, then everything up to where a token could begin.
    mutating func scanBlank(from start: Int) -> Int {
        var index = start + (text[start] < 0x80 ? 1 : PostgresCharacters.decode(text, at: start).width)
        while index < text.count {
            let byte = text[index]
            if byte < 0x80 {
                if ASCII.isAlphanumeric(byte) { break }
                switch byte {
                case ASCII.less, ASCII.ampersand, ASCII.dash, ASCII.plus, ASCII.slash:
                    emit(.blank, start, index)
                    return index
                default:
                    index += 1
                }
            } else {
                let (codePoint, width) = PostgresCharacters.decode(text, at: index)
                if PostgresCharacters.isLetter(codePoint) { break }
                index += width
            }
        }
        emit(.blank, start, index)
        return index
    }

    // MARK: words and everything that starts like one

    mutating func scanWordLike(from start: Int) -> Int {
        let first = text[start]
        if ASCII.isDigit(first) {
            // An exponent right after the digits makes a number, even when letters follow ("1e5x").
            let digits = digitsEnd(from: start)
            if let end = exponentEnd(from: digits) {
                emit(.scientificFloat, start, end)
                return end
            }
        }
        let run = scanRun(from: start)
        let next = byte(run.end)
        if !run.hasNonASCII {
            if next == ASCII.dot || next == ASCII.dash || next == ASCII.underscore || next == ASCII.at {
                if let end = emailEnd(from: start) {
                    emit(.email, start, end)
                    return end
                }
                if let end = hostEnd(from: start) {
                    return emitHostOrURL(from: start, hostEnd: end)
                }
            }
            if next == ASCII.colon && !run.hasDigit && byte(run.end + 1) == ASCII.slash
                && byte(run.end + 2) == ASCII.slash
            {
                emit(.urlProtocol, start, run.end + 3)
                return run.end + 3
            }
        } else if run.hasDigit && next == ASCII.at, let domainEnd = hostEnd(from: run.end + 1) {
            // A word with letters above ASCII starts an email only when it has digits, and only on its own.
            let end = portEnd(from: domainEnd)
            emit(.email, start, end)
            return end
        }
        // Paths start from ASCII words and numbers, or from words above ASCII that hold digits.
        if !run.hasNonASCII || run.hasDigit {
            if next == ASCII.slash, let end = filePathEnd(from: run.end + 1, state: .slash) {
                emit(.file, start, end)
                return end
            }
            if next == ASCII.dot && run.hasLetter, let end = filePathEnd(from: run.end + 1, state: .dot) {
                emit(.file, start, end)
                return end
            }
        }
        if !run.hasLetter {
            return scanUnsignedNumber(from: start, digitsEnd: run.end)
        }
        if next == ASCII.dash, let end = scanHyphenatedWord(firstPart: run) {
            return end
        }
        emit(run.hasDigit ? .numWord : run.hasNonASCII ? .word : .asciiWord, start, run.end)
        return run.end
    }

    // MARK: numbers

    /// `e5`, `E-3`, `e+10` after a mantissa ending at `start`: the end of the exponent, or nil.
    func exponentEnd(from start: Int) -> Int? {
        guard byte(start) | 0x20 == UInt8(ascii: "e") else { return nil }
        var index = start + 1
        if byte(index) == ASCII.dash || byte(index) == ASCII.plus { index += 1 }
        guard ASCII.isDigit(byte(index)) else { return nil }
        return digitsEnd(from: index)
    }

    /// A number with no sign: an integer, a decimal, a version (`1.2.3`) or scientific notation.
    mutating func scanUnsignedNumber(from start: Int, digitsEnd integerEnd: Int) -> Int {
        // Without a sign, a number never fails: at worst it is the integer.
        scanNumber(from: start, integerEnd: integerEnd, signed: false) ?? integerEnd
    }

    /// A number after `-` or `+`; nil when the sign does not start one.
    mutating func scanSignedNumber(from start: Int) -> Int? {
        guard ASCII.isDigit(byte(start + 1)) else { return nil }
        return scanNumber(from: start, integerEnd: digitsEnd(from: start + 1), signed: true)
    }

    /// The number whose integer part ends at `integerEnd`. A signed version does not exist: for `-1.2.3`
    /// it returns nil, and the sign becomes a blank before an unsigned version.
    mutating func scanNumber(from start: Int, integerEnd: Int, signed: Bool) -> Int? {
        guard byte(integerEnd) == ASCII.dot && ASCII.isDigit(byte(integerEnd + 1)) else {
            // Unsigned, an exponent here was already taken for scientific notation ("1e5").
            if signed, let exponent = exponentEnd(from: integerEnd) {
                emit(.scientificFloat, start, exponent)
                return exponent
            }
            emit(signed ? .signedInteger : .unsignedInteger, start, integerEnd)
            return integerEnd
        }
        var end = digitsEnd(from: integerEnd + 1)
        if byte(end) == ASCII.dot && ASCII.isDigit(byte(end + 1)) {
            if signed { return nil }
            while byte(end) == ASCII.dot && ASCII.isDigit(byte(end + 1)) {
                end = digitsEnd(from: end + 1)
            }
            emit(.version, start, end)
            return end
        }
        if let exponent = exponentEnd(from: end) {
            emit(.scientificFloat, start, exponent)
            return exponent
        }
        emit(.float, start, end)
        return end
    }

    // MARK: hyphenated words

    /// `well-known`, `NF-κB`, `IL-6R`: the compound, then its parts with the hyphens as blanks. Every part
    /// must hold a letter; the compound stops before the first part that does not.
    mutating func scanHyphenatedWord(firstPart: WordRun) -> Int? {
        var parts = [firstPart]
        var index = firstPart.end
        while byte(index) == ASCII.dash {
            let part = scanRun(from: index + 1)
            guard part.hasLetter else { break }
            parts.append(part)
            index = part.end
        }
        guard parts.count >= 2 else { return nil }
        let end = index
        let hasDigit = parts.contains { $0.hasDigit }
        let hasNonASCII = parts.contains { $0.hasNonASCII }
        emit(
            hasDigit ? .numHyphenatedWord : hasNonASCII ? .hyphenatedWord : .asciiHyphenatedWord,
            firstPart.start, end)
        for (number, part) in parts.enumerated() {
            if number > 0 { emit(.blank, part.start - 1, part.start) }
            emit(part.hasDigit ? .hyphenatedNumPart : part.hasNonASCII ? .hyphenatedPart : .hyphenatedAsciiPart,
                 part.start, part.end)
        }
        // A hyphen followed by a digit (or a mark) right after the compound is a blank of its own:
        // "anti-IL-6" ends in 6, not -6.
        if byte(end) == ASCII.dash && (ASCII.isDigit(byte(end + 1)) || isMark(at: end + 1)) {
            emit(.blank, end, end + 1)
            return end + 1
        }
        return end
    }

    // MARK: hosts, URLs and emails

    /// One host label: ASCII letters and digits, with single `-` or `_` inside. Returns its end and, when
    /// its first segment (up to a `-` or `_`) is two or more letters, that segment's end: a host name may
    /// end there.
    func hostLabelEnd(from start: Int) -> (end: Int, domainEnd: Int?) {
        var index = start
        var domainEnd: Int?
        var firstSegment = true
        while true {
            var lettersOnly = true
            let segmentStart = index
            while true {
                let byte = byte(index)
                if ASCII.isLetter(byte) {
                    index += 1
                } else if ASCII.isDigit(byte) {
                    lettersOnly = false
                    index += 1
                } else {
                    break
                }
            }
            if firstSegment && lettersOnly && index - segmentStart >= 2 { domainEnd = index }
            firstSegment = false
            let separator = byte(index)
            guard (separator == ASCII.dash || separator == ASCII.underscore) && ASCII.isAlphanumeric(byte(index + 1))
            else { return (index, domainEnd) }
            index += 1
        }
    }

    /// The end of the longest host name starting at `start`: two or more labels separated by dots, the last
    /// starting with two or more letters (`example.com`, `a-b.co-op` ends after `co`). Nil when there is none.
    func hostEnd(from start: Int) -> Int? {
        var index = start
        var labels = 0
        var longest: Int?
        while ASCII.isAlphanumeric(byte(index)) {
            let label = hostLabelEnd(from: index)
            labels += 1
            if labels >= 2, let domainEnd = label.domainEnd { longest = domainEnd }
            index = label.end
            guard byte(index) == ASCII.dot && ASCII.isAlphanumeric(byte(index + 1)) else { break }
            index += 1
        }
        return longest
    }

    /// A `:port` after a host name ending at `start`: the end of the port, or `start`.
    func portEnd(from start: Int) -> Int {
        guard byte(start) == ASCII.colon && ASCII.isDigit(byte(start + 1)) else { return start }
        return digitsEnd(from: start + 1)
    }

    /// A host (with its port), or a URL when a path follows: the URL, then its host, then its path.
    mutating func emitHostOrURL(from start: Int, hostEnd: Int) -> Int {
        let hostAndPortEnd = portEnd(from: hostEnd)
        guard byte(hostAndPortEnd) == ASCII.slash && ASCII.isURLPathCharacter(byte(hostAndPortEnd + 1)) else {
            emit(.host, start, hostAndPortEnd)
            return hostAndPortEnd
        }
        var end = hostAndPortEnd + 1
        while ASCII.isURLPathCharacter(byte(end)) { end += 1 }
        emit(.url, start, end)
        emit(.host, start, hostAndPortEnd)
        emit(.urlPath, hostAndPortEnd, end)
        return end
    }

    /// `name.name@host.domain[:port]`, the local part made of host-style labels.
    func emailEnd(from start: Int) -> Int? {
        var index = start
        while true {
            guard ASCII.isAlphanumeric(byte(index)) else { return nil }
            index = hostLabelEnd(from: index).end
            if byte(index) == ASCII.at { break }
            guard byte(index) == ASCII.dot else { return nil }
            index += 1
        }
        guard let domainEnd = hostEnd(from: index + 1) else { return nil }
        return portEnd(from: domainEnd)
    }

    // MARK: file paths

    /// Runs the path automaton from `start` in `state`; returns the end of the longest complete path.
    func filePathEnd(from start: Int, state initial: FilePathState) -> Int? {
        var state = initial
        var index = start
        var longest: Int?
        while true {
            let byte = byte(index)
            switch state {
            case .name:
                longest = index
                if ASCII.isAlphanumeric(byte) || byte == ASCII.dash || byte == ASCII.underscore {
                    state = .name
                } else if byte == ASCII.slash {
                    state = .slash
                } else if byte == ASCII.dot {
                    state = .dot
                } else {
                    return longest
                }
            case .slash:
                if ASCII.isAlphanumeric(byte) || byte == ASCII.underscore {
                    state = .name
                } else if byte == ASCII.dot {
                    state = .slashDot
                } else if byte == ASCII.tilde {
                    state = .tilde
                } else {
                    return longest
                }
            case .dot:
                guard ASCII.isAlphanumeric(byte) || byte == ASCII.underscore else { return longest }
                state = .name
            case .tilde:
                if byte == ASCII.slash {
                    state = .slash
                } else if ASCII.isAlphanumeric(byte) || byte == ASCII.underscore {
                    state = .name
                } else {
                    return longest
                }
            case .slashDot:
                if byte == ASCII.dot {
                    state = .dotDot
                } else if byte == ASCII.slash {
                    state = .slash
                } else if ASCII.isAlphanumeric(byte) || byte == ASCII.underscore {
                    state = .name
                } else {
                    return longest
                }
            case .dotDot:
                // `..` ends a path only before a slash, a space or the end of the text.
                if byte == ASCII.slash {
                    longest = index
                    state = .slash
                } else {
                    return isSpaceOrEnd(at: index) ? index : longest
                }
            }
            index += 1
        }
    }

    /// `./name`, `../name` or a lone `..`, starting at a dot.
    func relativePathEnd(from start: Int) -> Int? {
        switch byte(start + 1) {
        case ASCII.slash: filePathEnd(from: start + 2, state: .slash)
        case ASCII.dot: filePathEnd(from: start + 2, state: .dotDot)
        default: nil
        }
    }

    // MARK: tags and entities

    /// `&amp;`, `&#123;`, `&#x1F;`.
    func entityEnd(from start: Int) -> Int? {
        var index = start + 1
        if byte(index) == ASCII.hash {
            index += 1
            if byte(index) | 0x20 == UInt8(ascii: "x") && ASCII.isHexDigit(byte(index + 1)) {
                index += 1
                while ASCII.isHexDigit(byte(index)) { index += 1 }
            } else {
                guard ASCII.isDigit(byte(index)) else { return nil }
                index = digitsEnd(from: index)
            }
        } else {
            let first = byte(index)
            guard ASCII.isLetter(first) || first == ASCII.underscore || first == ASCII.colon else { return nil }
            index = markupNameEnd(from: index + 1)
        }
        return byte(index) == ASCII.semicolon ? index + 1 : nil
    }

    /// The rest of an XML name: letters (any script, unless `asciiOnly`), digits, `-`, `_`, `:` and `.`.
    func markupNameEnd(from start: Int, asciiOnly: Bool = false) -> Int {
        var index = start
        while true {
            let byte = byte(index)
            if ASCII.isAlphanumeric(byte) || byte == ASCII.dash || byte == ASCII.underscore || byte == ASCII.colon
                || byte == ASCII.dot
            {
                index += 1
            } else if byte >= 0x80, !asciiOnly, case let width = nonASCIILetterWidth(at: index), width > 0 {
                index += width
            } else {
                return index
            }
        }
    }

    /// An XML/HTML tag: `<b>`, `</p>`, `<br/>`, `<a href="x">`, a comment `<!-- ... -->`.
    func tagEnd(from start: Int) -> (end: Int, effect: TagEffect)? {
        var index = start + 1
        if byte(index) == ASCII.bang && byte(index + 1) == ASCII.dash && byte(index + 2) == ASCII.dash {
            index += 3
            while index + 2 < text.count {
                if text[index] == ASCII.dash && text[index + 1] == ASCII.dash && text[index + 2] == ASCII.greater {
                    return (index + 3, .none)
                }
                index += 1
            }
            return nil
        }
        let marker = byte(index)
        switch marker {
        case ASCII.slash:
            guard ASCII.isLetter(byte(index + 1)) else { return nil }
            index += 1
        case ASCII.bang:
            // Only `<!DOCTYPE ...>` (PostgreSQL looks at its first letter alone).
            guard byte(index + 1) | 0x20 == UInt8(ascii: "d") else { return nil }
            index += 1
        case ASCII.question:
            // Only `<?xml ...?>`, likewise (lowercase only).
            guard byte(index + 1) == UInt8(ascii: "x") else { return nil }
            index += 1
        default:
            guard ASCII.isLetter(marker) || marker == ASCII.underscore || marker == ASCII.colon else { return nil }
        }
        let nameStart = index
        index = markupNameEnd(from: index + 1, asciiOnly: marker == ASCII.bang || marker == ASCII.question)
        let nameEnd = index
        let effect: TagEffect
        if marker == ASCII.slash {
            effect = isRawTextElement(nameStart..<nameEnd) ? .closesRawText : .none
        } else if marker != ASCII.bang && marker != ASCII.question && byte(nameEnd) != ASCII.slash {
            effect = isRawTextElement(nameStart..<nameEnd) ? .opensRawText : .none
        } else {
            effect = .none
        }
        // `<!DOCTYPE` and `<?xml` go straight on to what follows their name; other tags need a space first.
        if marker != ASCII.bang && marker != ASCII.question {
            if byte(index) == ASCII.greater { return (index + 1, effect) }
            if byte(index) == ASCII.slash { return byte(index + 1) == ASCII.greater ? (index + 2, effect) : nil }
            guard ASCII.isSpace(byte(index)) else { return nil }
        }
        // Attributes: names, values and spaces from a small set of characters, quoted values taken whole.
        while index < text.count {
            let byte = text[index]
            switch byte {
            case ASCII.greater:
                return (index + 1, effect)
            case ASCII.doubleQuote, ASCII.singleQuote:
                // A quoted value, where a backslash escapes the character after it.
                index += 1
                while index < text.count && text[index] != byte {
                    index += text[index] == ASCII.backslash ? 2 : 1
                }
                guard index < text.count else { return nil }
                index += 1
            default:
                guard ASCII.isTagAttributeCharacter(byte) else { return nil }
                index += 1
            }
        }
        return nil
    }

    /// `<script` or `<style` followed by a space, at `start`.
    func opensRawTextWithoutClosing(at start: Int) -> Bool {
        guard ASCII.isLetter(byte(start + 1)) else { return false }
        let nameEnd = markupNameEnd(from: start + 2)
        return ASCII.isSpace(byte(nameEnd)) && isRawTextElement(start + 1..<nameEnd)
    }

    /// `script` or `style`, in any case.
    func isRawTextElement(_ name: Range<Int>) -> Bool {
        func matches(_ word: StaticString) -> Bool {
            guard name.count == word.utf8CodeUnitCount else { return false }
            return word.withUTF8Buffer { letters in
                zip(name, letters).allSatisfy { text[$0] | 0x20 == $1 }
            }
        }
        return matches("script") || matches("style")
    }
}
