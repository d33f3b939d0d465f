import Foundation
import Catalog
import HTTPServer
import ImagegenCore
import Pipeline
import Templates

/// `GET /v1/images`, `GET /v1/images/{id}`, `GET /v1/images/{id}/file`, `POST /v1/images/{id}/process`.
extension ServerAPI {
    struct ImagesBody: Encodable { var images: [ImageRecord] }

    static let imageFilters = ["category", "tag", "model", "since", "status", "job", "limit", "available"]

    /// Filters: category, tag, model, since (ISO 8601 or Unix seconds), status, job, limit;
    /// `available=true`: stored originals with no active reservation (with category, tag, limit).
    func listImages(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            for item in request.queryItems where !ServerAPI.imageFilters.contains(item.name) {
                throw APIError.invalidRequest("unknown filter \"\(item.name)\". Known: \(ServerAPI.imageFilters.joined(separator: ", "))")
            }
            switch request.filter("available") {
            case nil, "false": break
            case "true":
                let others = ["model", "since", "status", "job"].filter { request.filter($0) != nil }
                guard others.isEmpty else {
                    throw APIError.invalidRequest("available=true combines with category, tag and limit only, not \(others.joined(separator: ", "))")
                }
                return APIEncoding.json(ImagesBody(images: try catalog.availableImages(
                    category: request.filter("category"), tag: AutoTagger.filterTag(request.filter("tag")), limit: try ServerAPI.limit(request))))
            case let other?:
                throw APIError.invalidRequest("available must be true or false, got \"\(other)\"")
            }
            var since: Date?
            if let text = request.filter("since") {
                guard let d = APIEncoding.parseTime(text) else {
                    throw APIError.invalidRequest("since must be an ISO 8601 time (2025-05-01T00:00:00Z) or Unix seconds, \(TimeBounds.description)")
                }
                since = d
            }
            let filter = ImageFilter(category: request.filter("category"), model: request.filter("model"), tag: AutoTagger.filterTag(request.filter("tag")),
                                     since: since, status: request.filter("status"), jobID: request.filter("job"),
                                     limit: try ServerAPI.limit(request))
            return APIEncoding.json(ImagesBody(images: try catalog.images(filter)))
        }
    }

    func image(_ request: HTTPRequest) throws -> ImageRecord {
        let id = request.pathParameter("id") ?? ""
        guard let record = try catalog.image(id) else {
            throw APIError.notFound("no image \(id); list them with GET /v1/images")
        }
        return record
    }

    func showImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer { APIEncoding.json(try ImageDetails(record: try image(request), catalog: catalog)) }
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
            guard let data = FileManager.default.contents(atPath: service.content.absolute(relative)) else {
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
