/// A PostgreSQL SQLSTATE error code (Appendix A of the PostgreSQL manual), typed so callers can match on it.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String {
        if let name = Self.names[rawValue] { return "\(rawValue) \(name)" }
        return rawValue
    }

    /// The two-character class ("23" for integrity constraint violations).
    public var errorClass: Substring { rawValue.prefix(2) }

    /// True for errors after which the connection can no longer be used.
    public var isConnectionLoss: Bool {
        errorClass == "08" || self == .adminShutdown || self == .crashShutdown || self == .cannotConnectNow
    }

    public static let successfulCompletion = SQLState(rawValue: "00000")
    public static let connectionException = SQLState(rawValue: "08000")
    public static let connectionDoesNotExist = SQLState(rawValue: "08003")
    public static let connectionFailure = SQLState(rawValue: "08006")
    public static let sqlclientUnableToEstablishSqlconnection = SQLState(rawValue: "08001")
    public static let protocolViolation = SQLState(rawValue: "08P01")
    public static let featureNotSupported = SQLState(rawValue: "0A000")
    public static let cardinalityViolation = SQLState(rawValue: "21000")
    public static let stringDataRightTruncation = SQLState(rawValue: "22001")
    public static let numericValueOutOfRange = SQLState(rawValue: "22003")
    public static let invalidDatetimeFormat = SQLState(rawValue: "22007")
    public static let invalidParameterValue = SQLState(rawValue: "22023")
    public static let characterNotInRepertoire = SQLState(rawValue: "22021")
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    public static let untranslatableCharacter = SQLState(rawValue: "22P05")
    public static let invalidJSONText = SQLState(rawValue: "22032")
    public static let integrityConstraintViolation = SQLState(rawValue: "23000")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let exclusionViolation = SQLState(rawValue: "23P01")
    public static let inFailedSQLTransaction = SQLState(rawValue: "25P02")
    public static let invalidSQLStatementName = SQLState(rawValue: "26000")
    public static let invalidPassword = SQLState(rawValue: "28P01")
    public static let invalidAuthorizationSpecification = SQLState(rawValue: "28000")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let syntaxError = SQLState(rawValue: "42601")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let undefinedColumn = SQLState(rawValue: "42703")
    public static let undefinedFunction = SQLState(rawValue: "42883")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let undefinedObject = SQLState(rawValue: "42704")
    public static let duplicateTable = SQLState(rawValue: "42P07")
    public static let duplicateDatabase = SQLState(rawValue: "42P04")
    public static let duplicateObject = SQLState(rawValue: "42710")
    public static let invalidSchemaName = SQLState(rawValue: "3F000")
    public static let programLimitExceeded = SQLState(rawValue: "54000")
    public static let tooManyConnections = SQLState(rawValue: "53300")
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    public static let objectInUse = SQLState(rawValue: "55006")
    public static let queryCanceled = SQLState(rawValue: "57014")
    public static let adminShutdown = SQLState(rawValue: "57P01")
    public static let crashShutdown = SQLState(rawValue: "57P02")
    public static let cannotConnectNow = SQLState(rawValue: "57P03")
    public static let internalError = SQLState(rawValue: "XX000")

    private static let names: [String: String] = [
        "00000": "successful_completion", "08000": "connection_exception",
        "08003": "connection_does_not_exist", "08006": "connection_failure",
        "08001": "sqlclient_unable_to_establish_sqlconnection", "08P01": "protocol_violation",
        "0A000": "feature_not_supported", "21000": "cardinality_violation",
        "22001": "string_data_right_truncation", "22003": "numeric_value_out_of_range",
        "22007": "invalid_datetime_format", "22023": "invalid_parameter_value",
        "22021": "character_not_in_repertoire", "22P02": "invalid_text_representation",
        "22P05": "untranslatable_character", "22032": "invalid_json_text",
        "23000": "integrity_constraint_violation", "23502": "not_null_violation",
        "23503": "foreign_key_violation", "23505": "unique_violation", "23514": "check_violation",
        "23P01": "exclusion_violation", "25P02": "in_failed_sql_transaction", "26000": "invalid_sql_statement_name",
        "28P01": "invalid_password", "28000": "invalid_authorization_specification",
        "40001": "serialization_failure", "40P01": "deadlock_detected", "42601": "syntax_error",
        "42501": "insufficient_privilege", "42703": "undefined_column", "42883": "undefined_function",
        "42P01": "undefined_table", "42704": "undefined_object", "42P07": "duplicate_table", "42P04": "duplicate_database",
        "42710": "duplicate_object", "3F000": "invalid_schema_name", "54000": "program_limit_exceeded",
        "53300": "too_many_connections", "55P03": "lock_not_available", "55006": "object_in_use",
        "57014": "query_canceled", "57P01": "admin_shutdown", "57P02": "crash_shutdown",
        "57P03": "cannot_connect_now", "XX000": "internal_error",
    ]
}
