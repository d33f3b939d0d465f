import Foundation

/// Sizes the Stability APIs accept, and the nearest one to a requested size.
enum StabilityDimensions {
    /// The only sizes the SDXL 1.0 engine accepts (Stability's and Bedrock's docs).
    static let sdxl: [(Int, Int)] = [(1024, 1024), (1152, 896), (896, 1152), (1216, 832), (832, 1216),
                                     (1344, 768), (768, 1344), (1536, 640), (640, 1536)]
    /// v2beta aspect ratios (there are no pixel sizes in v2beta).
    static let ratios = ["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"]

    /// The allowed size closest in aspect ratio (log scale), then in area.
    static func nearestSDXL(width: Int, height: Int) -> (Int, Int) {
        let target = log(Double(width) / Double(height))
        return sdxl.min { a, b in
            let da = abs(log(Double(a.0) / Double(a.1)) - target), db = abs(log(Double(b.0) / Double(b.1)) - target)
            if abs(da - db) > 1e-9 { return da < db }
            return abs(a.0 * a.1 - width * height) < abs(b.0 * b.1 - width * height)
        } ?? (1024, 1024)
    }

    /// Other v1 engines: multiples of 64 with 262,144 ≤ w·h ≤ 1,048,576.
    static func v1Generic(width: Int, height: Int) -> (Int, Int) {
        var w = max(128, width - width % 64), h = max(128, height - height % 64)
        while w * h > 1_048_576 { if w >= h { w -= 64 } else { h -= 64 } }
        while w * h < 262_144 { if w <= h { w += 64 } else { h += 64 } }
        return (w, h)
    }

    static func nearestRatio(width: Int, height: Int) -> String {
        let target = log(Double(width) / Double(height))
        func distance(_ r: String) -> Double {
            let p = r.split(separator: ":").compactMap { Double($0) }
            return abs(log(p[0] / p[1]) - target)
        }
        return ratios.min { distance($0) < distance($1) } ?? "1:1"
    }
}
