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
    /// The stop-word index, all parts.
    public var stopWordBytes: Int
    /// Stored documents and ids.
    public var storedBytes: Int

    /// Postings, frequencies, block entries and dictionary per posting, positions excluded.
    public var bytesPerPosting: Double { postings == 0 ? 0 : Double(postingBytes + blockBytes + dictionaryBytes) / Double(postings) }
    /// The same with positions included.
    public var bytesPerPostingWithPositions: Double {
        postings == 0 ? 0 : Double(postingBytes + blockBytes + dictionaryBytes + positionBytes) / Double(postings)
    }
}

extension InMemorySearchEngine {
    public func footprint(of collection: String) throws(SearchError) -> IndexFootprint {
        let snapshot = try index(collection).snapshot
        var footprint = IndexFootprint(
            documents: snapshot.documentCount, segments: snapshot.segments.count, terms: 0, postings: 0, positions: 0,
            postingBytes: 0, positionBytes: 0, blockBytes: 0, dictionaryBytes: 0, stopWordBytes: 0, storedBytes: 0)
        for state in snapshot.segments {
            let content = state.segment.content
            footprint.terms += content.termCount
            footprint.postings += state.segment.postingCount
            footprint.positions += content.classLengths.reduce(0) { $0 + Int($1) }
            footprint.postingBytes += content.postings.count
            footprint.positionBytes += content.positions.count
            footprint.blockBytes += content.blockBytes
            footprint.dictionaryBytes += content.dictionaryBytes
            let stops = state.segment.stopWords
            footprint.stopWordBytes += stops.postings.count + stops.positions.count + stops.blockBytes + stops.dictionaryBytes
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
