import Logging
import PostgresSearch
import ServiceLifecycle

/// Rebuilds stale packed postings in the background while the server runs: writes through the API leave
/// their documents masked out of the packs, which keeps searches right but makes them slower as writes
/// pile up.
struct PostingsPackingUpkeep: Service {
    let packer: PostingsPacker
    let logger: Logger
    var interval: Duration = .seconds(30)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                for summary in try await packer.packStale() {
                    logger.info("postings packed", metadata: [
                        "collection": "\(summary.collection)", "lexemes": "\(summary.lexemes)", "postings": "\(summary.postings)",
                        "changes": "\(summary.changes)", "seconds": "\(summary.duration / .seconds(1))",
                    ])
                }
            } catch {
                logger.warning("packing postings failed; will retry", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
