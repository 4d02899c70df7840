/// Why a snapshot file could not be written or read back.
public enum SnapshotError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file ends before its header or payload does.
    case truncated
    /// The file does not start with the snapshot magic: it is not a Loupe snapshot.
    case badMagic
    /// A snapshot written by a format this build does not read.
    case unsupportedVersion(UInt32)
    /// The payload's bytes are not the ones that were written.
    case checksumMismatch
    /// The checksum holds but the contents do not describe a valid index (a crafted or buggy file).
    case corrupt(String)
    /// Reading or writing the file failed.
    case io(String)

    public var description: String {
        switch self {
        case .truncated: "the snapshot file is truncated"
        case .badMagic: "the file is not a Loupe snapshot"
        case .unsupportedVersion(let version): "the snapshot format version \(version) is not supported"
        case .checksumMismatch: "the snapshot file is corrupt (checksum mismatch)"
        case .corrupt(let reason): "the snapshot file is corrupt: \(reason)"
        case .io(let reason): "the snapshot file could not be accessed: \(reason)"
        }
    }
}
