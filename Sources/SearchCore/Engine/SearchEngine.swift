/// What both engines (PostgreSQL and the in-memory index) offer: collections, documents and search.
/// The HTTP API is written against this protocol only.
public protocol SearchEngine: Sendable {
    /// `"postgres"` or `"memory"`, for metrics and logs.
    var name: String { get }

    func createCollection(_ definition: CollectionDefinition) async throws(SearchError) -> CollectionInfo
    func collections() async throws(SearchError) -> [CollectionInfo]
    func collection(named name: String) async throws(SearchError) -> CollectionInfo
    /// Applies new settings. Stored vectors follow new fields, weights or language only after a reindex;
    /// the result says when one is needed.
    func updateCollection(named name: String, _ update: CollectionUpdate) async throws(SearchError) -> CollectionUpdateResult
    func deleteCollection(named name: String) async throws(SearchError)

    /// Inserts or replaces documents by id. Each document is written or reported in the result, never
    /// half-written; a document the engine cannot index does not stop the others.
    func upsert(_ documents: [SourceDocument], into collection: String) async throws(SearchError) -> DocumentWriteResult
    func document(id: String, in collection: String) async throws(SearchError) -> StoredDocument
    /// Deletes a document; it stops matching at once.
    func deleteDocument(id: String, from collection: String) async throws(SearchError)

    func search(_ request: SearchRequest) async throws(SearchError) -> SearchPage

    /// Throws `unavailable` when the engine cannot serve (for readiness probes).
    func checkReadiness() async throws(SearchError)
}

/// A collection's settings and size.
public struct CollectionInfo: Sendable, Hashable {
    public var definition: CollectionDefinition
    public var documentCount: Int

    public init(definition: CollectionDefinition, documentCount: Int) {
        self.definition = definition
        self.documentCount = documentCount
    }
}

/// Settings to change; nil leaves a setting as it is.
public struct CollectionUpdate: Sendable, Hashable {
    public var fields: [SearchableField]?
    public var language: TextSearchLanguage?
    public var bm25: Bm25Parameters?
    public var classWeights: ClassWeights?
    public var filterableAttributes: [FilterableAttribute]?

    public init(
        fields: [SearchableField]? = nil, language: TextSearchLanguage? = nil, bm25: Bm25Parameters? = nil,
        classWeights: ClassWeights? = nil, filterableAttributes: [FilterableAttribute]? = nil
    ) {
        self.fields = fields
        self.language = language
        self.bm25 = bm25
        self.classWeights = classWeights
        self.filterableAttributes = filterableAttributes
    }

    /// The definition with this update applied, validated as a whole.
    public func applied(to definition: CollectionDefinition) throws(CollectionSettingsError) -> CollectionDefinition {
        try CollectionDefinition(
            name: definition.name, fields: fields ?? definition.fields, language: language ?? definition.language,
            bm25: bm25 ?? definition.bm25, classWeights: classWeights ?? definition.classWeights,
            filterableAttributes: filterableAttributes ?? definition.filterableAttributes)
    }

    /// Whether going from `old` to `new` changes what stored vectors contain.
    public static func needsReindex(from old: CollectionDefinition, to new: CollectionDefinition) -> Bool {
        old.fields != new.fields || old.language != new.language
    }
}

public struct CollectionUpdateResult: Sendable, Hashable {
    public var collection: CollectionInfo
    /// Stored documents were indexed with the old fields, weights or language: run `loupe reindex`.
    public var reindexRequired: Bool

    public init(collection: CollectionInfo, reindexRequired: Bool) {
        self.collection = collection
        self.reindexRequired = reindexRequired
    }
}

/// The outcome of one upsert call.
public struct DocumentWriteResult: Sendable, Hashable {
    /// Documents written (inserted or replaced).
    public var written: Int
    /// Documents refused, with `index` their position in the call's array.
    public var problems: [DocumentProblem]

    public init(written: Int, problems: [DocumentProblem]) {
        self.written = written
        self.problems = problems
    }
}

/// A document as stored.
public struct StoredDocument: Sendable, Hashable {
    public var id: String
    /// The document as JSON object text.
    public var json: String

    public init(id: String, json: String) {
        self.id = id
        self.json = json
    }
}
