/// One token of `DefaultParser`'s output: its type and where it is in the text.
///
/// Compound tokens overlap their parts, in PostgreSQL's order: a hyphenated word comes first and its parts
/// (and the hyphens between them, as blanks) follow; a URL is followed by its host and its path.
public struct ParserToken: Sendable, Hashable {
    public var kind: TokenClass
    /// UTF-8 byte offsets into the parsed text.
    public var byteRange: Range<Int>

    public init(kind: TokenClass, byteRange: Range<Int>) {
        self.kind = kind
        self.byteRange = byteRange
    }
}
