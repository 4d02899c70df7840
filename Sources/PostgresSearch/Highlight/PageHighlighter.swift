import Foundation
import PostgresClient
import SearchCore

/// Highlights the hits of one page. Words are found in Swift (with byte offsets); only the distinct words
/// that could match a query lexeme are analysed, by PostgreSQL in one statement for the whole page, so
/// the result agrees with the index without re-parsing whole documents. At most `maximumBytes` of each
/// field are looked at.
enum PageHighlighter {
    static func highlight(
        _ hits: inout [Hit], request: HighlightRequest, plan: SearchPlan, maximumBytes: Int,
        on connection: PostgresConnection
    ) async throws {
        let query = plan.analyzed.highlightQuery
        // First letters of everything that can match: a word that starts otherwise cannot analyse to it.
        let stems = Set((query.terms + query.prefixes + query.phrases.flatMap { $0.compactMap { $0 } }).map { String($0.prefix(3)) })
        guard !stems.isEmpty else { return }

        struct FieldWords {
            let hit: Int
            let field: String
            let text: String
            let ranges: [Range<Int>]
            let words: [String]
        }
        var pending: [FieldWords] = []
        var candidates = Set<String>()
        for (index, hit) in hits.enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(hit.document.utf8)) as? [String: Any] else { continue }
            for field in request.fields {
                guard let text = object[field] as? String, !text.isEmpty else { continue }
                let ranges = WordTokenizer.words(in: text, maximumBytes: maximumBytes)
                let bytes = Array(text.utf8.prefix(ranges.last?.upperBound ?? 0))
                let words = ranges.map { String(decoding: bytes[$0], as: UTF8.self).lowercased() }
                for word in words where stems.contains(where: { word.hasPrefix($0) }) {
                    candidates.insert(word)
                }
                pending.append(FieldWords(hit: index, field: field, text: text, ranges: ranges, words: words))
            }
        }
        guard !candidates.isEmpty else { return }
        let configuration = plan.stopWordsOnly ? "simple" : plan.collection.definition.language.rawValue
        let analysed = try await connection.query("""
            SELECT w.word, tsvector_to_array(to_tsvector(\(configuration)::regconfig, w.word)) AS lexemes
            FROM unnest(\(Array(candidates))::text[]) AS w(word)
            """)
        var lexemesByWord: [String: [String]] = [:]
        for row in analysed {
            lexemesByWord[try row.decode(String.self, column: "word")] = try row.decode([String].self, column: "lexemes")
        }
        for item in pending {
            let tokens = zip(item.ranges, item.words).map { range, word in
                AnalyzedToken(byteRange: range, lexemes: lexemesByWord[word] ?? [])
            }
            let result = Highlighter.highlight(text: item.text, tokens: tokens, query: query, options: request.options)
            if !result.matches.isEmpty {
                hits[item.hit].highlights[item.field] = result
            }
        }
    }
}
