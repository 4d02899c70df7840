/// A normalized term as a `tsvector` stores it. Compared, hashed and ordered by its UTF-8 bytes, as
/// PostgreSQL does: `á` and `a` followed by a combining acute are two lexemes there, though Swift's `String`
/// would call them equal.
public struct Lexeme: Sendable, Hashable, Comparable, ExpressibleByStringLiteral {
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    public init(stringLiteral text: String) {
        self.text = text
    }

    public static func == (left: Lexeme, right: Lexeme) -> Bool {
        left.text.utf8.count == right.text.utf8.count && left.text.utf8.elementsEqual(right.text.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }

    /// Byte order, the order of a `tsvector`'s lexemes.
    public static func < (left: Lexeme, right: Lexeme) -> Bool {
        left.text.utf8.lexicographicallyPrecedes(right.text.utf8)
    }
}

extension Lexeme: CustomStringConvertible {
    public var description: String { text }
}
