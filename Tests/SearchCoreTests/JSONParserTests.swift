import SearchCore
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func readsEveryKindOfValueAndKeepsNumberText() throws {
        let value = try parse(#" {"a": [1, -2.5e3, 12345678901234567890], "b": {"c": null, "d": true}, "e": "x\"\\\/\u00e9\ud83d\ude00\n"} "#)
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .number("12345678901234567890")]))
        #expect(value["b"]?["c"] == .null)
        #expect(value["b"]?["d"] == .bool(true))
        #expect(value["e"] == .string("x\"\\/é😀\n"))
        #expect(value.serialized() == #"{"a":[1,-2.5e3,12345678901234567890],"b":{"c":null,"d":true},"e":"x\"\\/é😀\n"}"#)
        // Duplicate keys: the last wins, as in jsonb.
        #expect(try parse(#"{"k": 1, "k": 2}"#)["k"] == .number("2"))
    }

    @Test func refusesWhatPostgresCannotStoreOrWhatIsNotJSON() {
        let cases: [(String, String)] = [
            (#"{"a": "\u0000"}"#, "nul"), (#"{"a": "\ud800"}"#, "surrogate"), (#"{"a": "\udc00x"}"#, "surrogate"),
            ("{\"a\": \"tab\there\"}", "syntax"), ("[1,]", "syntax"), ("{'a': 1}", "syntax"), ("01", "syntax"),
            ("1.", "syntax"), ("tru", "syntax"), ("[1] x", "syntax"), ("", "syntax"), ("NaN", "syntax"),
        ]
        for (text, expected) in cases {
            do {
                _ = try parse(text)
                Issue.record("accepted \(text)")
            } catch {
                let kind = switch error {
                case .nulCharacter: "nul"
                case .unpairedSurrogate: "surrogate"
                default: "syntax"
                }
                #expect(kind == expected, "\(text)")
            }
        }
        #expect(throws: JSONParser.Failure.invalidUTF8(offset: 7)) { try JSONParser.parse(Array(#"{"a": ""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)) }
        #expect(throws: JSONParser.Failure.tooDeep(limit: 32)) { try parse(String(repeating: "[", count: 40) + String(repeating: "]", count: 40)) }
        #expect(throws: JSONParser.Failure.stringTooLong(offset: 0, limit: 10)) {
            try JSONParser.parse(Array(#""0123456789abc""#.utf8), limits: .init(maximumStringBytes: 10))
        }
    }

    @Test func batchesSeparateGoodDocumentsFromProblems() throws {
        let batch = try DocumentBatch.parse(Array(#"[{"id": 1, "t": "a"}, {"_id": "b"}, {"t": "no id"}, {"id": 1}, {"id": 1.5}, "x", {"id": "\u0000"}]"#.utf8))
        #expect(batch.entries.map(\.document.id) == ["1", "b"])
        #expect(batch.problems.map(\.code) == [.missingID, .duplicateID, .invalidID, .notAnObject, .nulCharacter])
        #expect(batch.problems.map(\.index) == [2, 3, 4, 5, 6])
        #expect(batch.count == 7)

        let lines = try DocumentBatch.parse(Array("{\"id\": \"x\"}\n\n{oops\n{\"id\": \"y\"}".utf8))
        #expect(lines.entries.map(\.line) == [1, 4])
        #expect(lines.problems.map(\.line) == [3])

        #expect(throws: DocumentBatch.Failure.tooManyDocuments(limit: 2)) {
            try DocumentBatch.parse(Array("[{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]".utf8), limits: DocumentLimits(maximumDocuments: 2))
        }
        #expect(throws: DocumentBatch.Failure.empty) { try DocumentBatch.parse(Array("  \n ".utf8)) }
    }
}
