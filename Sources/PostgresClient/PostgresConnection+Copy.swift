/// Streams rows into a `COPY ... FROM STDIN` statement. Data is buffered and sent in large chunks.
///
/// Only valid inside `PostgresConnection.copyIn`, which ends the COPY (or aborts it on error).
public final class PostgresCopyWriter {
    private let connection: PostgresConnection
    private var buffer: [UInt8] = []
    private let flushThreshold = 256 * 1024

    init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Appends raw bytes in the COPY statement's format.
    public func write(_ bytes: some Sequence<UInt8>) async throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try await flush() }
    }

    /// Appends one row in COPY's text format, escaping each value; nil is written as NULL (`\N`).
    public func writeRow(_ values: [String?]) async throws {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let value else {
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case 0:
                    throw PostgresError(
                        kind: .invalidParameter,
                        message: "a COPY value contains a NUL byte (U+0000), which PostgreSQL text cannot store")
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= flushThreshold { try await flush() }
    }

    func flush() async throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        try await connection.putCopyData(chunk)
    }
}

extension PostgresConnection {
    /// Runs `COPY ... FROM STDIN`, letting `body` stream the data. Returns the number of rows copied.
    /// If `body` throws, the COPY is aborted and no row of it is kept.
    ///
    /// The statement cannot bind values; its table and column names must be chosen by the program.
    public func copyIn(
        _ statement: PostgresQuery,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresCopyWriter) async throws -> Void
    ) async throws -> Int {
        try await beginCopy(statement)
        let writer = PostgresCopyWriter(connection: self)
        do {
            try await body(writer)
            try await writer.flush()
        } catch {
            _ = try? await endCopy(failure: "aborted by the client: \(type(of: error))")
            throw error
        }
        return try await endCopy(failure: nil)
    }
}
