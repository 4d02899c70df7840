import SearchCore

/// Builds new snapshots from old ones: each write adds one segment (and marks replaced documents deleted
/// in older ones); small segments are merged so a search never walks more than a handful.
struct IndexWriter: Sendable {
    /// Segments within one size tier (a power of `mergeFactor` of live documents) before they merge.
    static let mergeFactor = 8
    /// A segment with fewer live documents than this share of its documents is rewritten.
    static let minimumLiveShare = 0.5

    private(set) var snapshot: IndexSnapshot
    private var analyzer: DocumentAnalyzer

    init(snapshot: IndexSnapshot) {
        self.snapshot = snapshot
        self.analyzer = DocumentAnalyzer(definition: snapshot.definition)
    }

    /// Inserts or replaces documents by id. A repeated id in one call keeps its last occurrence and
    /// reports the earlier ones.
    mutating func upsert(_ documents: [SourceDocument]) -> DocumentWriteResult {
        var lastIndex: [String: Int] = [:]
        for (index, document) in documents.enumerated() { lastIndex[document.id] = index }
        var problems: [DocumentProblem] = []
        var builder = SegmentBuilder(definition: snapshot.definition)
        for (index, document) in documents.enumerated() {
            guard lastIndex[document.id] == index else {
                problems.append(DocumentProblem(
                    index: index, id: document.id, code: .duplicateID, reason: DocumentProblem.describe(.duplicateID)))
                continue
            }
            _ = delete(document.id)
            builder.add(id: document.id, json: document.json, analyzed: analyzer.analyze(document.body))
        }
        let written = builder.documentCount
        if written > 0 { add(builder.build()) }
        mergeIfNeeded()
        return DocumentWriteResult(written: written, problems: problems)
    }

    /// Adds a finished segment (a bulk load builds one directly).
    mutating func add(_ segment: Segment) {
        snapshot.segments.append(SegmentState(segment: segment))
        snapshot.documentCount += segment.documentCount
        for document in 0..<segment.documentCount {
            for weightClass in 0..<4 {
                snapshot.contentClassLengths[weightClass] += Int(segment.content.classLengths[document * 4 + weightClass])
                snapshot.stopClassLengths[weightClass] += Int(segment.stopWords.classLengths[document * 4 + weightClass])
            }
        }
    }

    /// Marks the live document with this id deleted; false when there is none.
    mutating func delete(_ identifier: String) -> Bool {
        guard let (segmentIndex, number) = snapshot.locate(identifier) else { return false }
        var state = snapshot.segments[segmentIndex]
        guard state.live.remove(number) else { return false }
        let segment = state.segment
        for weightClass in 0..<4 {
            snapshot.contentClassLengths[weightClass] -= Int(segment.content.classLengths[Int(number) * 4 + weightClass])
            snapshot.stopClassLengths[weightClass] -= Int(segment.stopWords.classLengths[Int(number) * 4 + weightClass])
        }
        // The segment does not keep per-document term lists; analysing the stored text again gives them.
        if let body = try? JSONParser.parse(Array(segment.documents[Int(number)].utf8), limits: .init(maximumDepth: 64, maximumStringBytes: .max)) {
            let analyzed = analyzer.analyze(body)
            for lexeme in analyzed.content.lexemes {
                if let ordinal = segment.content.dictionary.ordinal(of: Array(lexeme.text.utf8)) {
                    state.deletedContentFrequencies[ordinal, default: 0] += 1
                }
            }
            for lexeme in analyzed.stopWords.lexemes {
                if let ordinal = segment.stopWords.dictionary.ordinal(of: Array(lexeme.text.utf8)) {
                    state.deletedStopFrequencies[ordinal, default: 0] += 1
                }
            }
        }
        snapshot.documentCount -= 1
        snapshot.segments[segmentIndex] = state
        return true
    }

    /// Tiered merging: segments of the same size tier merge once there are `mergeFactor` of them; a
    /// segment that is mostly deleted documents is rewritten with the rest of its tier.
    mutating func mergeIfNeeded() {
        while true {
            var tiers: [Int: [Int]] = [:]
            for (index, state) in snapshot.segments.enumerated() {
                tiers[Self.tier(of: state.live.count), default: []].append(index)
            }
            let full = tiers.values.first { $0.count >= Self.mergeFactor }
            let sparse = snapshot.segments.indices.first { index in
                let state = snapshot.segments[index]
                return state.segment.documentCount > 0
                    && Double(state.live.count) < Self.minimumLiveShare * Double(state.segment.documentCount)
            }
            if let full {
                merge(full)
            } else if let sparse {
                merge([sparse])
            } else {
                return
            }
        }
    }

    private static func tier(of count: Int) -> Int {
        var tier = 0, size = 1
        while size * mergeFactor <= count {
            size *= mergeFactor
            tier += 1
        }
        return tier
    }

    /// Replaces the segments at `indices` with one holding their live documents.
    mutating func merge(_ indices: [Int]) {
        var builder = SegmentBuilder(definition: snapshot.definition)
        for index in indices.sorted() {
            builder.append(snapshot.segments[index].segment, live: snapshot.segments[index].live)
        }
        let merged = builder.build()
        let removed = Set(indices)
        let kept = snapshot.segments.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        snapshot.segments = kept
        // The merged segment holds only live documents: the counts it adds are the ones removed here.
        snapshot.documentCount -= merged.documentCount
        for document in 0..<merged.documentCount {
            for weightClass in 0..<4 {
                snapshot.contentClassLengths[weightClass] -= Int(merged.content.classLengths[document * 4 + weightClass])
                snapshot.stopClassLengths[weightClass] -= Int(merged.stopWords.classLengths[document * 4 + weightClass])
            }
        }
        if merged.documentCount > 0 { add(merged) }
    }

    /// Takes new settings: k1, b and attributes apply at once; new fields, weights or language re-analyse
    /// every live document (the in-memory engine needs no separate reindex).
    mutating func redefine(_ definition: CollectionDefinition) {
        let old = snapshot.definition
        if old.fields != definition.fields || old.language != definition.language || old.classWeights != definition.classWeights {
            self = IndexWriter(snapshot: Self.rebuild(snapshot, as: definition))
        } else {
            if old.bm25 != definition.bm25 {
                // Lists chosen under the old k1 and b stay exact but would send more searches to the full walk.
                for index in snapshot.segments.indices {
                    snapshot.segments[index].segment = snapshot.segments[index].segment.choosingChampions(for: definition.bm25)
                }
            }
            snapshot.definition = definition
        }
    }

    /// Every live document, analysed again under `definition` (new fields, weights or language).
    static func rebuild(_ snapshot: IndexSnapshot, as definition: CollectionDefinition) -> IndexSnapshot {
        var analyzer = DocumentAnalyzer(definition: definition)
        var builder = SegmentBuilder(definition: definition)
        for state in snapshot.segments {
            for number in 0..<state.segment.documentCount where state.live.contains(UInt32(number)) {
                let json = state.segment.documents[number]
                guard let body = try? JSONParser.parse(Array(json.utf8), limits: .init(maximumDepth: 64, maximumStringBytes: .max)) else { continue }
                builder.add(id: state.segment.identifiers[number], json: json, analyzed: analyzer.analyze(body))
            }
        }
        var writer = IndexWriter(snapshot: IndexSnapshot(definition: definition))
        if builder.documentCount > 0 { writer.add(builder.build()) }
        return writer.snapshot
    }
}
