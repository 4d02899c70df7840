import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import Testing

/// Migration 0009 computes stop vectors from two dictionary passes (`stop_word_vector`) instead of 0006's
/// position-by-position comparison (`tsvector_stop_words`), and document vectors set-based
/// (`analysed_document`): a user must see exactly the vectors the old functions gave, in every language.
@Suite struct StopWordVectorTests {
    /// Phrases of stop words, repeats, case, punctuation, compounds, URLs, numbers, other scripts, and texts long
    /// enough for tsvector to cap positions (255 per lexeme, 16,383 in all), where the old result has quirks.
    static let texts: [String] = [
        "",
        "The Who",
        "to be or not to be, that is the question",
        "THE The the tHe AND And and",
        "state-of-the-art over-the-counter and-or a-b-c-d",
        "don't won't it's I'm you're o'clock",
        "Visit http://www.example.com/path/to/the/page?x=1 or write to me@example.org about the file /usr/lib/the.so",
        "version 1.2.3 costs 4.50 at 10:30, about 3.14e10 of them, 42nd and 7th",
        "Hello, world! (Really?) — yes; no: maybe... 'quoted' \"double\" <b>bold</b> &amp; the end",
        "Über die Brücke gehen wir und der Hund bleibt bei dem Haus, aber nicht in der Stadt",
        "Le chat et la souris sont dans la maison, mais il n'y a pas de fromage pour les enfants",
        "Это не то, что мы хотели, но это всё, что у нас есть",
        "Το σπίτι είναι μεγάλο και όμορφο, αλλά δεν είναι δικό μας",
        "tab\tseparated\nlines with the\r\nwindows endings of the text",
        String(repeating: "the quick brown fox jumps over the lazy dog and runs away, ", count: 20),
        String(repeating: "running runs ran run runner the ", count: 100),
        String(repeating: "the ", count: 300) + "end",
        (0..<1_800).map { $0 % 3 == 0 ? "the" : "wordlength\($0 % 50)" }.joined(separator: " "),
    ]

    /// Over 16,383 words: positions clamp at 16,383 (the old comparison is slow here, so this one is checked once).
    static let clamped = (0..<17_000).map { $0 % 3 == 0 ? "the" : "word\($0 % 50)" }.joined(separator: " ")

    static let languages = ["english", "german", "french", "russian", "hindi", "simple", "greek"]

    static func withMigratedSchema(_ body: (TestSchema) async throws -> Void) async throws {
        try await TestDatabase.withSchema { schema in
            try await Migrator(pool: schema.pool, migrations: try MigrationTests.projectMigrations()).up()
            try await body(schema)
        }
    }

    /// A collection in `language` whose title weighs `title` and body `body`.
    static func collection(_ schema: TestSchema, _ language: String, title: String, body: String) async throws -> UUID {
        let id = try await schema.pool.query("""
            INSERT INTO collections (name, text_search_config) VALUES (\(language + "-" + (title + body).lowercased()), \(language)::regconfig)
            RETURNING id
            """).single().decode(UUID.self, column: "id")
        try await schema.pool.query("""
            INSERT INTO collection_fields (collection_id, name, weight, position)
            VALUES (\(id), 'title', \(title)::"char", 0), (\(id), 'body', \(body)::"char", 1)
            """)
        return id
    }

    @Test(arguments: languages)
    func dictionaryPassesFindTheStopWordsThePositionalComparisonFound(language: String) async throws {
        try await Self.withMigratedSchema { schema in
            let collection = try await Self.collection(schema, language, title: "A", body: "B")
            for text in Self.texts + [Self.clamped] {
                let row = try await schema.pool.query("""
                    SELECT tsvector_stop_words(\(text), to_tsvector(a.config, \(text)))::text AS positional,
                           s.stop_words::text AS dictionary
                    FROM collection_analysis(\(collection)) AS a
                    CROSS JOIN LATERAL stop_word_vector(\(text), to_tsvector(a.config, \(text)), a.without_stop_words) AS s
                    """).single()
                let positional = try row.decode(String.self, column: "positional")
                let dictionary = try row.decode(String.self, column: "dictionary")
                #expect(dictionary == positional, "\(language): \(text.prefix(60))")
            }
        }
    }

    /// Documents written through the trigger get, field by field and weight by weight, the vectors and class lengths
    /// the 0006-0008 functions computed.
    @Test func documentVectorsEqualTheOldComputationForEveryWeight() async throws {
        try await Self.withMigratedSchema { schema in
            for language in Self.languages {
                for (title, body) in [("A", "B"), ("C", "A"), ("D", "D"), ("B", "C")] {
                    let collection = try await Self.collection(schema, language, title: title, body: body)
                    for (index, text) in Self.texts.enumerated() {
                        let reversed = Self.texts[Self.texts.count - 1 - index]
                        let document = PostgresJSONText(
                            String(decoding: try JSONSerialization.data(withJSONObject: ["title": reversed, "body": text]), as: UTF8.self))
                        try await schema.pool.query("""
                            INSERT INTO documents (collection_id, external_id, document) VALUES (\(collection), \("t\(index)"), \(document))
                            """)
                    }
                }
            }
            // The old per-field loop (0008's document_search_vectors), written out for two fields.
            let differences = try await schema.pool.query("""
                WITH reference AS (
                    SELECT d.id, v.search_vector, v.stop_vector, tsvector_class_lengths(v.search_vector) AS class_lengths
                    FROM documents d
                    JOIN collections c ON c.id = d.collection_id
                    JOIN collection_fields t ON t.collection_id = c.id AND t.name = 'title'
                    JOIN collection_fields b ON b.collection_id = c.id AND b.name = 'body'
                    CROSS JOIN LATERAL (SELECT coalesce(d.document ->> 'title', '') AS title, coalesce(d.document ->> 'body', '') AS body) AS f
                    CROSS JOIN LATERAL (
                        SELECT ''::tsvector || setweight(to_tsvector(c.text_search_config, f.title), t.weight)
                                            || setweight(to_tsvector(c.text_search_config, f.body), b.weight) AS search_vector,
                               ''::tsvector || setweight(tsvector_stop_words(f.title, to_tsvector(c.text_search_config, f.title)), t.weight)
                                            || setweight(tsvector_stop_words(f.body, to_tsvector(c.text_search_config, f.body)), b.weight) AS stop_vector
                    ) AS v
                )
                SELECT count(*) AS documents,
                       count(*) FILTER (WHERE d.search_vector <> r.search_vector OR d.stop_vector <> r.stop_vector
                                           OR d.class_lengths <> r.class_lengths) AS different
                FROM documents d JOIN reference r ON r.id = d.id
                """).single()
            #expect(try differences.decode(Int.self, column: "documents") == Self.languages.count * 4 * Self.texts.count)
            #expect(try differences.decode(Int.self, column: "different") == 0)
        }
    }
}
