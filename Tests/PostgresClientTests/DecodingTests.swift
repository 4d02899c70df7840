import Foundation
import LoupeTestSupport
import PostgresClient
import Testing

@Suite struct DecodingTests {
    struct Payload: Codable, Sendable, Equatable {
        let title: String
        let tags: [String]
        let rating: Double?
    }

    @Test func scalarTypesRoundTrip() async throws {
        try await TestDatabase.withSchema { schema in
            let id = UUID()
            let when = Date(timeIntervalSince1970: 1_790_000_000.123456)
            let row = try await schema.pool.query("""
                SELECT \(Int64.max) AS big, \(Int32.min) AS small, \(Int16(7)) AS tiny,
                       \(3.25) AS real, 'NaN'::float8 AS nan, '-Infinity'::float8 AS neginf,
                       12.5::numeric AS num, \(true) AS yes, false AS no,
                       \(id) AS id, \(when) AS at, '2026-01-02'::date AS day,
                       NULL::text AS missing, 'english'::regconfig AS config
                """).single()
            #expect(try row.decode(Int64.self, column: "big") == Int64.max)
            #expect(try row.decode(Int32.self, column: "small") == Int32.min)
            #expect(try row.decode(Int.self, column: "tiny") == 7)
            #expect(try row.decode(Double.self, column: "real") == 3.25)
            #expect(try row.decode(Double.self, column: "nan").isNaN)
            #expect(try row.decode(Double.self, column: "neginf") == -.infinity)
            #expect(try row.decode(Double.self, column: "num") == 12.5)
            #expect(try row.decode(Bool.self, column: "yes"))
            #expect(try !row.decode(Bool.self, column: "no"))
            #expect(try row.decode(UUID.self, column: "id") == id)
            let decodedWhen = try row.decode(Date.self, column: "at")
            #expect(abs(decodedWhen.timeIntervalSince(when)) < 0.000_002)
            #expect(try row.decode(Date.self, column: "day") == Date(timeIntervalSince1970: 1_767_312_000))
            #expect(try row.decode(String?.self, column: "missing") == nil)
            #expect(try row.decode(String.self, column: "config") == "english")
        }
    }

    @Test func timestampsFromOtherZonesAreRead() async throws {
        try await TestDatabase.withSchema { schema in
            try await schema.pool.withConnection { connection in
                try await connection.query("SET TimeZone = 'Asia/Kolkata'")
                let row = try await connection.query("SELECT '2026-11-21 12:00:00+00'::timestamptz AS at").single()
                #expect(try row.decode(Date.self, column: "at") == Date(timeIntervalSince1970: 1_795_262_400))
            }
        }
    }

    @Test func jsonbAndArraysRoundTrip() async throws {
        try await TestDatabase.withSchema { schema in
            let payload = Payload(title: "Fox \"quoted\" \\ ü", tags: ["a,b", "{c}", "NULL", ""], rating: nil)
            let words = ["plain", "with space", "quote\"d", "back\\slash", "comma,", "{brace}", "NULL", ""]
            let ids = [UUID(), UUID()]
            let row = try await schema.pool.query("""
                SELECT \(PostgresJSONB(payload)) AS doc, \(words) AS words, \([1, -2, 3]) AS numbers,
                       \(ids) AS ids, ARRAY[]::text[] AS empty, ARRAY['x', NULL]::text[] AS holes,
                       '{"k": [1, 2]}'::jsonb AS raw
                """).single()
            #expect(try row.decode(PostgresJSONB<Payload>.self, column: "doc").value == payload)
            #expect(try row.decode([String].self, column: "words") == words)
            #expect(try row.decode([Int].self, column: "numbers") == [1, -2, 3])
            #expect(try row.decode([UUID].self, column: "ids") == ids)
            #expect(try row.decode([String].self, column: "empty") == [])
            #expect(try row.decode([String?].self, column: "holes") == ["x", nil])
            #expect(try row.decode(PostgresJSONText.self, column: "raw").text == #"{"k": [1, 2]}"#)
        }
    }

    @Test func decodeErrorsNameColumnAndType() async throws {
        try await TestDatabase.withSchema { schema in
            let row = try await schema.pool.query("SELECT 'hello'::text AS greeting, NULL::int4 AS nothing, 5 AS n").single()
            let wrongType = #expect(throws: PostgresDecodingError.self) { try row.decode(UUID.self, column: "greeting") }
            #expect(wrongType?.column == "greeting")
            #expect(wrongType?.description.contains("greeting") == true)
            #expect(wrongType?.description.contains("text") == true)
            #expect(wrongType?.description.contains("UUID") == true)
            let null = #expect(throws: PostgresDecodingError.self) { try row.decode(Int.self, column: "nothing") }
            #expect(null?.description.contains("NULL") == true)
            #expect(try row.decode(Int?.self, column: "nothing") == nil)
            let wrongKind = #expect(throws: PostgresDecodingError.self) { try row.decode(Bool.self, column: "n") }
            #expect(wrongKind?.description.contains("int4") == true)
            let absent = #expect(throws: PostgresDecodingError.self) { try row.decode(Int.self, column: "nope") }
            #expect(absent?.description.contains("nope") == true)
            let overflow = try await schema.pool.query("SELECT 3000000000::int8 AS n").single()
            #expect(throws: PostgresDecodingError.self) { try overflow.decode(Int32.self, column: "n") }
        }
    }
}
