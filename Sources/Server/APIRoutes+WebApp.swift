import HTTPServer
import WebApp

/// The studio web app beside the API: `/` and `/app/{file}` from the binary, and the reads its
/// pages need that the API had no endpoint for (`WebAppEndpoints`). Counted in the metrics under
/// their patterns like every route.
extension ServerAPI {
    func addWebApp(to router: inout HTTPRouter) {
        var routes: [(HTTPMethod, String, HTTPHandler)] = WebAssets.routes.map { (.get, $0.pattern, $0.handler) }
        routes += webAppEndpoints
        for (method, pattern, handler) in routes {
            router.add(method, pattern) { request in
                MatchedRoute.slot?.set(pattern)
                return await handler(request)
            }
        }
    }
}
