import CVips
import Foundation

/// Which of libvips' loadable modules this process loads: none at start, HEIF (AVIF in and
/// out) on first use.
///
/// Why: libvips 8.14 as Debian builds it loads every module in `<libdir>/vips-modules-8.14` at
/// `vips_init`: magick, poppler, openslide, jxl and heif. Each maps its library tree
/// (ImageMagick, poppler + cairo, OpenSlide, libjxl, libheif + AV1 codecs): in this process
/// 5.7 MiB resident before the first image, 2.4 MiB of it heif's (measured with
/// ImagingBenchmark, `rss_at_start_mib`). The host calls only the PNG, JPEG, WebP and HEIF
/// loaders and savers, and HEIF only for AVIF, which is off by default. Not loading the others
/// at all also keeps the untrusted ImageMagick and PDF loaders out of the process, beyond
/// `vips_block_untrusted_set`.
///
/// How: libvips has no switch for this. `vips_init` loads modules from
/// `$VIPSHOME/<libdir name>/vips-modules-X.Y`; pointing `VIPSHOME` at a directory that cannot
/// exist makes it load none. The heif module is then loaded from the real directory the first
/// time an AVIF is read or written (`cvips_require_heif` in the C shim), which registers the
/// same operations `vips_init` would have. `VIPSHOME` is restored right after `vips_init`
/// (libvips keeps its own copy of the paths), so child processes see the environment
/// unchanged. An operator who sets `VIPSHOME` keeps full control: nothing is changed then. When
/// the heif module is not where libvips would look (a libvips built without modules), libvips
/// is left to its defaults. Side effect: libvips' message translations are not found, so its
/// error messages are in English whatever the locale.
struct VipsModuleSelection: Sendable {
    /// A prefix under which no directory can exist (`/dev/null` is a device, not a directory),
    /// so nobody can plant modules there.
    static let emptyPrefix = "/dev/null/imagegen-no-vips-modules"

    /// Whether `VIPSHOME` was pointed at `emptyPrefix` and must be restored.
    let redirected: Bool

    /// Decides before `vips_init`, and points `VIPSHOME` at `emptyPrefix` when the heif module
    /// can be loaded later by path. Call `finish()` right after `vips_init`.
    static func prepare() -> VipsModuleSelection {
        guard ProcessInfo.processInfo.environment["VIPSHOME"] == nil,
              let heif = cvips_module_path("heif") else { return VipsModuleSelection(redirected: false) }
        defer { cvips_g_free(heif) }
        guard FileManager.default.fileExists(atPath: String(cString: heif)) else { return VipsModuleSelection(redirected: false) }
        setenv("VIPSHOME", emptyPrefix, 1)
        return VipsModuleSelection(redirected: true)
    }

    /// Restores the environment once `vips_init` has run.
    func finish() {
        if redirected { unsetenv("VIPSHOME") }
    }
}
