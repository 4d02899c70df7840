import PostgresClient
public import SearchCore

extension SearchError {
    /// What an API may say about a failure below it: never SQL text, never connection details.
    static func from(_ error: any Error, doing activity: String) -> SearchError {
        switch error {
        case let error as SearchError:
            return error
        case let error as CollectionSettingsError:
            return .invalidSettings(error.description)
        case let error as PostgresError where error.code == .queryCanceled:
            return .queryTimeout
        case let error as PostgresError where error.isConnectionLoss || error.kind == .poolTimeout || error.kind == .poolClosed:
            return .unavailable("the database is unreachable")
        default:
            return .unavailable("\(activity) failed")
        }
    }
}
