import Foundation
import LoupeTestSupport
import PostgresClient
import Testing

@Suite struct ErrorTests {
    @Test func serverErrorsCarryTypedSQLState() async throws {
        try await TestDatabase.withSchema { schema in
            try await schema.pool.query("CREATE TABLE items (name TEXT CONSTRAINT items_name_key UNIQUE)")
            try await schema.pool.query("INSERT INTO items VALUES (\("secret-value-1"))")
            let duplicate = await #expect(throws: PostgresError.self) {
                try await schema.pool.query("INSERT INTO items VALUES (\("secret-value-1"))")
            }
            #expect(duplicate?.code == .uniqueViolation)
            #expect(duplicate?.constraint == "items_name_key")
            #expect(duplicate?.kind == .server)
            // The offending value is in the server's detail, kept out of the safe description.
            #expect(duplicate?.description.contains("secret-value-1") == false)
            #expect(duplicate.map { String(reflecting: $0) }?.contains("secret-value-1") == true)

            let missing = await #expect(throws: PostgresError.self) {
                try await schema.pool.query("SELECT * FROM no_such_table")
            }
            #expect(missing?.code == .undefinedTable)
            let syntax = await #expect(throws: PostgresError.self) { try await schema.pool.query("SELEC 1") }
            #expect(syntax?.code == .syntaxError)
        }
    }

    @Test func perQueryTimeoutCancelsAndTheSessionRecovers() async throws {
        try await TestDatabase.withSchema(maximumConnections: 1) { schema in
            // The cancellation itself proves the timeout fired: the sleep would otherwise end without error.
            // (No wall-clock bound: connecting can take seconds on a loaded machine.)
            let canceled = await #expect(throws: PostgresError.self) {
                try await schema.pool.query("SELECT pg_sleep(5)", timeout: .milliseconds(100))
            }
            #expect(canceled?.code == .queryCanceled)
            // Same (only) connection: its session timeout is back to none.
            let setting = try await schema.pool.query("SELECT current_setting('statement_timeout') AS t").single()
            #expect(try setting.decode(String.self, column: "t") == "0")
            try await schema.pool.query("SELECT pg_sleep(0.2)")
        }
    }

    @Test func perConnectionTimeoutApplies() async throws {
        var configuration = try await TestDatabase.serverConfiguration()
        configuration.statementTimeout = .milliseconds(150)
        let connection = try await PostgresConnection.connect(configuration)
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT pg_sleep(3)") }
        #expect(error?.code == .queryCanceled)
        let setting = try await connection.query("SELECT current_setting('statement_timeout') AS t").single()
        #expect(try setting.decode(String.self, column: "t") == "150ms")
    }

    @Test func passwordsNeverAppearInErrors() async throws {
        let url = "postgres://alice:hunter2-Secret@127.0.0.1:1/loupe?connect_timeout=2"
        let configuration = try PostgresConfiguration(url: url)
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description.contains("alice@127.0.0.1:1"))
        let error = await #expect(throws: PostgresError.self) { try await PostgresConnection.connect(configuration) }
        #expect(error?.kind == .connection)
        #expect(error?.isConnectionLoss == true)
        #expect(error.map { "\($0)" }?.contains("hunter2") == false)
        #expect(error.map { String(reflecting: $0) }?.contains("hunter2") == false)

        let malformed = #expect(throws: PostgresError.self) {
            try PostgresConfiguration(url: "postgres://bob:pa%zzss@host:notaport/db")
        }
        #expect(malformed.map { "\($0)" }?.contains("pa%zzss") == false)
        #expect(throws: PostgresError.self) { try PostgresConfiguration(url: "mysql://x@y/z") }
    }

    @Test func transactionsCommitOnReturnAndRollBackOnThrow() async throws {
        struct Boom: Error {}
        try await TestDatabase.withSchema { schema in
            try await schema.pool.query("CREATE TABLE ledger (amount INT NOT NULL)")
            try await schema.pool.withTransaction { tx in
                try await tx.query("INSERT INTO ledger VALUES (\(10))")
                try await tx.query("INSERT INTO ledger VALUES (\(20))")
            }
            await #expect(throws: Boom.self) {
                try await schema.pool.withTransaction { tx in
                    try await tx.query("INSERT INTO ledger VALUES (\(1000))")
                    throw Boom()
                }
            }
            // A swallowed statement error must not be reported as a commit.
            let swallowed = await #expect(throws: PostgresError.self) {
                try await schema.pool.withTransaction { tx in
                    try await tx.query("INSERT INTO ledger VALUES (\(5000))")
                    _ = try? await tx.query("INSERT INTO ledger VALUES (NULL)")
                }
            }
            #expect(swallowed?.code == .inFailedSQLTransaction)
            let total = try await schema.pool.query("SELECT sum(amount)::int8 AS total FROM ledger").single()
            #expect(try total.decode(Int.self, column: "total") == 30)
        }
    }
}
