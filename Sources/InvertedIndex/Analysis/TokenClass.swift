/// The token types of PostgreSQL's default text-search parser, as `ts_token_type('default')` lists them.
/// The raw value is PostgreSQL's `tokid`.
public enum TokenClass: UInt8, Sendable, Hashable, CaseIterable {
    case asciiWord = 1
    case word
    case numWord
    case email
    case url
    case host
    case scientificFloat
    case version
    case hyphenatedNumPart
    case hyphenatedPart
    case hyphenatedAsciiPart
    case blank
    case tag
    case urlProtocol
    case numHyphenatedWord
    case asciiHyphenatedWord
    case hyphenatedWord
    case urlPath
    case file
    case float
    case signedInteger
    case unsignedInteger
    case entity

    /// PostgreSQL's name for the type (`ts_debug`'s `alias` column).
    public var alias: String {
        switch self {
        case .asciiWord: "asciiword"
        case .word: "word"
        case .numWord: "numword"
        case .email: "email"
        case .url: "url"
        case .host: "host"
        case .scientificFloat: "sfloat"
        case .version: "version"
        case .hyphenatedNumPart: "hword_numpart"
        case .hyphenatedPart: "hword_part"
        case .hyphenatedAsciiPart: "hword_asciipart"
        case .blank: "blank"
        case .tag: "tag"
        case .urlProtocol: "protocol"
        case .numHyphenatedWord: "numhword"
        case .asciiHyphenatedWord: "asciihword"
        case .hyphenatedWord: "hword"
        case .urlPath: "url_path"
        case .file: "file"
        case .float: "float"
        case .signedInteger: "int"
        case .unsignedInteger: "uint"
        case .entity: "entity"
        }
    }

    public init?(alias: String) {
        guard let match = Self.allCases.first(where: { $0.alias == alias }) else { return nil }
        self = match
    }
}

extension TokenClass: CustomStringConvertible {
    public var description: String { alias }
}
