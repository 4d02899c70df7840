import Relevance
import Testing

@Suite struct QrelsTests {
    @Test func parsesBEIRTSVWithHeader() throws {
        let qrels = try Qrels.parse("query-id\tcorpus-id\tscore\n1\t31715818\t1\n3\t14717500\t1\n3\t13734012\t1\r\n13\t1606628\t0\n")
        #expect(qrels.queryIDs == ["1", "13", "3"])
        #expect(qrels.grade(query: "3", document: "14717500") == 1)
        #expect(qrels.grade(query: "3", document: "unjudged") == 0)
        #expect(qrels.relevantDocuments(for: "3") == ["14717500", "13734012"])
        #expect(qrels.relevantDocuments(for: "13").isEmpty)
    }

    @Test func parsesTRECFourColumns() throws {
        let qrels = try Qrels.parse("q1 0 d1 2\nq1 0 d2 0\n\nq2 Q0 d3 1\n")
        #expect(qrels.grade(query: "q1", document: "d1") == 2)
        #expect(qrels.relevantDocuments(for: "q1") == ["d1"])
        #expect(qrels.relevantDocuments(for: "q2") == ["d3"])
    }

    @Test func malformedLinesNameTheLine() {
        #expect(throws: QrelsError.malformedLine(2, "expected 3 (BEIR) or 4 (TREC) columns, found 2")) {
            try Qrels.parse("q1\td1\t1\nq2\td2\n")
        }
        #expect(throws: QrelsError.malformedLine(3, "relevance \"high\" is not an integer")) {
            try Qrels.parse("query-id\tcorpus-id\tscore\nq\td\t1\nq\te\thigh\n")
        }
        #expect(throws: QrelsError.self) { try Qrels.parse("q\td\t1\nq\td\t2\n") }
    }
}
