/// Recognises an encoded image by its signature and checks that it arrived whole, without
/// decoding it (plugins hand bytes on unchanged; decoding is the host's job, with libvips).
///
/// A download that was cut short but still reported success (a proxy that closed early, a
/// provider that wrote a partial file) must not be stored as an image: each format has an end
/// marker or a declared length, and checking it is enough to tell a whole file from a prefix.
public enum EncodedImage {
    public enum Format: String, Sendable {
        case png = "image/png"
        case jpeg = "image/jpeg"
        case webp = "image/webp"
        case gif = "image/gif"

        public var mime: String { rawValue }
        public var fileExtension: String {
            switch self { case .png: "png"; case .jpeg: "jpg"; case .webp: "webp"; case .gif: "gif" }
        }
    }

    /// The format its first bytes announce, or nil when they are not an image we know.
    public static func format(of bytes: [UInt8]) -> Format? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return .webp }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return .gif }
        return nil
    }

    /// Whether the file ends where its format says it ends.
    public static func isComplete(_ bytes: [UInt8], as format: Format) -> Bool {
        switch format {
        case .png:
            // The last chunk of every PNG is IEND: length 0, type "IEND", fixed CRC AE426082.
            let iend: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
            return bytes.count >= 8 + iend.count && Array(bytes.suffix(iend.count)) == iend
        case .jpeg:
            // End-of-image marker; some encoders pad after it, so look at the tail.
            let tail = bytes.suffix(64)
            return zip(tail, tail.dropFirst()).contains { $0 == 0xFF && $1 == 0xD9 }
        case .webp:
            // RIFF declares the size of everything after its first 8 bytes.
            guard bytes.count >= 12 else { return false }
            let declared = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
            return bytes.count >= declared + 8
        case .gif:
            return bytes.last == 0x3B
        }
    }

    /// The format of a whole image, or a `.provider` error naming what was wrong with it.
    /// - Parameter what: names the image in the message ("output 2 of prediction abc").
    public static func validated(_ bytes: [UInt8], what: String) throws(ProviderError) -> Format {
        guard !bytes.isEmpty else { throw ProviderError(.provider, "\(what) is empty (0 bytes)") }
        guard let format = format(of: bytes) else {
            throw ProviderError(.provider, "\(what) is not a PNG, JPEG, WebP or GIF image (\(bytes.count) bytes)")
        }
        guard isComplete(bytes, as: format) else {
            throw ProviderError(.provider, "\(what) is a truncated \(format.fileExtension.uppercased()) "
                                + "(\(bytes.count) bytes, its end marker is missing): the download was cut short")
        }
        return format
    }
}
