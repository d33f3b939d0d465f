/// The version of this imagegen build, recorded in backup manifests so a restore can tell which
/// program wrote an archive. Bump with each release.
package enum ImagegenVersion {
    package static let current = "0.1.0"
}
