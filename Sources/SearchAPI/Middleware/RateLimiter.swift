import SearchCore
import HTTPTypes
import Foundation
public import Hummingbird
import Synchronization

/// A token bucket per API key: each key may make `requestsPerSecond` requests per second on average and
/// bursts of twice that; beyond, a 429 with `Retry-After`. Runs after authentication.
public struct RateLimiter: RouterMiddleware {
    public typealias Context = LoupeRequestContext

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// Shared by every copy of the middleware.
    private final class Buckets: Sendable {
        let state = Mutex<[UUID: Bucket]>([:])
    }

    private let rate: Double?
    private let buckets = Buckets()
    /// Buckets kept at most; idle ones are full anyway, so dropping them forgets nothing.
    private static let maximumBuckets = 10_000

    public init(requestsPerSecond: Double?) {
        self.rate = requestsPerSecond.flatMap { $0 > 0 ? $0 : nil }
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let rate, let key = context.key else { return try await next(request, context) }
        // A burst of twice the rate, and at least one request.
        let capacity = max(rate * 2, 1)
        let now = ContinuousClock.now
        // Seconds until the next token, when this request is refused.
        let wait = buckets.state.withLock { buckets -> Double? in
            if buckets.count > Self.maximumBuckets { buckets.removeAll(keepingCapacity: true) }
            var bucket = buckets[key.id] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + seconds * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key.id] = bucket
            return allowed ? nil : (1 - bucket.tokens) / rate
        }
        if let wait {
            var error = APIError(.tooManyRequests, code: "rate_limited", message: "too many requests for this key; slow down")
            // Whole seconds, rounded up, and at least one (RFC 9110 delay-seconds).
            error.headers[.retryAfter] = String(Int(max(1, wait.rounded(.up))))
            throw error
        }
        return try await next(request, context)
    }
}
