internal import CLibPQ
import Foundation

/// Where and how to connect. Built from a `postgres://` URL or from separate parts; never from a
/// concatenated connection string. `description` omits the password.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// libpq keyword/value pairs, passed to `PQconnectdbParams` as arrays.
    var parameters: [(keyword: String, value: String)]
    /// Kept apart so it can be scrubbed from anything libpq says.
    var password: String?

    /// Session `statement_timeout` for every connection; nil leaves the server default.
    public var statementTimeout: Duration?
    /// Session `search_path`; nil leaves the server default. Tests use it to give each test its own schema.
    public var searchPath: [String]?
    /// Seconds libpq waits for a connection to be established.
    public var connectTimeoutSeconds: Int = 10
    public var applicationName: String = "loupe"
    /// Keep statements run more than once prepared on the server (skips parsing them again). Turn it off
    /// behind a pooler that does not carry prepared statements across transactions (PgBouncer's
    /// transaction mode before 1.21).
    public var preparedStatements = true

    /// Parses a `postgres://` or `postgresql://` URL.
    public init(url: String) throws {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw PostgresError(
                kind: .connection,
                message: "a database URL must start with postgres:// or postgresql://")
        }
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            // libpq's reason can quote parts of the URL, password included, so it is not passed on.
            if let error { PQfreemem(error) }
            throw PostgresError(kind: .connection, message: "the database URL is not valid")
        }
        defer { PQconninfoFree(options) }
        var parsed: [(String, String)] = []
        var password: String?
        var cursor = options
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val {
                let key = String(cString: keyword), text = String(cString: value)
                if key == "password" { password = text }
                parsed.append((key, text))
            }
            cursor += 1
        }
        self.parameters = parsed.map { (keyword: $0.0, value: $0.1) }
        self.password = password
    }

    /// Connects through separate parts. `host` may be a directory holding a Unix socket.
    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String) {
        var parameters: [(keyword: String, value: String)] = [
            ("host", host), ("port", String(port)), ("user", user), ("dbname", database),
        ]
        if let password { parameters.append(("password", password)) }
        self.parameters = parameters
        self.password = password
    }

    /// The configuration from `DATABASE_URL`, or nil when it is unset or empty.
    public static func fromEnvironment() throws -> PostgresConfiguration? {
        try fromEnvironment(ProcessInfo.processInfo.environment)
    }

    public static func fromEnvironment(_ environment: [String: String]) throws -> PostgresConfiguration? {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else { return nil }
        return try PostgresConfiguration(url: url)
    }

    func value(_ keyword: String) -> String? {
        parameters.last(where: { $0.keyword == keyword })?.value
    }

    public var host: String? { value("host") ?? value("hostaddr") }
    public var port: Int? { value("port").flatMap { Int($0) } }
    public var user: String? { value("user") }
    public var database: String? { value("dbname") }

    /// `postgres://user@host:port/db`, without the password.
    /// These settings as a `postgresql://` URL, optionally for another database on the same server, for
    /// handing to another process as `DATABASE_URL`. It contains the password: never log it.
    public func url(database: String? = nil) -> String {
        var pairs = parameters.filter { $0.keyword != "dbname" }
        if let password, !pairs.contains(where: { $0.keyword == "password" }) { pairs.append(("password", password)) }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        let name = database ?? parameters.first { $0.keyword == "dbname" }?.value ?? ""
        let query = pairs.map { pair in
            "\(pair.keyword)=\(pair.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
        return "postgresql:///\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")?\(query)"
    }

    public var description: String {
        let userPart = user.map { "\($0)@" } ?? ""
        let hostPart = host ?? "localhost"
        let portPart = port.map { ":\($0)" } ?? ""
        return "postgres://\(userPart)\(hostPart)\(portPart)/\(database ?? "")"
    }

    /// Removes the password from text libpq produced.
    func scrub(_ text: String) -> String {
        guard let password, !password.isEmpty else { return text }
        return text.replacingOccurrences(of: password, with: "***")
    }

    /// The keyword/value arrays for `PQconnectdbParams`; later entries override earlier ones.
    var connectParameters: [(keyword: String, value: String)] {
        var result = parameters
        result.append(("client_encoding", "UTF8"))
        result.append(("fallback_application_name", applicationName))
        if value("connect_timeout") == nil {
            result.append(("connect_timeout", String(connectTimeoutSeconds)))
        }
        return result
    }
}
