import Crypto
public import SearchCore

/// HMAC-SHA256 with a server secret, for signing page cursors.
public struct HMACCursorAuthenticator: MessageAuthenticator {
    private let secret: [UInt8]

    /// `secret` should hold at least 32 random bytes.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// A fresh random secret: cursors then stop verifying when the process restarts.
    public static func random() -> HMACCursorAuthenticator {
        HMACCursorAuthenticator(secret: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    public func authenticationCode(for message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
    }
}
