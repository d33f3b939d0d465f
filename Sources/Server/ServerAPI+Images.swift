import Foundation
import Catalog
import HTTPServer
import ImagegenCore
import Operations
import Pipeline
import Templates

/// `GET /v1/images`, `GET /v1/images/{id}`, `GET /v1/images/{id}/file`, `POST /v1/images/{id}/process`.
extension ServerAPI {
    struct ImagesBody: Encodable {
        var images: [ListedImage]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey { case images, nextCursor = "next_cursor" }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(images, forKey: .images)
            try c.encode(nextCursor, forKey: .nextCursor)
        }
    }

    static let imageFilters = ["category", "tag", "model", "since", "status", "job", "limit", "available",
                               "review", "min_rating", "rated", "reserved", "cursor"]

    /// Filters: category, tag, model, since (ISO 8601 or Unix seconds), status, job, limit,
    /// review (pending, approved, rejected, quarantined), min_rating (1…5), rated, reserved, available
    /// (stored originals nobody holds and not rejected), cursor (from `next_cursor`).
    func listImages(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let filter = try imageFilter(request)
            let page = try catalog.imagePage(filter)
            return APIEncoding.json(ImagesBody(images: page.images.map(forCaller), nextCursor: page.next?.token))
        }
    }

    func imageFilter(_ request: HTTPRequest) throws -> ImageFilter {
        for item in request.queryItems where !ServerAPI.imageFilters.contains(item.name) {
            throw APIError.invalidRequest("unknown filter \"\(item.name)\". Known: \(ServerAPI.imageFilters.joined(separator: ", "))")
        }
        var since: Date?
        if let text = request.filter("since") {
            guard let d = APIEncoding.parseTime(text) else {
                throw APIError.invalidRequest("since must be an ISO 8601 time (2025-05-01T00:00:00Z) or Unix seconds, \(TimeBounds.description)")
            }
            since = d
        }
        var filter = ImageFilter(category: request.filter("category"), model: request.filter("model"), tag: AutoTagger.filterTag(request.filter("tag")),
                                 since: since, status: request.filter("status"), jobID: request.filter("job"),
                                 limit: try ServerAPI.limit(request))
        filter.availableOnly = try ServerAPI.flag(request, "available") ?? false
        filter.rated = try ServerAPI.flag(request, "rated")
        filter.reserved = try ServerAPI.flag(request, "reserved")
        // `review=quarantined`: what the output check held back (a status, listed for reviewers).
        if request.filter("review") == ImageRecord.quarantined {
            filter.status = ImageRecord.quarantined
        } else if let text = request.filter("review") {
            guard let state = ReviewState(rawValue: text) else {
                throw APIError.invalidRequest("review must be one of \(ReviewState.allCases.map(\.rawValue).joined(separator: ", ")), quarantined, got \"\(text.prefix(40))\"")
            }
            filter.review = state
        }
        if let text = request.filter("min_rating") {
            guard let n = Int(text), (1...5).contains(n) else {
                throw APIError.invalidRequest("min_rating must be a whole number 1…5, got \"\(text.prefix(40))\"")
            }
            filter.minRating = n
        }
        if let text = request.filter("cursor") {
            guard let cursor = ImageCursor(token: text) else {
                throw APIError.invalidRequest("cursor is not one this server gave out; pass next_cursor from the previous page unchanged")
            }
            filter.after = cursor
        }
        filter.excludedCategories = hiddenCategories()
        return filter
    }

    /// A true/false query flag; nil when absent.
    static func flag(_ request: HTTPRequest, _ name: String) throws -> Bool? {
        switch request.filter(name) {
        case nil: return nil
        case "true": return true
        case "false": return false
        case let other?: throw APIError.invalidRequest("\(name) must be true or false, got \"\(other.prefix(40))\"")
        }
    }

    /// Categories the caller may not see: the adult ones, for a person no admin has marked as an adult.
    func hiddenCategories() -> [String] {
        guard let identity = RequestIdentity.current, !identity.adultVerified else { return [] }
        return runtime.configuration.categories.filter { $0.value.adult }.map(\.key).sorted()
    }

    /// The image as the caller may see it: without its prompts for a role that may not read them.
    func forCaller(_ image: ListedImage) -> ListedImage {
        var image = image
        image.record = forCaller(image.record)
        return image
    }

    func forCaller(_ record: ImageRecord) -> ImageRecord {
        guard let identity = RequestIdentity.current, !identity.readsPrompts else { return record }
        var record = record
        record.prompt = ""
        record.negativePrompt = nil
        return record
    }

    /// Whether the caller may see images of `category` (an unseen image is answered as unknown).
    func maySeeCategory(_ category: String) -> Bool { !hiddenCategories().contains(category) }

    func image(_ request: HTTPRequest) throws -> ImageRecord {
        let id = request.pathParameter("id") ?? ""
        guard let record = try catalog.image(id), maySeeCategory(record.category) else {
            throw APIError.notFound("no image \(id); list them with GET /v1/images")
        }
        // A takedown removed it for good: say so rather than "missing file" or a plain 404.
        guard record.status != ImageRecord.takenDown else {
            throw APIError(.gone, "taken_down", "image \(id) was taken down on request and is no longer served; "
                           + "see GET /v1/takedowns for the request")
        }
        return forCaller(record)
    }

    /// The record with its derivatives and runs, plus `rating`, `review` and `reservation`.
    struct ImageDetailsBody: Encodable {
        var details: ImageDetails
        var listed: ListedImage?
        enum CodingKeys: String, CodingKey { case rating, review, reservation }
        func encode(to encoder: any Encoder) throws {
            try details.encode(to: encoder)
            guard let listed else { return }
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(listed.rating, forKey: .rating)
            try c.encode(listed.review, forKey: .review)
            try c.encode(listed.reservation, forKey: .reservation)
        }
    }

    func showImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let record = try image(request)
            let listed = record.variant == "original" ? try catalog.listedImage(record.imageID).map(forCaller) : nil
            var details = try ImageDetails(record: record, catalog: catalog)
            if let listed { details.record = listed.record }
            return APIEncoding.json(ImageDetailsBody(details: details, listed: listed))
        }
    }

    /// The image bytes with their content type; the content hash is the ETag.
    func imageFile(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let record = try image(request)
            let etag = "\"\(record.contentSHA256)\""
            if !record.contentSHA256.isEmpty, request.headers["If-None-Match"] == etag {
                return HTTPResponse(status: .notModified, headers: ["ETag": etag])
            }
            // Paths come from the catalog, relative to the data folder; never follow one out of it.
            let relative = record.filePath
            guard !relative.hasPrefix("/"), !relative.split(separator: "/").contains("..") else {
                throw APIError(.internalServerError, "bad_path", "image \(record.imageID) has an unsafe file path in the catalog")
            }
            let data: Data
            if let local = FileManager.default.contents(atPath: service.content.absolute(relative)) {
                data = local
            } else if let objectImages {
                // Another host stored it (several hosts on one catalog): the bucket has it once uploaded.
                data = try await objectImages.fetch(record)
            } else {
                throw APIError(.gone, "file_missing",
                               "image \(record.imageID) is in the catalog but its file \(relative) is missing from the data folder")
            }
            var headers: HTTPHeaders = ["Content-Type": record.mime.isEmpty ? "application/octet-stream" : record.mime]
            if !record.contentSHA256.isEmpty { headers["ETag"] = etag }
            headers["Cache-Control"] = "private, max-age=31536000, immutable"
            return HTTPResponse(status: .ok, headers: headers, body: [UInt8](data))
        }
    }

    struct ProcessRequest: Decodable { var profile: String? }

    struct ProcessAnswer: Encodable {
        var imageID: String
        var run: PostProcessingRun
        var derivatives: [DerivativeSummary]
        enum CodingKeys: String, CodingKey { case run, derivatives, imageID = "image_id" }
    }

    /// Re-runs post-processing of an original (body `{"profile": "NAME"}`, optional): a new run
    /// whose derivatives are new versions; nothing is overwritten.
    func processImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            guard let processor = postProcessor else {
                throw APIError(.serviceUnavailable, "imaging_unavailable", "post-processing is unavailable: libvips could not start on this host")
            }
            let id = request.pathParameter("id") ?? ""
            let profile = request.body.isEmpty ? nil : try request.decodeJSON(ProcessRequest.self).profile
            let done = try await BlockingWork.run { () throws -> ProcessedImage? in
                try processor.process(imageID: id, profile: profile, trigger: .manual)
            }
            guard let done else { throw APIError(.internalServerError, "internal", "a manual run of \(id) was skipped") }
            return APIEncoding.json(ProcessAnswer(imageID: id, run: done.run, derivatives: done.derivatives.map(DerivativeSummary.init)))
        }
    }
}
