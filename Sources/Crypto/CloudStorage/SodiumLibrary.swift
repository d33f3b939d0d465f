import CSodium

/// libsodium must be initialised once before use (`sodium_init` picks the fastest implementations
/// and is safe to call repeatedly). A global `let` runs its initialiser exactly once, thread-safely.
package enum SodiumLibrary {
    private static let initialised: Bool = sodium_init() >= 0

    package static func ensureInitialised() {
        precondition(initialised, "libsodium failed to initialise (sodium_init returned -1)")
    }
}
