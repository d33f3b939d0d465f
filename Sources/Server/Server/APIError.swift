import Foundation
import Catalog
import HTTPServer
import ImagegenCore
import Pipeline
import Security
import Templates

/// An error answer of the API: status, stable code and a sentence that says what to do. Every
/// failure a handler meets is mapped here, so the codes stay consistent across endpoints.
struct APIError: Error, Sendable {
    var status: HTTPStatus
    var code: String
    var message: String
    /// Sent as `Retry-After` (a quota refusal says when its limit resets).
    var retryAfterSeconds: Int?

    init(_ status: HTTPStatus, _ code: String, _ message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    var response: HTTPResponse {
        var response = HTTPResponse.error(status, code: code, message: message)
        if let retryAfterSeconds { response.headers["Retry-After"] = String(max(1, retryAfterSeconds)) }
        return response
    }

    static func invalidRequest(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }

    /// Maps what the generation service and the catalog throw.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as HTTPJSONBodyError:
            let r = e.response
            return APIError(r.status, r.status == .unsupportedMediaType ? "unsupported_media_type" : "invalid_json", e.description)
        case let e as ValidationError:
            switch e {
            case .unknownModel: return APIError(.badRequest, "unknown_model", e.description)
            case .unknownCategory: return APIError(.badRequest, "unknown_category", e.description)
            case .adultCategoryWithoutAttestation, .noModelAllowsAdultContent:
                return APIError(.forbidden, "content_policy", e.description)
            case .field: return .invalidRequest(e.description)
            case .policy: return APIError(HTTPStatus(code: 422), "content_policy", e.description)
            }
        case let e as PolicyRefusal:
            return APIError(HTTPStatus(code: 422), "content_policy", e.description)
        case let e as QuotaExceeded:
            return APIError(HTTPStatus(code: 429), "quota_exceeded", e.description, retryAfterSeconds: e.retryAfterSeconds)
        case let e as TemplateRequestError:
            switch e {
            case .unknownTemplate: return APIError(.badRequest, "unknown_template", e.description)
            case .emptyCategory: return APIError(.badRequest, "unknown_category", e.description)
            case .noTemplateOrCategory: return .invalidRequest(e.description)
            case .unknownProfile: return APIError(.badRequest, "unknown_profile", e.description)
            case .invalidProfile: return APIError(.internalServerError, "invalid_config", e.description)
            }
        case let e as VariationError:
            return .invalidRequest(e.description)
        case let e as TemplateLibraryError:
            return APIError(.internalServerError, "templates_unavailable", e.description)
        case let e as BudgetRefusal:
            return APIError(HTTPStatus(code: 402), "budget_exceeded", e.description)
        case let e as UnpricedModelRefusal:
            return APIError(HTTPStatus(code: 402), "unpriced_model", e.description)
        case let e as PostProcessingError:
            switch e {
            case .unknownImage: return APIError(.notFound, "not_found", e.description)
            case .notAnOriginal: return APIError(.badRequest, "not_an_original", e.description)
            case .processing(_, .unknownProfile): return APIError(.badRequest, "unknown_profile", e.description)
            case .alreadyRunning: return APIError(HTTPStatus(code: 409), "already_processing", e.description)
            case .originalMissing, .originalChanged, .unreadableOriginal:
                return APIError(HTTPStatus(code: 409), "original_unusable", e.description)
            case .locked: return APIError(.serviceUnavailable, "locked", e.description)
            case .imagingUnavailable: return APIError(.serviceUnavailable, "imaging_unavailable", e.description)
            case .processing, .storage, .catalog: return APIError(.internalServerError, "post_processing_failed", e.description)
            }
        case let e as ImageRatingError:
            switch e {
            case .unknownImage: return APIError(.notFound, "not_found", e.description)
            case .outOfRange: return .invalidRequest(e.description)
            case .derivative: return APIError(.badRequest, "not_an_original", e.description)
            }
        case let e as ReservationError:
            switch e {
            case .unknownImage, .notFound: return APIError(.notFound, "not_found", e.description)
            case .alreadyReserved: return APIError(HTTPStatus(code: 409), "already_reserved", e.description)
            case .invalidDay: return .invalidRequest(e.description)
            case .derivative: return APIError(.badRequest, "not_an_original", e.description)
            }
        case let e as any CatalogFailure where e.isBusy:
            return APIError(.serviceUnavailable, "catalog_busy", "the catalog is busy (another process holds its write lock); retry shortly")
        default:
            return APIError(.internalServerError, "internal", "the server failed: \(error)")
        }
    }
}
