/// A strict JSON reader for what clients send: RFC 8259 grammar, valid UTF-8 only, bounded nesting, and no
/// NUL characters or unpaired surrogates (PostgreSQL's `jsonb` cannot store them, so they are refused here
/// with a clear reason rather than failing a whole batch in the database).
public struct JSONParser {
    public struct Limits: Sendable, Hashable {
        /// Deepest nesting of arrays and objects.
        public var maximumDepth: Int
        /// Longest single string, in UTF-8 bytes.
        public var maximumStringBytes: Int

        public init(maximumDepth: Int = 32, maximumStringBytes: Int = 1 << 20) {
            self.maximumDepth = maximumDepth
            self.maximumStringBytes = maximumStringBytes
        }
    }

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case syntax(offset: Int, expected: String)
        case invalidUTF8(offset: Int)
        case nulCharacter(offset: Int)
        case unpairedSurrogate(offset: Int)
        case tooDeep(limit: Int)
        case stringTooLong(offset: Int, limit: Int)

        public var description: String {
            switch self {
            case .syntax(let offset, let expected): "malformed JSON at byte \(offset): expected \(expected)"
            case .invalidUTF8(let offset): "invalid UTF-8 at byte \(offset)"
            case .nulCharacter(let offset): "NUL character (\\u0000) at byte \(offset) is not allowed"
            case .unpairedSurrogate(let offset): "unpaired UTF-16 surrogate escape at byte \(offset)"
            case .tooDeep(let limit): "JSON nested deeper than \(limit) levels"
            case .stringTooLong(let offset, let limit): "string at byte \(offset) is longer than \(limit) bytes"
            }
        }
    }

    /// Parses one complete JSON text (surrounding whitespace allowed).
    public static func parse(_ bytes: some Collection<UInt8>, limits: Limits = Limits()) throws(Failure) -> JSONValue {
        let buffer = Array(bytes)
        var parser = JSONParser(bytes: buffer, limits: limits)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw .syntax(offset: parser.index, expected: "end of input") }
        return value
    }

    /// Parses a JSON array element by element, so one bad element is reported without losing the others.
    /// Throws only when the array itself cannot be delimited.
    public static func parseArrayElements(
        _ bytes: [UInt8], limits: Limits = Limits()
    ) throws(Failure) -> [Result<JSONValue, Failure>] {
        var parser = JSONParser(bytes: bytes, limits: limits)
        parser.skipWhitespace()
        try parser.expect(UInt8(ascii: "["), "'['")
        var elements: [Result<JSONValue, Failure>] = []
        parser.skipWhitespace()
        if parser.peek == UInt8(ascii: "]") {
            parser.index += 1
        } else {
            while true {
                parser.skipWhitespace()
                let start = parser.index
                do {
                    elements.append(.success(try parser.parseValue(depth: 1)))
                } catch {
                    // Resynchronise at the end of this element; a syntax error leaves nothing to trust.
                    if case .syntax = error { throw error }
                    elements.append(.failure(error))
                    parser.index = start
                    try parser.skipValue()
                }
                parser.skipWhitespace()
                if parser.peek == UInt8(ascii: ",") {
                    parser.index += 1
                    continue
                }
                try parser.expect(UInt8(ascii: "]"), "',' or ']'")
                break
            }
        }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw .syntax(offset: parser.index, expected: "end of input") }
        return elements
    }

    private let bytes: [UInt8]
    private let limits: Limits
    private var index = 0

    private init(bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ description: String) throws(Failure) {
        guard peek == byte else { throw .syntax(offset: index, expected: description) }
        index += 1
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard let byte = peek else { throw .syntax(offset: index, expected: "a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw .syntax(offset: index, expected: "a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw .syntax(offset: index, expected: "\(word)") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw .syntax(offset: index, expected: "\(word)")
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= limits.maximumDepth else { throw .tooDeep(limit: limits.maximumDepth) }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw .syntax(offset: index, expected: "a string key") }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            members[key] = try parseValue(depth: depth)
            skipWhitespace()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= limits.maximumDepth else { throw .tooDeep(limit: limits.maximumDepth) }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            if peek == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return .array(elements)
        }
    }

    private mutating func parseNumber() throws(Failure) -> String {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, isDigit(first) else { throw .syntax(offset: index, expected: "a digit") }
        index += 1
        if first != UInt8(ascii: "0") {
            while let byte = peek, isDigit(byte) { index += 1 }
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let byte = peek, isDigit(byte) else { throw .syntax(offset: index, expected: "a digit after '.'") }
            while let byte = peek, isDigit(byte) { index += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let byte = peek, isDigit(byte) else { throw .syntax(offset: index, expected: "an exponent") }
            while let byte = peek, isDigit(byte) { index += 1 }
        }
        guard index - start <= 64 else { throw .syntax(offset: start, expected: "a number of at most 64 characters") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func parseString() throws(Failure) -> String {
        let start = index
        index += 1
        var output: [UInt8] = []
        while true {
            guard index < bytes.count else { throw .syntax(offset: start, expected: "a closing quote") }
            if output.count > limits.maximumStringBytes {
                throw .stringTooLong(offset: start, limit: limits.maximumStringBytes)
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &output)
            case 0x00:
                throw .nulCharacter(offset: index)
            case 0x01..<0x20:
                throw .syntax(offset: index, expected: "an escaped control character")
            case 0x20..<0x80:
                output.append(byte)
                index += 1
            default:
                let length = try validUTF8Sequence(at: index)
                output.append(contentsOf: bytes[index..<index + length])
                index += length
            }
        }
    }

    private mutating func parseEscape(into output: inout [UInt8]) throws(Failure) {
        let escapeStart = index
        index += 1
        guard let byte = peek else { throw .syntax(offset: index, expected: "an escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw .unpairedSurrogate(offset: escapeStart)
                }
                index += 2
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw .unpairedSurrogate(offset: escapeStart) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw .unpairedSurrogate(offset: escapeStart)
            }
            guard scalar != 0 else { throw .nulCharacter(offset: escapeStart) }
            guard let unicode = Unicode.Scalar(scalar) else { throw .unpairedSurrogate(offset: escapeStart) }
            output.append(contentsOf: UTF8.encode(unicode).map { Array($0) } ?? [])
        default:
            throw .syntax(offset: escapeStart, expected: "a valid escape")
        }
    }

    private mutating func hexQuad() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw .syntax(offset: index, expected: "four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .syntax(offset: index, expected: "a hex digit")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence at `offset` (RFC 3629: no overlongs, no surrogates).
    private func validUTF8Sequence(at offset: Int) throws(Failure) -> Int {
        let lead = bytes[offset]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, lower) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: (length, upper) = (3, 0x9F)
        case 0xF0: (length, lower) = (4, 0x90)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, upper) = (4, 0x8F)
        default: throw .invalidUTF8(offset: offset)
        }
        guard offset + length <= bytes.count else { throw .invalidUTF8(offset: offset) }
        let second = bytes[offset + 1]
        guard second >= lower, second <= upper else { throw .invalidUTF8(offset: offset) }
        for continuation in bytes[(offset + 2)..<(offset + length)] where continuation & 0xC0 != 0x80 {
            throw .invalidUTF8(offset: offset)
        }
        return length
    }

    /// Moves past one value without building it, for resynchronising after a semantic error. Strings
    /// are skipped by their quotes only; the caller has already reported what was wrong inside.
    private mutating func skipValue() throws(Failure) {
        var depth = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
                if !inString && depth == 0 { return }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == 0 {
                    index -= 1
                    return
                }
                depth -= 1
                if depth == 0 { return }
            case UInt8(ascii: ","):
                if depth == 0 { index -= 1; return }
            default: break
            }
        }
        throw .syntax(offset: index, expected: "the end of the value")
    }
}
