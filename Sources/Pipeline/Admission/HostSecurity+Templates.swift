import Foundation
import Catalog
import Security

extension HostSecurity {
    /// The screen for the host's template store. Verdicts are remembered in the catalog per
    /// template version under a fingerprint of the policy configuration and of the program
    /// (a new imagegen build may have new compiled-in rules), and refusals are audited once per
    /// template version and rule — the audit log says when a refused template appeared, not how
    /// often it was loaded.
    ///
    /// The memory and the audit-once markers are conveniences: when the catalog cannot read or
    /// write them the screen still decides (from scratch), and the failure is logged.
    package func templateScreen(catalog: (any SecurityStateStore)?) -> TemplateScreen {
        let fingerprint = Self.policyFingerprint(settings.policy)
        let memory = catalog.map { catalog in
            TemplateScreen.Memory(
                recall: { [log] version in
                    let name = "template_screen:\(fingerprint):\(version)"
                    let value: String?
                    do {
                        value = try catalog.securityState(name)
                    } catch {
                        log.warning("cannot read the remembered screening of template version \(version): \(error); "
                                    + "screening it again", source: "policy")
                        return nil
                    }
                    guard let value else { return nil }
                    if value == "allowed" { return .allowed }
                    // try?: an unreadable remembered screening is a cache miss: the version is screened again
                    guard let stored = try? JSONDecoder().decode(StoredRefusal.self, from: Data(value.utf8)) else { return nil }
                    return .refused(PolicyRefusal(ruleID: stored.rule, ruleName: stored.name, message: stored.message,
                                                  isHardBlock: stored.hard))
                },
                remember: { [log] version, decision in
                    let value = decision.refusal.map {
                        SortedJSON.encode(StoredRefusal(rule: $0.ruleID, name: $0.ruleName, message: $0.message, hard: $0.isHardBlock))
                    } ?? "allowed"
                    do {
                        try catalog.setSecurityState("template_screen:\(fingerprint):\(version)", to: value, now: Date())
                    } catch {
                        log.warning("cannot remember the screening of template version \(version): \(error); "
                                    + "it is screened again at the next load", source: "policy")
                    }
                })
        }
        return TemplateScreen(policy: policy, memory: memory) { [self] template, refusal in
            if let catalog {
                let marker = "template_refusal:\(template.name):\(template.version):\(refusal.ruleID)"
                do {
                    guard try catalog.markAudited(marker) else { return }
                } catch {
                    log.warning("cannot check whether the refusal of template \(template.name) version \(template.version) "
                                + "(rule \(refusal.ruleID)) was audited: \(error); it is not loaded, and not audited this time",
                                source: "policy")
                    return
                }
            }
            log.warning("template \(template.name) refused by the content policy (rule \(refusal.ruleID)); it is not loaded",
                        source: "policy")
            recordPolicyRefusal(refusal, subject: "template:\(template.name)", model: template.model, category: template.category,
                                caller: Caller.system("templates"))
        }
    }

    private struct StoredRefusal: Codable {
        var rule: String
        var name: String
        var message: String
        var hard: Bool
    }

    /// Changes when the policy configuration changes or the program is rebuilt or upgraded.
    static func policyFingerprint(_ configuration: ContentPolicyConfiguration) -> String {
        var material = SortedJSON.encode(configuration) + "|" + configuration.givenNames.fingerprint
            + "|" + configuration.publicFigures.fingerprint
        // try?: a fingerprint input only; without it the fingerprint changes less often, never wrongly
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
        if let attributes = try? FileManager.default.attributesOfItem(atPath: executable) {
            material += "|\(executable)|\((attributes[.size] as? NSNumber)?.intValue ?? 0)"
                + "|\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        return String(AuditDigest.lineHash(Array(material.utf8)).prefix(16))
    }
}
