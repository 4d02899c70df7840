public import Foundation
public import SearchCore
import Synchronization

extension InMemorySearchEngine {
    /// Writes the current snapshot of `collection` to `file`, replacing it atomically (a temporary file in
    /// the same directory, then a rename), so a crash mid-write leaves the old file whole.
    public func save(collection: String, to file: URL) throws {
        let snapshot = try index(collection).snapshot
        let bytes = try SnapshotFile.encode(snapshot)
        try Self.writeAtomically(bytes, to: file)
    }

    /// Saves every collection as `<name>.loupe-snapshot` in `directory` (created when missing).
    public func saveAll(to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw SnapshotError.io("\(directory.path): \(error.localizedDescription)")
        }
        let names = collectionIndexes.withLock { Array($0.keys) }.sorted()
        for name in names {
            try save(collection: name, to: Self.snapshotFile(for: name, in: directory))
        }
    }

    /// Adds the collection saved in `file`, searchable at once: its segments are read back as they were
    /// written, no document is analysed again. Throws `SnapshotError` for a damaged file and
    /// `SearchError.collectionExists` when a collection of that name is already here.
    @discardableResult
    public func load(collectionFrom file: URL) throws -> CollectionInfo {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: file))
        } catch {
            throw SnapshotError.io("\(file.path): \(error.localizedDescription)")
        }
        let snapshot = try SnapshotFile.decode(bytes)
        try Self.checkSupported(snapshot.definition)
        let name = snapshot.definition.name.rawValue
        let added = collectionIndexes.withLock { indexes -> Bool in
            guard indexes[name] == nil else { return false }
            indexes[name] = CollectionIndex(snapshot: snapshot)
            return true
        }
        guard added else { throw SearchError.collectionExists(name) }
        return Self.info(snapshot)
    }

    /// An engine holding every collection saved in `directory` by `saveAll(to:)`.
    public convenience init(
        loadingFrom directory: URL, cursorAuthenticator: any MessageAuthenticator, options: Options = Options()
    ) throws {
        self.init(cursorAuthenticator: cursorAuthenticator, options: options)
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        } catch {
            throw SnapshotError.io("\(directory.path): \(error.localizedDescription)")
        }
        for file in files.sorted(by: { $0.path < $1.path }) where file.pathExtension == SnapshotFile.fileExtension {
            try load(collectionFrom: file)
        }
    }

    static func snapshotFile(for collection: String, in directory: URL) -> URL {
        directory.appendingPathComponent(collection).appendingPathExtension(SnapshotFile.fileExtension)
    }

    private static func writeAtomically(_ bytes: [UInt8], to file: URL) throws(SnapshotError) {
        let temporary = file.deletingLastPathComponent()
            .appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .io("\(file.path): \(error.localizedDescription)")
        }
        // rename(2) replaces the old file in one step; readers see the old snapshot or the new one.
        guard rename(temporary.path, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .io("\(file.path): \(reason)")
        }
    }
}
