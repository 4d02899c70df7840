import Relevance
import Testing

@Suite struct RunTests {
    let run = Run(rankings: [
        "q10": [.init(documentID: "d7", score: 3.25)],
        "q1": [.init(documentID: "d3", score: 12.5), .init(documentID: "d1", score: 12.5), .init(documentID: "d2", score: -0.125)],
    ])

    @Test func writesTRECRunLinesInTheGivenOrder() {
        #expect(run.trecFormat(tag: "loupe bm25") == """
            q1 Q0 d3 1 12.5 loupe_bm25
            q1 Q0 d1 2 12.5 loupe_bm25
            q1 Q0 d2 3 -0.125 loupe_bm25
            q10 Q0 d7 1 3.25 loupe_bm25

            """)
        #expect(Run().trecFormat(tag: "x").isEmpty)
    }

    @Test func roundTripsThroughTheTRECFormat() throws {
        let awkwardScores = Run(rankings: [
            "q": [.init(documentID: "a", score: 0.1), .init(documentID: "b", score: 1e-7), .init(documentID: "c", score: 0.1)],
        ])
        #expect(try Run.parseTREC(run.trecFormat(tag: "t")) == run)
        #expect(try Run.parseTREC(awkwardScores.trecFormat(tag: "")) == awkwardScores)
    }

    @Test func parsesByTheRankColumn() throws {
        // Lines out of order, tabs, a CRLF and a blank line: rank decides, file order breaks equal ranks.
        let parsed = try Run.parseTREC("q1 Q0 b 2 1.0 t\r\n\nq1\tQ0\ta\t1\t1.0\tt\nq1 Q0 c 2 0.5 t\n")
        #expect(parsed.queryIDs == ["q1"])
        #expect(parsed.ranking(for: "q1").map(\.documentID) == ["a", "b", "c"])
        #expect(parsed.ranking(for: "absent").isEmpty)
    }

    @Test func malformedLinesNameTheLine() {
        #expect(throws: RunError.malformedLine(2, "expected 6 columns (qid Q0 docid rank score tag), found 5")) {
            try Run.parseTREC("q Q0 d 1 2.0 t\nq Q0 e 2 1.0\n")
        }
        #expect(throws: RunError.malformedLine(1, "rank \"first\" is not an integer")) {
            try Run.parseTREC("q Q0 d first 2.0 t\n")
        }
        #expect(throws: RunError.malformedLine(3, "score \"high\" is not a number")) {
            try Run.parseTREC("q Q0 d 1 2.0 t\n\nq Q0 e 2 high t\n")
        }
        #expect(RunError.malformedLine(3, "bad").description == "run line 3: bad")
    }
}

@Suite struct QuerySetTests {
    @Test func parsesBEIRQueries() throws {
        let jsonl = """
            {"_id": "PLAIN-1", "text": "what is bm25", "metadata": {"url": "x", "nested": [1, 2]}}

            {"_id": 42, "text": "caf\\u00e9 au lait", "extra": true}\r
            {"text": "keys in any order", "_id": "z"}
            {"_id": 1.5, "text": "a fractional id keeps its digits"}
            """
        let queries = try QuerySet.parseBEIR(jsonl: jsonl)
        #expect(queries.queryIDs == ["1.5", "42", "PLAIN-1", "z"])
        #expect(queries.text(for: "PLAIN-1") == "what is bm25")
        #expect(queries.text(for: "42") == "café au lait")
        #expect(queries.text(for: "z") == "keys in any order")
        #expect(queries.text(for: "absent") == nil)
        #expect(try QuerySet.parseBEIR(jsonl: "\n\n").texts.isEmpty)
    }

    @Test(arguments: [
        (#"{"_id": "1", "text": "a"}\#n{"_id": "2", "text": "#, QuerySetError.malformedLine(2, "not valid JSON")),
        (#"["1", "a"]"#, .malformedLine(1, "expected a JSON object")),
        (#"{"id": "1", "text": "a"}"#, .malformedLine(1, #"missing "_id""#)),
        (#"{"_id": true, "text": "a"}"#, .malformedLine(1, #""_id" must be a string or a number that fits in 64 bits"#)),
        (#"{"_id": "1", "title": "a"}"#, .malformedLine(1, #"missing "text""#)),
        (#"{"_id": "1", "text": 7}"#, .malformedLine(1, #""text" must be a string"#)),
        (#"{"_id": "1", "text": "a"}\#n{"_id": 1, "text": "b"}"#, .malformedLine(2, "query 1 appears twice with different text")),
    ])
    func malformedLineIsNamed(jsonl: String, error: QuerySetError) {
        #expect(throws: error) { try QuerySet.parseBEIR(jsonl: jsonl) }
    }
}
