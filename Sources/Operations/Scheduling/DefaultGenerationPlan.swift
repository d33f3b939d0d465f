import Foundation

extension GenerationPlan {
    /// The product's example plan, embedded so `imagegen serve` has a plan before any config exists
    /// and `imagegen plan --json` can print it as a starting point.
    ///
    /// Daily window 06:00–08:00 (lingerie 2–3, feet 1–2, artistic nude 1–2, then post-processing and
    /// organisation). Weekly themes run 08:00–08:30 on top of it: Monday lingerie 5, Tuesday feet 3,
    /// Wednesday artistic nude 3, Thursday lingerie 5, Friday feet 3, Saturday a weekend special
    /// (4 images rotating both lingerie templates). Sunday is reduced: it replaces the daily window
    /// with one lingerie image, one feet image and the organisation run.
    package static let defaultJSON = #"""
    {
      "version": 1,
      "timeZone": "Europe/Paris",
      "catchUpGraceMinutes": 60,
      "daily": {
        "slots": [
          {"id": "daily/lingerie", "start": "06:00", "end": "06:30", "category": "lingerie",
           "templates": ["lingerie_black_lace", "lingerie_red_satin"], "count": {"min": 2, "max": 3}},
          {"id": "daily/feet", "start": "06:30", "end": "07:00", "category": "feet",
           "template": "feet_closeup", "count": {"min": 1, "max": 2}},
          {"id": "daily/artistic_nude", "start": "07:00", "end": "07:30", "category": "artistic_nude",
           "template": "artistic_nude", "count": {"min": 1, "max": 2}},
          {"id": "daily/organise", "start": "07:30", "end": "08:00", "kind": "maintenance",
           "note": "post-processing and organisation of the day's images"}
        ]
      },
      "weekly": [
        {"day": "monday", "slots": [
          {"id": "weekly/monday-lingerie", "start": "08:00", "end": "08:30", "category": "lingerie",
           "templates": ["lingerie_black_lace", "lingerie_red_satin"], "count": 5}]},
        {"day": "tuesday", "slots": [
          {"id": "weekly/tuesday-feet", "start": "08:00", "end": "08:30", "category": "feet",
           "template": "feet_closeup", "count": 3}]},
        {"day": "wednesday", "slots": [
          {"id": "weekly/wednesday-artistic_nude", "start": "08:00", "end": "08:30", "category": "artistic_nude",
           "template": "artistic_nude", "count": 3}]},
        {"day": "thursday", "slots": [
          {"id": "weekly/thursday-lingerie", "start": "08:00", "end": "08:30", "category": "lingerie",
           "templates": ["lingerie_black_lace", "lingerie_red_satin"], "count": 5}]},
        {"day": "friday", "slots": [
          {"id": "weekly/friday-feet", "start": "08:00", "end": "08:30", "category": "feet",
           "template": "feet_closeup", "count": 3}]},
        {"day": "saturday", "slots": [
          {"id": "weekly/saturday-weekend_special", "start": "08:00", "end": "08:30", "category": "lingerie",
           "templates": ["lingerie_red_satin", "lingerie_black_lace"], "count": 4,
           "note": "weekend special"}]},
        {"day": "sunday", "replacesDaily": true, "slots": [
          {"id": "weekly/sunday-lingerie", "start": "06:00", "end": "06:30", "category": "lingerie",
           "templates": ["lingerie_black_lace", "lingerie_red_satin"], "count": 1, "note": "Sunday reduced"},
          {"id": "weekly/sunday-feet", "start": "06:30", "end": "07:00", "category": "feet",
           "template": "feet_closeup", "count": 1, "note": "Sunday reduced"},
          {"id": "weekly/sunday-organise", "start": "07:30", "end": "08:00", "kind": "maintenance",
           "note": "post-processing and organisation"}]}
      ]
    }
    """#

    /// The product's example plan (see `defaultJSON`).
    package static var productDefault: GenerationPlan {
        // The embedded JSON is covered by tests; failing here would be a build defect, not user input.
        // swiftlint:disable:next force_try
        try! GenerationPlan.decode(Data(defaultJSON.utf8))
    }
}
