import Foundation
import ImagegenJSON
import ImagegenCore

/// The narrow interface between the host and its catalog. SQLite implements it on one
/// machine; a PostgreSQL catalog for several hosts would be a second implementation, not a
/// rewrite. Every method is one committed transaction.
public protocol CatalogStore: Sendable {
    /// Inserts jobs as queued, reserving their expected cost against the budgets in the same
    /// transaction. Throws `BudgetRefusal`; with `allowPartial`, queues as many as fit.
    func enqueue(_ jobs: [NewJob], budgets: BudgetPolicy, now: Date, allowPartial: Bool) throws -> [Job]
    /// The next queued jobs for this host's runner, by priority then age; on a shared catalog
    /// they are claimed for this host. `models` (names and aliases this host can route; nil: any)
    /// leaves out jobs for models only other hosts' plugins serve, so a host never takes a job it
    /// would fail for want of a candidate.
    func queuedJobs(limit: Int, models: [String]?) throws -> [Job]
    /// Jobs that were sent (or being sent) to a provider and have not finished: what a
    /// restarted host resumes.
    func unfinishedJobs() throws -> [Job]
    /// In-flight jobs (submitting, submitted, running) of another host whose claim lapsed (it
    /// stopped renewing: it died), claimed for this host in the same statement so two live hosts
    /// never both take one. Empty on a catalog only one host uses.
    func takeOverLapsedJobs(models: [String]?) throws -> [Job]
    /// Renews this host's claims on jobs it is working on (between steps that renew them
    /// anyway: a long submit, poll or store must not let the claim lapse). No-op for one host.
    func renewClaims(jobIDs: [String]) throws
    /// How long a claim keeps other hosts off a job; nil when one host uses the catalog (no
    /// claims to renew, nobody to take over from).
    var claimLeaseSeconds: Double? { get }
    func markSubmitting(_ id: String, plugin: String, providerModel: String, generation: Int, tried: [String], now: Date) throws
    func recordSubmitted(_ id: String, ref: JSONValue, state: JobState, progress: Double?, now: Date) throws
    func recordProgress(_ id: String, state: JobState, progress: Double?, ref: JSONValue?, now: Date) throws
    func requeue(_ id: String, tried: [String], error: (String, String)?, now: Date) throws
    func storeImage(_ record: ImageRecord, outputIndex: Int, pluginID: String?, providerModel: String?, costSource: String) throws
    func finish(_ id: String, state: JobState, cost: Double?, costSource: String?, providerTime: Double?,
                error: (String, String)?, now: Date) throws
    func requestCancel(_ id: String, now: Date) throws -> Job?
    func job(_ id: String) throws -> Job?
    /// Whether a cancel was requested for the job (false for an unknown job): the runner asks
    /// this while a job waits or polls, so it reads one column, not the whole row.
    func cancelRequested(_ id: String) throws -> Bool
    func jobs(state: JobState?, batch: String?, limit: Int) throws -> [Job]
    func jobs(ids: [String]) throws -> [Job]
    func image(_ id: String) throws -> ImageRecord?
    func images(_ filter: ImageFilter) throws -> [ImageRecord]
    func ledger(since: Date?) throws -> [LedgerEntry]
    func budgetStatus(_ policy: BudgetPolicy, categories: [String], now: Date) throws -> [BudgetStatus]
}

extension CatalogStore {
    /// The next queued jobs for any model.
    public func queuedJobs(limit: Int) throws -> [Job] { try queuedJobs(limit: limit, models: nil) }
}

/// A job to queue, validated and priced.
public struct NewJob: Sendable {
    public var id: String
    public var batchID: String
    public var model: String
    public var category: String
    public var priority: Int
    public var prompt: String
    public var negativePrompt: String?
    public var parameters: GenerationParameters
    public var outputs: Int
    public var tags: [String]
    public var extra: [String: String]
    /// nil: unknown (nothing reserved).
    public var expectedCost: Double?
    public var deadline: Date
    /// When set, queuing the same key again returns the job already queued under it.
    public var idempotencyKey: String?
    public init(id: String, batchID: String, model: String, category: String, priority: Int, prompt: String, negativePrompt: String? = nil, parameters: GenerationParameters, outputs: Int, tags: [String], extra: [String: String], expectedCost: Double? = nil, deadline: Date, idempotencyKey: String? = nil) {
        self.id = id
        self.batchID = batchID
        self.model = model
        self.category = category
        self.priority = priority
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.parameters = parameters
        self.outputs = outputs
        self.tags = tags
        self.extra = extra
        self.expectedCost = expectedCost
        self.deadline = deadline
        self.idempotencyKey = idempotencyKey
    }
}

public struct ImageFilter: Sendable {
    public var category: String?
    public var model: String?
    public var tag: String?
    public var since: Date?
    public var status: String?
    public var jobID: String?
    public var includeDerivatives = false
    public var limit = 100
    /// Only originals in this review state (`pending` covers those nobody decided yet).
    public var review: ReviewState? = nil
    /// Only originals rated at least this (1…5); unrated ones are left out.
    public var minRating: Int? = nil
    /// true: only rated originals; false: only unrated ones.
    public var rated: Bool? = nil
    /// Only stored originals nobody holds (no active reservation) and not rejected.
    public var availableOnly = false
    /// true: only originals with an active reservation; false: only those without.
    public var reserved: Bool? = nil
    /// Leaves out these categories (adult ones for a user not verified as an adult).
    public var excludedCategories: [String] = []
    /// Continues a listing after this position (newest first).
    public var after: ImageCursor? = nil
    public init(category: String? = nil, model: String? = nil, tag: String? = nil, since: Date? = nil,
                status: String? = nil, jobID: String? = nil, limit: Int = 100) {
        self.category = category
        self.model = model
        self.tag = tag
        self.since = since
        self.status = status
        self.jobID = jobID
        self.limit = limit
    }
}

/// One priced image (or a charge without image). `costUSD` nil means unknown.
public struct LedgerEntry: Sendable, Codable, Equatable {
    public var jobID: String
    public var imageID: String?
    public var at: Date
    public var model: String
    public var plugin: String?
    public var category: String
    public var costUSD: Double?
    public var source: String
    public init(jobID: String, imageID: String? = nil, at: Date, model: String, plugin: String? = nil, category: String, costUSD: Double? = nil, source: String) {
        self.jobID = jobID
        self.imageID = imageID
        self.at = at
        self.model = model
        self.plugin = plugin
        self.category = category
        self.costUSD = costUSD
        self.source = source
    }
}

public struct BudgetStatus: Sendable, Codable, Equatable {
    public var name: String
    public var limit: Double
    public var spent: Double
    public var reserved: Double
    public var remaining: Double
    public var resetsAt: Date
    enum CodingKeys: String, CodingKey {
        case name, limit, spent, reserved, remaining
        case resetsAt = "resets_at"
    }
    public init(name: String, limit: Double, spent: Double, reserved: Double, remaining: Double, resetsAt: Date) {
        self.name = name
        self.limit = limit
        self.spent = spent
        self.reserved = reserved
        self.remaining = remaining
        self.resetsAt = resetsAt
    }
}
