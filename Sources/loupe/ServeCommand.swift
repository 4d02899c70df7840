import ArgumentParser
import DocumentSources
import Foundation
import InvertedIndex
import Logging
import PostgresClient
import PostgresSearch
import SearchAPI
import SearchCore
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP search API.",
        discussion: """
            Without --database-url or $DATABASE_URL, Loupe starts (and migrates) its own PostgreSQL cluster in \
            ./.loupe/postgres. The admin key is $LOUPE_ADMIN_KEY, or one generated and printed at first start.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    enum EngineKind: String, ExpressibleByArgument, CaseIterable {
        case postgres, memory
    }

    @Option(help: "postgres: PostgreSQL (the managed cluster unless a URL is given). memory: Loupe's in-memory index, nothing stored.")
    var engine: EngineKind = .postgres

    @Option(help: ArgumentHelp("With --engine memory: load collections from this folder at start, save them there at shutdown.", valueName: "dir"))
    var snapshotDir: String?

    @Flag(help: "Create a `demo` collection of Debian package descriptions on first start.")
    var demo = false

    @Option(help: ArgumentHelp("JSONL(.gz) file the demo collection is loaded from.", valueName: "path"))
    var demoCorpus = "corpus/scale/debian-descriptions.jsonl.gz"

    @Option(help: "Largest request body, in bytes.")
    var maxBodyBytes = 10 << 20

    @Option(help: "Largest single string field of a document, in bytes.")
    var maxFieldBytes = 4 << 20

    @Option(help: "A search running longer is stopped and answered with 503 query_timeout (seconds).")
    var queryTimeout: Double = 5

    @Option(help: "Requests per second per API key (0 for no limit).")
    var rateLimit: Double = 10_000

    @Option(help: "Database connections in the pool.")
    var connections = 8

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if snapshotDir != nil, engine != .memory { throw ValidationError("--snapshot-dir is for --engine memory") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        guard queryTimeout > 0, queryTimeout <= 600 else { throw ValidationError("--query-timeout must be in (0, 600] seconds") }
        guard (1...256).contains(connections) else { throw ValidationError("--connections must be between 1 and 256") }
        guard maxBodyBytes >= 1024, maxFieldBytes >= 1024 else { throw ValidationError("size limits must be at least 1024 bytes") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "loupe")

        if engine == .memory {
            let authenticator = HMACCursorAuthenticator(secret: try cursorSecret(usingLocalCluster: false, logger: logger))
            let memory: InMemorySearchEngine
            if let snapshotDir, FileManager.default.fileExists(atPath: snapshotDir) {
                memory = try await InMemorySearchEngine(loadingFrom: URL(fileURLWithPath: snapshotDir), cursorAuthenticator: authenticator)
                let loaded = try await memory.collections().count
                logger.info("snapshots loaded", metadata: ["collections": "\(loaded)"])
            } else {
                memory = InMemorySearchEngine(cursorAuthenticator: authenticator)
            }
            let keys = InMemoryAPIKeyStore { name in (try? await memory.collection(named: name)) != nil }
            try await serve(engine: memory, keys: keys, logger: logger) { [] }
            if let snapshotDir {
                try FileManager.default.createDirectory(atPath: snapshotDir, withIntermediateDirectories: true)
                try memory.saveAll(to: URL(fileURLWithPath: snapshotDir))
                logger.info("snapshots saved", metadata: ["folder": "\(snapshotDir)"])
            }
            return
        }
        let configuration = try await database.configuration()
        let pool = PostgresConnectionPool(configuration: configuration, options: .init(maximumConnections: connections))
        do {
            let applied = try await Migrator(pool: pool, migrations: try database.migrationList()).up()
            if !applied.isEmpty { logger.info("migrations applied", metadata: ["count": "\(applied.count)"]) }
            var options = PostgresSearchEngine.Options()
            options.statementTimeout = .milliseconds(Int(queryTimeout * 1000))
            let engine = PostgresSearchEngine(
                pool: pool, cursorAuthenticator: HMACCursorAuthenticator(secret: try cursorSecret(usingLocalCluster: database.usesLocalCluster, logger: logger)),
                options: options)
            let keys = PostgresAPIKeyStore(pool: pool)
            // Background rebuilds use one connection (no read-ahead), and leave the rest of the pool to searches.
            var packingOptions = PostingsPacker.Options()
            packingOptions.readAhead = 0
            let packing = PostingsPackingUpkeep(packer: PostingsPacker(pool: pool, options: packingOptions), logger: logger)
            try await serve(engine: engine, keys: keys, logger: logger, upkeep: [packing]) {
                let statistics = await pool.statistics
                return [
                    .init(name: "loupe_db_pool_connections", labels: [("state", "in_use")], value: Double(statistics.inUse)),
                    .init(name: "loupe_db_pool_connections", labels: [("state", "idle")], value: Double(statistics.idle)),
                    .init(name: "loupe_db_pool_waiting", value: Double(statistics.waiting)),
                ]
            }
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    private func serve(
        engine: any SearchEngine, keys: any APIKeyStore, logger: Logger, upkeep: [any Service] = [],
        gauges: @escaping @Sendable () async -> [LoupeAPI.Gauge]
    ) async throws {
        let processKeys: [[UInt8]: APIKeyRecord]
        switch try await AdminKeyBootstrap.prepare(environmentKey: ProcessInfo.processInfo.environment["LOUPE_ADMIN_KEY"], store: keys) {
        case .fromEnvironment(let keys):
            processKeys = keys
            logger.info("admin key taken from LOUPE_ADMIN_KEY")
        case .generated(let secret):
            processKeys = [:]
            // Printed once, to the terminal, never to the log: only its hash is stored.
            let banner = """

                Loupe generated an admin API key. It is shown this once; only its hash is stored:

                    \(secret.reveal)

                Try:  curl -H "Authorization: Bearer \(secret.reveal)" 'http://\(host):\(port)/v1/collections'


                """
            FileHandle.standardOutput.write(Data(banner.utf8))
        case .existing:
            processKeys = [:]
        }

        var apiConfiguration = APIConfiguration(maxBodyBytes: maxBodyBytes, rateLimit: rateLimit)
        apiConfiguration.documentLimits.maximumFieldBytes = maxFieldBytes
        let api = LoupeAPI(engine: engine, keys: keys, configuration: apiConfiguration, processKeys: processKeys, gauges: gauges)
        let application = api.buildApplication(host: host, port: port, logger: logger)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application)]
        services += upkeep.map { .init(service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore) }
        if demo {
            let loader = DemoCollection(engine: engine, corpusPath: demoCorpus, logger: logger)
            try await loader.prepare()
            services.append(.init(service: loader, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("listening", metadata: ["address": "http://\(host):\(port)", "engine": "\(engine.name)"])
        try await group.run()
    }

    /// Cursors are signed with a secret that outlives restarts: `$LOUPE_CURSOR_SECRET`, or with the managed
    /// cluster a random secret kept beside it (mode 0600). Otherwise a per-process secret, so cursors do not
    /// survive a restart.
    private func cursorSecret(usingLocalCluster: Bool, logger: Logger) throws -> [UInt8] {
        if let text = ProcessInfo.processInfo.environment["LOUPE_CURSOR_SECRET"], !text.isEmpty {
            guard text.utf8.count >= 32 else { throw ValidationError("LOUPE_CURSOR_SECRET must be at least 32 characters") }
            return Array(text.utf8)
        }
        guard usingLocalCluster else {
            logger.notice("LOUPE_CURSOR_SECRET is not set: cursors will not survive a restart")
            return (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        }
        let path = LocalCluster.forCurrentProject().directory.deletingLastPathComponent().appendingPathComponent("cursor-secret").path
        if let existing = FileManager.default.contents(atPath: path), existing.count >= 32 {
            return Array(existing)
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        guard FileManager.default.createFile(atPath: path, contents: Data(secret), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write the cursor secret to \(path)")
        }
        return secret
    }
}

/// The `demo` collection: Debian package descriptions, loaded in the background on first start so the
/// server answers at once (searches see the documents loaded so far).
struct DemoCollection: Service {
    static let name = "demo"

    let engine: any SearchEngine
    let corpusPath: String
    let logger: Logger

    /// Creates the collection if needed; fails early if the corpus is missing.
    func prepare() async throws {
        guard FileManager.default.fileExists(atPath: corpusPath) else {
            throw ValidationError("the demo corpus \(corpusPath) is missing; run from the repository root or pass --demo-corpus")
        }
        do {
            _ = try await engine.collection(named: Self.name)
        } catch SearchError.collectionNotFound {
            _ = try await engine.createCollection(try CollectionDefinition(
                name: CollectionName(Self.name),
                fields: [SearchableField(name: "title", weight: .a), SearchableField(name: "text", weight: .b)]))
        }
    }

    func run() async throws {
        let existing = try await engine.collection(named: Self.name).documentCount
        let expected = try countRecords()
        guard existing < expected else {
            logger.info("demo collection ready", metadata: ["documents": "\(existing)"])
            return
        }
        logger.info("loading the demo collection in the background", metadata: ["documents": "\(expected)", "corpus": "\(corpusPath)"])
        let started = ContinuousClock.now
        let loaded = try await cancelWhenGracefulShutdown {
            try await EngineLoader(engine: engine).loadJSONLines(path: corpusPath, into: Self.name) { progress in
                // Batches are 500 records: about one line per 10,000.
                if progress.records % 10_000 < 500 {
                    logger.info("demo loading", metadata: ["documents": "\(progress.records)", "of": "\(expected)"])
                }
            }
        }
        logger.info("demo collection ready", metadata: [
            "documents": "\(loaded.written)", "problems": "\(loaded.problems)",
            "seconds": "\(Int((ContinuousClock.now - started).components.seconds))",
        ])
    }

    private func countRecords() throws -> Int {
        let reader = LineReader(source: try ByteSource(path: corpusPath))
        var count = 0
        while let line = try reader.next() {
            if case .text(let bytes) = line, !bytes.isEmpty { count += 1 }
        }
        return count
    }
}
