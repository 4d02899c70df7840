import Foundation
import SearchCore

/// One collection's snapshot as bytes, so a saved index loads without analysing its documents again.
///
/// Layout (integers little-endian):
/// - header, 32 bytes: magic `LOUPESNP`, format version (u32), flags (u32, zero), payload length (u64),
///   checksum of the payload (u64, `SnapshotChecksum`).
/// - payload: the definition as JSON (length-prefixed), then the segment count (u32) and one
///   length-prefixed section per segment: ids, stored documents, the live bitset, then a section for each
///   of its two postings indexes (class weights, dictionary, per-term first block and frequency, the
///   postings and positions streams, block skip data, impact frontiers, per-document class lengths and
///   the deleted-document term frequencies). Champion lists are not stored: loading chooses them again from
///   the validated postings, so the format (version 1) is unchanged.
///
/// Arrays are a u64 count followed by the values. On load the header, the length and the checksum are
/// checked first; then every count, offset, varint and document number is validated, so searches on a
/// loaded snapshot may trust it the way they trust one built in memory.
enum SnapshotFile {
    static let magic: [UInt8] = Array("LOUPESNP".utf8)
    static let version: UInt32 = 1
    static let headerSize = 32
    static let fileExtension = "loupe-snapshot"
    private static let maximumPosition: UInt64 = 16383

    // MARK: - Writing

    static func encode(_ snapshot: IndexSnapshot) throws(SnapshotError) -> [UInt8] {
        let definition: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            definition = try encoder.encode(snapshot.definition)
        } catch {
            throw .io("the collection definition could not be encoded: \(error)")
        }
        var payload = SnapshotByteWriter()
        payload.append([UInt8](definition))
        payload.append(UInt32(snapshot.segments.count))
        for state in snapshot.segments {
            payload.appendSection { section in write(state, to: &section) }
        }
        var file = SnapshotByteWriter()
        file.append(raw: magic)
        file.append(version)
        file.append(UInt32(0))
        file.append(UInt64(payload.bytes.count))
        file.append(SnapshotChecksum.hash(payload.bytes, from: 0, to: payload.bytes.count))
        file.append(raw: payload.bytes)
        return file.bytes
    }

    private static func write(_ state: SegmentState, to writer: inout SnapshotByteWriter) {
        let segment = state.segment
        writer.append(UInt32(segment.documentCount))
        writer.append(strings: segment.identifiers)
        writer.append(strings: segment.documents)
        writer.append(state.live.words)
        writer.appendSection { section in write(segment.content, deleted: state.deletedContentFrequencies, to: &section) }
        writer.appendSection { section in write(segment.stopWords, deleted: state.deletedStopFrequencies, to: &section) }
    }

    private static func write(_ index: PostingsIndex, deleted: [Int: Int], to writer: inout SnapshotByteWriter) {
        writer.append(index.classWeights)
        writer.append(index.dictionary.bytes)
        writer.append(index.dictionary.offsets)
        writer.append(index.termFirstBlock)
        writer.append(index.termFrequency)
        writer.append(index.postings)
        writer.append(index.positions)
        writer.append(index.blockLastDocument)
        writer.append(index.blockPostingsOffset)
        writer.append(index.blockPositionsOffset)
        writer.append(index.blockImpactStart)
        writer.append(index.impactPairs)
        writer.append(index.classLengths)
        let sorted = deleted.sorted { $0.key < $1.key }
        writer.append(sorted.map { UInt32(truncatingIfNeeded: $0.key) })
        writer.append(sorted.map { UInt32(truncatingIfNeeded: $0.value) })
    }

    // MARK: - Reading

    static func decode(_ bytes: [UInt8]) throws(SnapshotError) -> IndexSnapshot {
        let magicCount = min(bytes.count, magic.count)
        guard bytes[0..<magicCount].elementsEqual(magic[0..<magicCount]) else { throw .badMagic }
        guard bytes.count >= headerSize else { throw .truncated }
        var header = SnapshotByteReader(bytes, from: magic.count, to: headerSize)
        let version = try header.uint32("version")
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard try header.uint32("flags") == 0 else { throw .corrupt("unknown flags are set") }
        let length = try header.uint64("payload length")
        let checksum = try header.uint64("checksum")
        let available = UInt64(bytes.count - headerSize)
        guard length <= available else { throw .truncated }
        guard length == available else { throw .corrupt("\(available - length) bytes follow the payload") }
        guard SnapshotChecksum.hash(bytes, from: headerSize, to: bytes.count) == checksum else { throw .checksumMismatch }

        var reader = SnapshotByteReader(bytes, from: headerSize)
        let definition = try readDefinition(try reader.byteArray("definition"))
        let segmentCount = try reader.uint32("segment count")
        var snapshot = IndexSnapshot(definition: definition)
        for number in 0..<Int(segmentCount) {
            let state = try reader.section("segment \(number)") { (section: inout SnapshotByteReader) throws(SnapshotError) in
                try readSegment(&section, definition: definition)
            }
            snapshot.segments.append(state)
        }
        guard reader.remaining == 0 else { throw .corrupt("bytes follow the last segment") }
        // The live totals follow from the segments; recomputing them leaves nothing to disagree.
        for state in snapshot.segments {
            snapshot.documentCount += state.live.count
            let segment = state.segment
            for document in 0..<segment.documentCount where state.live.contains(UInt32(document)) {
                for weightClass in 0..<4 {
                    snapshot.contentClassLengths[weightClass] += Int(segment.content.classLengths[document * 4 + weightClass])
                    snapshot.stopClassLengths[weightClass] += Int(segment.stopWords.classLengths[document * 4 + weightClass])
                }
            }
        }
        return snapshot
    }

    private static func readDefinition(_ json: [UInt8]) throws(SnapshotError) -> CollectionDefinition {
        let decoded: CollectionDefinition
        do {
            decoded = try JSONDecoder().decode(CollectionDefinition.self, from: Data(json))
        } catch {
            throw .corrupt("the collection definition does not decode")
        }
        let weights = decoded.classWeights.values
        guard weights.count == 4, weights.allSatisfy({ $0.isFinite && ClassWeights.range.contains($0) }) else {
            throw .corrupt("the class weights are invalid")
        }
        do {
            // The validating initializer checks what the decoder does not.
            return try CollectionDefinition(
                name: decoded.name, fields: decoded.fields, language: decoded.language, bm25: decoded.bm25,
                classWeights: decoded.classWeights, filterableAttributes: decoded.filterableAttributes)
        } catch {
            throw .corrupt("the collection definition is invalid: \(error)")
        }
    }

    private static func readSegment(_ reader: inout SnapshotByteReader, definition: CollectionDefinition) throws(SnapshotError) -> SegmentState {
        let classWeights = definition.classWeights.values
        let documentCount = Int(try reader.uint32("document count"))
        guard documentCount < Int(UInt32.max) else { throw .corrupt("too many documents in a segment") }
        let identifiers = try reader.strings("document ids")
        let documents = try reader.strings("stored documents")
        guard identifiers.count == documentCount, documents.count == documentCount else {
            throw .corrupt("a segment's ids or documents do not match its document count")
        }
        guard Set(identifiers).count == identifiers.count else { throw .corrupt("a segment repeats a document id") }
        let words = try reader.uint64Array("live documents")
        guard words.count == (documentCount + 63) / 64 else { throw .corrupt("the live bitset has the wrong size") }
        if documentCount % 64 != 0, let last = words.last, last >> UInt64(documentCount % 64) != 0 {
            throw .corrupt("the live bitset marks documents past the segment's end")
        }
        let (content, deletedContent) = try reader.section("content index") { (section: inout SnapshotByteReader) throws(SnapshotError) in
            try readIndex(&section, documentCount: documentCount, classWeights: classWeights)
        }
        let (stopWords, deletedStop) = try reader.section("stop-word index") { (section: inout SnapshotByteReader) throws(SnapshotError) in
            try readIndex(&section, documentCount: documentCount, classWeights: classWeights)
        }
        // Champion lists are not in the file: they are chosen again from the validated postings.
        let segment = Segment(content: content, stopWords: stopWords, identifiers: identifiers, documents: documents, bm25: definition.bm25)
        var state = SegmentState(segment: segment)
        for (wordIndex, word) in words.enumerated() where word != ~0 {
            for bit in 0..<64 where word & (1 << UInt64(bit)) == 0 {
                let document = wordIndex * 64 + bit
                if document < documentCount { _ = state.live.remove(UInt32(document)) }
            }
        }
        state.deletedContentFrequencies = deletedContent
        state.deletedStopFrequencies = deletedStop
        return state
    }

    private static func readIndex(
        _ reader: inout SnapshotByteReader, documentCount: Int, classWeights: [Double]
    ) throws(SnapshotError) -> (PostingsIndex, [Int: Int]) {
        let weights = try reader.doubleArray("class weights")
        guard weights == classWeights else { throw .corrupt("an index's class weights differ from the definition's") }
        let dictionary = try readDictionary(&reader)
        let termFirstBlock = try reader.uint32Array("term first blocks")
        let termFrequency = try reader.uint32Array("term frequencies")
        let postings = try reader.byteArray("postings")
        let positions = try reader.byteArray("positions")
        let blockLastDocument = try reader.uint32Array("block last documents")
        let blockPostingsOffset = try reader.uint64Array("block postings offsets")
        let blockPositionsOffset = try reader.uint64Array("block positions offsets")
        let blockImpactStart = try reader.uint32Array("block impact starts")
        let impactPairs = try reader.floatArray("impact pairs")
        let classLengths = try reader.uint32Array("class lengths")
        let deletedOrdinals = try reader.uint32Array("deleted term ordinals")
        let deletedCounts = try reader.uint32Array("deleted term counts")

        let termCount = dictionary.count
        guard termFirstBlock.count == termCount, termFrequency.count == termCount else {
            throw .corrupt("per-term arrays do not match the dictionary")
        }
        guard classLengths.count == documentCount * 4 else { throw .corrupt("class lengths do not match the document count") }
        var blockCount = 0
        for term in 0..<termCount {
            let frequency = Int(termFrequency[term])
            guard frequency >= 1, frequency <= documentCount else { throw .corrupt("term \(term) has an impossible frequency") }
            guard Int(termFirstBlock[term]) == blockCount else { throw .corrupt("term \(term)'s blocks are out of order") }
            blockCount += (frequency + PostingsIndex.blockSize - 1) / PostingsIndex.blockSize
        }
        guard blockLastDocument.count == blockCount, blockPostingsOffset.count == blockCount,
              blockPositionsOffset.count == blockCount, blockImpactStart.count == blockCount + 1
        else { throw .corrupt("block arrays do not match the terms") }
        var previousStart: UInt32 = 0
        for start in blockImpactStart {
            guard start >= previousStart else { throw .corrupt("impact frontiers go backwards") }
            previousStart = start
        }
        guard blockImpactStart.first == 0, Int(previousStart) * 2 == impactPairs.count else {
            throw .corrupt("impact frontiers do not cover their pairs")
        }
        guard impactPairs.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw .corrupt("an impact pair is not a finite count") }

        try postings.withUnsafeBufferPointer { (postingBytes: UnsafeBufferPointer<UInt8>) throws(SnapshotError) in
            try positions.withUnsafeBufferPointer { (positionBytes: UnsafeBufferPointer<UInt8>) throws(SnapshotError) in
                for term in 0..<termCount {
                    try checkPostings(
                        ofTerm: term, first: Int(termFirstBlock[term]), frequency: Int(termFrequency[term]),
                        documentCount: documentCount, postings: postingBytes, positions: positionBytes,
                        blockLastDocument: blockLastDocument, blockPostingsOffset: blockPostingsOffset,
                        blockPositionsOffset: blockPositionsOffset)
                }
            }
        }

        guard deletedOrdinals.count == deletedCounts.count else { throw .corrupt("deleted term frequencies are unpaired") }
        var deleted: [Int: Int] = [:]
        for (ordinal, count) in zip(deletedOrdinals, deletedCounts) {
            guard Int(ordinal) < termCount, count >= 1, count <= termFrequency[Int(ordinal)], deleted[Int(ordinal)] == nil else {
                throw .corrupt("a deleted term frequency is out of range")
            }
            deleted[Int(ordinal)] = Int(count)
        }
        let index = PostingsIndex(
            dictionary: dictionary, termFirstBlock: termFirstBlock, termFrequency: termFrequency, postings: postings,
            positions: positions, blockLastDocument: blockLastDocument, blockPostingsOffset: blockPostingsOffset,
            blockPositionsOffset: blockPositionsOffset, blockImpactStart: blockImpactStart, impactPairs: impactPairs,
            classLengths: classLengths, classWeights: weights)
        return (index, deleted)
    }

    private static func readDictionary(_ reader: inout SnapshotByteReader) throws(SnapshotError) -> TermDictionary {
        let bytes = try reader.byteArray("dictionary")
        let offsets = try reader.uint32Array("dictionary offsets")
        guard offsets.first == 0, let last = offsets.last, Int(last) == bytes.count else {
            throw .corrupt("dictionary offsets do not cover its bytes")
        }
        var previous: ArraySlice<UInt8>?
        for term in 0..<(offsets.count - 1) {
            let start = Int(offsets[term]), end = Int(offsets[term + 1])
            guard start <= end, end <= bytes.count else { throw .corrupt("dictionary offsets go backwards") }
            let current = bytes[start..<end]
            if let previous, !previous.lexicographicallyPrecedes(current) {
                throw .corrupt("dictionary terms are not sorted")
            }
            previous = current
        }
        return TermDictionary(bytes: bytes, offsets: offsets)
    }

    /// Decodes one term's postings and positions exactly as `PostingsCursor` will, with every read checked.
    private static func checkPostings(
        ofTerm term: Int, first: Int, frequency: Int, documentCount: Int,
        postings: UnsafeBufferPointer<UInt8>, positions: UnsafeBufferPointer<UInt8>,
        blockLastDocument: [UInt32], blockPostingsOffset: [UInt64], blockPositionsOffset: [UInt64]
    ) throws(SnapshotError) {
        let blocks = (frequency + PostingsIndex.blockSize - 1) / PostingsIndex.blockSize
        let problem = SnapshotError.corrupt("the postings of term \(term) do not decode")
        for block in first..<(first + blocks) {
            guard blockPostingsOffset[block] <= UInt64(postings.count), blockPositionsOffset[block] <= UInt64(positions.count) else {
                throw problem
            }
            var offset = Int(blockPostingsOffset[block])
            var positionOffset = Int(blockPositionsOffset[block])
            var previous = block == first ? -1 : Int(blockLastDocument[block - 1])
            let count = min(PostingsIndex.blockSize, frequency - (block - first) * PostingsIndex.blockSize)
            for _ in 0..<count {
                guard let gap = VariableByte.readChecked(postings, &offset, end: postings.count) else { throw problem }
                previous += 1 + Int(gap)
                guard previous < documentCount else { throw .corrupt("term \(term) names a document past the segment's end") }
                guard let head = VariableByte.readChecked(postings, &offset, end: postings.count) else { throw problem }
                var total: UInt64 = 0
                if head & 1 == 0 {
                    total = UInt64(head >> 3)
                } else {
                    let mask = head >> 1
                    guard mask >= 1, mask <= 15 else { throw problem }
                    for weightClass in 0..<4 where mask & (1 << weightClass) != 0 {
                        guard let classCount = VariableByte.readChecked(postings, &offset, end: postings.count), classCount >= 1 else {
                            throw problem
                        }
                        total += UInt64(classCount)
                    }
                }
                guard total >= 1, total <= UInt64(positions.count - positionOffset) else { throw problem }
                var position: UInt64 = 0
                for _ in 0..<total {
                    guard let step = VariableByte.readChecked(positions, &positionOffset, end: positions.count) else { throw problem }
                    position += UInt64(step)
                    // Phrase matching adds query offsets to positions; tsvector positions never pass 16383.
                    guard position <= maximumPosition else { throw problem }
                }
            }
            guard UInt32(previous) == blockLastDocument[block] else { throw .corrupt("term \(term)'s skip data is wrong") }
        }
    }
}
