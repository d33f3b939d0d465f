/// Answers one request. Handlers run as Swift tasks, off the socket thread, so they may await
/// freely; a connection carries one request at a time, so responses leave in request order.
package typealias HTTPHandler = @Sendable (HTTPRequest) async -> HTTPResponse
