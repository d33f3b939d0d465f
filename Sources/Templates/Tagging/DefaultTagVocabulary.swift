/// The built-in tag vocabulary as JSON5 (the same shape a config extension uses, see `TagVocabulary`).
enum DefaultTagVocabulary {
    static let text = #"""
    // Facets of terms that automatic tagging finds in prompts. Terms are matched after normalisation
    // (lowercase, singular), longest phrase first; synonyms map variants to one canonical term.
    {
      common: {
        colour: ["red", "black", "white", "ivory", "cream", "beige", "navy", "blue", "green", "sage green", "emerald",
                 "gold", "silver", "pink", "pastel pink", "blush", "burgundy", "purple", "lavender", "grey", "brown",
                 "terracotta", "orange", "yellow", "teal", "french white"],
        material: ["lace", "satin", "silk", "velvet", "cotton", "linen", "leather", "chiffon", "mesh", "wool", "denim",
                   "ceramic", "glass", "marble", "wood", "steel", "brushed steel", "plastic", "recycled plastic",
                   "paper", "plaster", "sheepskin"],
        lighting: ["soft light", "natural light", "window light", "golden hour", "studio lighting", "candlelight",
                   "rim light", "backlight", "low-key", "high-key", "chiaroscuro", "softbox", "diffused light",
                   "hard light", "overcast", "morning light", "north light", "neon"],
        pose: ["standing", "sitting", "reclining", "lying", "kneeling", "over the shoulder", "profile", "back turned",
               "curled", "crossed legs"],
        setting: ["bedroom", "studio", "hotel suite", "hotel room", "loft", "beach", "garden", "balcony", "kitchen",
                  "desk", "bathroom", "armchair", "chaise longue", "bed", "sea", "pool", "countertop", "table", "window"],
        style: ["editorial", "boudoir", "fine art", "black and white", "close-up", "portrait", "minimalist", "glamour",
                "film grain", "lifestyle", "shallow depth of field"],
      },
      categories: {
        lingerie: {
          garment: ["bodysuit", "bralette", "bra", "brief", "corset", "slip", "slip dress", "robe", "kimono", "chemise",
                    "camisole", "garter", "stocking", "teddy", "babydoll", "negligee"],
        },
        feet: {
          detail: ["pedicure", "nail polish", "anklet", "toe ring", "toes pointed", "crossed at the ankle", "sole"],
        },
        artistic_nude: {
          technique: ["figure study", "silhouette", "sculpture", "shadow", "medium format", "rim light"],
        },
        product: {
          product: ["coffee mug", "mug", "water bottle", "bottle", "wristwatch", "sneaker", "headphone", "notebook",
                    "tote bag", "carafe"],
          style: ["packshot", "e-commerce", "seamless background"],
        },
      },
      synonyms: {
        crimson: "red", scarlet: "red", ruby: "red", "cherry red": "red",
        ebony: "black", "jet black": "black", onyx: "black", "matte black": "black",
        gray: "grey", "navy blue": "navy", "off white": "ivory", "off-white": "ivory",
        "golden hour light": "golden hour", "sunset light": "golden hour",
        "candle light": "candlelight", candlelit: "candlelight", "warm candlelight": "candlelight",
        backlit: "backlight", "back light": "backlight", "rim lighting": "rim light",
        "window lighting": "window light", "soft window light": "window light", "north window light": "north light",
        "studio light": "studio lighting", "low key": "low-key", "high key": "high-key",
        "soft natural light": "natural light", daylight: "natural light", "overcast daylight": "overcast",
        "morning window light": "morning light",
        closeup: "close-up", "close up": "close-up", monochrome: "black and white",
        seated: "sitting", reclined: "reclining", "looking over her shoulder": "over the shoulder",
        "wrist watch": "wristwatch", "headphone set": "headphone",
        "e commerce": "e-commerce", ecommerce: "e-commerce",
      },
      irregular_singulars: {
        feet: "foot", teeth: "tooth", women: "woman", men: "man", people: "person", children: "child",
        leaves: "leaf", knives: "knife", shelves: "shelf", wolves: "wolf", heroes: "hero", mice: "mouse",
        geese: "goose", headaches: "headache", niches: "niche", moustaches: "moustache", clichés: "cliché",
      },
      invariant_words: ["lens", "series", "species", "jeans", "tights", "shorts", "pants", "trousers", "glasses",
                        "sunglasses", "canvas", "atlas", "news", "always", "perhaps", "christmas", "physics", "cosmos"],
    }
    """#
}
