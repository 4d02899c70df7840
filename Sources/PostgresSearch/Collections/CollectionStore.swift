import Crypto
public import Foundation
public import PostgresClient
public import SearchCore

/// A collection as stored, with what search needs to know about it.
public struct StoredCollection: Sendable, Hashable {
    public let id: UUID
    public let definition: CollectionDefinition
}

/// Creates collections and writes documents. Vectors and statistics follow from the database triggers.
public struct CollectionStore: Sendable {
    public let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Creates a collection; throws a unique violation if a live collection has that name.
    @discardableResult
    public func create(_ definition: CollectionDefinition) async throws -> StoredCollection {
        let collection = try await pool.withTransaction { connection in
            let id = try await connection.query("""
                INSERT INTO collections (name, text_search_config, bm25_k1, bm25_b, bm25_class_weights)
                VALUES (\(definition.name.rawValue), \(definition.language.rawValue)::regconfig,
                        \(definition.bm25.k1), \(definition.bm25.b), \(definition.classWeights.values))
                RETURNING id
                """).single().decode(UUID.self, column: "id")
            try await connection.query("""
                INSERT INTO collection_fields (collection_id, name, weight, position)
                SELECT \(id), f.name, f.weight::"char", f.position - 1
                FROM unnest(\(definition.fields.map(\.name)), \(definition.fields.map(\.weight.rawValue)))
                     WITH ORDINALITY AS f(name, weight, position)
                """)
            return StoredCollection(id: id, definition: definition)
        }
        for attribute in definition.filterableAttributes {
            try await addIndex(for: attribute, to: collection)
        }
        return collection
    }

    /// Declares an attribute for range filters and builds its index without blocking writes.
    public func addFilterableAttribute(_ attribute: FilterableAttribute, to collection: StoredCollection) async throws {
        try await addIndex(for: attribute, to: collection)
    }

    /// `idx_documents_attribute_<16 hex>`: derived from collection and attribute, so it is stable and safe to
    /// splice into DDL (which cannot bind values).
    static func indexName(collection: UUID, attribute: String) -> String {
        let digest = SHA256.hash(data: Data("\(collection.uuidString.lowercased()):\(attribute)".utf8))
        return "idx_documents_attribute_" + digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    private func addIndex(for attribute: FilterableAttribute, to collection: StoredCollection) async throws {
        let name = Self.indexName(collection: collection.id, attribute: attribute.name)
        try await pool.query("""
            INSERT INTO collection_attributes (collection_id, name, kind, index_name)
            VALUES (\(collection.id), \(attribute.name), \(attribute.kind.rawValue), \(name))
            ON CONFLICT (collection_id, name) DO UPDATE SET kind = EXCLUDED.kind
            """)
        // Every spliced piece is program-made or validated: the hashed index name, the collection's UUID,
        // an extractor chosen from two, and an attribute name matching ^[A-Za-z_][A-Za-z0-9_.-]*$.
        let extractor = attribute.kind == .number ? "jsonb_number" : "jsonb_text"
        guard SearchableField.isValidName(attribute.name) else { throw CollectionSettingsError.invalidFieldName(attribute.name) }
        let ddl = """
            CREATE INDEX CONCURRENTLY IF NOT EXISTS \(name) ON documents ((\(extractor)(document -> '\(attribute.name)')))
            WHERE collection_id = '\(collection.id.uuidString.lowercased())' AND deleted_at IS NULL
            """
        try await pool.withConnection { connection in
            do {
                try await connection.unsafeExecuteScript(ddl)
            } catch {
                // A failed concurrent build leaves an invalid index behind.
                try? await connection.unsafeExecuteScript("DROP INDEX CONCURRENTLY IF EXISTS \(name)")
                throw error
            }
        }
    }

    /// The live collection with that name, or nil.
    public func find(_ name: String) async throws -> StoredCollection? {
        try await fetch(named: name).first?.collection
    }

    /// The live collection of that name as the connection's transaction sees it.
    static func find(_ name: String, on connection: PostgresConnection) async throws -> StoredCollection? {
        try decode(try await connection.query(query(named: name))).first?.collection
    }

    /// Live collections (all, or the one named) with their live document counts, by name.
    public func fetch(named name: String? = nil) async throws -> [(collection: StoredCollection, documentCount: Int)] {
        try Self.decode(try await pool.query(Self.query(named: name)))
    }

    private static func query(named name: String?) -> PostgresQuery {
        """
            SELECT c.id, c.name, c.text_search_config::text AS language, c.bm25_k1, c.bm25_b, c.bm25_class_weights,
                   coalesce(s.document_count, 0) AS document_count,
                   ARRAY(SELECT f.name FROM collection_fields f WHERE f.collection_id = c.id ORDER BY f.position) AS field_names,
                   ARRAY(SELECT f.weight::text FROM collection_fields f WHERE f.collection_id = c.id ORDER BY f.position) AS field_weights,
                   ARRAY(SELECT a.name FROM collection_attributes a WHERE a.collection_id = c.id ORDER BY a.name) AS attribute_names,
                   ARRAY(SELECT a.kind FROM collection_attributes a WHERE a.collection_id = c.id ORDER BY a.name) AS attribute_kinds
            FROM collections c LEFT JOIN collection_statistics s ON s.collection_id = c.id
            WHERE c.deleted_at IS NULL AND (\(name)::text IS NULL OR c.name = \(name))
            ORDER BY c.name
            """
    }

    private static func decode(_ rows: PostgresRows) throws -> [(collection: StoredCollection, documentCount: Int)] {
        return try rows.map { row in
            let names = try row.decode([String].self, column: "field_names")
            let weights = try row.decode([String].self, column: "field_weights")
            let classWeights = try row.decode([Double].self, column: "bm25_class_weights")
            let language = try row.decode(String.self, column: "language")
            let definition = try CollectionDefinition(
                name: try CollectionName(try row.decode(String.self, column: "name")),
                fields: try zip(names, weights).map { try SearchableField(name: $0, weight: FieldWeight(rawValue: $1) ?? .d) },
                language: TextSearchLanguage(rawValue: language.replacingOccurrences(of: "pg_catalog.", with: "")) ?? .simple,
                bm25: try Bm25Parameters(k1: try row.decode(Double.self, column: "bm25_k1"), b: try row.decode(Double.self, column: "bm25_b")),
                classWeights: try ClassWeights(a: classWeights[0], b: classWeights[1], c: classWeights[2], d: classWeights[3]),
                filterableAttributes: try zip(
                    try row.decode([String].self, column: "attribute_names"), try row.decode([String].self, column: "attribute_kinds")
                ).map { try FilterableAttribute(name: $0, kind: FilterableAttribute.Kind(rawValue: $1) ?? .text) })
            return (StoredCollection(id: try row.decode(UUID.self, column: "id"), definition: definition),
                    try row.decode(Int.self, column: "document_count"))
        }
    }

    /// Replaces a collection's settings. A change of k1, b or class weights recomputes the stored impacts in
    /// the same transaction, so scores never mix old and new parameters. New filterable attributes get
    /// their index; dropped ones lose it.
    public func update(_ collection: StoredCollection, to definition: CollectionDefinition) async throws -> StoredCollection {
        let old = collection.definition
        let updated = StoredCollection(id: collection.id, definition: definition)
        let removedAttributes = old.filterableAttributes.filter { attribute in
            !definition.filterableAttributes.contains(attribute)
        }
        try await pool.withTransaction { connection in
            try await connection.query("""
                UPDATE collections
                SET text_search_config = \(definition.language.rawValue)::regconfig, bm25_k1 = \(definition.bm25.k1),
                    bm25_b = \(definition.bm25.b), bm25_class_weights = \(definition.classWeights.values)
                WHERE id = \(collection.id)
                """)
            if old.fields != definition.fields {
                try await connection.query("DELETE FROM collection_fields WHERE collection_id = \(collection.id)")
                try await connection.query("""
                    INSERT INTO collection_fields (collection_id, name, weight, position)
                    SELECT \(collection.id), f.name, f.weight::"char", f.position - 1
                    FROM unnest(\(definition.fields.map(\.name)), \(definition.fields.map(\.weight.rawValue)))
                         WITH ORDINALITY AS f(name, weight, position)
                    """)
            }
            if old.bm25 != definition.bm25 || old.classWeights != definition.classWeights {
                try await connection.query("SELECT refresh_search_impacts(\(collection.id))")
            }
            if !removedAttributes.isEmpty {
                try await connection.query("""
                    DELETE FROM collection_attributes WHERE collection_id = \(collection.id) AND name = ANY(\(removedAttributes.map(\.name)))
                    """)
            }
        }
        for attribute in removedAttributes {
            let name = Self.indexName(collection: collection.id, attribute: attribute.name)
            try await pool.withConnection { connection in
                try await connection.unsafeExecuteScript("DROP INDEX CONCURRENTLY IF EXISTS \(name)")
            }
        }
        for attribute in definition.filterableAttributes where !old.filterableAttributes.contains(attribute) {
            try await addIndex(for: attribute, to: updated)
        }
        return updated
    }

    /// Retires a collection: it disappears at once and its name is free again. Its rows stay until purged.
    @discardableResult
    public func delete(_ collection: StoredCollection) async throws -> Bool {
        let rows = try await pool.query("""
            UPDATE collections SET deleted_at = now() WHERE id = \(collection.id) AND deleted_at IS NULL
            """)
        return rows.affectedRows == 1
    }

    /// Inserts or replaces documents by id in one statement (so all or none), reviving soft-deleted ones.
    /// Each document is JSON object text. Returns how many rows were written.
    ///
    /// Rows are written in id order, whatever the order given, as the importer writes them: a statement locks
    /// each existing document as it reaches it, so two writes of the same documents in opposite orders would
    /// each hold what the other waits for, and one would be aborted as a deadlock.
    @discardableResult
    public func upsert(_ documents: [(id: String, json: String)], into collection: StoredCollection) async throws -> Int {
        guard !documents.isEmpty else { return 0 }
        let rows = try await pool.query("""
            INSERT INTO documents (collection_id, external_id, document)
            SELECT \(collection.id), d.external_id, d.body::jsonb
            FROM unnest(\(documents.map(\.id)), \(documents.map(\.json))) AS d(external_id, body)
            ORDER BY d.external_id
            ON CONFLICT (collection_id, external_id) DO UPDATE
                SET document = EXCLUDED.document, deleted_at = NULL
            """)
        return rows.affectedRows
    }

    /// Soft-deletes a document; it stops matching at once. Returns false if there was no live document.
    @discardableResult
    public func delete(_ id: String, from collection: StoredCollection) async throws -> Bool {
        let rows = try await pool.query("""
            UPDATE documents SET deleted_at = now()
            WHERE collection_id = \(collection.id) AND external_id = \(id) AND deleted_at IS NULL
            """)
        return rows.affectedRows == 1
    }
}
