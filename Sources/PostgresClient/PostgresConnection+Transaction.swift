/// Transaction isolation levels, as `BEGIN ISOLATION LEVEL ...` spells them.
public enum PostgresIsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    public func withTransaction<T>(
        _ isolationLevel: PostgresIsolationLevel = .readCommitted,
        readOnly: Bool = false,
        timeout: Duration? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let mode = readOnly ? " READ ONLY" : ""
        // One round trip: the level and the timeout are values this code chose, never input.
        let limit = timeout.map { "; SET LOCAL statement_timeout = \(milliseconds($0))" } ?? ""
        try await unsafeExecuteScript("BEGIN ISOLATION LEVEL \(isolationLevel.rawValue)\(mode)\(limit)")
        let value: T
        do {
            value = try await body(self)
        } catch {
            await rollback()
            throw error
        }
        do {
            try await commit()
        } catch {
            await rollback()
            throw error
        }
        return value
    }

    private func commit() throws {
        // COMMIT on a failed transaction silently rolls back; a swallowed error must not look committed.
        if transactionFailed {
            throw PostgresError(
                kind: .misuse, code: .inFailedSQLTransaction,
                message: "the transaction was rolled back because a statement in it failed")
        }
        try query("COMMIT")
    }

    private func rollback() {
        do {
            try query("ROLLBACK")
        } catch {
            // A connection that cannot roll back cannot be trusted with another transaction.
            close()
        }
    }
}
