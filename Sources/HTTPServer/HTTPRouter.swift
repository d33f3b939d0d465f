/// Dispatches requests by method and path pattern.
///
/// Unknown paths get 404, a known path with another method gets 405 with an `Allow` header, both
/// in the API's error shape. `HEAD` falls back to the `GET` route of the same path (the server
/// drops the body). Routes are matched in the order added.
///
/// A `GET` route may also be answerable on the socket thread (`onLoop`, see `HTTPLoopResponder`);
/// give the server both `handler` and `loopResponder` (`HTTPServer(configuration:router:)` does).
package struct HTTPRouter: Sendable {
    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: HTTPRoutePattern
        let handler: HTTPHandler
        let onLoop: HTTPLoopResponder?
    }

    /// What a request resolves to: a route (with its path parameters set), or the router's own answer.
    private enum Resolution {
        case route(Route, HTTPRequest)
        case answer(HTTPResponse)
    }

    private var routes: [Route] = []

    package init() {}

    /// `onLoop`, when given, answers on the socket thread when it can; `handler` answers
    /// otherwise, and both must give the same answer. Only safe methods (GET) may have one: a
    /// request that changes state waits for its audit entry on disk, which the loop cannot.
    package mutating func add(_ method: HTTPMethod, _ pattern: String, onLoop: HTTPLoopResponder? = nil,
                              _ handler: @escaping HTTPHandler) {
        precondition(onLoop == nil || method == .get, "only GET routes can be answered on the socket thread")
        routes.append(Route(method: method, pattern: HTTPRoutePattern(pattern), handler: handler, onLoop: onLoop))
    }

    package mutating func get(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.get, pattern, handler) }
    package mutating func post(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.post, pattern, handler) }
    package mutating func put(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.put, pattern, handler) }
    package mutating func delete(_ pattern: String, _ handler: @escaping HTTPHandler) { add(.delete, pattern, handler) }

    /// The router as a handler, to give to `HTTPServer`.
    package var handler: HTTPHandler {
        let router = self
        return { request in await router.route(request) }
    }

    /// The answers routes can give on the socket thread; nil when no route has one.
    package var loopResponder: HTTPLoopResponder? {
        guard routes.contains(where: { $0.onLoop != nil }) else { return nil }
        let router = self
        return { request in
            guard request.method == .get || request.method == .head,
                  case .route(let route, let routed) = router.resolve(request), let onLoop = route.onLoop else { return nil }
            return onLoop(routed)
        }
    }

    package func route(_ request: HTTPRequest) async -> HTTPResponse {
        switch resolve(request) {
        case .route(let route, let routed): return await route.handler(routed)
        case .answer(let response): return response
        }
    }

    private func resolve(_ request: HTTPRequest) -> Resolution {
        let pathSegments = HTTPRoutePattern.segments(ofPath: request.path)
        var allowed: [HTTPMethod] = []
        var headFallback: (Route, [String: String])?
        for route in routes {
            switch route.pattern.match(pathSegments) {
            case .noMatch:
                continue
            case .undecodable:
                return .answer(.error(.badRequest, code: "bad_request",
                              message: "path '\(request.path)' has malformed percent-escapes"))
            case .matched(let parameters):
                if route.method == request.method {
                    var routed = request
                    routed.pathParameters = parameters
                    return .route(route, routed)
                }
                if request.method == .head && route.method == .get && headFallback == nil {
                    headFallback = (route, parameters)
                }
                allowed.append(route.method)
            }
        }
        if let (route, parameters) = headFallback {
            var routed = request
            routed.pathParameters = parameters
            return .route(route, routed)
        }
        if allowed.isEmpty {
            return .answer(.error(.notFound, code: "not_found", message: "no endpoint at '\(request.path)'"))
        }
        if allowed.contains(.get) && !allowed.contains(.head) { allowed.append(.head) }
        let allow = Array(Set(allowed.map(\.rawValue))).sorted().joined(separator: ", ")
        var response = HTTPResponse.error(
            .methodNotAllowed, code: "method_not_allowed",
            message: "\(request.method) is not allowed on '\(request.path)'; allowed: \(allow)")
        response.headers["Allow"] = allow
        return .answer(response)
    }
}
