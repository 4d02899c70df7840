/// A PostgreSQL type OID (from `pg_type`), for the types Loupe binds and decodes.
public struct PostgresDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public static let unknown = PostgresDataType(rawValue: 0)
    public static let bool = PostgresDataType(rawValue: 16)
    public static let bytea = PostgresDataType(rawValue: 17)
    public static let char = PostgresDataType(rawValue: 18)
    public static let name = PostgresDataType(rawValue: 19)
    public static let int8 = PostgresDataType(rawValue: 20)
    public static let int2 = PostgresDataType(rawValue: 21)
    public static let int4 = PostgresDataType(rawValue: 23)
    public static let text = PostgresDataType(rawValue: 25)
    public static let oid = PostgresDataType(rawValue: 26)
    public static let json = PostgresDataType(rawValue: 114)
    public static let float4 = PostgresDataType(rawValue: 700)
    public static let float8 = PostgresDataType(rawValue: 701)
    public static let bpchar = PostgresDataType(rawValue: 1042)
    public static let varchar = PostgresDataType(rawValue: 1043)
    public static let date = PostgresDataType(rawValue: 1082)
    public static let timestamp = PostgresDataType(rawValue: 1114)
    public static let timestamptz = PostgresDataType(rawValue: 1184)
    public static let numeric = PostgresDataType(rawValue: 1700)
    public static let uuid = PostgresDataType(rawValue: 2950)
    public static let tsvector = PostgresDataType(rawValue: 3614)
    public static let tsquery = PostgresDataType(rawValue: 3615)
    public static let regconfig = PostgresDataType(rawValue: 3734)
    public static let jsonb = PostgresDataType(rawValue: 3802)
    public static let boolArray = PostgresDataType(rawValue: 1000)
    public static let int2Array = PostgresDataType(rawValue: 1005)
    public static let int4Array = PostgresDataType(rawValue: 1007)
    public static let textArray = PostgresDataType(rawValue: 1009)
    public static let varcharArray = PostgresDataType(rawValue: 1015)
    public static let int8Array = PostgresDataType(rawValue: 1016)
    public static let float4Array = PostgresDataType(rawValue: 1021)
    public static let float8Array = PostgresDataType(rawValue: 1022)
    public static let timestamptzArray = PostgresDataType(rawValue: 1185)
    public static let uuidArray = PostgresDataType(rawValue: 2951)
    public static let jsonbArray = PostgresDataType(rawValue: 3807)

    private static let names: [UInt32: String] = [
        0: "unknown", 16: "bool", 17: "bytea", 18: "char", 19: "name", 20: "int8", 21: "int2",
        23: "int4", 25: "text", 26: "oid", 114: "json", 700: "float4", 701: "float8", 1042: "bpchar",
        1043: "varchar", 1082: "date", 1114: "timestamp", 1184: "timestamptz", 1700: "numeric",
        2950: "uuid", 3614: "tsvector", 3615: "tsquery", 3734: "regconfig", 3802: "jsonb",
        1000: "bool[]", 1005: "int2[]", 1007: "int4[]", 1009: "text[]", 1015: "varchar[]",
        1016: "int8[]", 1021: "float4[]", 1022: "float8[]", 1185: "timestamptz[]", 2951: "uuid[]",
        3807: "jsonb[]",
    ]

    public var description: String {
        Self.names[rawValue] ?? "oid \(rawValue)"
    }

    /// For array types, the element type; nil otherwise.
    public var arrayElement: PostgresDataType? {
        switch self {
        case .boolArray: .bool
        case .int2Array: .int2
        case .int4Array: .int4
        case .textArray: .text
        case .varcharArray: .varchar
        case .int8Array: .int8
        case .float4Array: .float4
        case .float8Array: .float8
        case .timestamptzArray: .timestamptz
        case .uuidArray: .uuid
        case .jsonbArray: .jsonb
        default: nil
        }
    }
}
