import SearchCore

/// `{"hits": [{"id", "score", "document", "highlights": {field: [fragments]}, "matches": {field: [[start,
/// end]]}, "explanation"?}], "next_cursor", "estimated_total_hits", "total_is_exact", "match_used", "took_ms"}`.
/// Match ranges are Unicode code point offsets into the field's text, end exclusive.
enum SearchPageWire {
    static func json(_ page: SearchPage, tookMilliseconds: Double) -> JSONValue {
        .object([
            "hits": .array(page.hits.map(hit)),
            "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null,
            "estimated_total_hits": .number(String(page.estimatedTotalHits)),
            "total_is_exact": .bool(page.totalIsExact),
            "match_used": .string(page.matchUsed.rawValue),
            "took_ms": .number(String((tookMilliseconds * 100).rounded() / 100)),
        ])
    }

    static func hit(_ hit: Hit) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(hit.id),
            "score": .number(hit.score.isFinite ? String(hit.score) : "0"),
            "document": DocumentWire.parseStored(hit.document),
            "highlights": .object(hit.highlights.mapValues { .array($0.fragments.map(JSONValue.string)) }),
            "matches": .object(hit.highlights.mapValues { highlight in
                .array(highlight.matches.map { .array([.number(String($0.lowerBound)), .number(String($0.upperBound))]) })
            }),
        ]
        if let explanation = hit.explanation { members["explanation"] = self.explanation(explanation) }
        return .object(members)
    }

    static func explanation(_ explanation: ScoreExplanation) -> JSONValue {
        func number(_ value: Double) -> JSONValue { .number(value.isFinite ? String(value) : "0") }
        return .object([
            "total": number(explanation.total),
            "k1": number(explanation.k1), "b": number(explanation.b),
            "document_length": number(explanation.documentLength),
            "average_document_length": number(explanation.averageDocumentLength),
            "terms": .array(explanation.terms.map { term in
                .object([
                    "term": .string(term.term), "idf": number(term.idf),
                    "document_frequency": .number(String(term.documentFrequency)),
                    "frequencies": .object(term.frequencies.mapValues { .number(String($0)) }),
                    "weighted_frequency": number(term.weightedFrequency), "score": number(term.score),
                ])
            }),
        ])
    }
}

enum DocumentWire {
    /// A stored document's JSON text as a value to embed in a response. Stored text was validated on the
    /// way in; should it ever fail to parse, it is returned as a string rather than failing the page.
    static func parseStored(_ json: String) -> JSONValue {
        (try? JSONParser.parse(json.utf8, limits: JSONParser.Limits(maximumDepth: 64, maximumStringBytes: Int.max))) ?? .string(json)
    }
}
