import Foundation
import LoupeTestSupport
import PostgresClient
import Testing

@Suite struct BoundParameterTests {
    static let awkwardStrings = [
        "O'Reilly", "it''s", "back\\slash", "\\x00 is not a NUL", "tab\tnew\nline\r",
        "\"double\" quotes", "$1 $2 ?", "Robert'); DROP TABLE students; --", "' OR '1'='1",
        "1; SELECT pg_sleep(10)", "E'\\\\'", "Ünïcödé — 漢字 — 🦊👩‍💻", "\u{202E}rtl override", "",
        String(repeating: "long ", count: 20_000),
    ]

    @Test func valuesSurviveVerbatim() async throws {
        try await TestDatabase.withSchema { schema in
            try await schema.pool.query("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL)")
            for (index, text) in Self.awkwardStrings.enumerated() {
                let echoed = try await schema.pool.query("SELECT \(text)::text AS echoed").single()
                #expect(try echoed.decode(String.self, column: "echoed") == text)
                try await schema.pool.query("INSERT INTO notes (id, body) VALUES (\(index), \(text))")
            }
            let rows = try await schema.pool.query("SELECT id, body FROM notes ORDER BY id")
            #expect(rows.count == Self.awkwardStrings.count)
            for row in rows {
                let id = try row.decode(Int.self, column: "id")
                #expect(try row.decode(String.self, column: "body") == Self.awkwardStrings[id])
            }
            // The injection attempts were data: the table is still there and nothing else ran.
            let tables = try await schema.pool.query(
                "SELECT count(*) AS n FROM pg_tables WHERE schemaname = \(schema.name)")
            #expect(try tables.single().decode(Int.self, column: "n") == 1)
        }
    }

    @Test func nulByteIsAClearError() async throws {
        try await TestDatabase.withSchema { schema in
            let error = await #expect(throws: PostgresError.self) {
                try await schema.pool.query("SELECT \("before\u{0}after")::text")
            }
            #expect(error?.kind == .invalidParameter)
            #expect(error?.description.contains("NUL byte") == true)
            #expect(error?.description.contains("$1") == true)
            // The connection is still good afterwards.
            let one = try await schema.pool.query("SELECT 1 AS one").single()
            #expect(try one.decode(Int.self, column: "one") == 1)
        }
    }

    @Test func fragmentsComposeWithRenumberedParameters() async throws {
        try await TestDatabase.withSchema { schema in
            let filter: PostgresQuery = "x > \(2) AND x < \(5)"
            var query: PostgresQuery = "SELECT count(*) AS n FROM generate_series(\(1), \(10)) AS x WHERE "
            query.append(filter)
            #expect(query.sql.contains("$4"))
            let filtered = try await schema.pool.query(query).single()
            #expect(try filtered.decode(Int.self, column: "n") == 2)
            let unsafe: PostgresQuery = "SELECT \(unsafeRaw: "42") AS answer, \("x") AS bound"
            #expect(unsafe.sql == "SELECT 42 AS answer, $1 AS bound")
        }
    }

    @Test func tooManyParametersIsRejected() async throws {
        try await TestDatabase.withSchema { schema in
            var query: PostgresQuery = "SELECT 1 WHERE 1 IN ("
            for value in 0..<70_000 {
                if value > 0 { query.append(",") }
                query.append("\(value)")
            }
            query.append(")")
            let error = await #expect(throws: PostgresError.self) { try await schema.pool.query(query) }
            #expect(error?.kind == .invalidParameter)
        }
    }
}
