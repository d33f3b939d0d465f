/// The JSON error shape every endpoint answers with: `{ "error": { "code": …, "message": … } }`.
public struct HTTPErrorBody: Codable, Sendable, Hashable {
    public struct Detail: Codable, Sendable, Hashable {
        /// A stable, machine-readable code such as `not_found` or `invalid_json`.
        public var code: String
        /// A human sentence that says what went wrong and what to do.
        public var message: String
    }

    public var error: Detail

    public init(code: String, message: String) {
        error = Detail(code: code, message: message)
    }
}
