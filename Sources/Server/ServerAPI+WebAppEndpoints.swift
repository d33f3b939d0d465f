import Foundation
import Catalog
import DurableFiles
import HTTPServer
import ImagegenCore
import Pipeline
import Operations
import Templates

/// Reads (and the two operator actions) the web app's pages need that the API had no endpoint
/// for: an image's thumbnail and version chain, the templates, experiments, the plan, alerts and
/// the upload queue. Kept apart from the older endpoints so the web app's additions stay in one
/// place; every one is also plain JSON for scripts.
/// The parts of the running host the web app's pages read that `ServerAPI` is not built with.
struct WebAppLinks: Sendable {
    let operations: OperationsLoop
    let uploadsConfigured: Bool
}

extension ServerAPI {
    var webAppEndpoints: [(HTTPMethod, String, HTTPHandler)] {
        [
            (.get, "/v1/images/{id}/thumbnail", { [self] in await thumbnail($0) }),
            (.get, "/v1/images/{id}/versions", { [self] in await versions($0) }),
            (.post, "/v1/images/{id}/tags", { [self] in await setTags($0) }),
            (.get, "/v1/templates", { [self] in await listTemplates($0) }),
            (.get, "/v1/experiments", { [self] in await listExperiments($0) }),
            (.post, "/v1/experiments/{template}/promote", { [self] in await promoteArm($0) }),
            (.get, "/v1/plan", { [self] in await showPlan($0) }),
            (.post, "/v1/plan/slots/{slot}/run", { [self] in await runSlotNow($0) }),
            (.get, "/v1/alerts", { [self] in await listAlerts($0) }),
            (.get, "/v1/uploads", { [self] in await uploadStatus($0) }),
        ]
    }

    /// The newest 256 px thumbnail derivative's bytes (ETag and Cache-Control as `/file`); the
    /// original's while none has been rendered yet, so a fresh image still shows.
    func thumbnail(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let original = try image(request)
            let thumbnails = try catalog.derivatives(of: original.imageID).filter { $0.variant == "thumbnail" }
            var routed = request
            // Every enabled format is rendered per size: the newest version, in a format every
            // browser shows (WebP, then JPEG, then PNG, then whatever else there is).
            let preference = ["image/webp", "image/jpeg", "image/png"]
            func rank(_ r: ImageRecord) -> Int { preference.firstIndex(of: r.mime) ?? preference.count }
            if let newest = thumbnails.max(by: { $0.version != $1.version ? $0.version < $1.version : rank($0) > rank($1) }) {
                routed.pathParameters["id"] = newest.imageID
            }
            // This address answers the original until the thumbnail is rendered, then the newest
            // thumbnail: unlike `/file`, its bytes change, so browsers revalidate (a cheap 304 by ETag).
            var response = await imageFile(routed)
            if response.status == .ok || response.status == .notModified { response.headers["Cache-Control"] = "private, no-cache" }
            return response
        }
    }

    struct VersionsBody: Encodable { var versions: [ImageRecord] }

    /// Every version of the image's chain, first to latest (parents and children).
    func versions(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let record = try image(request)
            guard let browsing = catalog as? any ImageBrowsingStore else { return APIEncoding.json(VersionsBody(versions: [record])) }
            return APIEncoding.json(VersionsBody(versions: try browsing.versionChain(imageID: record.imageID).map(forCaller)))
        }
    }

    struct TagsRequest: Decodable { var tags: [String] }
    struct TagsAnswer: Encodable {
        var imageID: String
        var tags: [String]
        enum CodingKeys: String, CodingKey { case tags, imageID = "image_id" }
    }

    /// Replaces an original's tags (`{"tags": [...]}`): trimmed, duplicates dropped, each 1…64
    /// visible characters, at most 50. The catalog row first (listings filter on it), then the sidecar.
    func setTags(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            var tags: [String] = []
            for raw in try request.decodeJSON(TagsRequest.self).tags {
                let tag = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                guard (1...64).contains(tag.count), !tag.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw APIError.invalidRequest("each tag must be 1…64 characters without control characters, got \"\(raw.prefix(80))\"")
                }
                if !tags.contains(tag) { tags.append(tag) }
            }
            guard tags.count <= 50 else { throw APIError.invalidRequest("an image holds at most 50 tags, got \(tags.count)") }
            let record = try image(request)
            guard record.variant == "original" else {
                throw APIError(.badRequest, "not_an_original", "tags belong to the original \(record.parentID ?? "image"); edit them there")
            }
            guard let store = catalog as? any ImageTagStore, let updated = try store.setTags(imageID: record.imageID, tags: tags) else {
                throw APIError.notFound("no image \(record.imageID)")
            }
            _ = try service.content.rewriteSidecarTags(of: updated, tags: tags)
            return APIEncoding.json(TagsAnswer(imageID: updated.imageID, tags: updated.tags))
        }
    }

    struct TemplateSummary: Encodable {
        var name: String
        var category: String
        var adult: Bool
        var model: String?
        var tags: [String]
        var arms: [String]
        enum CodingKeys: String, CodingKey { case name, category, adult, model, tags, arms }
    }

    /// The templates by name and category (never their prompts: reading prompts is a role).
    func listTemplates(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let library = try templates.library()
            // A person not marked as an adult sees no adult template, as no adult image.
            let list = library.templates.filter { maySeeCategory($0.category) }.map {
                TemplateSummary(name: $0.name, category: $0.category, adult: $0.adult, model: $0.model, tags: $0.tags,
                                arms: $0.experiment?.arms.map(\.name) ?? [])
            }
            return APIEncoding.json(["templates": list])
        }
    }

    func experimentReports() throws -> [ExperimentReport] {
        guard let store = catalog as? any ExperimentStore else { return [] }
        return try templates.library().templates.filter { $0.experiment != nil }.map { t in
            let data = try store.experimentData(template: t.name)
            let state = try ExperimentState(template: t, assignments: data.assignments, outcomes: data.outcomes)
            // A fixed seed: the same data shows the same probabilities on every reload.
            var random = SplitMix64(seed: 0x1D3A)
            return try ExperimentReport(state: state, draws: ExperimentReport.defaultDraws, using: &random)
        }
    }

    /// Every template's experiment: per arm count, mean, 95% interval, P(best).
    func listExperiments(_ request: HTTPRequest) async -> HTTPResponse {
        await answer { APIEncoding.json(["experiments": try experimentReports()]) }
    }

    struct PromoteRequest: Decodable { var arm: String }

    /// Makes an arm the template's prompt (the file is rewritten atomically, the new version recorded).
    func promoteArm(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let arm = try request.decodeJSON(PromoteRequest.self).arm
            let name = request.pathParameter("template") ?? ""
            let library = try templates.library()
            guard let t = library.templates.first(where: { $0.name == name && $0.experiment != nil }),
                  let source = library.source(of: name) else {
                throw APIError.notFound("no experiment on template \(name); list them with GET /v1/experiments")
            }
            let text = try String(contentsOfFile: source.file, encoding: .utf8)
            let promotion: Promotion
            do { promotion = try ExperimentPromoter().promote(t, arm: arm, fileText: text, file: source.file) } catch {
                throw APIError.invalidRequest("\(error)")
            }
            guard let newText = promotion.fileText else {
                throw APIError(.internalServerError, "internal", "the template file \(source.file) could not be edited")
            }
            try AtomicFile.write(Array(newText.utf8), to: source.file)
            if let history = catalog as? any TemplateHistoryStore {
                try history.recordTemplateVersions([promotion.template], reason: "promoted arm \(arm)", now: service.clock())
            }
            return APIEncoding.json(["template": name, "arm": arm, "version": "\(promotion.newVersion)"])
        }
    }

    struct PlanBody: Encodable {
        var enabled: Bool
        var upcoming: [SlotOccurrence]
        var history: [SlotRun]
    }

    /// The next days' slot occurrences (`days`, 1…31, default 7) and the history with each run's state.
    func showPlan(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let days = Int(request.filter("days") ?? "7") ?? -1
            guard (1...31).contains(days) else { throw APIError.invalidRequest("days must be 1…31") }
            guard let loop = webAppLinks.withLock({ $0 })?.operations else {
                throw APIError(.serviceUnavailable, "starting", "the plan is not loaded yet; retry in a moment")
            }
            let upcoming = loop.plan.schedule.upcoming(from: service.clock(), days: days)
            let history = try loop.plan.store.history(since: nil, limit: 200)
            return APIEncoding.json(PlanBody(enabled: loop.scheduler != nil, upcoming: upcoming, history: history))
        }
    }

    /// Runs a slot now (once per request; the scheduler's usual bookkeeping).
    func runSlotNow(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            guard let scheduler = webAppLinks.withLock({ $0 })?.operations.scheduler else {
                throw APIError(.conflict, "plan_disabled", "the plan is disabled in the config (plan.enabled); enable it to run slots")
            }
            do {
                return APIEncoding.json(try await scheduler.runNow(slotID: request.pathParameter("slot") ?? ""))
            } catch {
                throw APIError.invalidRequest("\(error)")
            }
        }
    }

    /// Alerts, active first then the recent history (`active=true` for only the active ones).
    func listAlerts(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            guard let loop = webAppLinks.withLock({ $0 })?.operations else { return APIEncoding.json(["alerts": [Alert]()]) }
            let activeOnly = request.filter("active") == "true"
            return APIEncoding.json(["alerts": try loop.alertStore.alerts(since: nil, activeOnly: activeOnly, limit: 200)])
        }
    }

    struct UploadsBody: Encodable { var configured: Bool; var summary: UploadQueueSummary? }

    /// The upload queue's counts and last error (`configured` false without cloud storage).
    func uploadStatus(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            guard webAppLinks.withLock({ $0 })?.uploadsConfigured == true, let store = catalog as? any UploadQueueStore else {
                return APIEncoding.json(UploadsBody(configured: false))
            }
            return APIEncoding.json(UploadsBody(configured: true, summary: try store.uploadSummary(now: service.clock())))
        }
    }
}
