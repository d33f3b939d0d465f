/// libsodium could not initialise, so the host cannot hash, sign or encrypt anything.
///
/// A typed error rather than a crash so the host's start can print it and exit before doing any
/// work. `sodium_init` fails in practice when the system's random source cannot be read.
package struct SodiumUnavailable: Error, CustomStringConvertible, Equatable {
    /// What `sodium_init` returned (-1).
    package let status: Int32

    package var description: String {
        "libsodium failed to initialise (sodium_init returned \(status)); imagegen cannot hash, sign or encrypt without it. "
            + "Check that the system random source (getrandom, /dev/urandom) is readable by this process "
            + "and that the installed libsodium is the one imagegen was built against."
    }
}
