import Crypto
import Foundation

/// An API key as a client presents it: `lp_` followed by 40 random base-62 characters (about 238 bits).
/// Only its SHA-256 hash is ever stored; `displayPrefix` is a short, non-secret label for listings.
public struct APIKeySecret: Sendable, CustomStringConvertible {
    public static let scheme = "lp_"
    static let bodyLength = 40
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The full key. Show it once, at creation; never log it.
    public let reveal: String

    /// A fresh key from the system's cryptographic random source.
    public static func generate() -> APIKeySecret {
        var generator = SystemRandomNumberGenerator()
        var bytes = Array(scheme.utf8)
        for _ in 0..<bodyLength {
            bytes.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))])
        }
        return APIKeySecret(uncheckedKey: String(decoding: bytes, as: UTF8.self))
    }

    /// Accepts a key presented by a client if it has the right shape; nil otherwise.
    public init?(presented key: some StringProtocol) {
        let utf8 = Array(key.utf8)
        guard utf8.count == Self.scheme.utf8.count + Self.bodyLength, key.hasPrefix(Self.scheme),
            utf8.dropFirst(Self.scheme.utf8.count).allSatisfy(Self.alphabet.contains)
        else { return nil }
        self.reveal = String(key)
    }

    private init(uncheckedKey: String) {
        self.reveal = uncheckedKey
    }

    /// SHA-256 of the key: what the database stores and looks keys up by.
    public var hash: [UInt8] { Self.hash(of: reveal) }

    /// SHA-256 of any presented token.
    public static func hash(of token: some StringProtocol) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }

    /// `lp_` plus the first five characters: enough to tell keys apart in a list, useless to an attacker.
    public var displayPrefix: String { String(reveal.prefix(Self.scheme.count + 5)) }

    /// Compares this key's hash with a stored hash in time independent of where they differ.
    public func matches(storedHash: [UInt8]) -> Bool {
        let mine = hash
        guard storedHash.count == mine.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(mine, storedHash) { difference |= a ^ b }
        return difference == 0
    }

    /// Never the key itself.
    public var description: String { "APIKeySecret(\(displayPrefix)…)" }
}
