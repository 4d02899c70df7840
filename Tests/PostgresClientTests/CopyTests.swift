import LoupeTestSupport
import PostgresClient
import Testing

@Suite struct CopyTests {
    @Test func streamsManyRowsWithAwkwardText() async throws {
        try await TestDatabase.withSchema { schema in
            try await schema.pool.query("CREATE TABLE staging (n INT NOT NULL, body TEXT)")
            let awkward = "tab\there\nnewline\\backslash \\N not null \r ü"
            let copied = try await schema.pool.withConnection { connection in
                try await connection.copyIn("COPY staging (n, body) FROM STDIN") { writer in
                    for n in 0..<20_000 {
                        try await writer.writeRow([String(n), n == 7 ? awkward : (n == 8 ? nil : "row \(n)")])
                    }
                }
            }
            #expect(copied == 20_000)
            let count = try await schema.pool.query("SELECT count(*) AS n FROM staging").single()
            #expect(try count.decode(Int.self, column: "n") == 20_000)
            let seven = try await schema.pool.query("SELECT body FROM staging WHERE n = 7").single()
            #expect(try seven.decode(String.self, column: "body") == awkward)
            let eight = try await schema.pool.query("SELECT body FROM staging WHERE n = 8").single()
            #expect(try eight.decode(String?.self, column: "body") == nil)
        }
    }

    @Test func failureAbortsTheWholeCopy() async throws {
        struct ReaderFailed: Error {}
        try await TestDatabase.withSchema(maximumConnections: 1) { schema in
            try await schema.pool.query("CREATE TABLE staging (n INT NOT NULL, body TEXT)")
            await #expect(throws: ReaderFailed.self) {
                try await schema.pool.withConnection { connection in
                    try await connection.copyIn("COPY staging (n, body) FROM STDIN") { writer in
                        for n in 0..<50_000 { try await writer.writeRow([String(n), "x"]) }
                        throw ReaderFailed()
                    }
                }
            }
            let nul = await #expect(throws: PostgresError.self) {
                try await schema.pool.withConnection { connection in
                    try await connection.copyIn("COPY staging (n, body) FROM STDIN") { writer in
                        try await writer.writeRow(["1", "ok"])
                        try await writer.writeRow(["2", "bad\u{0}byte"])
                    }
                }
            }
            #expect(nul?.kind == .invalidParameter)
            let badRow = await #expect(throws: PostgresError.self) {
                try await schema.pool.withConnection { connection in
                    try await connection.copyIn("COPY staging (n, body) FROM STDIN") { writer in
                        try await writer.writeRow(["1", "ok"])
                        try await writer.writeRow(["not a number", "x"])
                    }
                }
            }
            #expect(badRow?.code == .invalidTextRepresentation)
            let count = try await schema.pool.query("SELECT count(*) AS n FROM staging").single()
            #expect(try count.decode(Int.self, column: "n") == 0)
        }
    }
}
