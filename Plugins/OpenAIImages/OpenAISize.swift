import Foundation

/// The `size` OpenAI's GPT image models accept.
///
/// gpt-image-1 knows three sizes (1024x1024, 1536x1024, 1024x1536): the one closest in aspect
/// ratio is sent. gpt-image-2 takes any size whose edges are multiples of 16, with the long
/// edge at most 3840 px, a long-to-short ratio at most 3:1 and 655,360 … 8,294,400 pixels in
/// all: the request is moved to the nearest such size (ratio first, then area).
enum OpenAISize {
    static let fixed: [(Int, Int)] = [(1024, 1024), (1536, 1024), (1024, 1536)]
    static let minPixels = 655_360, maxPixels = 8_294_400, maxEdge = 3840

    static func size(model: String, width: Int, height: Int) -> (Int, Int) {
        model.hasPrefix("gpt-image-1") ? nearestFixed(width: width, height: height) : flexible(width: width, height: height)
    }

    static func nearestFixed(width: Int, height: Int) -> (Int, Int) {
        let target = log(Double(width) / Double(height))
        return fixed.min { abs(log(Double($0.0) / Double($0.1)) - target) < abs(log(Double($1.0) / Double($1.1)) - target) } ?? (1024, 1024)
    }

    static func flexible(width: Int, height: Int) -> (Int, Int) {
        // Ratio first: at most 3:1 either way.
        var ratio = Double(width) / Double(height)
        ratio = min(max(ratio, 1.0 / 3), 3)
        // Then area, within the pixel bounds, keeping that ratio.
        let area = min(max(Double(width * height), Double(minPixels)), Double(maxPixels))
        var w = (area * ratio).squareRoot(), h = (area / ratio).squareRoot()
        let longest = max(w, h)
        if longest > Double(maxEdge) { w *= Double(maxEdge) / longest; h *= Double(maxEdge) / longest }
        var sw = Int((w / 16).rounded()) * 16, sh = Int((h / 16).rounded()) * 16
        // Rounding may cross a bound by one step of 16: step back inside.
        while sw * sh > maxPixels || max(sw, sh) > maxEdge || max(sw, sh) > 3 * min(sw, sh) {
            if sw >= sh { sw -= 16 } else { sh -= 16 }
        }
        while sw * sh < minPixels { if sw <= sh { sw += 16 } else { sh += 16 } }
        return (sw, sh)
    }
}
