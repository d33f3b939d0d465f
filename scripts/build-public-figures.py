#!/usr/bin/env python3
"""Builds share/policy/public-figures.txt (the protected real people of the content policy) from
public name lists, then filters names that would collide with everyday words.

    scripts/build-public-figures.py VGGFACE2_IDENTITY_META_CSV LFW_PAIRS_TXT EXTRA_TXT

Sources: the VGGFace2 identity list (identity_meta.csv: 9,131 people with a Wikipedia article —
actors, musicians, athletes, politicians; Cao et al., Visual Geometry Group, University of Oxford,
2018) and the names in the Labeled Faces in the Wild pairs file (University of Massachusetts
Amherst, 2007: people in the news), plus a maintained list of people prominent since 2018
(share/policy/public-figures-extra.txt). Mononyms and names made only of dictionary words are
kept only when they are unlikely to be everyday words (needs /usr/share/dict/american-english and
/usr/share/dict/french: Debian wamerican, wfrench)."""
import csv, sys, unicodedata, pathlib, datetime

root = pathlib.Path(__file__).resolve().parent.parent

def words(path):
    out = set()
    for line in open(path, encoding="utf-8", errors="ignore"):
        w = line.strip()
        # Lowercase entries only: the capitalised ones are proper names ("Lima", "Pacino").
        if w and "'" not in w and w[0].islower(): out.add(fold(w))
    return out

def fold(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower()

def clean(name):
    name = name.replace("_", " ").replace('"', "").strip()
    if "(" in name: name = name.split("(")[0].strip()
    return " ".join(name.split())

vgg_csv, lfw_pairs, extra = sys.argv[1:4]
names = {}
curated = set()
for row in csv.reader(open(vgg_csv, encoding="utf-8")):
    if len(row) >= 2: names.setdefault(fold(clean(row[1])), clean(row[1]))
for line in open(lfw_pairs, encoding="utf-8"):
    for part in line.split():
        if not part.isdigit(): names.setdefault(fold(clean(part)), clean(part))
for line in open(extra, encoding="utf-8"):
    line = line.split("#")[0].strip()
    if line:
        names.setdefault(fold(clean(line)), clean(line))
        curated.add(fold(clean(line)))

dictionary = words("/usr/share/dict/american-english") | words("/usr/share/dict/french")
given = {l.strip().rstrip("*") for l in open(root / "share/policy/given-names.txt", encoding="utf-8")
         if l.strip() and not l.startswith("#")}
from collections import Counter
first_names = Counter(key.split()[0] for key in names if " " in key)
kept, dropped = [], []
for key, name in sorted(names.items()):
    if key in curated:
        kept.append(name); continue
    parts = [p for p in key.replace("-", " ").replace(".", " ").split() if p]
    if not parts or len(key) < 4:
        dropped.append(name); continue
    if len(parts) == 1 and (parts[0] in dictionary or len(parts[0]) < 5 or parts[0] in given
                            or first_names[parts[0]] > 0):
        dropped.append(name); continue           # "Drake", "Koke", "Sophie": a word or a given name
    # A first word that is a given name here or elsewhere in the lists ("Bill", "Amber") makes it a
    # name; otherwise a name made of dictionary words reads as a phrase.
    if len(parts) > 1 and all(p in dictionary for p in parts) and parts[0] not in given \
            and first_names[parts[0]] < 3:
        dropped.append(name); continue           # "Ice Cube", "Prince Edward": a phrase first
    kept.append(name)

header = f"""# Public figures for the content policy (hard.real-person.protected): in an adult category, or
# with sexual wording, a prompt naming one of these people in any letter case is refused.
# Format: one name a line, as written; "#" starts a comment. Names are folded like prompts
# (case, accents, look-alike letters), and joined spellings ("taylorswift") match too.
# Sources, retrieved {datetime.date.today().isoformat()}:
#   - VGGFace2 identity list (identity_meta.csv), Cao, Shen, Xie, Parkhi, Zisserman, Visual Geometry
#     Group, University of Oxford, 2018: 9,131 people with a Wikipedia article (CC BY-SA 4.0);
#   - Labeled Faces in the Wild, pairs.txt, Huang et al., University of Massachusetts Amherst, 2007;
#   - share/policy/public-figures-extra.txt: people prominent since 2018, kept by the maintainers.
# Built by scripts/build-public-figures.py; {len(kept)} names kept, {len(dropped)} dropped because
# they are also everyday words ("Drake", "Ice Cube") — the given-name heuristic still covers most.
# Replace this file (policy.public_figures_file, or <data>/policy/public-figures.txt) without
# rebuilding; the host reads it at start. Extra names: policy.protected_names; never refused:
# policy.allowed_names.
"""
out = root / "share/policy/public-figures.txt"
out.write_text(header + "\n".join(kept) + "\n", encoding="utf-8")
print(f"kept {len(kept)}, dropped {len(dropped)}: {dropped[:40]}")
