import Foundation

/// What the first bytes of a file say it is: the format's magic number, read before any
/// decoder sees the bytes, so a mislabelled or unexpected file is refused up front and each
/// accepted format goes to its own libvips loader (never to a loader libvips guesses).
enum ImageSignature: Equatable {
    /// A format the host decodes.
    case supported(ImageFormat)
    /// A recognised image format the host does not accept (named for the error message).
    case unsupported(String)
    /// Not a recognised image.
    case unknown

    init(of bytes: Data) {
        let head = [UInt8](bytes.prefix(64))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.count && Array(head[offset..<offset + prefix.count]) == prefix
        }
        func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { self = .supported(.png); return }
        if starts([0xFF, 0xD8, 0xFF]) { self = .supported(.jpeg); return }
        if starts(ascii("RIFF")) && starts(ascii("WEBP"), at: 8) { self = .supported(.webp); return }
        if starts(ascii("ftyp"), at: 4) {
            // ISO base media file: the major brand, then compatible brands up to the box end.
            let boxSize = head.count >= 4 ? Int(head[0]) << 24 | Int(head[1]) << 16 | Int(head[2]) << 8 | Int(head[3]) : 0
            var brands: [String] = []
            if head.count >= 12 { brands.append(String(decoding: head[8..<12], as: UTF8.self)) }
            var offset = 16
            while offset + 4 <= min(boxSize, head.count) {
                brands.append(String(decoding: head[offset..<offset + 4], as: UTF8.self))
                offset += 4
            }
            if brands.contains("avif") || brands.contains("avis") { self = .supported(.avif); return }
            if brands.contains(where: { ["heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"].contains($0) }) {
                self = .unsupported("HEIC/HEIF"); return
            }
            self = .unknown; return
        }
        if starts(ascii("GIF87a")) || starts(ascii("GIF89a")) { self = .unsupported("GIF"); return }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { self = .unsupported("TIFF"); return }
        if starts(ascii("BM")) { self = .unsupported("BMP"); return }
        if starts([0xFF, 0x0A]) || starts([0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20]) { self = .unsupported("JPEG XL"); return }
        self = .unknown
    }
}
