import Crypto
public import Foundation

/// One numbered schema change: `NNNN_name.up.sql` and its `NNNN_name.down.sql`.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let upSQL: String
    public let downSQL: String
    /// SHA-256 of the up file, hex. A change to an applied migration is refused.
    public let checksum: String
    /// False for files whose first line is `-- loupe:no-transaction` (for `CREATE INDEX CONCURRENTLY`).
    public let runsInTransaction: Bool
    public let downRunsInTransaction: Bool

    public static let noTransactionMarker = "-- loupe:no-transaction"

    public init(version: Int, name: String, upSQL: String, downSQL: String) {
        self.version = version
        self.name = name
        self.upSQL = upSQL
        self.downSQL = downSQL
        self.checksum = SHA256.hash(data: Data(upSQL.utf8)).map { String(format: "%02x", $0) }.joined()
        self.runsInTransaction = !Self.startsWithMarker(upSQL)
        self.downRunsInTransaction = !Self.startsWithMarker(downSQL)
    }

    /// The up file's name, as error messages refer to it.
    public var upFileName: String { String(format: "%04d_%@.up.sql", version, name) }
    public var downFileName: String { String(format: "%04d_%@.down.sql", version, name) }

    private static func startsWithMarker(_ sql: String) -> Bool {
        let firstLine = sql.split(separator: "\n", maxSplits: 1).first ?? ""
        return firstLine.trimmingCharacters(in: .whitespaces) == noTransactionMarker
    }
}

/// Reads the migrations folder.
public enum MigrationSource {
    /// Loads `NNNN_name.up.sql` / `NNNN_name.down.sql` pairs, sorted by version. Every up file needs a down
    /// file, and versions must be unique.
    public static func load(from directory: URL) throws -> [Migration] {
        let fm = FileManager.default
        let files: [String]
        do {
            files = try fm.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.folderUnreadable(directory.path)
        }
        var ups: [Int: (name: String, file: String)] = [:]
        var downs: [Int: String] = [:]
        for file in files where file.hasSuffix(".sql") {
            guard let parsed = parse(file) else { throw MigrationError.badFileName(file) }
            if parsed.direction == "up" {
                if let existing = ups[parsed.version] { throw MigrationError.duplicateVersion(existing.file, file) }
                ups[parsed.version] = (parsed.name, file)
            } else {
                downs[parsed.version] = file
            }
        }
        return try ups.keys.sorted().map { version in
            let up = ups[version]!
            guard let downFile = downs[version] else { throw MigrationError.missingDown(up.file) }
            func read(_ file: String) throws -> String {
                guard let text = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8) else {
                    throw MigrationError.folderUnreadable(directory.appendingPathComponent(file).path)
                }
                return text
            }
            return Migration(version: version, name: up.name, upSQL: try read(up.file), downSQL: try read(downFile))
        }
    }

    /// The project's migrations folder: `$LOUPE_MIGRATIONS`, else `./migrations`, else the source tree's.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["LOUPE_MIGRATIONS"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let local = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("migrations")
        if FileManager.default.fileExists(atPath: local.path) { return local }
        return sourceTreeDirectory
    }

    /// `migrations/` in the checkout this library was built from.
    public static var sourceTreeDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("migrations")
    }

    private static func parse(_ file: String) -> (version: Int, name: String, direction: String)? {
        let parts = file.split(separator: ".")
        guard parts.count == 3, parts[2] == "sql", parts[1] == "up" || parts[1] == "down" else { return nil }
        let stem = parts[0]
        guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
            return nil
        }
        let name = stem[stem.index(after: underscore)...]
        guard !name.isEmpty, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) else { return nil }
        return (version, String(name), String(parts[1]))
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case folderUnreadable(String)
    case badFileName(String)
    case duplicateVersion(String, String)
    case missingDown(String)
    case checksumMismatch(file: String, recorded: String, current: String)
    case appliedButMissing(version: Int, name: String)
    case failed(file: String, reason: String)

    public var description: String {
        switch self {
        case .folderUnreadable(let path):
            "cannot read migrations from \(path)"
        case .badFileName(let file):
            "\(file) is not named NNNN_name.up.sql or NNNN_name.down.sql"
        case .duplicateVersion(let a, let b):
            "\(a) and \(b) have the same version number"
        case .missingDown(let file):
            "\(file) has no matching .down.sql file; every migration needs one"
        case .checksumMismatch(let file, let recorded, let current):
            "\(file) was changed after it was applied (applied checksum \(recorded.prefix(12)), file now "
                + "\(current.prefix(12))). Applied migrations are never edited: restore the file and add a new migration."
        case .appliedButMissing(let version, let name):
            "migration \(version) (\(name)) is applied in the database but its files are missing"
        case .failed(let file, let reason):
            "\(file) failed and was not applied: \(reason)"
        }
    }
}
