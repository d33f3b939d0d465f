/// The version of this imagegen build, recorded in backup manifests so a restore can tell which
/// program wrote an archive. Bump with each release.
public enum ImagegenVersion {
    public static let current = "0.1.0"
}
