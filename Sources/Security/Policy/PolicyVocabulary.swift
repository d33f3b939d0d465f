/// The compiled-in vocabulary of the hard blocks, in English and French, written folded
/// (lowercase, no accents; the normaliser folds prompts the same way). Plurals in -s/-es,
/// leetspeak, spacing and joined spellings of multi-word terms are matched automatically, so
/// each concept is listed once.
///
/// Words that are innocent on their own (school, teen, lingerie) only matter in combination:
/// see `HardBlockRule`. Terms that would collide with everyday words ("minor" key, "rape"
/// field, "force" field) are either left out or placed where they need a sexual context.
enum PolicyVocabulary {
    static let youth = [
        // English
        "child", "children", "kid", "kiddo", "kiddie", "toddler", "infant", "newborn", "baby girl", "baby boy",
        "preteen", "pre teen", "tween", "tweenager", "teen", "teenager", "teenage", "teenaged", "underage",
        "under age", "under 18", "under eighteen", "not yet 18", "minors", "a minor", "juvenile", "pubescent",
        "prepubescent", "pre pubescent", "adolescent", "youngster", "schoolgirl", "schoolboy", "schoolchild",
        "schoolkid", "loli", "lolicon", "lolita", "shota", "shotacon", "jailbait", "little girl", "little boy",
        "young girl", "young boy", "small girl", "small boy", "tiny girl", "tiny boy", "girl child", "boy child",
        "preschooler", "kindergartner", "kindergartener", "first grader", "second grader", "third grader",
        "fourth grader", "fifth grader", "sixth grader", "seventh grader", "eighth grader", "grade schooler",
        "middle schooler", "high schooler", "elementary schooler", "cub scout", "sweet sixteen",
        // French
        "enfant", "gamin", "gamine", "gosse", "bambin", "bambine", "fillette", "petite fille", "petit garcon",
        "garconnet", "ecolier", "ecoliere", "collegien", "collegienne", "lyceen", "lyceenne", "ado", "jeune ado",
        "adolescente", "preado", "pre ado", "preadolescent", "preadolescente", "mineur", "mineure", "bebe",
        "nourrisson", "moins de 18 ans", "moins de dix huit ans",
    ]

    static let school = [
        "school", "schoolyard", "schoolroom", "school uniform", "school bus", "schoolbag", "classroom",
        "kindergarten", "preschool", "nursery school", "elementary school", "primary school", "middle school",
        "junior high", "high school", "grade school", "homeroom", "seifuku", "randoseru",
        "ecole", "cour de recreation", "cour d ecole", "maternelle", "ecole primaire", "lycee",
        "uniforme scolaire", "salle de classe", "cartable", "cm1", "cm2", "ce1", "ce2",
    ]

    static let childLike = [
        "childlike", "child like", "kid like", "childish", "young looking", "younger looking", "looks young",
        "look young", "looking young", "looks underage", "look underage", "looks like a child", "baby face",
        "barely legal", "age regression", "ageplay", "age play", "underdeveloped",
        "barely 18", "barely eighteen", "just turned 18", "just turned eighteen", "child body", "body of a child",
        "childs body", "looks like a kid", "looks like a little girl", "looks like a little boy", "child sized",
        "child size body", "innocent little", "a peine 18 ans", "a peine majeure", "tout juste majeure",
        "corps de fillette", "corps d ado", "air d enfant", "air d une enfant", "air d ado", "air d une ado",
        "enfantin", "enfantine", "air enfantin", "visage enfantin", "corps d enfant", "jeune fille",
        "tres jeune", "toute jeune", "si jeune", "petite jeune",
    ]

    static let explicitSexual = [
        "nude", "naked", "nudity", "nsfw", "sex", "sexual", "sexually", "porn", "porno", "pornographic",
        "pornography", "pornstar", "xxx", "topless", "bottomless", "erotic", "erotica", "hentai", "ecchi",
        "genitals", "genitalia", "nipple", "orgasm", "intercourse", "undressed", "undressing", "striptease",
        "strip tease", "stripper", "onlyfans", "playboy", "fetish", "bdsm", "bondage", "lewd", "smut", "r18",
        "nu", "nue", "nudite", "a poil", "denude", "denudee", "deshabille", "deshabillee", "sexe", "sexuel",
        "sexuelle", "sexuellement", "erotique", "pornographique", "seins nus", "obscene", "lubrique",
    ]

    static let suggestive = [
        "sexy", "seductive", "seducing", "sensual", "provocative", "suggestive", "lingerie", "underwear",
        "panties", "thong", "cleavage", "boudoir", "see through", "wet t shirt", "lap dance", "flirty",
        "flirting", "kinky", "aroused", "horny", "busty",
        "seduisant", "seduisante", "sensuel", "sensuelle", "provocant", "provocante", "aguicheur", "aguicheuse",
        "aguichant", "aguichante", "sous vetements", "culotte", "soutien gorge", "decollete", "coquin", "coquine",
        "lascif", "lascive", "suggestif", "excitant", "excitante",
    ]

    static let nonConsentExplicit = [
        "raped", "raping", "rapist", "non consensual", "nonconsensual", "noncon", "non con", "forced sex",
        "sexual assault", "sexually assaulted", "sexual abuse", "sexually abused", "molest", "molested",
        "molesting", "molestation", "molester", "revenge porn", "upskirt", "creepshot", "date rape", "gang rape",
        "pedophile", "paedophile", "pedo", "pedophilia", "paedophilia", "csam", "child porn", "child pornography",
        "agression sexuelle", "abus sexuel", "pedopornographie", "viol collectif", "attouchements",
        "non consentant", "non consentante", "sans consentement", "porno enfant",
        "up skirt", "downblouse", "down blouse", "sous la jupe", "voyeur porn",
    ]

    static let nonConsentContext = [
        "rape", "forced", "forcing", "by force", "unconscious", "passed out", "drugged", "sedated",
        "against her will", "against his will", "against their will", "kidnapped", "abducted", "hidden camera",
        "hidden cam", "spy cam", "spycam", "voyeur", "voyeurism", "held down", "coerced", "coercion",
        "blackmail", "blackmailed",
        // Incapacity and covert capture written as wording rather than one keyword.
        "sleeping", "asleep", "fell asleep", "falling asleep", "passed out drunk", "blackout drunk", "too drunk",
        "incapacitated", "knocked out", "fainted", "comatose", "semi conscious",
        "without her knowledge", "without his knowledge", "without their knowledge", "without her knowing",
        "without him knowing", "without them knowing", "she doesn t know", "he doesn t know", "she does not know",
        "she didn t know", "unaware she", "unaware he", "unaware of the camera", "not aware of the camera",
        "secretly filmed", "secretly photographed", "secretly recorded", "secretly taped", "filmed secretly",
        "spy camera", "hidden cam", "peeping", "peeping tom", "peephole",
        "did not consent", "didn t consent", "does not consent", "doesn t consent", "without consent",
        "without her consent", "without his consent", "without their consent", "no consent",
        "viol", "violer", "violee", "de force", "forcee", "inconsciente", "inconscient", "droguee", "kidnappee",
        "enlevee", "contre son gre", "contre sa volonte", "camera cachee", "sous la contrainte",
        "a son insu", "a leur insu", "sans qu elle le sache", "sans qu il le sache", "endormie", "endormi",
        "qui dort", "en train de dormir", "evanouie", "evanoui", "ivre morte", "ivre mort", "en cachette",
        "camera espion", "sans son consentement", "sans leur consentement",
    ]

    static let adultDescriptors = [
        "adult", "grown up", "grownup", "grown woman", "grown man", "mature", "mature woman", "mature man",
        "mature body", "adult body", "adult woman", "adult man", "adult face", "milf",
        "adulte", "majeur", "majeure", "femme adulte", "homme adulte", "femme mure",
    ]

    /// A person or a body in the picture (`PolicySignal.person`).
    static let personContext = [
        "woman", "man", "men", "women", "girl", "boy", "lady", "ladies", "guy", "model", "person", "people", "she", "her",
        "he", "him", "body", "skin", "legs", "curves", "posing", "pose", "wearing", "portrait", "couple", "wife",
        "husband", "girlfriend", "boyfriend", "actress", "figure", "torso", "hips", "chest", "lips",
        "femme", "femmes", "homme", "hommes", "fille", "garcon", "modele", "elle", "lui", "corps", "peau", "jambes",
        "portant", "posant", "epouse", "mari", "silhouette",
    ]

    /// Suggestive words that are adult content with or without a person in the prompt.
    static let adultOnTheirOwn: Set<String> = [
        "boudoir", "seductive", "seducing", "lap dance", "kinky", "horny", "aroused", "wet t shirt", "aguicheur",
        "aguicheuse", "aguichant", "aguichante", "lascif", "lascive",
    ]

    /// Person nouns: not signals, but a joined word made of a signal and one of these
    /// ("teengirl", "nudemodel") is read as its two parts.
    static let personNouns = [
        "girl", "boy", "woman", "man", "lady", "guy", "chick", "babe", "model", "body", "pic", "photo", "video",
        "fille", "garcon", "femme",
    ]

    /// Phrases whose words are innocent here even though a word is in a list above; they are
    /// masked before matching ("nude lipstick", "old school", "forced perspective", and the
    /// boilerplate "mature content" that negative prompts often carry).
    static let benignPhrases = [
        "nude color", "nude colour", "nude colored", "nude coloured", "nude tone", "nude lipstick", "nude lip",
        "nude heels", "nude pumps", "nude shoes", "nude sandals", "nude palette", "nude shade", "nude makeup",
        "nude nail", "nude nail polish", "nude beige", "nude pink", "nude fabric",
        "nu metal", "nu jazz", "nu disco", "sex pistols",
        "old school", "oldschool", "art school", "film school", "school of athens", "hudson river school",
        "barbizon school", "school of fish",
        "forced perspective", "mature content", "mature themes",
        "naked eye", "naked flame", "levres nude", "vernis nude", "teinte nude", "ton nude", "beige nude",
        "fond de teint nude", "pieds nus", "nu pieds", "torse nu", "mains nues", "tete nue", "oeil nu",
        "kid leather", "kid gloves",
    ]

    static let signalEntries: [(String, PolicySignal)] =
        youth.map { ($0, .youthTerm) } + school.map { ($0, .schoolTerm) }
        + childLike.map { ($0, .childLikeDescriptor) } + explicitSexual.map { ($0, .explicitSexual) }
        + suggestive.map { ($0, .suggestive) } + nonConsentExplicit.map { ($0, .nonConsentExplicit) }
        + nonConsentContext.map { ($0, .nonConsentContext) } + adultDescriptors.map { ($0, .adultDescriptor) }
        + personContext.map { ($0, .person) }

    static let signalLexicon = PolicyLexicon(signalEntries)
    static let benignLexicon = PolicyLexicon(benignPhrases.map { ($0, true) })
    static let personNounSet = Set(personNouns)

    /// Signals worth finding inside a run of spaced-out letters ("t e e n", "s.e.x.y t.e.e.n").
    static let spacedOutSignals: Set<PolicySignal> = [.youthTerm, .schoolTerm, .childLikeDescriptor, .explicitSexual,
                                                       .suggestive, .nonConsentExplicit, .nonConsentContext]
}
