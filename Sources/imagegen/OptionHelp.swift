/// What `imagegen COMMAND --help` says about each option: what it does, its default and its
/// range. One table, so a command's options and their help are checked together
/// (`CLIHelpTests` fails on an option without a line here).
enum OptionHelp {
    static let since = "only since then: YYYY-MM-DD, an ISO 8601 time, or a span back from now like 7d or 24h"
    static let listen = "the running server's address (default: the address `serve` recorded in the data folder, else server.listen in the config, else 127.0.0.1:8080)"

    static let global: [(String, String)] = [
        ("config FILE", "the config file (default: IMAGEGEN_CONFIG, else <data>/config.json5 when present; none means the embedded defaults)"),
        ("plugins DIR", "the plugins folder (default: IMAGEGEN_PLUGINS, else ./plugins)"),
        ("data DIR", "the data folder: catalog, images, keys, audit log (default: IMAGEGEN_DATA, else ./data)"),
        ("json", "machine-readable output"),
        ("verbose", "log debug lines to standard error"),
        ("quiet", "log errors only"),
        ("help", "this help"),
        ("version", "print the version and exit (`imagegen --version`)"),
    ]

    static let perCommand: [String: [String: String]] = [
        "alerts": ["since": since, "active": "only alerts still active (not yet cleared)", "limit": "at most this many alerts, newest first (default 100)"],
        "audit": ["since": since, "action": "only entries of this action (e.g. generate, key.rotate)",
                  "limit": "only the last N entries", "head": "for `verify`: the head SEQ:MAC recorded earlier, to detect truncation"],
        "backup": ["without-images": "leave the image files out (only when a verified cloud copy holds them: `storage verify`)", "to": "destination folder or s3://bucket/prefix (default: backup.to in the config)",
                   "format": "tar.gz (default) or directory", "no-prune": "keep every older backup instead of applying backup.keep"],
        "config": [:],
        "costs": ["since": since, "by": "group by model (default), category, plugin or day"],
        "experiments": ["force": "for `promote`: promote although an arm has fewer scored images than metrics.report.min_arm_samples", "draws": "Monte Carlo draws behind P(best), at least 1 (default 20000; its error is at most 0.5/√draws)"],
        "generate": [
            "model": "the model to use (default: defaults.model, or the template's model); see `imagegen models`",
            "prompt": "the prompt (or give it as the remaining words); at most defaults.max_prompt_length characters",
            "negative": "what the image must not show",
            "width": "width in pixels: a multiple of 8 within the model's range (default: defaults.width, 1024)",
            "height": "height in pixels: a multiple of 8 within the model's range (default: defaults.height, 1024)",
            "steps": "sampling steps, 1...150 (default: the model's)",
            "guidance": "guidance scale, 0...30 (default: the model's)",
            "seed": "0...4294967295; variations use seed, seed+1, ... (default: random, recorded)",
            "category": "the image's category; adult categories need an attestation and a model that allows them (default: defaults.category)",
            "variations": "how many images, 1...16 (default 1)",
            "priority": "-1000...1000, higher runs first (default 0)",
            "deadline": "seconds the job may take, more than 0 and at most 86400 (default: jobs.deadline_seconds)",
            "tag": "extra tags, comma-separated (tags from the prompt are added automatically)",
            "template": "generate from this template instead of a prompt; see `imagegen templates`",
            "profile": "with --template: the template's named profile",
            "no-wait": "queue and print the job ids without waiting",
        ],
        "health": ["listen": listen],
        "catalog": ["to": "for `migrate`: the empty PostgreSQL catalog to copy into, postgresql://user@host:5432/db (the password from PGPASSWORD or the secrets file)",
                    "batch": "for `migrate`: rows per committed batch, 1…100000 (default 1000); an interrupted copy resumes after its last batch"],
        "hosts": ["within": "list hosts heard from within this many seconds (default 30; serve records a heartbeat every 5 s)"],
        "images": ["category": "only this category", "model": "only this model; for `vary`/`upscale`: the model to use (default: the source image's)",
                   "tag": "only images with this tag (synonyms match: crimson finds red)", "since": since,
                   "status": "only images in this status", "limit": "at most this many (default 100)",
                   "seed": "for `regenerate`: the new seed (default: a new random seed)",
                   "strength": "for `vary`: 0...1, how far to move from the source (default 0.55)",
                   "scale": "for `upscale`: 2, 3 or 4, the target is the source's size times this (default 2)",
                   "prompt-word": "only images whose prompt contains these words (found through the keyed word index)",
                   "review": "only images in this review state: pending, approved, rejected or quarantined",
                   "quarantined": "only images the output nudity check held back (with its reason and findings in --json)",
                   "min-rating": "only images rated at least this (1…5)",
                   "rated": "true: only rated images; false: only unrated ones",
                   "cursor": "start after this point: the next_cursor a previous page printed",
                   "reason": "for `reject`: why the image is rejected (required; shown to reviewers and audited)"],
        "jobs": ["state": "only jobs in this state: queued, submitting, submitted, running, succeeded, failed, cancelled, content_filtered",
                 "limit": "at most this many (default 50)", "batch": "only the jobs of this batch"],
        "keys": ["file": "for `generate`: write the new key here (mode 0600)", "batch": "for `rotate`: rows re-encrypted per transaction (default 500)",
                 "add": "for `generate`: add the key to the ring as the new current key"],
        "models": [:],
        "plan": ["days": "how many days ahead to list, 1...62 (default 7)", "request-id": "for `run`: an idempotency key, so a repeated run queues nothing twice",
                 "since": since, "limit": "for `history`: at most this many runs (default 50)", "no-wait": "for `run`: queue without waiting"],
        "plugins": ["listen": listen],
        "process": ["profile": "the post-processing profile (default: the category's)", "limit": "with --pending: at most this many images (default 1000)",
                    "pending": "process the images still waiting for post-processing"],
        "report": ["day": "the day to report: YYYY-MM-DD, today or yesterday, in the plan's time zone (default: today)",
                   "week": "the week to report: YYYY-Www, this, last, or a date in it", "format": "text (default), json or html",
                   "output": "write to this file instead of standard output"],
        "restore": [:],
        "route": ["category": "the category to route for (adult categories only reach models that allow them)",
                  "width": "width in pixels (default: defaults.width)", "height": "height in pixels (default: defaults.height)"],
        "serve": ["listen": "address to listen on (default: server.listen in the config, else 127.0.0.1:8080); port 0 picks a free one, recorded in the data folder",
                  "grace": "seconds in-flight jobs get to finish on SIGTERM, 0...3600 (default: server.shutdown_grace_seconds, 10)"],
        "stats": ["since": since, "by": "group by model (default), provider, category or template"],
        "storage": ["repair": "for `verify`: queue the missing or different files again", "pending-only": "for `sync`: leave the failed uploads alone, send only the pending ones"],
        "tags": ["category": "only this category's tags"],
        "users": ["role": "for `add`: viewer, reviewer, operator or admin (what each may do: docs/web-app.md)",
                  "password-stdin": "for `add` and `passwd`: read the password from standard input (it is never an argument)",
                  "on": "for `adult`: record that an admin confirmed this person is an adult (audited)",
                  "off": "for `adult`: withdraw that confirmation (audited)",
                  "yes": "for `erase`: confirm it (the name is replaced by a pseudonym for good; export first)"],
        "takedown": ["reason": "why the image is removed (required; kept with the request and in the audit log)",
                     "sha256": "remove every stored image with these bytes (64 hex digits) instead of naming an id",
                     "like": "remove every stored image identical or near-identical to this file (the reported copy)",
                     "requested-at": "when the requester asked (ISO 8601 or a span back like 2h; default: now): the 48-hour clock starts here",
                     "limit": "for `list`: at most this many requests, newest first (default 100)"],
        "templates": ["category": "only this category's templates"],
    ]

    /// The help of one command: its summary, then one line per option and flag.
    static func text(for command: any Command.Type) -> String {
        let table = perCommand[command.name] ?? [:]
        var lines = ["imagegen \(command.name): \(command.summary)", ""]
        let entries = command.options.sorted().map { ("--\($0) VALUE", $0) } + command.flags.sorted().map { ("--\($0)", $0) }
        if !entries.isEmpty { lines.append("options:") }
        for (shown, name) in entries {
            lines.append("  " + shown.padding(toLength: 22, withPad: " ", startingAt: 0) + (table[name] ?? "(no description)"))
        }
        lines.append("")
        lines.append("global options:")
        for (shown, description) in global {
            lines.append("  " + ("--" + shown).padding(toLength: 22, withPad: " ", startingAt: 0) + description)
        }
        return lines.joined(separator: "\n")
    }
}
