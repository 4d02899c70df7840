import HTTPTypes
import Hummingbird
import NIOCore
import SearchCore

extension LoupeAPI {
    /// The process is up.
    func health(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        JSONBody.response(.object(["status": .string("ok")]))
    }

    /// The engine can serve (the database answers); 503 otherwise.
    func ready(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        do {
            try await engine.checkReadiness()
            return JSONBody.response(.object(["status": .string("ready"), "engine": .string(engine.name)]))
        } catch {
            throw APIError(error)
        }
    }

    /// Prometheus text format; admin only.
    func metricsExposition(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        for gauge in await gauges() {
            metrics.recordGauge(gauge.name, labels: gauge.labels, value: gauge.value)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
}
