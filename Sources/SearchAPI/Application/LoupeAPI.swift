public import Hummingbird
public import Logging
public import SearchCore

/// Settings of the HTTP API that a deployment may change.
public struct APIConfiguration: Sendable {
    /// Largest request body accepted (413 above).
    public var maximumBodyBytes: Int
    /// Per-document limits for writes.
    public var documentLimits: DocumentLimits
    /// Requests per second each key may make (sustained; twice that as a burst); nil for no limit.
    public var requestsPerSecondPerKey: Double?

    public init(maxBodyBytes: Int = 10 << 20, documentLimits: DocumentLimits = DocumentLimits(), rateLimit: Double? = 10_000) {
        self.maximumBodyBytes = maxBodyBytes
        self.documentLimits = documentLimits
        self.requestsPerSecondPerKey = rateLimit
    }
}

/// The HTTP API: routes over a `SearchEngine` and an `APIKeyStore`.
public struct LoupeAPI: Sendable {
    public let engine: any SearchEngine
    public let keys: any APIKeyStore
    public let configuration: APIConfiguration
    public let metrics: APIMetrics
    /// Keys that exist only in this process (the admin key from `LOUPE_ADMIN_KEY`), by SHA-256 hash.
    public let processKeys: [[UInt8]: APIKeyRecord]
    /// Extra gauges to publish at `/metrics`, such as the database pool's state.
    public let gauges: @Sendable () async -> [Gauge]

    public struct Gauge: Sendable {
        public var name: String
        public var labels: [(String, String)]
        public var value: Double

        public init(name: String, labels: [(String, String)] = [], value: Double) {
            self.name = name
            self.labels = labels
            self.value = value
        }
    }

    public init(
        engine: any SearchEngine, keys: any APIKeyStore, configuration: APIConfiguration = APIConfiguration(),
        metrics: APIMetrics = APIMetrics(), processKeys: [[UInt8]: APIKeyRecord] = [:],
        gauges: @escaping @Sendable () async -> [Gauge] = { [] }
    ) {
        self.engine = engine
        self.keys = keys
        self.configuration = configuration
        self.metrics = metrics
        self.processKeys = processKeys
        self.gauges = gauges
    }

    /// Every route with its method, in registration order (the OpenAPI test compares this with the spec).
    public static let routes: [(method: HTTPRequest.Method, path: String)] = {
        let table = RouteTable()
        LoupeAPI.register(on: table)
        return table.entries
    }()

    /// The router with every route and middleware.
    public func buildRouter() -> Router<LoupeRequestContext> {
        let router = Router(context: LoupeRequestContext.self)
        router.add(middleware: RequestObserver(metrics: metrics))
        LoupeAPI.register(on: RouterRouteTarget(router: router, api: self))
        return router
    }

    /// The whole application, ready for `runService()` or a `ServiceGroup`. `onListening` receives the bound
    /// port (useful with port 0).
    public func buildApplication(
        host: String, port: Int, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "loupe"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}

/// The one list of routes, shared by the router and the route table.
protocol RouteTarget {
    func open(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (LoupeAPI, Request, LoupeRequestContext) async throws -> Response)
    func authenticated(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (LoupeAPI, Request, LoupeRequestContext) async throws -> Response)
}

extension LoupeAPI {
    static func register(on target: some RouteTarget) {
        target.open(.get, "/health") { api, request, context in try await api.health(request, context) }
        target.open(.get, "/ready") { api, request, context in try await api.ready(request, context) }
        target.authenticated(.get, "/metrics") { api, request, context in try await api.metricsExposition(request, context) }

        target.authenticated(.post, "/v1/collections") { api, request, context in try await api.createCollection(request, context) }
        target.authenticated(.get, "/v1/collections") { api, request, context in try await api.listCollections(request, context) }
        target.authenticated(.get, "/v1/collections/{collection}") { api, request, context in try await api.getCollection(request, context) }
        target.authenticated(.patch, "/v1/collections/{collection}") { api, request, context in try await api.updateCollection(request, context) }
        target.authenticated(.delete, "/v1/collections/{collection}") { api, request, context in try await api.deleteCollection(request, context) }

        target.authenticated(.post, "/v1/collections/{collection}/documents") { api, request, context in try await api.writeDocuments(request, context) }
        target.authenticated(.get, "/v1/collections/{collection}/documents/{id}") { api, request, context in try await api.getDocument(request, context) }
        target.authenticated(.delete, "/v1/collections/{collection}/documents/{id}") { api, request, context in try await api.deleteDocument(request, context) }

        target.authenticated(.get, "/v1/collections/{collection}/search") { api, request, context in try await api.searchByQueryString(request, context) }
        target.authenticated(.post, "/v1/collections/{collection}/search") { api, request, context in try await api.searchByBody(request, context) }

        target.authenticated(.post, "/v1/keys") { api, request, context in try await api.createKey(request, context) }
        target.authenticated(.get, "/v1/keys") { api, request, context in try await api.listKeys(request, context) }
        target.authenticated(.delete, "/v1/keys/{id}") { api, request, context in try await api.revokeKey(request, context) }
    }
}

final class RouteTable: RouteTarget, @unchecked Sendable {
    var entries: [(method: HTTPRequest.Method, path: String)] = []

    func open(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (LoupeAPI, Request, LoupeRequestContext) async throws -> Response) {
        entries.append((method, path))
    }

    func authenticated(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (LoupeAPI, Request, LoupeRequestContext) async throws -> Response) {
        entries.append((method, path))
    }
}

struct RouterRouteTarget: RouteTarget {
    let router: Router<LoupeRequestContext>
    let api: LoupeAPI
    let protected: RouterGroup<LoupeRequestContext>

    init(router: Router<LoupeRequestContext>, api: LoupeAPI) {
        self.router = router
        self.api = api
        self.protected = router.group()
            .add(middleware: KeyAuthenticator(keys: api.keys, processKeys: api.processKeys))
            .add(middleware: RateLimiter(requestsPerSecond: api.configuration.requestsPerSecondPerKey))
    }

    func open(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (LoupeAPI, Request, LoupeRequestContext) async throws -> Response) {
        let api = self.api
        router.on(RouterPath(path), method: method, use: { request, context in try await handler(api, request, context) })
    }

    func authenticated(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (LoupeAPI, Request, LoupeRequestContext) async throws -> Response) {
        let api = self.api
        protected.on(RouterPath(path), method: method, use: { request, context in try await handler(api, request, context) })
    }
}
