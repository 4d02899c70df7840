import PostgresClient
public import SearchCore

extension PostgresSearchEngine {
    public func createCollection(_ definition: CollectionDefinition) async throws(SearchError) -> CollectionInfo {
        do {
            let stored = try await collections.create(definition)
            return CollectionInfo(definition: stored.definition, documentCount: 0)
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw .collectionExists(definition.name.rawValue)
        } catch {
            throw .from(error, doing: "creating the collection")
        }
    }

    public func collections() async throws(SearchError) -> [CollectionInfo] {
        do {
            return try await collections.fetch().map { CollectionInfo(definition: $0.collection.definition, documentCount: $0.documentCount) }
        } catch {
            throw .from(error, doing: "listing collections")
        }
    }

    public func collection(named name: String) async throws(SearchError) -> CollectionInfo {
        let found: [(collection: StoredCollection, documentCount: Int)]
        do {
            found = try await collections.fetch(named: name)
        } catch {
            throw .from(error, doing: "reading the collection")
        }
        guard let first = found.first else { throw .collectionNotFound(name) }
        return CollectionInfo(definition: first.collection.definition, documentCount: first.documentCount)
    }

    public func updateCollection(named name: String, _ update: CollectionUpdate) async throws(SearchError) -> CollectionUpdateResult {
        do {
            let stored = try await existing(name)
            let definition = try update.applied(to: stored.definition)
            _ = try await collections.update(stored, to: definition)
            return CollectionUpdateResult(
                collection: try await collection(named: name),
                reindexRequired: CollectionUpdate.needsReindex(from: stored.definition, to: definition))
        } catch {
            throw .from(error, doing: "updating the collection")
        }
    }

    public func deleteCollection(named name: String) async throws(SearchError) {
        do {
            guard try await collections.delete(try await existing(name)) else { throw SearchError.collectionNotFound(name) }
        } catch {
            throw .from(error, doing: "deleting the collection")
        }
    }

    public func checkReadiness() async throws(SearchError) {
        do {
            try await pool.query("SELECT 1")
        } catch {
            throw .unavailable("the database is unreachable")
        }
    }

    func existing(_ name: String) async throws -> StoredCollection {
        guard let stored = try await collections.find(name) else { throw SearchError.collectionNotFound(name) }
        return stored
    }
}
