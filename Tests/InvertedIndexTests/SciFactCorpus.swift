import DocumentSources
import Foundation
import LoupeTestSupport

/// The SciFact abstracts (corpus/scifact/corpus.jsonl.gz), each analysed as `title + " " + text`.
enum SciFactCorpus {
    struct Document: Sendable {
        let id: String
        let text: String
    }

    private struct Line: Decodable {
        let _id: String
        let title: String?
        let text: String?
    }

    static func documents() throws -> [Document] {
        let path = TestDatabase.repositoryRoot.appendingPathComponent("corpus/scifact/corpus.jsonl.gz").path
        let reader = LineReader(source: try ByteSource(path: path))
        let decoder = JSONDecoder()
        var documents: [Document] = []
        while let line = try reader.next() {
            guard case .text(let bytes) = line, !bytes.isEmpty else { continue }
            let fields = try decoder.decode(Line.self, from: Data(bytes))
            documents.append(Document(id: fields._id, text: (fields.title ?? "") + " " + (fields.text ?? "")))
        }
        return documents
    }

    struct CorpusError: Error, CustomStringConvertible {
        let description: String
    }
}
