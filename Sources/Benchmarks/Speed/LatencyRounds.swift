/// A system under measurement: something that answers a benchmark query.
struct MeasuredSystem: Sendable {
    let name: String
    let answer: @Sendable (BenchmarkQuery) async throws -> Void
}

/// Times every query on every system, alternating systems query by query so that a slow spell of the machine
/// hits all of them alike. One warm-up round, then `rounds` timed ones; per query the median.
struct LatencyRounds {
    let systems: [MeasuredSystem]
    let queries: [BenchmarkQuery]
    let rounds: Int

    struct Result {
        /// System name -> per query median milliseconds (infinity when every timed attempt failed).
        var medians: [String: [Double]] = [:]
        /// System name -> failed timed attempts.
        var errors: [String: Int] = [:]
    }

    func run() async throws -> Result {
        var times: [String: [[Double]]] = Dictionary(uniqueKeysWithValues: systems.map { ($0.name, Array(repeating: [], count: queries.count)) })
        var result = Result()
        for round in 0...rounds {
            for (index, query) in queries.enumerated() {
                for system in systems {
                    let start = ContinuousClock.now
                    do {
                        try await system.answer(query)
                        if round > 0 { times[system.name]?[index].append((ContinuousClock.now - start) / .milliseconds(1)) }
                    } catch {
                        if round > 0 { result.errors[system.name, default: 0] += 1 }
                    }
                }
            }
        }
        for (name, perQuery) in times {
            result.medians[name] = perQuery.map { LatencySummary.median($0) ?? .infinity }
        }
        return result
    }
}

/// Queries per second with `clients` concurrent callers, each walking the workload from its own offset.
enum Throughput {
    static func measure(system: MeasuredSystem, queries: [BenchmarkQuery], clients: Int, seconds: Double) async -> SpeedReport.Throughput {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let (completed, errors) = await withTaskGroup(of: (Int, Int).self) { group in
            for client in 0..<clients {
                group.addTask {
                    var index = client * queries.count / max(clients, 1)
                    var completed = 0, errors = 0
                    while ContinuousClock.now < deadline {
                        do {
                            try await system.answer(queries[index % queries.count])
                            completed += 1
                        } catch {
                            errors += 1
                        }
                        index += 1
                    }
                    return (completed, errors)
                }
            }
            return await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        return SpeedReport.Throughput(clients: clients, queriesPerSecond: Double(completed) / elapsed, errors: errors)
    }
}
