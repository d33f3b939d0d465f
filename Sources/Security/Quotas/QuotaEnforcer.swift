import Foundation
import Synchronization
import Catalog
import ImagegenCore

/// Enforces per-provider and per-API-token quotas on requests per minute (sliding 60-second
/// window) and images per day (calendar day, reset at midnight in `timeZone`), in memory, with
/// an injected clock.
///
/// `admit` checks every applicable limit and counts the request only if all pass, atomically,
/// so concurrent requests cannot overshoot a limit. Images are counted when admitted (like a
/// budget reservation) and corrected by `settle` once the provider has answered.
public final class QuotaEnforcer: Sendable {
    public static let window: TimeInterval = 60

    private let configuration: QuotaConfiguration
    private let calendar: Calendar
    private let store: (any QuotaUsageStore)?
    private let now: @Sendable () -> Date
    private let log: Log?
    private let state = Mutex(State())

    private struct State {
        var day = ""
        /// The stored counts of `day` could not be read: `imagesToday` holds only what this
        /// process counted, and the read is retried at the next check.
        var storedCountsUnread = false
        var imagesToday: [QuotaScope: Int] = [:]
        /// Admission times within the last window, oldest first, per scope.
        var recentRequests: [QuotaScope: [Date]] = [:]
    }

    public init(configuration: QuotaConfiguration, timeZone: TimeZone = .utc,
                store: (any QuotaUsageStore)? = nil, log: Log? = nil,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        self.store = store
        self.log = log
        self.now = now
    }

    /// Counts one request and `images` images against the provider's and the token's limits, or
    /// throws the limit that refuses it. When several limits refuse, the one that resets last
    /// is reported, since retrying any earlier would be refused again.
    public func admit(provider: String, apiToken: String? = nil, images: Int) throws(QuotaExceeded) -> QuotaGrant {
        try admit(scopes: [QuotaScope.provider(provider)] + (apiToken.map { [QuotaScope.apiToken($0)] } ?? []), images: images)
    }

    /// `admit` for any set of scopes: the host admits an API token's request when it is queued
    /// and the provider's when the job is sent (only then is the provider known).
    public func admit(scopes: [QuotaScope], images: Int) throws(QuotaExceeded) -> QuotaGrant {
        let time = now()
        let result: Result<QuotaGrant, QuotaExceeded> = state.withLock { state in
            rollDay(&state, at: time)
            var refusals: [QuotaExceeded] = []
            for scope in scopes {
                for limit in configuration.limits(for: scope) {
                    if let refusal = check(limit, images: images, at: time, state: &state) { refusals.append(refusal) }
                }
            }
            if let worst = refusals.max(by: { $0.resetsAt < $1.resetsAt }) { return .failure(worst) }
            for scope in scopes {
                if configuration.limits(for: scope).contains(where: { $0.kind == .requestsPerMinute }) {
                    state.recentRequests[scope, default: []].append(time)
                }
                addImages(images, scope: scope, state: &state)
            }
            return .success(QuotaGrant(scopes: scopes, images: images, day: state.day))
        }
        return try result.get()
    }

    /// The refusal `admit` would give now, without counting anything (a request is checked
    /// against its providers' quotas when it is queued, and admitted when it is sent).
    public func refusal(scopes: [QuotaScope], images: Int) -> QuotaExceeded? {
        let time = now()
        return state.withLock { state in
            rollDay(&state, at: time)
            var refusals: [QuotaExceeded] = []
            for scope in scopes {
                for limit in configuration.limits(for: scope) {
                    if let refusal = check(limit, images: images, at: time, state: &state) { refusals.append(refusal) }
                }
            }
            return refusals.max(by: { $0.resetsAt < $1.resetsAt })
        }
    }

    /// Whether any limit applies to the scope (nothing to check or record otherwise).
    public func isLimited(_ scope: QuotaScope) -> Bool { !configuration.limits(for: scope).isEmpty }

    /// Replaces the images counted at admission by the number actually delivered.
    public func settle(_ grant: QuotaGrant, deliveredImages: Int) {
        let time = now()
        state.withLock { state in
            rollDay(&state, at: time)
            guard state.day == grant.day, deliveredImages != grant.images else { return }
            for scope in grant.scopes {
                addImages(deliveredImages - grant.images, scope: scope, state: &state)
            }
        }
    }

    /// Images counted today and requests in the current window, for `imagegen quota` and metrics.
    public func usage(of scope: QuotaScope) -> (imagesToday: Int, requestsLastMinute: Int) {
        let time = now()
        return state.withLock { state in
            rollDay(&state, at: time)
            let recent = state.recentRequests[scope, default: []].filter { $0 > time.addingTimeInterval(-Self.window) }
            return (state.imagesToday[scope, default: 0], recent.count)
        }
    }

    // MARK: - Internals (lock held)

    private func check(_ limit: QuotaLimit, images: Int, at time: Date, state: inout State) -> QuotaExceeded? {
        switch limit.kind {
        case .requestsPerMinute:
            var times = state.recentRequests[limit.scope, default: []]
            let cutoff = time.addingTimeInterval(-Self.window)
            if let firstRecent = times.firstIndex(where: { $0 > cutoff }) {
                times.removeFirst(firstRecent)
            } else {
                times.removeAll()
            }
            state.recentRequests[limit.scope] = times
            guard times.count >= limit.value else { return nil }
            // The slot frees up when the request `value` places back leaves the window.
            let freeing = limit.value > 0 ? times[times.count - limit.value] : time
            return QuotaExceeded(limit: limit, used: times.count, requested: 1,
                                 resetsAt: freeing.addingTimeInterval(Self.window), refusedAt: time)
        case .imagesPerDay:
            let used = state.imagesToday[limit.scope, default: 0]
            guard used + images > limit.value else { return nil }
            return QuotaExceeded(limit: limit, used: used, requested: images,
                                 resetsAt: startOfNextDay(after: time), refusedAt: time)
        }
    }

    private func addImages(_ delta: Int, scope: QuotaScope, state: inout State) {
        guard delta != 0 else { return }
        let total = max(0, state.imagesToday[scope, default: 0] + delta)
        state.imagesToday[scope] = total
        guard let store else { return }
        do {
            try store.saveDailyImageCount(total, scope: scope, day: state.day)
        } catch {
            // The count in memory stays right and the next change of this scope saves the full
            // total again; only a restart before then would forget these images.
            log?.error("quota: could not save \(total) images for \(scope) on \(state.day): \(error); "
                       + "a restart before the next save would undercount today", source: "quota")
        }
    }

    private func rollDay(_ state: inout State, at time: Date) {
        let day = dayKey(time)
        if day != state.day {
            state.day = day
            state.imagesToday = [:]
            state.storedCountsUnread = store != nil
        }
        guard state.storedCountsUnread, let store else { return }
        do {
            // Images counted here while the store could not be read are kept when they exceed
            // the stored total (saves meanwhile may already have written them).
            let stored = try store.dailyImageCounts(day: day)
            state.imagesToday.merge(stored) { max($0, $1) }
            state.storedCountsUnread = false
        } catch {
            log?.error("quota: could not read the daily image counts of \(day): \(error); counting only this "
                       + "process's images until a read succeeds (retried at the next check)", source: "quota")
        }
    }

    func dayKey(_ time: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: time)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    private func startOfNextDay(after time: Date) -> Date {
        calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: time))!
    }
}
