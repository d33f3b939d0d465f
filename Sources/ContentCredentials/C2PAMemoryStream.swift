import CC2PA
import Foundation

/// A seekable byte buffer the C2PA library reads from and writes to through C callbacks.
///
/// The callbacks are plain C functions (no captures) that never throw and never trap on bad
/// input: the library gets a negative result instead. The stream object itself travels as the
/// callbacks' context pointer and is kept alive by `withNativeStream` for as long as the native
/// stream exists.
final class C2PAMemoryStream {
    private(set) var bytes: [UInt8]
    private var position = 0

    init(_ data: Data = Data()) {
        bytes = [UInt8](data)
    }

    var data: Data { Data(bytes) }

    /// Runs `body` with a native stream over this buffer, released afterwards.
    func withNativeStream<T>(_ library: C2PALibrary, _ body: (OpaquePointer) throws(ContentCredentialsError) -> T)
        throws(ContentCredentialsError) -> T {
        let context = OpaquePointer(Unmanaged.passUnretained(self).toOpaque())
        guard let stream = library.createStream(context, Self.read, Self.seek, Self.write, Self.flush) else {
            throw .library(library.lastError("c2pa_create_stream returned no stream"))
        }
        defer { library.releaseStream(stream) }
        return try withExtendedLifetime(self) { () throws(ContentCredentialsError) -> T in try body(stream) }
    }

    private static func stream(_ context: OpaquePointer?) -> C2PAMemoryStream? {
        guard let context else { return nil }
        return Unmanaged<C2PAMemoryStream>.fromOpaque(UnsafeRawPointer(context)).takeUnretainedValue()
    }

    private static let read: C2paReadCallback = { context, data, length in
        guard let stream = stream(context), let data, length >= 0 else { return -1 }
        let count = min(length, stream.bytes.count - stream.position)
        guard count > 0 else { return 0 }
        stream.bytes.withUnsafeBufferPointer { buffer in
            data.update(from: buffer.baseAddress! + stream.position, count: count)
        }
        stream.position += count
        return count
    }

    private static let seek: C2paSeekCallback = { context, offset, mode in
        guard let stream = stream(context) else { return -1 }
        let base: Int
        switch mode {
        case 0: base = 0
        case 1: base = stream.position
        case 2: base = stream.bytes.count
        default: return -1
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0 else { return -1 }
        stream.position = target
        return target
    }

    private static let write: C2paWriteCallback = { context, data, length in
        guard let stream = stream(context), let data, length >= 0 else { return -1 }
        if stream.position > stream.bytes.count {
            stream.bytes.append(contentsOf: repeatElement(0, count: stream.position - stream.bytes.count))
        }
        let overlap = min(length, stream.bytes.count - stream.position)
        if overlap > 0 {
            stream.bytes.withUnsafeMutableBufferPointer { buffer in
                (buffer.baseAddress! + stream.position).update(from: data, count: overlap)
            }
        }
        if length > overlap {
            stream.bytes.append(contentsOf: UnsafeBufferPointer(start: data + overlap, count: length - overlap))
        }
        stream.position += length
        return length
    }

    private static let flush: C2paFlushCallback = { _ in 0 }
}
