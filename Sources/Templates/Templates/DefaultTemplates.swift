import Foundation

/// The product's default template set, embedded in the binary and written to the templates folder on first
/// use so that users edit ordinary files (and their edits become new template versions).
///
/// Every subject in the adult categories is stated as an adult with an age, the wording is tasteful and
/// non-explicit, and the negative prompts steer away from minors and explicit content. The content policy
/// layer still screens every prompt; these defaults only make the intended use clear.
package enum DefaultTemplates {
    /// File name → JSON5 text.
    package static let files: [String: String] = [
        "lingerie.json5": lingerie,
        "feet.json5": feet,
        "artistic_nude.json5": artisticNude,
        "product.json5": product,
    ]

    /// Writes the defaults into `folder` if the folder does not exist yet (the first use). An existing
    /// folder is left as the user keeps it, even if they deleted a default file on purpose.
    /// Returns the files written.
    @discardableResult
    package static func installIfFirstUse(into folder: URL) throws(TemplateLibraryError) -> [URL] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) { return [] }
        return try install(into: folder)
    }

    /// Writes every default file that is missing from `folder` (creating it); never overwrites a file.
    /// Returns the files written.
    @discardableResult
    package static func install(into folder: URL) throws(TemplateLibraryError) -> [URL] {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .defaultsNotWritten(path: folder.path, reason: error.localizedDescription)
        }
        var written: [URL] = []
        for name in files.keys.sorted() {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { continue }
            do {
                // .withoutOverwriting: a file created meanwhile by the user wins.
                try Data((files[name] ?? "").utf8).write(to: url, options: [.withoutOverwriting])
                written.append(url)
            } catch CocoaError.fileWriteFileExists {
                continue
            } catch {
                throw .defaultsNotWritten(path: url.path, reason: error.localizedDescription)
            }
        }
        return written
    }

    static let lingerie = #"""
    // Lingerie: fashion-editorial boudoir photography of adult models.
    // Subjects are adults (age stated in every prompt); tasteful, non-explicit.
    {
      category: "lingerie",
      adult: true,
      description: "Tasteful lingerie editorials with adult models",
      defaults: {
        negative_prompt: "minor, child, teenager, youthful appearance, nudity, explicit content, deformed hands, extra limbs, blurry, low quality, watermark, text",
        parameters: { width: 832, height: 1216, steps: 30, guidance_scale: 7 },
        placeholders: {
          lighting: ["soft window light", "golden hour light", "low-key studio lighting", "warm candlelight", "diffused softbox light"],
          setting: ["a minimalist bedroom with linen sheets", "a luxury hotel suite", "a sunlit loft with large windows", "a velvet armchair in a dark studio"],
          pose: ["standing by the window", "sitting on the edge of the bed", "reclining on a chaise longue", "looking over her shoulder"],
        },
      },
      templates: [
        {
          name: "lingerie_black_lace",
          prompt: "fashion editorial photograph of an adult woman, 25 years old, wearing a {{outfit}}, {{pose}}, in {{setting}}, {{lighting}}, elegant, tasteful, sharp focus, 85mm lens",
          tags: ["lingerie", "black", "lace", "editorial"],
          placeholders: {
            outfit: ["black lace bodysuit", "black lace bralette and high-waisted briefs", "black lace slip dress", "black lace corset with a silk robe", "sheer black lace kimono over a bodysuit"],
          },
        },
        {
          name: "lingerie_red_satin",
          prompt: "boudoir fashion photograph of an adult woman, 28 years old, wearing a {{outfit}}, {{pose}}, in {{setting}}, {{lighting}}, glamorous, tasteful, soft skin tones, high detail",
          tags: ["lingerie", "red", "satin", "boudoir"],
          placeholders: {
            outfit: ["red satin slip", "red satin chemise", "red satin robe over a matching bralette", "crimson satin camisole set"],
          },
        },
      ],
    }
    """#

    static let feet = #"""
    // Feet: close-up foot and pedicure photography of adults, in the style of beauty product shots.
    {
      category: "feet",
      adult: true,
      description: "Close-up foot photography of adult models",
      templates: [
        {
          name: "feet_closeup",
          prompt: "close-up photograph of the bare feet of an adult woman, 30 years old, {{pose}}, on {{setting}}, pedicure with {{colour}} nail polish, {{lighting}}, shallow depth of field, beauty photography, tasteful",
          negative_prompt: "minor, child, teenager, nudity, explicit content, deformed toes, extra toes, missing toes, blurry, low quality, watermark, text",
          parameters: { width: 1216, height: 832, steps: 30, guidance_scale: 7 },
          tags: ["feet", "closeup", "pedicure"],
          placeholders: {
            pose: ["feet crossed at the ankles", "toes pointed", "one foot resting on the other", "feet side by side"],
            setting: ["white linen sheets", "a sandy beach", "a polished marble floor", "a soft sheepskin rug", "a wooden deck by a pool"],
            colour: ["red", "nude beige", "pastel pink", "black", "classic french white"],
            lighting: ["soft natural light", "golden hour light", "bright studio light"],
          },
        },
      ],
    }
    """#

    static let artisticNude = #"""
    // Artistic nude: fine-art figure studies of adult models in the tradition of classical photography.
    // Non-explicit by design: the body is shaped by light and shadow, poses conceal, no explicit detail.
    {
      category: "artistic_nude",
      adult: true,
      description: "Fine-art, non-explicit figure studies of adult models",
      templates: [
        {
          name: "artistic_nude",
          prompt: "fine-art black and white figure study of an adult woman, 27 years old, {{pose}}, {{setting}}, {{lighting}}, body partly in shadow, non-explicit, classical sculpture aesthetic, tasteful, medium format film grain",
          negative_prompt: "minor, child, teenager, youthful appearance, explicit content, sexual activity, vulgar, deformed, extra limbs, low quality, watermark, text",
          parameters: { width: 896, height: 1152, steps: 35, guidance_scale: 6.5 },
          tags: ["fine art", "figure study", "black and white"],
          placeholders: {
            pose: ["seated with knees drawn up, arms wrapped around them", "back turned to the camera", "curled on her side, face turned away", "silhouetted in profile", "kneeling with her head bowed"],
            setting: ["in a bare plaster studio", "against a draped linen backdrop", "by a tall window in an empty room", "on a rock by the sea at dawn"],
            lighting: ["chiaroscuro lighting", "soft north window light", "dramatic rim light", "low-key single light source"],
          },
        },
      ],
    }
    """#

    static let product = #"""
    // Product: neutral product photography, for tests and demos (not adult).
    {
      category: "product",
      adult: false,
      description: "Neutral product photography for tests and demos",
      defaults: {
        negative_prompt: "people, text, watermark, logo, blurry, low quality, distorted",
        parameters: { width: 1024, height: 1024, steps: 25, guidance_scale: 7 },
      },
      templates: [
        {
          name: "product_packshot",
          prompt: "studio packshot of a {{colour}} {{material}} {{product}} on a seamless background, {{lighting}}, commercial product photography, sharp focus",
          tags: ["product", "packshot", "studio"],
          placeholders: {
            product: ["coffee mug", "water bottle", "wristwatch", "sneaker", "headphone set"],
            colour: ["matte black", "white", "navy blue", "sage green", "terracotta"],
            material: ["ceramic", "brushed steel", "leather", "recycled plastic"],
            lighting: ["soft diffused light", "hard light with crisp shadows", "backlight with rim highlights"],
          },
          // Which opening works better for packshots? Ratings and quality scores decide.
          experiment: {
            arms: [
              { name: "a", prompt: "studio packshot of a {{colour}} {{material}} {{product}} on a seamless background, {{lighting}}, commercial product photography, sharp focus" },
              { name: "b", prompt: "minimalist e-commerce photo of a {{colour}} {{material}} {{product}}, centered, {{lighting}}, clean white background, high detail" },
            ],
          },
        },
        {
          name: "product_lifestyle",
          prompt: "lifestyle photograph of a {{product}} on {{setting}}, {{lighting}}, natural styling, editorial, 50mm lens",
          parameters: { width: 1216, height: 832 },
          tags: ["product", "lifestyle"],
          placeholders: {
            product: ["ceramic coffee mug", "leather notebook", "linen tote bag", "glass carafe"],
            setting: ["a wooden kitchen table", "a marble countertop", "a sunny balcony table", "a cluttered designer desk"],
            lighting: ["morning window light", "golden hour light", "overcast daylight"],
          },
        },
      ],
    }
    """#
}
