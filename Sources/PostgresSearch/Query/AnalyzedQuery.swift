import Foundation
import PostgresClient
import SearchCore

/// Analyses query words with PostgreSQL itself (`ts_debug`), so query lexemes are exactly what the
/// indexing trigger produced for the same words.
enum QueryAnalyzer {
    static func analyze(
        _ parsed: ParsedQuery, configuration: String, on connection: PostgresConnection
    ) async throws -> AnalyzedQuery {
        let units = parsed.positiveUnits + parsed.exclusions
        let words = units.flatMap(\.words)
        guard !words.isEmpty else { return AnalyzedQuery(clauses: [], exclusions: []) }
        let rows = try await connection.query("""
            SELECT w.index, d.lexemes
            FROM unnest(\(words)::text[]) WITH ORDINALITY AS w(word, index)
            CROSS JOIN LATERAL ts_debug(\(configuration)::regconfig, w.word)
                 WITH ORDINALITY AS d(alias, description, token, dictionaries, dictionary, lexemes, ordinal)
            WHERE d.lexemes IS NOT NULL
            ORDER BY w.index, d.ordinal
            """)
        // Per word, its positions in order: lexeme alternatives, or [] for a stop word.
        var positionsByWord = Array(repeating: [[String]](), count: words.count)
        for row in rows {
            let index = try row.decode(Int.self, column: "index") - 1
            positionsByWord[index].append(try row.decode([String].self, column: "lexemes"))
        }
        var cursor = 0
        return AnalyzedQuery.assemble(parsed) { _ in
            defer { cursor += 1 }
            return positionsByWord[cursor]
        }
    }
}

/// Builds `tsquery` input text from analysed lexemes. The text is bound as a parameter and cast with
/// `::tsquery`; every lexeme is quoted, so nothing the user typed acts as tsquery syntax.
enum TSQueryText {
    static func quote(_ lexeme: String) -> String {
        "'" + lexeme.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func unit(_ unit: AnalyzedUnit) -> String {
        var parts: [String] = []
        var lastIndex: Int?
        for (index, alternatives) in unit.positions.enumerated() where !alternatives.isEmpty {
            let isLast = index == unit.positions.count - 1
            let marker = unit.isPrefix && isLast ? ":*" : ""
            let item = alternatives.count == 1
                ? quote(alternatives[0]) + marker
                : "(" + alternatives.map { quote($0) + marker }.joined(separator: " | ") + ")"
            if let lastIndex {
                let distance = index - lastIndex
                parts.append(distance == 1 ? "<->" : "<\(distance)>")
            }
            parts.append(item)
            lastIndex = index
        }
        return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " ") + ")"
    }

    /// Clauses joined by AND (`all`) or OR (`any`), minus the exclusions; nil when nothing is positive.
    static func build(_ query: AnalyzedQuery, all: Bool) -> String? {
        guard !query.isEmpty else { return nil }
        let clauses = query.clauses.map { alternatives in
            alternatives.count == 1 ? unit(alternatives[0]) : "(" + alternatives.map(unit).joined(separator: " | ") + ")"
        }
        var text = clauses.count == 1 ? clauses[0] : "(" + clauses.joined(separator: all ? " & " : " | ") + ")"
        for exclusion in query.exclusions {
            text += " & !" + unit(exclusion)
        }
        return text
    }
}
