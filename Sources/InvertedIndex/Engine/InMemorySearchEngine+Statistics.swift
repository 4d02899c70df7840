public import SearchCore

/// How big a collection's index is, for benchmarks and operators.
public struct IndexFootprint: Sendable, Hashable, Codable {
    public var documents: Int
    public var segments: Int
    public var terms: Int
    /// Postings of the analysed text (one per document and lexeme).
    public var postings: Int
    /// Positions of the analysed text.
    public var positions: Int
    /// Document ids, gaps and frequencies.
    public var postingBytes: Int
    public var positionBytes: Int
    /// Block skip entries and impact frontiers.
    public var blockBytes: Int
    /// The term dictionary.
    public var dictionaryBytes: Int
    /// Champion lists of the frequent terms (rebuilt on load, not saved).
    public var championBytes: Int
    /// The stop-word index, all parts.
    public var stopWordBytes: Int
    /// Stored documents and ids.
    public var storedBytes: Int

    /// Postings, frequencies, block entries, champion lists and dictionary per posting, positions excluded.
    public var bytesPerPosting: Double {
        postings == 0 ? 0 : Double(postingBytes + blockBytes + championBytes + dictionaryBytes) / Double(postings)
    }
    /// The same with positions included.
    public var bytesPerPostingWithPositions: Double {
        postings == 0 ? 0 : Double(postingBytes + blockBytes + championBytes + dictionaryBytes + positionBytes) / Double(postings)
    }
}

/// A lexeme of a collection's analysed text and how many live documents hold it.
public struct LexemeFrequency: Sendable, Hashable {
    public var lexeme: String
    public var documents: Int
}

extension InMemorySearchEngine {
    /// The `count` lexemes of the analysed text (stop words are not in it) held by the most live documents,
    /// most first (ties by lexeme), for benchmarks that need the collection's commonest words.
    public func frequentLexemes(in collection: String, count: Int) throws(SearchError) -> [LexemeFrequency] {
        let snapshot = try index(collection).snapshot
        var frequencies: [String: Int] = [:]
        for state in snapshot.segments {
            let dictionary = state.segment.content.dictionary
            for ordinal in 0..<dictionary.count {
                frequencies[dictionary.string(at: ordinal), default: 0] += state.liveFrequency(ofTerm: ordinal, stopWords: false)
            }
        }
        return frequencies.filter { $0.value > 0 }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .prefix(count).map { LexemeFrequency(lexeme: $0.key, documents: $0.value) }
    }

    public func footprint(of collection: String) throws(SearchError) -> IndexFootprint {
        let snapshot = try index(collection).snapshot
        var footprint = IndexFootprint(
            documents: snapshot.documentCount, segments: snapshot.segments.count, terms: 0, postings: 0, positions: 0,
            postingBytes: 0, positionBytes: 0, blockBytes: 0, dictionaryBytes: 0, championBytes: 0, stopWordBytes: 0, storedBytes: 0)
        for state in snapshot.segments {
            let content = state.segment.content
            footprint.terms += content.termCount
            footprint.postings += state.segment.postingCount
            footprint.positions += content.classLengths.reduce(0) { $0 + Int($1) }
            footprint.postingBytes += content.postings.count
            footprint.positionBytes += content.positions.count
            footprint.blockBytes += content.blockBytes
            footprint.dictionaryBytes += content.dictionaryBytes
            footprint.championBytes += state.segment.contentChampions.bytes
            let stops = state.segment.stopWords
            footprint.stopWordBytes += stops.postings.count + stops.positions.count + stops.blockBytes + stops.dictionaryBytes
                + state.segment.stopChampions.bytes
            footprint.storedBytes += state.segment.documents.reduce(0) { $0 + $1.utf8.count }
                + state.segment.identifiers.reduce(0) { $0 + $1.utf8.count }
        }
        return footprint
    }
}

extension PostingsIndex {
    var blockBytes: Int {
        blockLastDocument.count * 4 + blockPostingsOffset.count * 8 + blockPositionsOffset.count * 8
            + blockImpactStart.count * 4 + impactPairs.count * 4
    }

    var dictionaryBytes: Int {
        dictionary.bytes.count + dictionary.offsets.count * 4 + termFirstBlock.count * 4 + termFrequency.count * 4
    }
}
