internal import CLibPQ

/// Owns one libpq result. A finished `PGresult` is read-only, so it may be read from any thread.
final class PostgresResult: @unchecked Sendable {
    private let handle: OpaquePointer
    let rowCount: Int
    let columnNames: [String]
    let columnTypes: [PostgresDataType]
    let columnIndex: [String: Int]
    let affectedRows: Int?
    /// Values are in PostgreSQL's binary format (`PostgresConnection.queryBinary`), not text.
    let binary: Bool

    init(taking handle: OpaquePointer, binary: Bool = false) {
        self.handle = handle
        self.binary = binary
        rowCount = Int(PQntuples(handle))
        let columns = Int(PQnfields(handle))
        var names: [String] = []
        var types: [PostgresDataType] = []
        var index: [String: Int] = [:]
        for column in 0..<columns {
            let name = String(cString: PQfname(handle, Int32(column)))
            names.append(name)
            types.append(PostgresDataType(rawValue: PQftype(handle, Int32(column))))
            if index[name] == nil { index[name] = column }
        }
        columnNames = names
        columnTypes = types
        columnIndex = index
        let tuples = String(cString: PQcmdTuples(handle))
        affectedRows = Int(tuples)
    }

    deinit {
        PQclear(handle)
    }

    func cell(row: Int, column: Int) -> PostgresCell {
        let text: String? =
            PQgetisnull(handle, Int32(row), Int32(column)) == 1
            ? nil : String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
        return PostgresCell(columnName: columnNames[column], dataType: columnTypes[column], text: text)
    }

    func bytes(row: Int, column: Int) -> [UInt8]? {
        guard PQgetisnull(handle, Int32(row), Int32(column)) == 0, let value = PQgetvalue(handle, Int32(row), Int32(column)) else {
            return nil
        }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        return value.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}

/// How a statement's values come back: PostgreSQL's text output, or its binary send format.
enum PostgresResultFormat: Int32 {
    case text = 0
    case binary = 1
}

/// The rows a statement returned.
public struct PostgresRows: Sendable, RandomAccessCollection {
    let result: PostgresResult

    public var startIndex: Int { 0 }
    public var endIndex: Int { result.rowCount }
    public var columns: [String] { result.columnNames }
    /// Rows inserted, updated, deleted or copied, for statements that report it.
    public var affectedRows: Int { result.affectedRows ?? 0 }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(result: result, index: position)
    }

    /// The only row; throws when there is not exactly one.
    public func single() throws -> PostgresRow {
        guard count == 1 else {
            throw PostgresError(kind: .misuse, message: "expected exactly one row, got \(count)")
        }
        return self[0]
    }
}

/// One result row. Values are decoded by column name or position into any `PostgresDecodable` type.
public struct PostgresRow: Sendable {
    let result: PostgresResult
    let index: Int

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws -> T {
        guard let column = result.columnIndex[name] else {
            throw PostgresDecodingError(
                column: name, postgresType: "none", swiftType: "\(T.self)", reason: "the result has no such column")
        }
        return try decode(T.self, at: column)
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard column >= 0, column < result.columnNames.count else {
            throw PostgresDecodingError(
                column: "#\(column)", postgresType: "none", swiftType: "\(T.self)",
                reason: "the result has \(result.columnNames.count) columns")
        }
        guard !result.binary else {
            throw PostgresDecodingError(
                column: result.columnNames[column], postgresType: "\(result.columnTypes[column])", swiftType: "\(T.self)",
                reason: "the value is in binary format; read it with bytes(at:)")
        }
        let cell = result.cell(row: index, column: column)
        return cell.text == nil ? try T.decodeNull(cell) : try T.decode(cell)
    }

    /// The value's bytes as the server sent them (binary results: the type's send format), nil for NULL.
    public func bytes(at column: Int) throws -> [UInt8]? {
        guard column >= 0, column < result.columnNames.count else {
            throw PostgresDecodingError(
                column: "#\(column)", postgresType: "none", swiftType: "[UInt8]",
                reason: "the result has \(result.columnNames.count) columns")
        }
        return result.bytes(row: index, column: column)
    }

    public func isNull(column name: String) -> Bool {
        guard let column = result.columnIndex[name] else { return true }
        return result.cell(row: index, column: column).text == nil
    }
}
