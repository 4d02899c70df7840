import PostgresClient
import LoupeTestSupport
import Hummingbird
import HummingbirdTesting
import SearchAPI
import Testing

@Suite struct APIKeySecretTests {
    @Test func generatedKeysHaveTheDocumentedShapeAndDiffer() {
        let keys = (0..<200).map { _ in APIKeySecret.generate().reveal }
        #expect(Set(keys).count == 200)
        for key in keys {
            #expect(key.hasPrefix("lp_"))
            #expect(key.count == 43)
            #expect(APIKeySecret(presented: key) != nil)
        }
    }

    @Test func hashIsSHA256AndComparisonChecksEveryByte() throws {
        let key = try #require(APIKeySecret(presented: "lp_" + String(repeating: "a", count: 40)))
        #expect(key.hash.count == 32)
        // SHA-256("lp_" + 40 × "a"), computed independently with Python's hashlib.
        let hex = key.hash.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "02494f2bf47ab7efcce84b0c21d5e7132235b14f7d0dc28b181cb021ea376c2d")
        #expect(key.matches(storedHash: key.hash))
        var tampered = key.hash
        tampered[31] ^= 1
        #expect(!key.matches(storedHash: tampered))
        #expect(!key.matches(storedHash: Array(key.hash.prefix(31))))
    }

    @Test func malformedPresentedKeysAreRejected() {
        for bad in ["", "lp_", "lp_short", "xx_" + String(repeating: "a", count: 40), "lp_" + String(repeating: "a", count: 39) + "!",
                    "lp_" + String(repeating: "a", count: 41), "Bearer lp_" + String(repeating: "a", count: 40)] {
            #expect(APIKeySecret(presented: bad) == nil)
        }
    }

    @Test func descriptionNeverShowsTheKey() {
        let key = APIKeySecret.generate()
        #expect(!"\(key)".contains(key.reveal))
        #expect("\(key)".contains(key.displayPrefix))
        #expect(key.displayPrefix.count == 8)
    }
}
