import ImagegenCore

/// The sidecar's JSON, written directly in `ImageRecord.encode(to:)`'s shape with JSONEncoder's
/// pretty, sorted layout (StorageSidecarEncodingTests compares the two byte for byte). Keys are
/// listed here in sorted order; a field added to the record must be added here too, which that
/// test catches.
extension ImageRecord {
    func sidecarJSON() throws(PrettyJSONWriter.NonFinite) -> [UInt8] {
        var w = PrettyJSONWriter()
        w.beginObject()
        w.key("bytes"); w.int(bytes)
        w.key("category"); w.string(category)
        w.key("content_sha256"); w.string(contentSHA256)
        w.key("extra"); w.stringObject(extra)
        w.key("file_path"); w.string(filePath)
        w.key("image_id"); w.string(imageID)
        w.key("job_id"); w.string(jobID)
        w.key("metadata")
        w.beginObject()
        w.key("api_used"); w.string(metadata.apiUsed)
        w.key("cost"); try w.double(metadata.cost)
        w.key("generated_at"); w.string(metadata.generatedAt)
        w.key("processing_time"); try w.double(metadata.processingTime)
        w.endObject()
        w.key("mime"); w.string(mime)
        w.key("model"); w.string(model)
        w.key("negative_prompt"); w.string(negativePrompt)
        if let outputCheck { w.key("output_check"); try outputCheck.write(to: &w) }
        w.key("parameters")
        w.beginObject()
        w.key("guidance_scale"); try w.double(parameters.guidanceScale)
        w.key("height"); w.int(parameters.height)
        w.key("seed"); w.int(parameters.seed)
        w.key("steps"); w.int(parameters.steps)
        w.key("width"); w.int(parameters.width)
        w.endObject()
        w.key("parent_id"); w.string(parentID)
        w.key("prompt"); w.string(prompt)
        if let quality { w.key("quality"); try quality.write(to: &w) }
        w.key("quality_score"); try w.double(qualityScore)
        w.key("status"); w.string(status)
        w.key("tags"); w.stringArray(tags)
        w.key("variant"); w.string(variant)
        w.key("version"); w.int(version)
        w.endObject()
        return w.bytes + [0x0A]
    }
}

extension NudityVerdict {
    func write(to w: inout PrettyJSONWriter) throws(PrettyJSONWriter.NonFinite) {
        w.beginObject()
        w.key("detector"); w.string(detector)
        w.key("findings")
        w.beginArray()
        for finding in findings {
            w.element()
            w.beginObject()
            w.key("box")
            w.beginArray()
            for n in finding.box { w.element(); w.int(n) }
            w.endArray()
            w.key("label"); w.string(finding.label)
            w.key("score"); try w.double(finding.score)
            w.endObject()
        }
        w.endArray()
        w.key("quarantined"); w.bool(quarantined)
        if let reason { w.key("reason"); w.string(reason) }
        if let rule { w.key("rule"); w.string(rule) }
        w.endObject()
    }
}

extension QualityReport {
    func write(to w: inout PrettyJSONWriter) throws(PrettyJSONWriter.NonFinite) {
        w.beginObject()
        w.key("components")
        try Self.writeFive(components.colorCast, components.contrast, components.exposure, components.noise,
                           components.sharpness, to: &w)
        w.key("measurements")
        w.beginObject()
        let m = measurements
        w.key("colorCastDistance"); try w.double(m.colorCastDistance)
        w.key("highlightClipFraction"); try w.double(m.highlightClipFraction)
        w.key("laplacianVariance"); try w.double(m.laplacianVariance)
        w.key("meanA"); try w.double(m.meanA)
        w.key("meanB"); try w.double(m.meanB)
        w.key("meanLuminance"); try w.double(m.meanLuminance)
        w.key("noiseSigma"); try w.double(m.noiseSigma)
        w.key("rmsContrast"); try w.double(m.rmsContrast)
        w.key("shadowClipFraction"); try w.double(m.shadowClipFraction)
        w.endObject()
        w.key("score"); try w.double(score)
        w.key("weights")
        try Self.writeFive(weights.colorCast, weights.contrast, weights.exposure, weights.noise, weights.sharpness, to: &w)
        w.endObject()
    }

    /// Components and weights share their five keys.
    private static func writeFive(_ colorCast: Double, _ contrast: Double, _ exposure: Double, _ noise: Double,
                                  _ sharpness: Double, to w: inout PrettyJSONWriter) throws(PrettyJSONWriter.NonFinite) {
        w.beginObject()
        w.key("colorCast"); try w.double(colorCast)
        w.key("contrast"); try w.double(contrast)
        w.key("exposure"); try w.double(exposure)
        w.key("noise"); try w.double(noise)
        w.key("sharpness"); try w.double(sharpness)
        w.endObject()
    }
}
