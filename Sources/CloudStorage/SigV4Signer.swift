import Foundation
import Crypto

/// AWS Signature Version 4 (header and presigned-URL forms), as S3 and S3-compatible stores expect.
///
/// The four steps (reference/s3-sigv4.md §1): canonical request → string to sign → signing key
/// (`AWS4`+secret → date → region → service → `aws4_request`) → hex HMAC. Every intermediate is
/// returned so tests can compare each against the published vectors and a `SignatureDoesNotMatch`
/// can be diffed against the server's `CanonicalRequest`.
///
/// S3 differs from other services in two ways that `Options` captures: the path is never normalised
/// (`a//b/../c` is signed verbatim) and every request carries `x-amz-content-sha256`.
public struct SigV4Signer: Sendable {
    public struct Options: Sendable, Hashable {
        /// Remove `.`/`..` segments and collapse `//` before signing (other services; never S3).
        public var normalizesPath: Bool
        /// Add and sign `x-amz-content-sha256` (S3 requires it on every request).
        public var addsContentSHA256Header: Bool

        public init(normalizesPath: Bool, addsContentSHA256Header: Bool) {
            self.normalizesPath = normalizesPath
            self.addsContentSHA256Header = addsContentSHA256Header
        }

        public static let s3 = Options(normalizesPath: false, addsContentSHA256Header: true)
        public static let genericService = Options(normalizesPath: true, addsContentSHA256Header: false)
    }

    public static let algorithm = "AWS4-HMAC-SHA256"

    public let credentials: AWSCredentials
    public let region: String
    public let service: String
    public let options: Options

    public init(credentials: AWSCredentials, region: String, service: String = "s3", options: Options = .s3) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
    }

    // MARK: Header signing

    /// Signs `request` at `date`: adds `x-amz-date`, `x-amz-content-sha256` (S3), `x-amz-security-token`
    /// (temporary credentials) and `Authorization`, replacing any earlier values of those headers.
    public func sign(_ request: SigV4Request, payload: SigV4Payload, at date: Date) -> SigV4SignedRequest {
        let timestamp = SigV4Timestamp(date)
        var request = request
        request.headers.removeAll { $0.name.lowercased() == "authorization" }
        request.setHeader("X-Amz-Date", timestamp.amzDate)
        let payloadHash = payload.hashedPayload
        if options.addsContentSHA256Header {
            request.setHeader("x-amz-content-sha256", payloadHash)
        }
        if let token = credentials.sessionToken {
            request.setHeader("X-Amz-Security-Token", token)
        }
        let canonical = canonicalRequest(for: request, payloadHash: payloadHash)
        let stringToSign = stringToSign(canonicalRequest: canonical.text, timestamp: timestamp)
        let signature = signature(stringToSign: stringToSign, scopeDate: timestamp.scopeDate)
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(credentialScope(timestamp.scopeDate)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        request.headers.append(HTTPHeaderField("Authorization", authorization))
        return SigV4SignedRequest(request: request, canonicalURI: canonical.uri,
                                  canonicalQuery: canonical.query, canonicalRequest: canonical.text,
                                  stringToSign: stringToSign, signature: signature,
                                  authorization: authorization)
    }

    // MARK: Query-string signing (presigned URLs)

    /// Presigns `request` for `expiresIn` seconds (1…604800). The canonical query carries the
    /// `X-Amz-*` parameters; `X-Amz-Signature` is appended after signing. S3 presigned URLs use
    /// `UNSIGNED-PAYLOAD`, so they authorise a destination, not particular bytes.
    public func presign(_ request: SigV4Request, expiresIn seconds: Int, payload: SigV4Payload = .unsigned,
                        at date: Date) -> SigV4SignedRequest {
        let timestamp = SigV4Timestamp(date)
        var request = request
        request.headers.removeAll { ["authorization", "x-amz-date"].contains($0.name.lowercased()) }
        let signedHeaderNames = Self.canonicalHeaders(request.headers).map(\.name).joined(separator: ";")
        request.query.append(contentsOf: [
            QueryParameter("X-Amz-Algorithm", Self.algorithm),
            QueryParameter("X-Amz-Credential", "\(credentials.accessKeyID)/\(credentialScope(timestamp.scopeDate))"),
            QueryParameter("X-Amz-Date", timestamp.amzDate),
            QueryParameter("X-Amz-Expires", String(min(max(seconds, 1), 604_800))),
            QueryParameter("X-Amz-SignedHeaders", signedHeaderNames),
        ])
        if let token = credentials.sessionToken {
            request.query.append(QueryParameter("X-Amz-Security-Token", token))
        }
        let canonical = canonicalRequest(for: request, payloadHash: payload.hashedPayload)
        let stringToSign = stringToSign(canonicalRequest: canonical.text, timestamp: timestamp)
        let signature = signature(stringToSign: stringToSign, scopeDate: timestamp.scopeDate)
        request.query.append(QueryParameter("X-Amz-Signature", signature))
        let query = canonical.query + "&X-Amz-Signature=" + signature
        return SigV4SignedRequest(request: request, canonicalURI: canonical.uri, canonicalQuery: query,
                                  canonicalRequest: canonical.text, stringToSign: stringToSign,
                                  signature: signature, authorization: nil)
    }

    // MARK: The steps

    /// `<yyyymmdd>/<region>/<service>/aws4_request`
    public func credentialScope(_ scopeDate: String) -> String {
        "\(scopeDate)/\(region)/\(service)/aws4_request"
    }

    struct CanonicalRequest {
        var text: String
        var uri: String
        var query: String
        var signedHeaders: String
    }

    func canonicalRequest(for request: SigV4Request, payloadHash: String) -> CanonicalRequest {
        let path = options.normalizesPath ? Self.normalisedPath(request.path) : request.path
        let uri = SigV4URIEncoding.encodePath(path)
        let query = Self.canonicalQuery(request.query)
        let headers = Self.canonicalHeaders(request.headers)
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let headerBlock = headers.map { "\($0.name):\($0.value)\n" }.joined()
        let text = [request.method.uppercased(), uri, query, headerBlock, signedHeaders, payloadHash]
            .joined(separator: "\n")
        return CanonicalRequest(text: text, uri: uri, query: query, signedHeaders: signedHeaders)
    }

    func stringToSign(canonicalRequest: String, timestamp: SigV4Timestamp) -> String {
        [Self.algorithm, timestamp.amzDate, credentialScope(timestamp.scopeDate),
         SHA256Digest.of(utf8: canonicalRequest).hex].joined(separator: "\n")
    }

    /// kSigning for a day; depends only on date, region and service.
    func signingKey(scopeDate: String) -> [UInt8] {
        let kDate = HMACSHA256.authenticate(key: Array("AWS4\(credentials.secretAccessKey)".utf8), message: scopeDate)
        let kRegion = HMACSHA256.authenticate(key: kDate, message: region)
        let kService = HMACSHA256.authenticate(key: kRegion, message: service)
        return HMACSHA256.authenticate(key: kService, message: "aws4_request")
    }

    func signature(stringToSign: String, scopeDate: String) -> String {
        SodiumEncoding.hex(HMACSHA256.authenticate(key: signingKey(scopeDate: scopeDate), message: stringToSign))
    }

    // MARK: Canonicalisation rules

    /// Names and values encoded separately (`/` → `%2F`), sorted by encoded name then value in byte
    /// order, `name=value` joined by `&`; a value-less parameter keeps its `=`.
    static func canonicalQuery(_ parameters: [QueryParameter]) -> String {
        parameters
            .map { (SigV4URIEncoding.encodeQueryComponent($0.name), SigV4URIEncoding.encodeQueryComponent($0.value)) }
            .sorted { lhs, rhs in
                lhs.0 == rhs.0 ? lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
                               : lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8)
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Lower-case names, values trimmed with inner whitespace runs collapsed to one space (folded
    /// lines included), repeated names merged with `,` in order of appearance, sorted by name.
    static func canonicalHeaders(_ headers: [HTTPHeaderField]) -> [HTTPHeaderField] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased().trimmingCharacters(in: .whitespaces)
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(collapsedValue(header.value))
        }
        return order
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { HTTPHeaderField($0, values[$0]!.joined(separator: ",")) }
    }

    static func collapsedValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            .joined(separator: " ")
    }

    /// RFC 3986 dot-segment removal plus `//` collapsing, keeping a trailing slash. Only for
    /// non-S3 services: S3 keys may legitimately contain `//` and `..`.
    static func normalisedPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        var result = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/") && result != "/" { result += "/" }
        return result
    }
}

/// A signed request plus every intermediate of the signature (for tests and for diffing against a
/// server's `SignatureDoesNotMatch` body). Contains no secret: the signature is a one-way HMAC.
public struct SigV4SignedRequest: Sendable {
    /// The request with the SigV4 headers (header form) or query parameters (presigned form) added.
    public let request: SigV4Request
    /// The encoded path that was signed; send exactly this on the wire.
    public let canonicalURI: String
    /// The encoded, sorted query; in the presigned form it ends with `&X-Amz-Signature=…`.
    public let canonicalQuery: String
    public let canonicalRequest: String
    public let stringToSign: String
    public let signature: String
    /// The `Authorization` value (header form only).
    public let authorization: String?
}
