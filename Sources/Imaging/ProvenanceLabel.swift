import Foundation

/// The machine-readable "made by AI" marking every published derivative carries (EU AI Act
/// Art. 50(2), applicable since 2 Aug 2026): an XMP packet with IPTC's `DigitalSourceType` =
/// `trainedAlgorithmicMedia`, the generating system's name (`Iptc4xmpExt:AISystemUsed`,
/// `xmp:CreatorTool`) and nothing else — no prompt, no provider metadata (EXIF and GPS are still
/// stripped). Readers: exiftool, Adobe apps, Google Images' "AI info", IPTC's own tools.
public struct ProvenanceLabel: Sendable, Hashable {
    public static let trainedAlgorithmicMedia = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

    /// Who made the image, e.g. "imagegen (model flux-schnell, replicate/black-forest-labs/flux-schnell)".
    public let generator: String

    public init(generator: String) {
        // Control characters are not allowed in XML 1.0; a model name never needs them.
        self.generator = String(generator.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }

    /// The label of an image made by `model` through `provider` (plugin/provider model).
    public init(model: String, provider: String) {
        self.init(generator: "imagegen (model \(model), \(provider))")
    }

    /// The XMP packet (UTF-8), as JPEG APP1, PNG iTXt, WebP `XMP ` and HEIF `mime` items carry it.
    public var xmpPacket: Data {
        let name = Self.escaped(generator)
        return Data("""
            <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
             <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
              <rdf:Description rdf:about=""
                xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
                xmlns:xmp="http://ns.adobe.com/xap/1.0/"
                Iptc4xmpExt:DigitalSourceType="\(Self.trainedAlgorithmicMedia)"
                Iptc4xmpExt:AISystemUsed="\(name)"
                xmp:CreatorTool="\(name)"/>
             </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="r"?>
            """.utf8)
    }

    private static func escaped(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
