/// An error from the database layer.
///
/// `description` is safe to log or show: it never contains passwords, connection strings, SQL text or
/// bound values. `debugDescription` (`String(reflecting:)`) carries everything the server said.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Could not connect, or the connection was lost.
        case connection
        /// The server rejected a statement; `code` says why.
        case server
        /// No pooled connection became free within the checkout timeout.
        case poolTimeout
        /// The pool was shut down.
        case poolClosed
        /// A bound value cannot be sent (for example a NUL byte in text).
        case invalidParameter
        /// The connection was used the wrong way (for example a query during COPY).
        case misuse
    }

    public let kind: Kind
    /// SQLSTATE reported by the server or assigned by libpq for connection problems.
    public let code: SQLState?
    /// A short, secret-free explanation.
    public let message: String
    public let detail: String?
    public let hint: String?
    public let schema: String?
    public let table: String?
    public let column: String?
    public let constraint: String?
    /// The SQL text (never the values), kept for `debugDescription` only.
    public let statement: String?

    public init(
        kind: Kind,
        code: SQLState? = nil,
        message: String,
        detail: String? = nil,
        hint: String? = nil,
        schema: String? = nil,
        table: String? = nil,
        column: String? = nil,
        constraint: String? = nil,
        statement: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.detail = detail
        self.hint = hint
        self.schema = schema
        self.table = table
        self.column = column
        self.constraint = constraint
        self.statement = statement
    }

    public var description: String {
        switch kind {
        case .server:
            let codePart = code.map { " [\($0)]" } ?? ""
            return "PostgreSQL error\(codePart): \(message)"
        case .connection:
            return "PostgreSQL connection error: \(message)"
        case .poolTimeout, .poolClosed, .invalidParameter, .misuse:
            return message
        }
    }

    public var debugDescription: String {
        var parts = ["PostgresError(kind: \(kind)"]
        if let code { parts.append("code: \(code)") }
        parts.append("message: \(message)")
        if let detail { parts.append("detail: \(detail)") }
        if let hint { parts.append("hint: \(hint)") }
        if let schema { parts.append("schema: \(schema)") }
        if let table { parts.append("table: \(table)") }
        if let column { parts.append("column: \(column)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        if let statement { parts.append("statement: \(statement)") }
        return parts.joined(separator: ", ") + ")"
    }

    /// True when the connection that raised this error cannot be used again.
    public var isConnectionLoss: Bool {
        kind == .connection || (code?.isConnectionLoss ?? false)
    }
}

/// A row value could not be decoded into the requested Swift type.
public struct PostgresDecodingError: Error, Sendable, CustomStringConvertible {
    public let column: String
    public let postgresType: String
    public let swiftType: String
    public let reason: String

    public var description: String {
        "cannot decode column \"\(column)\" of type \(postgresType) as \(swiftType): \(reason)"
    }
}
