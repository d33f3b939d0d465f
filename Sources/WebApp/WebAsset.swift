/// One file of the web app, embedded in the binary: served as is, with an ETag the generator
/// computed from its bytes.
package struct WebAsset: Sendable {
    package let name: String
    package let contentType: String
    /// Quoted, as the header carries it.
    package let etag: String
    package let bytes: [UInt8]

    init(name: String, contentType: String, etag: String, text: String) {
        self.name = name
        self.contentType = contentType
        self.etag = etag
        self.bytes = Array(text.utf8)
    }
}
