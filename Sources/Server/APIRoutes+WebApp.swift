import HTTPServer
import WebApp

/// The studio web app beside the API: `/` and `/app/{file}` from the binary (public: the login
/// page is one of them), and the endpoints its pages need that the API had no route for, each
/// behind the same identity, role and CSRF checks as every `/v1/` route. Counted in the metrics
/// under their patterns like every route.
extension ServerAPI {
    func addWebApp(to router: inout HTTPRouter) {
        for (pattern, handler) in WebAssets.routes {
            router.add(.get, pattern) { request in
                MatchedRoute.slot?.set(pattern)
                return await handler(request)
            }
        }
        for (method, pattern, handler) in webAppEndpoints {
            router.add(method, pattern) { [self] request in
                MatchedRoute.slot?.set(pattern)
                let identity = RequestIdentity.current ?? identify(request)
                if let refusal = refusal(request, pattern: pattern, identity: identity) { return refusal }
                return await handler(request)
            }
        }
    }
}
