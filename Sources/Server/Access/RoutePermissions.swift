import Catalog
import HTTPServer

/// The least role each route needs. Reading is for every signed-in person (viewer); review
/// actions for reviewers; generating, spending, cancelling, post-processing and reloading plugins
/// for operators; people for admins. Routes named `public` need no one (health, login).
enum RoutePermissions {
    enum Need: Equatable { case publicRoute, role(UserRole) }

    static func need(_ method: HTTPMethod, _ pattern: String) -> Need {
        switch (method, pattern) {
        case (.get, "/healthz"), (.post, "/v1/session"), (.get, "/v1/session"), (.delete, "/v1/session"):
            return .publicRoute
        case (.post, "/v1/images/{id}/rating"), (.post, "/v1/images/{id}/reservation"), (.delete, "/v1/images/{id}/reservation"),
             (.post, "/v1/images/{id}/approve"), (.post, "/v1/images/{id}/reject"), (.post, "/v1/images/review"),
             (.post, "/v1/images/{id}/tags"), (.post, "/v1/images/{id}/release"):
            return .role(.reviewer)
        case (.post, "/v1/generations"), (.delete, "/v1/jobs/{id}"), (.post, "/v1/plugins/reload"), (.post, "/v1/images/{id}/process"):
            return .role(.operator)
        case (_, "/v1/takedowns"):
            // A takedown deletes images for good and its requests carry legal reasons: admins only.
            return .role(.admin)
        case (_, let p) where p.hasPrefix("/v1/users") || p == "/v1/erasures":
            return .role(.admin)
        case (.get, _), (.head, _):
            return .role(.viewer)
        default:
            // A state-changing route nobody listed: operators, never less.
            return .role(.operator)
        }
    }
}
