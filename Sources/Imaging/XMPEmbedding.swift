import CVips
import Foundation

/// Puts an XMP packet into encoded JPEG, PNG and WebP bytes, where each format's readers look for
/// it, without re-encoding and without touching anything else in the file. Done on the bytes
/// rather than through libvips' `xmp-data` + `strip: false`, because libvips 8.14 then also
/// writes an EXIF block of its own into JPEG and WebP (the files would no longer be free of
/// EXIF). AVIF goes through libheif instead (`ImageEncoding`).
enum XMPEmbedding {
    static func embed(_ packet: Data, in encoded: Data, format: ImageFormat) throws(ImageProcessingError) -> Data {
        switch format {
        case .jpeg: return try jpeg(packet, encoded)
        case .png: return try png(packet, encoded)
        case .webp: return try webp(packet, encoded)
        case .avif: throw .libvipsFailed(operation: "xmp", reason: "AVIF carries its XMP through heifsave, not byte embedding")
        }
    }

    /// An APP1 segment (`http://ns.adobe.com/xap/1.0/\0` + packet) right after SOI, or after the
    /// JFIF APP0 segment when there is one (JFIF wants to be first).
    private static func jpeg(_ packet: Data, _ bytes: Data) throws(ImageProcessingError) -> Data {
        let header = Data("http://ns.adobe.com/xap/1.0/\u{0}".utf8)
        let length = 2 + header.count + packet.count
        guard bytes.count > 4, bytes[bytes.startIndex] == 0xFF, bytes[bytes.startIndex + 1] == 0xD8, length <= 0xFFFF else {
            throw .libvipsFailed(operation: "xmp", reason: "not a JPEG, or an XMP packet over 64 KiB")
        }
        var at = bytes.startIndex + 2
        if bytes[at] == 0xFF, bytes[at + 1] == 0xE0, bytes.count > at + 4 {
            at += 2 + (Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]))
        }
        var out = Data(bytes[bytes.startIndex..<at])
        out.append(contentsOf: [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)])
        out.append(header)
        out.append(packet)
        out.append(bytes[at...])
        return out
    }

    /// An uncompressed iTXt chunk with the keyword `XML:com.adobe.xmp`, right after IHDR.
    private static func png(_ packet: Data, _ bytes: Data) throws(ImageProcessingError) -> Data {
        let ihdrEnd = bytes.startIndex + 8 + 4 + 4 + 13 + 4
        guard bytes.count > ihdrEnd, Array(bytes[(bytes.startIndex + 12)..<(bytes.startIndex + 16)]) == Array("IHDR".utf8) else {
            throw .libvipsFailed(operation: "xmp", reason: "not a PNG starting with IHDR")
        }
        // keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text
        var body = Data("iTXt".utf8)
        body.append(Data("XML:com.adobe.xmp".utf8))
        body.append(contentsOf: [0, 0, 0, 0, 0])
        body.append(packet)
        let length = UInt32(body.count - 4)
        var out = Data(bytes[bytes.startIndex..<ihdrEnd])
        out.append(contentsOf: withUnsafeBytes(of: length.bigEndian, Array.init))
        out.append(body)
        out.append(contentsOf: withUnsafeBytes(of: CRC32.of(body).bigEndian, Array.init))
        out.append(bytes[ihdrEnd...])
        return out
    }

    /// An `XMP ` chunk through libwebpmux (which also turns a simple file into VP8X with the XMP flag).
    private static func webp(_ packet: Data, _ bytes: Data) throws(ImageProcessingError) -> Data {
        var output: UnsafeMutableRawPointer?
        var length = 0
        let status = bytes.withUnsafeBytes { raw in
            packet.withUnsafeBytes { xmp in
                cvips_webp_set_xmp(raw.baseAddress, raw.count, xmp.baseAddress, xmp.count, &output, &length)
            }
        }
        guard status == 0, let output else {
            throw .libvipsFailed(operation: "webpmux", reason: "could not add the XMP chunk to the encoded WebP")
        }
        return Data(bytesNoCopy: output, count: length, deallocator: .custom { pointer, _ in cvips_g_free(pointer) })
    }
}

/// CRC-32 (ISO 3309, as PNG chunks use it).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func of(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
