/// Answers a request on the socket thread itself, or declines (nil) so that it goes to the
/// handler task as usual.
///
/// Why: handing a request to a task and its response back costs two thread wake-ups, several
/// times what a cached answer takes to produce (issue 18: 77 µs of CPU per `GET /v1/models`,
/// half of it in the kernel's scheduler). Only for answers that are cheap and read-only: it runs
/// on the one thread that serves every connection, so it must not block, await or stream, and
/// it must give exactly what the handler would.
package typealias HTTPLoopResponder = @Sendable (HTTPRequest) -> HTTPResponse?
