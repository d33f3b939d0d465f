/// Dispatches requests by method and path pattern.
///
/// Unknown paths get 404, a known path with another method gets 405 with an `Allow` header, both
/// in the API's error shape. `HEAD` falls back to the `GET` route of the same path (the server
/// drops the body). Routes are matched in the order added.
package struct HTTPRouter: Sendable {
    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: HTTPRoutePattern
        let handler: HTTPHandler
    }

    private var routes: [Route] = []

    package init() {}

    package mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPHandler) {
        routes.append(Route(method: method, pattern: HTTPRoutePattern(pattern), handler: handler))
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

    package func route(_ request: HTTPRequest) async -> HTTPResponse {
        let pathSegments = HTTPRoutePattern.segments(ofPath: request.path)
        var allowed: [HTTPMethod] = []
        var headFallback: (Route, [String: String])?
        for route in routes {
            switch route.pattern.match(pathSegments) {
            case .noMatch:
                continue
            case .undecodable:
                return .error(.badRequest, code: "bad_request",
                              message: "path '\(request.path)' has malformed percent-escapes")
            case .matched(let parameters):
                if route.method == request.method {
                    var routed = request
                    routed.pathParameters = parameters
                    return await route.handler(routed)
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
            return await route.handler(routed)
        }
        if allowed.isEmpty {
            return .error(.notFound, code: "not_found", message: "no endpoint at '\(request.path)'")
        }
        if allowed.contains(.get) && !allowed.contains(.head) { allowed.append(.head) }
        let allow = Array(Set(allowed.map(\.rawValue))).sorted().joined(separator: ", ")
        var response = HTTPResponse.error(
            .methodNotAllowed, code: "method_not_allowed",
            message: "\(request.method) is not allowed on '\(request.path)'; allowed: \(allow)")
        response.headers["Allow"] = allow
        return response
    }
}
