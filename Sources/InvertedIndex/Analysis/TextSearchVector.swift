/// What PostgreSQL's `to_tsvector` holds for a text: each lexeme with its positions, under the same limits
/// (positions stop growing at 16383; a lexeme keeps at most 255 of them).
public struct TextSearchVector: Sendable, Hashable {
    /// The largest position PostgreSQL stores; later tokens all share it.
    public static let maximumPosition = 16383
    /// PostgreSQL keeps the first 255 positions of a lexeme and drops the rest.
    public static let maximumPositionsPerLexeme = 255

    /// Each lexeme's positions, ascending and distinct.
    public private(set) var positions: [Lexeme: [Int]] = [:]

    public init() {}

    /// Records `lexeme` at `position`; positions must be added in ascending order, as analysis yields them.
    public mutating func add(_ lexeme: Lexeme, at position: Int) {
        let stored = min(position, Self.maximumPosition)
        positions[lexeme, default: []].appendPosition(stored)
    }

    /// How many positions each lexeme has: the multiset of lexemes.
    public var lexemeCounts: [Lexeme: Int] { positions.mapValues(\.count) }
}

extension Array where Element == Int {
    fileprivate mutating func appendPosition(_ position: Int) {
        guard count < TextSearchVector.maximumPositionsPerLexeme, last != position else { return }
        append(position)
    }
}

extension TextSearchVector: CustomStringConvertible {
    /// The vector in PostgreSQL's text form (`'cat':3 'sat':4`), lexemes in byte order, for comparing with
    /// `to_tsvector(...)::text`.
    public var description: String {
        positions.keys.sorted().map { lexeme in
            var quoted = "'"
            for character in lexeme.text.unicodeScalars {
                if character == "'" || character == "\\" { quoted.unicodeScalars.append(character) }
                quoted.unicodeScalars.append(character)
            }
            let list = (positions[lexeme] ?? []).map(String.init).joined(separator: ",")
            return quoted + "':" + list
        }.joined(separator: " ")
    }
}
