import CZlib
public import Foundation

/// Why a source could not be read.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Bytes from a file (plain or gzip, told apart by the gzip magic number) or standard input, read in
/// chunks so memory stays flat whatever the size.
public final class ByteSource {
    public let path: String
    private let handle: FileHandle
    private let ownsHandle: Bool
    private var inflater: Inflater?
    private var pending: [UInt8] = []
    private var finished = false
    /// Compressed (on-disk) bytes read so far, for progress against the file size.
    public private(set) var bytesRead = 0
    /// The file's size on disk, when known.
    public let totalBytes: Int?
    /// Decompressed bytes handed out so far (the size of the text itself).
    public private(set) var bytesDecoded = 0
    private var pushedBack: [UInt8] = []

    static let chunkSize = 256 * 1024

    /// `path` `-` is standard input.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardInput
            ownsHandle = false
            totalBytes = nil
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw SourceError(path: path, reason: "cannot open the file")
            }
            handle = opened
            ownsHandle = true
            totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        }
        let head = try readRaw()
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B {
            inflater = try Inflater(path: path)
        }
        pending = head
    }

    deinit {
        if ownsHandle { try? handle.close() }
    }

    /// The next chunk of decompressed bytes; nil at the end.
    public func next() throws -> [UInt8]? {
        if !pushedBack.isEmpty {
            defer { pushedBack = [] }
            return pushedBack
        }
        let chunk = try nextDecoded()
        bytesDecoded += chunk?.count ?? 0
        return chunk
    }

    /// Returns bytes already taken from `next()` to the front, so a reader can look before it leaps.
    public func pushBack(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        pushedBack = bytes + pushedBack
    }

    private func nextDecoded() throws -> [UInt8]? {
        while true {
            if !pending.isEmpty {
                let chunk = pending
                pending = []
                if let inflater {
                    let output = try inflater.inflate(chunk)
                    if output.isEmpty { continue }
                    return output
                }
                return chunk
            }
            if finished {
                if let inflater, !inflater.isFinished {
                    throw SourceError(path: path, reason: "the gzip stream is truncated")
                }
                return nil
            }
            pending = try readRaw()
            if pending.isEmpty { finished = true }
        }
    }

    private func readRaw() throws -> [UInt8] {
        let data: Data
        do {
            data = try handle.read(upToCount: Self.chunkSize) ?? Data()
        } catch {
            throw SourceError(path: path, reason: "read failed: \(error.localizedDescription)")
        }
        bytesRead += data.count
        return [UInt8](data)
    }
}

/// zlib's inflate for gzip streams, including several members one after another (as `cat a.gz b.gz`).
final class Inflater {
    private var stream = z_stream()
    private let path: String
    private(set) var isFinished = false

    init(path: String) throws {
        self.path = path
        // 15 window bits + 16: expect a gzip header.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SourceError(path: path, reason: "zlib could not start")
        }
    }

    deinit {
        inflateEnd(&stream)
    }

    func inflate(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var input = input
        var offset = 0
        var buffer = [UInt8](repeating: 0, count: ByteSource.chunkSize * 4)
        while offset < input.count {
            if isFinished {
                // Another gzip member follows.
                guard inflateReset(&stream) == Z_OK else { throw SourceError(path: path, reason: "zlib reset failed") }
                isFinished = false
            }
            let consumed: Int
            let produced: Int
            let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
                buffer.withUnsafeMutableBufferPointer { outputBuffer in
                    stream.next_in = inputBuffer.baseAddress! + offset
                    stream.avail_in = UInt32(inputBuffer.count - offset)
                    stream.next_out = outputBuffer.baseAddress
                    stream.avail_out = UInt32(outputBuffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
            }
            consumed = (input.count - offset) - Int(stream.avail_in)
            produced = buffer.count - Int(stream.avail_out)
            output.append(contentsOf: buffer[0..<produced])
            offset += consumed
            switch status {
            case Z_STREAM_END: isFinished = true
            case Z_OK, Z_BUF_ERROR: if consumed == 0 && produced == 0 { return output }
            default: throw SourceError(path: path, reason: "the gzip data is corrupt")
            }
        }
        return output
    }
}

/// Lines of a `ByteSource`, without their line ends, numbered from 1.
public final class LineReader {
    public let source: ByteSource
    private var buffer: [UInt8] = []
    private var start = 0
    public private(set) var lineNumber = 0
    /// Longest line accepted; longer ones are reported and skipped.
    public let maximumLineBytes: Int

    public enum Line {
        case text(ArraySlice<UInt8>)
        case tooLong(bytes: Int)
    }

    public init(source: ByteSource, maximumLineBytes: Int = 16 << 20) {
        self.source = source
        self.maximumLineBytes = maximumLineBytes
    }

    /// The next line; nil at the end of the input.
    public func next() throws -> Line? {
        var skippedBytes = 0
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                lineNumber += 1
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = newline + 1
                if skippedBytes > 0 || line.count > maximumLineBytes { return .tooLong(bytes: skippedBytes + line.count) }
                return .text(line)
            }
            if buffer.count - start > maximumLineBytes {
                skippedBytes += buffer.count - start
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            guard let chunk = try source.next() else {
                guard start < buffer.count || skippedBytes > 0 else { return nil }
                lineNumber += 1
                let line = buffer[start...]
                start = buffer.count
                if skippedBytes > 0 || line.count > maximumLineBytes { return .tooLong(bytes: skippedBytes + line.count) }
                return .text(line)
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            buffer.append(contentsOf: chunk)
        }
    }
}
