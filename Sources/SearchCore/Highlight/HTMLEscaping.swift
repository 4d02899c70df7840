/// Makes text safe to place in HTML element content or a quoted attribute value.
public enum HTMLEscaping {
    /// Escapes & < > " ' (as &amp; &lt; &gt; &quot; &#39;).
    public static func escape(_ text: some StringProtocol) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        appendEscaped(text.utf8, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `bytes` escaped. The five characters are ASCII and ASCII bytes never occur inside a
    /// multi-byte UTF-8 sequence, so escaping byte by byte keeps the UTF-8 valid.
    static func appendEscaped(_ bytes: some Sequence<UInt8>, to output: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): output.append(contentsOf: "&#39;".utf8)
            default: output.append(byte)
            }
        }
    }
}
