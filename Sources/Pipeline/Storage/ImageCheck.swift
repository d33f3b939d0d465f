/// The first check on bytes a provider returned: is it an image of the format it claims?
/// (Decoding, dimensions and bomb checks are done by the imaging module when it is present.)
public enum ImageCheck {
    public struct Result: Sendable {
        public var mime: String
        public var width: Int?
        public var height: Int?
    }

    public static func verify(_ bytes: [UInt8], declaredMIME: String?) -> Swift.Result<Result, ImageProblem> {
        guard !bytes.isEmpty else { return .failure(ImageProblem("empty response")) }
        guard let sniffed = ContentStore.sniffMIME(bytes) else {
            return .failure(ImageProblem("not PNG, JPEG, WebP or AVIF (first bytes \(bytes.prefix(8).map { String(format: "%02x", $0) }.joined()))"))
        }
        if let declared = declaredMIME?.lowercased(), declared.hasPrefix("image/"), declared != sniffed,
           !(declared == "image/jpg" && sniffed == "image/jpeg") {
            return .failure(ImageProblem("declared \(declared) but the bytes are \(sniffed)"))
        }
        var width: Int?, height: Int?
        if sniffed == "image/png", bytes.count >= 24 {
            width = Int(bytes[16]) << 24 | Int(bytes[17]) << 16 | Int(bytes[18]) << 8 | Int(bytes[19])
            height = Int(bytes[20]) << 24 | Int(bytes[21]) << 16 | Int(bytes[22]) << 8 | Int(bytes[23])
            // A PNG ends with an IEND chunk; without it the file was cut short.
            let iend: [UInt8] = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
            guard Array(bytes.suffix(8)) == iend else { return .failure(ImageProblem("truncated PNG (no IEND chunk at the end)")) }
        }
        if sniffed == "image/jpeg", Array(bytes.suffix(2)) != [0xFF, 0xD9] {
            return .failure(ImageProblem("truncated JPEG (no end-of-image marker)"))
        }
        return .success(Result(mime: sniffed, width: width, height: height))
    }
}

public struct ImageProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
