/// A SQL statement whose every interpolated value is sent as a bound parameter.
///
/// ```swift
/// let q: PostgresQuery = "SELECT id FROM documents WHERE external_id = \(externalID)"
/// // sql: "SELECT id FROM documents WHERE external_id = $1", one bound text value
/// ```
/// Raw SQL can be spliced in only through the visibly unsafe `\(unsafeRaw: ...)`, and only ever with
/// text the program itself chose (an allow-listed identifier, never a request or file value).
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Piece: Sendable {
        case sql(String)
        case parameter(Int)
    }

    private(set) var pieces: [Piece]
    public private(set) var bindings: [PostgresBind]

    public init(stringLiteral value: String) {
        pieces = [.sql(value)]
        bindings = []
    }

    public init(stringInterpolation: StringInterpolation) {
        pieces = stringInterpolation.pieces
        bindings = stringInterpolation.bindings
    }

    /// SQL chosen by the program itself, with no bound values. The name is a warning: never pass text
    /// that came from a request or a file.
    public init(unsafeSQL: String) {
        pieces = [.sql(unsafeSQL)]
        bindings = []
    }

    /// The statement text with `$1`, `$2`, ... placeholders.
    public var sql: String {
        var text = ""
        for piece in pieces {
            switch piece {
            case .sql(let fragment): text += fragment
            case .parameter(let index): text += "$\(index + 1)"
            }
        }
        return text
    }

    /// The SQL text only; bound values are never printed.
    public var description: String { sql }

    /// Appends another query, renumbering its parameters after this one's.
    public mutating func append(_ other: PostgresQuery) {
        let offset = bindings.count
        for piece in other.pieces {
            switch piece {
            case .sql(let fragment): pieces.append(.sql(fragment))
            case .parameter(let index): pieces.append(.parameter(index + offset))
            }
        }
        bindings.append(contentsOf: other.bindings)
    }

    public static func + (lhs: PostgresQuery, rhs: PostgresQuery) -> PostgresQuery {
        var result = lhs
        result.append(rhs)
        return result
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var pieces: [Piece] = []
        var bindings: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            pieces.reserveCapacity(interpolationCount * 2 + 1)
            bindings.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { pieces.append(.sql(literal)) }
        }

        /// Binds a value as the next parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            pieces.append(.parameter(bindings.count))
            bindings.append(PostgresBind(value))
        }

        /// Binds an optional value; `nil` is sent as SQL NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            pieces.append(.parameter(bindings.count))
            bindings.append(value.map(PostgresBind.init) ?? PostgresBind(null: Value.postgresDataType))
        }

        /// Splices another query, renumbering its parameters.
        public mutating func appendInterpolation(_ fragment: PostgresQuery) {
            let offset = bindings.count
            for piece in fragment.pieces {
                switch piece {
                case .sql(let text): pieces.append(.sql(text))
                case .parameter(let index): pieces.append(.parameter(index + offset))
                }
            }
            bindings.append(contentsOf: fragment.bindings)
        }

        /// Raw SQL text. Only for text the program chose itself (for example an allow-listed identifier).
        public mutating func appendInterpolation(unsafeRaw sql: String) {
            pieces.append(.sql(sql))
        }
    }
}

/// One bound parameter in PostgreSQL's text format.
public struct PostgresBind: Sendable {
    public let dataType: PostgresDataType
    /// The text form, or nil for NULL.
    let text: String?
    /// Why the value could not be encoded; reported when the query runs.
    let encodingFailure: String?

    init<Value: PostgresEncodable>(_ value: Value) {
        dataType = Value.postgresDataType
        do {
            text = try value.postgresText()
            encodingFailure = nil
        } catch {
            text = nil
            encodingFailure = "\(error)"
        }
    }

    init(null dataType: PostgresDataType) {
        self.dataType = dataType
        text = nil
        encodingFailure = nil
    }
}
