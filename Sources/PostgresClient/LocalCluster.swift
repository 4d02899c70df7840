public import Foundation

/// A Loupe-managed PostgreSQL cluster in a local folder (by default `./.loupe/postgres`), used when no
/// `DATABASE_URL` is given. It listens on a Unix socket inside that folder and on TCP only when asked.
/// When Loupe runs as root, the server runs as the `postgres` OS user, as PostgreSQL requires.
public struct LocalCluster: Sendable {
    public static let superuser = "loupe"
    public static let defaultDatabase = "loupe"
    public static let defaultPort = 5432

    public struct Options: Sendable {
        /// Also listen on 127.0.0.1 at this port (password authentication).
        public var tcpPort: Int?
        /// Skip fsync: much faster, and the data does not survive a machine crash. For throwaway test clusters.
        public var durable: Bool

        public init(tcpPort: Int? = nil, durable: Bool = true) {
            self.tcpPort = tcpPort
            self.durable = durable
        }
    }

    public enum Status: Sendable, Equatable {
        case notInitialized
        case stopped
        case running(pid: Int, port: Int)
    }

    public let directory: URL
    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    public var logFile: URL { directory.appendingPathComponent("server.log") }
    /// A generated password for TCP connections, readable only by its owner.
    public var passwordFile: URL { directory.appendingPathComponent("password") }

    public init(directory: URL) {
        self.directory = directory.standardizedFileURL
    }

    /// The cluster for the current project: `$LOUPE_HOME/postgres`, or `./.loupe/postgres`.
    public static func forCurrentProject(environment: [String: String] = [:]) -> LocalCluster {
        let env = environment.isEmpty ? ProcessInfo.processInfo.environment : environment
        let home =
            env["LOUPE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".loupe")
        return LocalCluster(directory: home.appendingPathComponent("postgres"))
    }

    /// The folder holding the server's socket. Socket paths are limited to 107 bytes, so deep folders
    /// fall back to a short per-cluster folder under /tmp.
    public var socketDirectory: URL {
        let preferred = directory.appendingPathComponent("run")
        if preferred.path.utf8.count + "/.s.PGSQL.65535".utf8.count < 104 { return preferred }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in directory.path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return URL(fileURLWithPath: "/tmp/loupe-\(String(hash, radix: 16))")
    }

    /// How to reach the running cluster through its socket.
    public func configuration(database: String = LocalCluster.defaultDatabase) async throws -> PostgresConfiguration {
        guard case .running(_, let port) = try await status() else {
            throw LocalClusterError("the local PostgreSQL cluster in \(directory.path) is not running; start it with `loupe db start`")
        }
        return PostgresConfiguration(host: socketDirectory.path, port: port, user: Self.superuser, database: database)
    }

    /// A `postgresql://` URL for the running cluster's socket, for `DATABASE_URL` and `psql`.
    public func url(database: String = LocalCluster.defaultDatabase) async throws -> String {
        let configuration = try await configuration(database: database)
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        let host = socketDirectory.path.addingPercentEncoding(withAllowedCharacters: allowed) ?? socketDirectory.path
        return "postgresql://\(Self.superuser)@/\(database)?host=\(host)&port=\(configuration.port ?? Self.defaultPort)"
    }

    // MARK: lifecycle

    public func status() async throws -> Status {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) else {
            return .notInitialized
        }
        return runningProcess() ?? .stopped
    }

    /// Initialises the cluster on first use, starts it, and creates the default database.
    public func start(_ options: Options = Options()) async throws {
        let binaries = try PostgresBinaries.locate()
        try prepareDirectories()
        if case .notInitialized = try await status() {
            try await initialize(binaries)
        }
        try writeSettings(options)
        if case .running = try await status() {
            // Already running; settings take effect on the next restart.
        } else {
            let result = try await runAsServerUser(
                binaries.pgCtl, ["start", "-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60"])
            guard result.status == 0 else {
                throw LocalClusterError("PostgreSQL did not start:\n\(result.output)\n\(logTail())")
            }
        }
        try await createDatabase(Self.defaultDatabase)
    }

    public func stop() async throws {
        guard case .running = try await status() else { return }
        let binaries = try PostgresBinaries.locate()
        let result = try await runAsServerUser(binaries.pgCtl, ["stop", "-D", dataDirectory.path, "-m", "fast", "-w"])
        guard result.status == 0 else {
            throw LocalClusterError("PostgreSQL did not stop:\n\(result.output)")
        }
    }

    /// Restarts the server (fast shutdown), dropping every client connection.
    public func restart() async throws {
        let binaries = try PostgresBinaries.locate()
        let result = try await runAsServerUser(
            binaries.pgCtl, ["restart", "-D", dataDirectory.path, "-l", logFile.path, "-m", "fast", "-w", "-t", "60"])
        guard result.status == 0 else {
            throw LocalClusterError("PostgreSQL did not restart:\n\(result.output)\n\(logTail())")
        }
    }

    /// Creates a database on the cluster if it does not exist yet.
    public func createDatabase(_ name: String) async throws {
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !name.isEmpty else {
            throw LocalClusterError("database names are limited to letters, digits and underscores")
        }
        // Closed when it goes out of scope.
        let admin = try await PostgresConnection.connect(try await configuration(database: "postgres"))
        let exists = try await admin.query("SELECT 1 FROM pg_database WHERE datname = \(name)")
        if exists.isEmpty {
            do {
                try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""))
            } catch let error as PostgresError where error.code == .duplicateDatabase {
                // Created concurrently by another process: fine.
            }
        }
    }

    // MARK: internals

    private var runsAsRoot: Bool { getuid() == 0 }

    private func prepareDirectories() throws {
        let fm = FileManager.default
        for folder in [directory, socketDirectory] {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
            if runsAsRoot {
                try fm.setAttributes([.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: folder.path)
            }
        }
    }

    private func initialize(_ binaries: PostgresBinaries) async throws {
        if runsAsRoot {
            let probe = try await runAsServerUser(URL(fileURLWithPath: "/usr/bin/test"), ["-w", directory.path])
            guard probe.status == 0 else {
                throw LocalClusterError(
                    "the postgres OS user cannot write to \(directory.path); a parent folder is closed to it. "
                        + "Run `chmod o+x` on the parent folders, or set LOUPE_HOME to a folder it can reach.")
            }
        }
        let password = Self.generatePassword()
        let passwordInput = directory.appendingPathComponent(".initdb-password")
        try writeOwnedFile(passwordInput, contents: password + "\n")
        defer { try? FileManager.default.removeItem(at: passwordInput) }
        let result = try await runAsServerUser(binaries.initdb, [
            "-D", dataDirectory.path, "--username=\(Self.superuser)", "--pwfile=\(passwordInput.path)",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
            "--text-search-config=english",
        ])
        guard result.status == 0 else {
            throw LocalClusterError("initdb failed:\n\(result.output)")
        }
        try writeOwnedFile(passwordFile, contents: password + "\n")
        let mainConfig = dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: mainConfig)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\n# Managed by Loupe: see loupe.conf\ninclude_if_exists = 'loupe.conf'\n".utf8))
        try handle.close()
    }

    private func writeSettings(_ options: Options) throws {
        func quoted(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
        let port = options.tcpPort ?? Self.defaultPort
        let settings = """
            # Written by `loupe db start`; edits are overwritten.
            listen_addresses = \(quoted(options.tcpPort == nil ? "" : "127.0.0.1"))
            port = \(port)
            unix_socket_directories = \(quoted(socketDirectory.path))
            unix_socket_permissions = 0700
            max_connections = 400
            shared_buffers = '256MB'
            work_mem = '16MB'
            maintenance_work_mem = '256MB'
            # Imports and reindexes write GBs of WAL: at the default 1GB a checkpoint came every ~5 s, and each
            # made the next change of every page log a full-page image (bench/results/import-throughput.md).
            max_wal_size = '8GB'
            checkpoint_timeout = '15min'
            fsync = \(options.durable ? "on" : "off")
            synchronous_commit = \(options.durable ? "on" : "off")
            full_page_writes = \(options.durable ? "on" : "off")
            default_text_search_config = 'pg_catalog.english'
            logging_collector = off
            log_min_messages = warning

            """
        try writeOwnedFile(dataDirectory.appendingPathComponent("loupe.conf"), contents: settings)
    }

    /// Writes a file readable only by the server's OS user.
    private func writeOwnedFile(_ url: URL, contents: String) throws {
        let fm = FileManager.default
        try Data(contents.utf8).write(to: url)
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        if runsAsRoot {
            try fm.setAttributes([.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: url.path)
        }
    }

    /// The running server's pid and port, from `postmaster.pid`, if that process is alive.
    private func runningProcess() -> Status? {
        let pidFile = dataDirectory.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, let pid = Int32(lines[0]), pid > 0, let port = Int(lines[3]) else { return nil }
        // Signal 0 checks existence; EPERM means alive but owned by another user (postgres, when we are not root).
        guard kill(pid, 0) == 0 || errno == EPERM else { return nil }
        return .running(pid: Int(pid), port: port)
    }

    private func logTail() -> String {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return "" }
        return "Last lines of \(logFile.path):\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    private static func generatePassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    private func runAsServerUser(_ tool: URL, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        if runsAsRoot {
            guard getpwnam("postgres") != nil else {
                throw LocalClusterError(
                    "running as root needs the `postgres` OS user to run the server; install the server with "
                        + PostgresBinaries.installCommand)
            }
            let runuser = ["/usr/sbin/runuser", "/sbin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) }
            guard let runuser else { throw LocalClusterError("running as root needs `runuser` (util-linux)") }
            return try await runProcess(URL(fileURLWithPath: runuser), ["-u", "postgres", "--", tool.path] + arguments)
        }
        return try await runProcess(tool, arguments)
    }
}

/// A problem managing the local cluster, with the fix in the message.
public struct LocalClusterError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Where the PostgreSQL server programs live.
public struct PostgresBinaries: Sendable {
    public let directory: URL
    public var initdb: URL { directory.appendingPathComponent("initdb") }
    public var pgCtl: URL { directory.appendingPathComponent("pg_ctl") }

    public static var installCommand: String {
        let prefix = getuid() == 0 ? "" : "sudo "
        return "\(prefix)apt-get update && \(prefix)apt-get install -y postgresql postgresql-contrib"
    }

    /// `$LOUPE_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`, else `initdb` on the PATH.
    public static func locate() throws -> PostgresBinaries {
        try locate(
            environment: ProcessInfo.processInfo.environment,
            systemRoot: URL(fileURLWithPath: "/usr/lib/postgresql"))
    }

    public static func locate(environment env: [String: String], systemRoot root: URL) throws -> PostgresBinaries {
        let fm = FileManager.default
        func usable(_ dir: URL) -> Bool {
            fm.isExecutableFile(atPath: dir.appendingPathComponent("initdb").path)
                && fm.isExecutableFile(atPath: dir.appendingPathComponent("pg_ctl").path)
        }
        if let explicit = env["LOUPE_PG_BIN"], !explicit.isEmpty {
            let dir = URL(fileURLWithPath: explicit)
            guard usable(dir) else { throw LocalClusterError("LOUPE_PG_BIN=\(explicit) holds no initdb and pg_ctl") }
            return PostgresBinaries(directory: dir)
        }
        let versions = ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).compactMap(Int.init).sorted(by: >)
        for version in versions {
            let dir = root.appendingPathComponent("\(version)/bin")
            if usable(dir) { return PostgresBinaries(directory: dir) }
        }
        for entry in (env["PATH"] ?? "").split(separator: ":") {
            let dir = URL(fileURLWithPath: String(entry))
            if usable(dir) { return PostgresBinaries(directory: dir) }
        }
        throw LocalClusterError(
            "the PostgreSQL server programs (initdb, pg_ctl) are not installed. Install them with:\n  \(installCommand)\n"
                + "or set DATABASE_URL to use an existing server.")
    }
}

/// Runs a program to completion off the cooperative pool, capturing its combined output.
///
/// Uses `posix_spawn` and `waitpid` rather than Foundation's `Process`, whose exit detection can stall
/// when several programs run at once. Output goes through a temporary file, not a pipe: `pg_ctl start`
/// leaves a server running that would hold a pipe open.
func runProcess(_ executable: URL, _ arguments: [String]) async throws -> (status: Int32, output: String) {
    try await runOffCooperativePool {
        let outputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("loupe-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: outputURL) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw LocalClusterError("cannot run \(executable.path): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw LocalClusterError("lost track of \(executable.lastPathComponent)") }
        }
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        // Exit code when the program exited normally; 128 + signal number when a signal killed it.
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, text)
    }
}

extension PostgresConfiguration {
    /// The database Loupe should use: `url` if given, else `DATABASE_URL`, else the project's local cluster,
    /// which is initialised and started on demand. `onStart` is told when a local cluster is being started.
    public static func resolve(
        url: String?,
        cluster: LocalCluster = .forCurrentProject(),
        onStart: @Sendable (LocalCluster) -> Void = { _ in }
    ) async throws -> PostgresConfiguration {
        if let url, !url.isEmpty { return try PostgresConfiguration(url: url) }
        if let fromEnvironment = try PostgresConfiguration.fromEnvironment() { return fromEnvironment }
        if case .running = try await cluster.status() {
            return try await cluster.configuration()
        }
        onStart(cluster)
        try await cluster.start()
        return try await cluster.configuration()
    }
}
