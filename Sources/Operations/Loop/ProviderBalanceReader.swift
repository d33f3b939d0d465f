import Foundation
import ImagegenJSON
import Synchronization
import ImagegenCore
import Pipeline
import PluginHost

/// Reads providers' prepaid balances through the plugins' `imagegen.balance/1` extension (Stability
/// AI offers it: its credits), for the quota alert.
///
/// Only the providers with a configured balance threshold are asked (a balance is an HTTP call to
/// the provider), and each answer is kept for `maxAge` so a 30-second alert loop does not poll the
/// provider's account API twice a minute. A plugin that does not offer the extension, or fails to
/// answer, is left out (and logged once per failure), never reported as a zero balance.
package final class ProviderBalanceReader: Sendable {
    private let plugins: PluginSet
    private let providers: [String]
    private let maxAge: TimeInterval
    private let log: Log
    private let cache = Mutex<[String: (at: Date, balance: ProviderBalance?)]>([:])

    package init(plugins: PluginSet, providers: [String], maxAge: TimeInterval = 300, log: Log) {
        self.plugins = plugins
        self.providers = providers.sorted()
        self.maxAge = maxAge
        self.log = log
    }

    /// The balances known now (cached answers younger than `maxAge`, fresh ones otherwise).
    package func balances(now: Date) async -> [ProviderBalance] {
        var out: [ProviderBalance] = []
        for provider in providers {
            if let cached = cache.withLock({ $0[provider] }), now.timeIntervalSince(cached.at) < maxAge, now >= cached.at {
                if let b = cached.balance { out.append(b) }
                continue
            }
            let balance = await read(provider)
            cache.withLock { $0[provider] = (now, balance) }
            if let balance { out.append(balance) }
        }
        return out
    }

    private func read(_ provider: String) async -> ProviderBalance? {
        do throws(PluginCallError) {
            let instance = try plugins.instance(forPlugin: provider)
            guard let answer = try await PluginThreads.run({ () throws(PluginCallError) in try instance.balance() }) else {
                return nil
            }
            return Self.parse(answer, provider: provider)
        } catch {
            log.warning("balance of provider \(provider) could not be read (\(error)); the quota alert skips it until the next try")
            return nil
        }
    }

    /// `{ "schema": 1, "credits": 12.5, "unit": "credits" | "usd" }` (the ABI header's contract).
    static func parse(_ answer: JSONValue, provider: String) -> ProviderBalance? {
        guard let credits = answer["credits"]?.number, credits.isFinite else { return nil }
        return ProviderBalance(provider: provider, remaining: credits, unit: answer["unit"]?.string ?? "credits")
    }
}
