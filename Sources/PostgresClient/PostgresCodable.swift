public import Foundation

/// A Swift value that can be bound as a query parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The parameter's declared type, so the server never has to guess.
    static var postgresDataType: PostgresDataType { get }
    /// The value's text form as PostgreSQL's input function reads it.
    func postgresText() throws -> String
}

/// A Swift value that can be read from a result column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Builds a value from a non-NULL cell.
    static func decode(_ cell: PostgresCell) throws -> Self
    /// Called for NULL; non-optional types throw.
    static func decodeNull(_ cell: PostgresCell) throws -> Self
}

extension PostgresDecodable {
    public static func decodeNull(_ cell: PostgresCell) throws -> Self {
        throw cell.failure(as: Self.self, "the value is NULL; decode as an Optional")
    }
}

/// One value in a result row, as text, with the column it came from.
public struct PostgresCell: Sendable {
    public let columnName: String
    public let dataType: PostgresDataType
    /// The text form; nil for NULL.
    public let text: String?

    public init(columnName: String, dataType: PostgresDataType, text: String?) {
        self.columnName = columnName
        self.dataType = dataType
        self.text = text
    }

    public func failure<T>(as type: T.Type, _ reason: String) -> PostgresDecodingError {
        PostgresDecodingError(
            column: columnName, postgresType: dataType.description, swiftType: "\(T.self)", reason: reason)
    }

    func require<T>(_ accepted: Set<PostgresDataType>, as type: T.Type) throws {
        guard accepted.contains(dataType) else {
            throw failure(as: T.self, "the column type is not one this Swift type reads")
        }
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Self {
        try Wrapped.decode(cell)
    }

    public static func decodeNull(_ cell: PostgresCell) throws -> Self {
        nil
    }
}

// MARK: - Text

extension String: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .text }
    public func postgresText() throws -> String { self }
    /// Every type has a text form, so `String` reads any column.
    public static func decode(_ cell: PostgresCell) throws -> String { cell.text ?? "" }
}

extension Substring: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { .text }
    public func postgresText() throws -> String { String(self) }
}

// MARK: - Integers

private let integerTypes: Set<PostgresDataType> = [.int2, .int4, .int8, .oid]

extension PostgresDecodable where Self: FixedWidthInteger {
    public static func decode(_ cell: PostgresCell) throws -> Self {
        try cell.require(integerTypes, as: Self.self)
        guard let text = cell.text, let value = Self(text) else {
            throw cell.failure(as: Self.self, "the value does not fit")
        }
        return value
    }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public func postgresText() throws -> String { String(self) }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int8 }
    public func postgresText() throws -> String { String(self) }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int4 }
    public func postgresText() throws -> String { String(self) }
}

extension Int16: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .int2 }
    public func postgresText() throws -> String { String(self) }
}

// MARK: - Floating point

private let numericTypes: Set<PostgresDataType> = [.float4, .float8, .numeric, .int2, .int4, .int8]

private func floatText(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
    return "\(value)"
}

extension Double: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .float8 }
    public func postgresText() throws -> String { floatText(self) }

    public static func decode(_ cell: PostgresCell) throws -> Double {
        try cell.require(numericTypes, as: Double.self)
        guard let text = cell.text, let value = Double(text) else {
            throw cell.failure(as: Double.self, "not a number")
        }
        return value
    }
}

extension Float: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .float4 }
    public func postgresText() throws -> String { floatText(Double(self)) }

    public static func decode(_ cell: PostgresCell) throws -> Float {
        Float(try Double.decode(cell))
    }
}

// MARK: - Bool

extension Bool: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .bool }
    public func postgresText() throws -> String { self ? "t" : "f" }

    public static func decode(_ cell: PostgresCell) throws -> Bool {
        try cell.require([.bool], as: Bool.self)
        switch cell.text {
        case "t": return true
        case "f": return false
        default: throw cell.failure(as: Bool.self, "not t or f")
        }
    }
}

// MARK: - UUID

extension UUID: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .uuid }
    public func postgresText() throws -> String { uuidString.lowercased() }

    public static func decode(_ cell: PostgresCell) throws -> UUID {
        try cell.require([.uuid, .text, .varchar], as: UUID.self)
        guard let text = cell.text, let value = UUID(uuidString: text) else {
            throw cell.failure(as: UUID.self, "not a UUID")
        }
        return value
    }
}

// MARK: - Dates

extension Date: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .timestamptz }

    public func postgresText() throws -> String {
        PostgresTimestamp.format(self)
    }

    public static func decode(_ cell: PostgresCell) throws -> Date {
        try cell.require([.timestamptz, .timestamp, .date], as: Date.self)
        guard let text = cell.text, let date = PostgresTimestamp.parse(text) else {
            throw cell.failure(as: Date.self, "not an ISO timestamp")
        }
        return date
    }
}

/// Reads and writes timestamps in the ISO DateStyle that every connection sets (`2026-11-21 07:29:26.5+00`).
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = Int64((totalMicros / 1_000_000).rounded(.down))
        let micros = Int64(totalMicros) - seconds * 1_000_000
        let (days, secondOfDay) = seconds.quotientAndRemainderFloored(dividingBy: 86_400)
        let (year, month, day) = civilDate(fromDays: days)
        let hour = secondOfDay / 3600, minute = (secondOfDay % 3600) / 60, second = secondOfDay % 60
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(micros, 6))+00"
    }

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var i = 0
        func number(_ count: Int) -> Int64? {
            guard i + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<count {
                let b = bytes[i]
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int64(b - 48)
                i += 1
            }
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else {
            return nil
        }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var fraction = 0.0
        if expect(32) || expect(84) {
            guard let h = number(2), expect(58), let m = number(2), expect(58), let s = number(2) else {
                return nil
            }
            seconds += h * 3600 + m * 60 + s
            if expect(46) {
                var scale = 0.1
                while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                    fraction += Double(bytes[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
            }
        }
        if i < bytes.count {
            let sign: Int64
            switch bytes[i] {
            case 43: sign = 1
            case 45: sign = -1
            case 90: i += 1; sign = 0
            default: return nil
            }
            if sign != 0 {
                i += 1
                guard let oh = number(2) else { return nil }
                var offset = oh * 3600
                if expect(58) {
                    guard let om = number(2) else { return nil }
                    offset += om * 60
                    if expect(58) {
                        guard let os = number(2) else { return nil }
                        offset += os
                    }
                }
                seconds -= sign * offset
            }
        }
        guard i == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    // Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilDate(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    fileprivate func quotientAndRemainderFloored(dividingBy divisor: Int64) -> (Int64, Int64) {
        var (q, r) = quotientAndRemainder(dividingBy: divisor)
        if r < 0 {
            q -= 1
            r += divisor
        }
        return (q, r)
    }
}

// MARK: - JSON

/// A `Codable` value stored as `jsonb`.
public struct PostgresJSONB<Value: Codable & Sendable>: PostgresEncodable, PostgresDecodable {
    public var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    public static var postgresDataType: PostgresDataType { .jsonb }

    public func postgresText() throws -> String {
        let data = try JSONEncoder().encode(value)
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode(_ cell: PostgresCell) throws -> PostgresJSONB<Value> {
        try cell.require([.json, .jsonb], as: Value.self)
        do {
            return PostgresJSONB(try JSONDecoder().decode(Value.self, from: Data((cell.text ?? "").utf8)))
        } catch {
            throw cell.failure(as: Value.self, "the JSON does not match: \(error)")
        }
    }
}

/// JSON text that is already serialised, bound or read as `jsonb` without a round trip through Codable.
public struct PostgresJSONText: PostgresEncodable, PostgresDecodable, Hashable {
    public var text: String

    public init(_ text: String) {
        self.text = text
    }

    public static var postgresDataType: PostgresDataType { .jsonb }
    public func postgresText() throws -> String { text }

    public static func decode(_ cell: PostgresCell) throws -> PostgresJSONText {
        try cell.require([.json, .jsonb], as: PostgresJSONText.self)
        return PostgresJSONText(cell.text ?? "")
    }
}

// MARK: - Bytes

/// Raw bytes, bound and read as `bytea` (hex format).
public struct PostgresBytes: PostgresEncodable, PostgresDecodable, Hashable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    private static let digits = Array("0123456789abcdef".utf8)

    public static var postgresDataType: PostgresDataType { .bytea }

    public func postgresText() throws -> String {
        var text: [UInt8] = Array(#"\x"#.utf8)
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(Self.digits[Int(byte >> 4)])
            text.append(Self.digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public static func decode(_ cell: PostgresCell) throws -> PostgresBytes {
        try cell.require([.bytea], as: PostgresBytes.self)
        guard let text = cell.text, text.hasPrefix(#"\x"#), text.utf8.count % 2 == 0 else {
            throw cell.failure(as: PostgresBytes.self, "not hex-format bytea")
        }
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in text.utf8.dropFirst(2) {
            guard let nibble = Self.digits.firstIndex(of: character).map(UInt8.init) else {
                throw cell.failure(as: PostgresBytes.self, "not hex-format bytea")
            }
            if let pending = high {
                bytes.append(pending << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return PostgresBytes(bytes)
    }
}
