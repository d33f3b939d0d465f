/// The JSON error shape every endpoint answers with: `{ "error": { "code": …, "message": … } }`.
package struct HTTPErrorBody: Codable, Sendable, Hashable {
    package struct Detail: Codable, Sendable, Hashable {
        /// A stable, machine-readable code such as `not_found` or `invalid_json`.
        package var code: String
        /// A human sentence that says what went wrong and what to do.
        package var message: String
    }

    package var error: Detail

    package init(code: String, message: String) {
        error = Detail(code: code, message: message)
    }
}
