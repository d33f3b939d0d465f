import XCTest
@testable import Host
@testable import Security

final class PolicyRoutingTests: XCTestCase {
    private let attestation = AgeVerificationAttestation(attestedBy: "Jane Doe, DPO",
                                                         attestedAt: Date(timeIntervalSince1970: 1_767_225_600))
    private let now = Date(timeIntervalSince1970: 1_772_323_200)

    func testNonAdultCategoriesRouteAnywhere() {
        XCTAssertEqual(ContentPolicy.checkRouting(isAdultCategory: false, modelAllowsNSFW: false, attestation: nil, now: now), .allowed)
    }

    func testAdultCategoryNeedsAttestation() {
        let decision = ContentPolicy.checkRouting(isAdultCategory: true, modelAllowsNSFW: true, attestation: nil, now: now)
        XCTAssertEqual(decision.refusal?.ruleID, "routing.adult.attestation")
        XCTAssertTrue(decision.refusal!.message.contains("set attestation: { attested_by"), decision.refusal!.message)
        XCTAssertFalse(decision.refusal!.message.contains("adult_attestation"), "one name for the key everywhere")
    }

    func testAttestationMustNameSomeoneAndNotBeInTheFuture() {
        let empty = AgeVerificationAttestation(attestedBy: "  ", attestedAt: attestation.attestedAt)
        XCTAssertEqual(ContentPolicy.checkRouting(isAdultCategory: true, modelAllowsNSFW: true, attestation: empty, now: now)
            .refusal?.ruleID, "routing.adult.attestation")
        let future = AgeVerificationAttestation(attestedBy: "x", attestedAt: now.addingTimeInterval(86_400))
        XCTAssertTrue(ContentPolicy.checkRouting(isAdultCategory: true, modelAllowsNSFW: true, attestation: future, now: now)
            .refusal!.message.contains("future"))
    }

    func testAdultCategoryOnlyOnNSFWAllowedModels() {
        let refused = ContentPolicy.checkRouting(isAdultCategory: true, modelAllowsNSFW: false, attestation: attestation, now: now)
        XCTAssertEqual(refused.refusal?.ruleID, "routing.adult.nsfw-model")
        XCTAssertTrue(refused.refusal!.message.contains("nsfw_allowed"))
        XCTAssertEqual(ContentPolicy.checkRouting(isAdultCategory: true, modelAllowsNSFW: true, attestation: attestation, now: now),
                       .allowed)
    }

    /// What the router does with it: keep only the candidates the policy allows, in priority order.
    func testRouterStyleFilteringKeepsOnlyAllowedModels() throws {
        let policy = try ContentPolicy(configuration: ContentPolicyConfiguration(adultAttestation: attestation))
        let candidates = [("midjourney/v7", false), ("stabilityai/sd3", false), ("replicate/flux-dev", true)]
        let allowed = candidates.filter {
            policy.checkRouting(isAdultCategory: true, modelAllowsNSFW: $0.1, now: now).isAllowed
        }
        XCTAssertEqual(allowed.map(\.0), ["replicate/flux-dev"])
        XCTAssertEqual(candidates.filter { policy.checkRouting(isAdultCategory: false, modelAllowsNSFW: $0.1, now: now).isAllowed }.count, 3)
    }

    func testAttestationDecodesFromConfigJSON() throws {
        let json = #"{"adult_attestation": {"attested_by": "Jane Doe, DPO", "attested_at": "2026-01-01T00:00:00Z"}, "protected_names": ["Jane Example"]}"#
        let configuration = try JSONDecoder().decode(ContentPolicyConfiguration.self, from: Data(json.utf8))
        XCTAssertEqual(configuration.adultAttestation, attestation)
        XCTAssertEqual(configuration.protectedNames, ["Jane Example"])
        XCTAssertThrowsError(try JSONDecoder().decode(ContentPolicyConfiguration.self, from: Data(
            #"{"adult_attestation": {"attested_by": "x", "attested_at": "yesterday"}}"#.utf8)))
    }
}
