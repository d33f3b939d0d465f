import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The small XML documents S3 answers with (`Error`, `InitiateMultipartUploadResult`,
/// `CompleteMultipartUploadResult`, `ListMultipartUploadsResult`), flattened to element name → texts.
///
/// S3's documents are shallow and their element names unambiguous within one document, so a flat view
/// is enough and keeps callers simple. Parsing is Foundation's XMLParser (libxml2), not hand-written.
struct S3XMLDocument {
    /// The root element's local name, e.g. `Error`.
    private(set) var root: String = ""
    private(set) var texts: [String: [String]] = [:]

    init?(data: Data) {
        guard !data.isEmpty else { return nil }
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse(), let root = collector.root else { return nil }
        self.root = root
        self.texts = collector.texts
    }

    /// The first text of an element with this local name.
    func first(_ name: String) -> String? { texts[name]?.first }

    /// Every text of elements with this local name, in document order.
    func all(_ name: String) -> [String] { texts[name] ?? [] }

    private final class Collector: NSObject, XMLParserDelegate {
        var root: String?
        var texts: [String: [String]] = [:]
        private var stack: [String] = []
        private var buffer = ""

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let name = Self.localName(elementName)
            if root == nil { root = name }
            stack.append(name)
            buffer = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            buffer += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            let name = stack.popLast() ?? Self.localName(elementName)
            let text = buffer.trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { texts[name, default: []].append(text) }
            buffer = ""
        }

        private static func localName(_ name: String) -> String {
            name.split(separator: ":").last.map(String.init) ?? name
        }
    }
}
