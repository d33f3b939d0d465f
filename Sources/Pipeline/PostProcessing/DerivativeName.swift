import Imaging
/// How a derivative is named: `<original id>-r<run>-<variant>-<format>` as its image id, and
/// `<original id>-r<run>-<variant>.<ext>` as its file, beside the original.
///
/// The run number keeps every re-processing run's files apart (nothing is overwritten), and a
/// run abandoned by a crash can be cleaned up by its prefix.
enum DerivativeName {
    static func imageID(original: String, run: Int, variant: String, format: ImageFormat) -> String {
        "\(original)-r\(run)-\(variant)-\(format.rawValue)"
    }

    static func fileName(original: String, run: Int, variant: String, format: ImageFormat) -> String {
        "\(runPrefix(original: original, run: run))\(variant).\(format.fileExtension)"
    }

    /// The start of every file name of one run.
    static func runPrefix(original: String, run: Int) -> String {
        "\(original)-r\(run)-"
    }
}
