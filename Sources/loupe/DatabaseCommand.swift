import ArgumentParser
import Foundation
import PostgresClient

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the Loupe-managed local PostgreSQL cluster (./.loupe/postgres, or $LOUPE_HOME/postgres).",
        subcommands: [Start.self, Stop.self, Status.self, URLCommand.self]
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Initialise the cluster on first use and start it.")

        @Option(help: "Also listen on 127.0.0.1 at this TCP port (password in the cluster's `password` file).")
        var tcpPort: Int?

        @Flag(help: "Turn off fsync for a throwaway cluster: faster, and lost on a machine crash.")
        var noFsync = false

        func validate() throws {
            if let tcpPort, !(1024...65535).contains(tcpPort) {
                throw ValidationError("--tcp-port must be between 1024 and 65535")
            }
        }

        func run() async throws {
            let cluster = LocalCluster.forCurrentProject()
            try await cluster.start(.init(tcpPort: tcpPort, durable: !noFsync))
            print("PostgreSQL is running in \(cluster.directory.path)")
            print("  socket: \(cluster.socketDirectory.path)")
            print("  url:    \(try await cluster.url())")
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster (fast shutdown).")

        func run() async throws {
            let cluster = LocalCluster.forCurrentProject()
            try await cluster.stop()
            print("PostgreSQL in \(cluster.directory.path) is stopped")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the cluster is running.")

        func run() async throws {
            let cluster = LocalCluster.forCurrentProject()
            switch try await cluster.status() {
            case .notInitialized:
                print("not initialised (\(cluster.directory.path)); `loupe db start` creates it")
                throw ExitCode(3)
            case .stopped:
                print("stopped (\(cluster.directory.path))")
                throw ExitCode(3)
            case .running(let pid, let port):
                print("running (pid \(pid), port \(port)) in \(cluster.directory.path)")
                print("  url: \(try await cluster.url())")
                print("  psql -h \(cluster.socketDirectory.path) -p \(port) -U \(LocalCluster.superuser) \(LocalCluster.defaultDatabase)")
            }
        }
    }

    struct URLCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "url", abstract: "Print the running cluster's postgresql:// URL (for DATABASE_URL).")

        func run() async throws {
            print(try await LocalCluster.forCurrentProject().url())
        }
    }
}
