/// A response body written over time instead of all at once: server-sent events. The handler
/// returns a response whose `stream` is set; the server sends the head (no `Content-Length`,
/// `Connection: close`: the body ends when the connection does), then runs `produce` with a
/// writer until it returns, the client goes away (the producing task is cancelled) or the
/// client falls too far behind.
package struct HTTPBodyStream: Sendable {
    package let produce: @Sendable (HTTPStreamWriter) async -> Void

    package init(_ produce: @escaping @Sendable (HTTPStreamWriter) async -> Void) {
        self.produce = produce
    }
}
