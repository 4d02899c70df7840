import Foundation
import NIOCore
import HTTPTypes
public import Hummingbird
public import Logging
import SearchCore

/// The outermost middleware: turns every error into the API's error shape, then logs one line and
/// records metrics per request. Logs carry method, path, status and duration only: no query string
/// (search text lives there) and no headers (keys live there).
public struct RequestObserver: RouterMiddleware {
    public typealias Context = LoupeRequestContext

    let metrics: APIMetrics

    public init(metrics: APIMetrics) {
        self.metrics = metrics
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try Self.errorResponse(for: error, request: request, context: context)
        }
        let elapsed = ContinuousClock.now - started
        let route = context.coreContext.endpointPath.value ?? "unmatched"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(String(request.uri.path.prefix(200))),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
        ])
        return response
    }

    static func errorResponse(for error: any Error, request: Request, context: Context) throws -> Response {
        let apiError: APIError
        switch error {
        case let error as APIError: apiError = error
        case let error as SearchError: apiError = APIError(error)
        case let error as HTTPError: apiError = APIError(error)
        case is NIOTooManyBytesError: apiError = APIError(HTTPError(.contentTooLarge))
        default:
            context.logger.error("unexpected error", metadata: ["type": .string(String(describing: type(of: error)))])
            apiError = APIError(.internalServerError, code: "internal", message: "the server failed to handle the request")
        }
        return try apiError.response(from: request, context: context)
    }
}
