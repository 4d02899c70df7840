internal import CLibPQ
import Foundation

/// One libpq connection. Every call runs on the connection's own thread (its actor executor), so the
/// blocking libpq API never stalls Swift's cooperative pool. Use it from one task at a time; the pool
/// hands out connections exclusively.
public actor PostgresConnection {
    private let thread: ConnectionThread
    private var connection: LibpqConnection?
    private var handle: OpaquePointer? { connection?.pointer }
    let configuration: PostgresConfiguration
    private var copyInProgress = false
    /// Statements run more than once are kept prepared on the server.
    private var statements: PreparedStatementCache
    /// The session statement_timeout in milliseconds ("0" = none), restored after per-query timeouts.
    private let sessionTimeoutMilliseconds: String
    var lastReleased = ContinuousClock.now

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        thread.asUnownedSerialExecutor()
    }

    private init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        self.thread = ConnectionThread(name: "loupe-postgres")
        self.sessionTimeoutMilliseconds = configuration.statementTimeout.map(milliseconds) ?? "0"
        self.statements = PreparedStatementCache(enabled: configuration.preparedStatements)
    }

    deinit {
        thread.stop()
    }

    /// Opens a connection and prepares the session (UTF-8, ISO dates in UTC, timeout, search path).
    public static func connect(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration)
        try await connection.open()
        return connection
    }

    private func open() throws {
        let parameters = configuration.connectParameters
        let connection = withCStringArray(parameters.map(\.keyword)) { keywords in
            withCStringArray(parameters.map(\.value)) { values in
                PQconnectdbParams(keywords, values, 0)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = configuration.scrub(errorMessage(connection))
            PQfinish(connection)
            throw PostgresError(
                kind: .connection, code: .sqlclientUnableToEstablishSqlconnection,
                message: "could not connect to \(configuration): \(message)")
        }
        self.connection = LibpqConnection(pointer: connection)
        // libpq prints NOTICEs to stderr by default; they are not errors and must not reach users' terminals.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        let searchPath = configuration.searchPath.map { path in
            path.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ", ")
        }
        let setup: PostgresQuery = """
            SELECT set_config('DateStyle', 'ISO, MDY', false),
                   set_config('TimeZone', 'UTC', false),
                   set_config('statement_timeout', \(sessionTimeoutMilliseconds), false),
                   set_config('search_path', coalesce(\(searchPath), current_setting('search_path')), false),
                   -- Statements are kept prepared to skip parsing, but always planned for their values: a
                   -- generic plan measured up to 2x slower for ts_rank over an OR of common words.
                   set_config('plan_cache_mode', 'force_custom_plan', false)
            """
        do {
            _ = try run(setup, on: connection)
        } catch {
            close()
            throw error
        }
    }

    /// Closes the connection now. Further use fails with a connection error.
    public func close() {
        connection = nil
    }

    /// False once the connection is closed or libpq has seen it break.
    public var isOpen: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// True inside a transaction that an error has aborted.
    var transactionFailed: Bool {
        guard let handle else { return false }
        return PQtransactionStatus(handle) == PQTRANS_INERROR
    }

    /// Checks the connection without a round trip: reads anything the server sent while idle (a
    /// shutdown notice, a closed socket) and, when asked, pings.
    func isHealthy(ping: Bool) -> Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK, !copyInProgress else { return false }
        guard PQtransactionStatus(handle) == PQTRANS_IDLE else { return false }
        // An idle connection should receive nothing; a shutdown notice arrives first and the EOF behind
        // it, so keep consuming while the socket is readable until libpq has seen everything.
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        for _ in 0..<8 {
            guard poll(&descriptor, 1, 0) > 0 else { break }
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else { return false }
            if descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return false }
        }
        if ping {
            guard let result = PQexec(handle, "") else { return false }
            defer { PQclear(result) }
            return PQresultStatus(result) == PGRES_EMPTY_QUERY && PQstatus(handle) == CONNECTION_OK
        }
        return true
    }

    /// Runs one statement with bound parameters and returns its rows.
    ///
    /// - Parameter timeout: a `statement_timeout` for this statement only; exceeding it throws
    ///   `SQLState.queryCanceled`.
    @discardableResult
    public func query(_ query: PostgresQuery, timeout: Duration? = nil) throws -> PostgresRows {
        let connection = try usableHandle()
        guard let timeout else { return try run(query, on: connection) }
        _ = try run("SELECT set_config('statement_timeout', \(milliseconds(timeout)), false)", on: connection)
        defer {
            // In a failed transaction this cannot run; the rollback then undoes the SET anyway.
            if PQtransactionStatus(connection) != PQTRANS_INERROR {
                _ = try? run(
                    "SELECT set_config('statement_timeout', \(sessionTimeoutMilliseconds), false)", on: connection)
            }
        }
        return try run(query, on: connection)
    }

    /// Runs one statement with bound parameters and returns its rows in PostgreSQL's binary format, for
    /// bulky values (a `bytea` of packed postings) that the text format would double in size. The columns
    /// are read with `PostgresRow.bytes(at:)`.
    public func queryBinary(_ query: PostgresQuery) throws -> PostgresRows {
        try run(query, on: try usableHandle(), format: .binary)
    }

    /// Runs a script of one or more statements through the simple protocol, with no parameters.
    /// Only for SQL the program ships (migrations), never for text from a request or a user's file.
    public func unsafeExecuteScript(_ sql: String) throws {
        let connection = try usableHandle()
        let result = PQexec(connection, sql)
        _ = try check(result, connection: connection, statement: String(sql.prefix(200)))
    }

    // MARK: COPY

    func beginCopy(_ statement: PostgresQuery) throws {
        guard statement.bindings.isEmpty else {
            throw PostgresError(kind: .misuse, message: "COPY statements cannot take bound parameters")
        }
        let connection = try usableHandle()
        let sql = statement.sql
        guard let result = PQexec(connection, sql) else {
            throw connectionError(connection, statement: sql)
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else {
            throw resultError(result, connection: connection, statement: sql)
        }
        copyInProgress = true
    }

    func putCopyData(_ bytes: [UInt8]) throws {
        guard copyInProgress, let handle else {
            throw PostgresError(kind: .misuse, message: "no COPY is in progress on this connection")
        }
        let status = bytes.withUnsafeBytes { buffer in
            PQputCopyData(handle, buffer.bindMemory(to: CChar.self).baseAddress, Int32(buffer.count))
        }
        guard status == 1 else {
            copyInProgress = false
            throw connectionError(handle, statement: "COPY")
        }
    }

    /// Ends the COPY. With `failure`, the server discards every row sent.
    func endCopy(failure: String?) throws -> Int {
        guard copyInProgress, let handle else {
            throw PostgresError(kind: .misuse, message: "no COPY is in progress on this connection")
        }
        copyInProgress = false
        guard PQputCopyEnd(handle, failure) == 1 else {
            throw connectionError(handle, statement: "COPY")
        }
        var firstError: PostgresError?
        var copied = 0
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if firstError == nil {
                firstError = resultError(result, connection: handle, statement: "COPY")
            }
        }
        if let firstError, failure == nil { throw firstError }
        return copied
    }

    // MARK: internals

    private func usableHandle() throws -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, code: .connectionDoesNotExist, message: "the connection is closed")
        }
        guard !copyInProgress else {
            throw PostgresError(kind: .misuse, message: "a COPY is in progress on this connection")
        }
        return handle
    }

    private func run(_ query: PostgresQuery, on connection: OpaquePointer, format: PostgresResultFormat = .text) throws -> PostgresRows {
        let bindings = query.bindings
        guard bindings.count <= Int(UInt16.max) else {
            throw PostgresError(
                kind: .invalidParameter, message: "a statement can bind at most 65535 values, not \(bindings.count)")
        }
        var values: [String?] = []
        values.reserveCapacity(bindings.count)
        for (index, bind) in bindings.enumerated() {
            if let failure = bind.encodingFailure {
                throw PostgresError(
                    kind: .invalidParameter, message: "parameter $\(index + 1) could not be encoded: \(failure)")
            }
            if let text = bind.text, text.utf8.contains(0) {
                throw PostgresError(
                    kind: .invalidParameter,
                    message: "parameter $\(index + 1) (\(bind.dataType)) contains a NUL byte (U+0000), "
                        + "which PostgreSQL text cannot store")
            }
            values.append(bind.text)
        }
        let types = bindings.map { Oid($0.dataType.rawValue) }
        let sql = query.sql
        deallocateEvictedStatements(on: connection)
        let key = PreparedStatementCache.Key(sql: sql, types: types.map { UInt32($0) })
        let name: String
        switch statements.decide(key) {
        case .unprepared:
            return try check(
                execute(sql, types: types, values: values, format: format, on: connection), connection: connection, statement: sql)
        case .prepare(let newName):
            do {
                _ = try check(PQprepare(connection, newName, sql, Int32(bindings.count), types), connection: connection, statement: sql)
            } catch {
                statements.forgetPreparation(of: key)
                throw error
            }
            name = newName
        case .prepared(let existing):
            name = existing
        }
        let result = withOptionalCStringArray(values) { pointers in
            PQexecPrepared(connection, name, Int32(bindings.count), pointers, nil, nil, format.rawValue)
        }
        do {
            return try check(result, connection: connection, statement: sql)
        } catch let error as PostgresError where error.code == .featureNotSupported || error.code == .invalidSQLStatementName {
            // "cached plan must not change result type" after DDL, or the statement is gone: prepare afresh
            // next time, and outside a transaction (nothing was aborted) run it unnamed now.
            statements.invalidate(key)
            guard PQtransactionStatus(connection) == PQTRANS_IDLE else { throw error }
            return try check(
                execute(sql, types: types, values: values, format: format, on: connection), connection: connection, statement: sql)
        }
    }

    /// Runs a statement unnamed: parsed and planned for this run only.
    private func execute(
        _ sql: String, types: [Oid], values: [String?], format: PostgresResultFormat, on connection: OpaquePointer
    ) -> OpaquePointer? {
        withOptionalCStringArray(values) { pointers in
            PQexecParams(connection, sql, Int32(types.count), types, pointers, nil, nil, format.rawValue)
        }
    }

    /// Deallocates server-side statements the cache let go (not in a failed transaction, which refuses it).
    private func deallocateEvictedStatements(on connection: OpaquePointer) {
        let names = statements.pendingDeallocations
        let status = PQtransactionStatus(connection)
        guard !names.isEmpty, status == PQTRANS_IDLE || status == PQTRANS_INTRANS else { return }
        // Names are the cache's own ("loupe_s<n>"), never input.
        let script = names.map { "DEALLOCATE \($0)" }.joined(separator: "; ")
        if let result = PQexec(connection, script) { PQclear(result) }
        statements.deallocated(names)
    }

    private func check(_ result: OpaquePointer?, connection: OpaquePointer, statement: String) throws
        -> PostgresRows
    {
        guard let result else { throw connectionError(connection, statement: statement) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(result: PostgresResult(taking: result, binary: PQbinaryTuples(result) == 1))
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            _ = PQputCopyEnd(connection, "COPY must go through copyIn")
            while let extra = PQgetResult(connection) { PQclear(extra) }
            throw PostgresError(kind: .misuse, message: "COPY statements must be run with copyIn", statement: statement)
        default:
            defer { PQclear(result) }
            throw resultError(result, connection: connection, statement: statement)
        }
    }

    private func resultError(_ result: OpaquePointer, connection: OpaquePointer, statement: String) -> PostgresError {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let code = field(LOUPE_PG_DIAG_SQLSTATE).map(SQLState.init(rawValue:))
        let lost = PQstatus(connection) != CONNECTION_OK
        let message =
            field(LOUPE_PG_DIAG_MESSAGE_PRIMARY)
            ?? errorMessage(connection).trimmingCharacters(in: .whitespacesAndNewlines)
        return PostgresError(
            kind: lost && (code.map(\.isConnectionLoss) ?? true) ? .connection : .server,
            code: code ?? (lost ? .connectionFailure : nil),
            message: configuration.scrub(message),
            detail: field(LOUPE_PG_DIAG_MESSAGE_DETAIL),
            hint: field(LOUPE_PG_DIAG_MESSAGE_HINT),
            schema: field(LOUPE_PG_DIAG_SCHEMA_NAME),
            table: field(LOUPE_PG_DIAG_TABLE_NAME),
            column: field(LOUPE_PG_DIAG_COLUMN_NAME),
            constraint: field(LOUPE_PG_DIAG_CONSTRAINT_NAME),
            statement: statement)
    }

    private func connectionError(_ connection: OpaquePointer, statement: String) -> PostgresError {
        PostgresError(
            kind: .connection, code: .connectionFailure,
            message: configuration.scrub(errorMessage(connection)), statement: statement)
    }

    private func errorMessage(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Owns a `PGconn`; `PQfinish` runs when the last reference goes.
private final class LibpqConnection: @unchecked Sendable {
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        PQfinish(pointer)
    }
}

func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
}

/// Calls `body` with a NULL-terminated array of C strings that lives for the call.
private func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) } + [nil])
}

/// Calls `body` with an array of C strings in which nil stays a NULL pointer (SQL NULL).
private func withOptionalCStringArray<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) })
}
