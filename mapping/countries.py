"""Country names for search: Eurostat codes, ISO codes where they differ, English and national names.

Names follow the EU Interinstitutional Style Guide, section 7.1 and Annex A5 ("List of countries, territories and
currencies": short name in English and in the country's own official language(s)), published by the Publications
Office of the European Union; reuse is authorised (Commission Decision 2011/833/EU). A few common English
alternatives ("Czech Republic", "Holland") are added because people type them. Eurostat codes are those of NUTS
level 0 (EL for Greece, UK for the United Kingdom); ISO 3166-1 alpha-2 codes that differ (GR, GB) are accepted too.
"""

from __future__ import annotations

import re
import unicodedata

# The 27 member states since 1 February 2020 (Eurostat codes), for ranks "in the EU".
EU27 = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip

# Eurostat code -> (English short name, other names: the country's own official-language names first).
COUNTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AT": ("Austria", ("Österreich",)),
    "BE": ("Belgium", ("Belgique", "België", "Belgien")),
    "BG": ("Bulgaria", ("България", "Bulgariya", "Balgariya")),
    "CY": ("Cyprus", ("Κύπρος", "Kypros", "Kıbrıs")),
    "CZ": ("Czechia", ("Česko", "Czech Republic", "Česká republika")),
    "DE": ("Germany", ("Deutschland",)),
    "DK": ("Denmark", ("Danmark",)),
    "EE": ("Estonia", ("Eesti",)),
    "EL": ("Greece", ("Ελλάδα", "Elláda", "Ellada", "Hellas")),
    "ES": ("Spain", ("España",)),
    "FI": ("Finland", ("Suomi",)),
    "FR": ("France", ()),
    "HR": ("Croatia", ("Hrvatska",)),
    "HU": ("Hungary", ("Magyarország",)),
    "IE": ("Ireland", ("Éire",)),
    "IT": ("Italy", ("Italia",)),
    "LT": ("Lithuania", ("Lietuva",)),
    "LU": ("Luxembourg", ("Lëtzebuerg", "Luxemburg")),
    "LV": ("Latvia", ("Latvija",)),
    "MT": ("Malta", ()),
    "NL": ("Netherlands", ("Nederland", "Holland", "The Netherlands")),
    "PL": ("Poland", ("Polska",)),
    "PT": ("Portugal", ()),
    "RO": ("Romania", ("România",)),
    "SE": ("Sweden", ("Sverige",)),
    "SI": ("Slovenia", ("Slovenija",)),
    "SK": ("Slovakia", ("Slovensko",)),
    # EFTA, candidates and neighbours that appear in the sources (ESCP members, Eurostat NUTS).
    "CH": ("Switzerland", ("Schweiz", "Suisse", "Svizzera", "Svizra")),
    "IS": ("Iceland", ("Ísland",)),
    "LI": ("Liechtenstein", ()),
    "NO": ("Norway", ("Norge", "Noreg")),
    "UK": ("United Kingdom", ("Great Britain", "Britain")),
    "AL": ("Albania", ("Shqipëria",)),
    "BA": ("Bosnia and Herzegovina", ("Bosna i Hercegovina",)),
    "ME": ("Montenegro", ("Crna Gora",)),
    "MK": ("North Macedonia", ("Северна Македонија", "Severna Makedonija")),
    "RS": ("Serbia", ("Србија", "Srbija")),
    "TR": ("Türkiye", ("Turkey", "Turkiye")),
    "UA": ("Ukraine", ("Україна", "Ukraina")),
    "MD": ("Moldova", ()),
    "XK": ("Kosovo", ()),
}
# ISO 3166-1 alpha-2 codes where Eurostat uses another.
ISO_ALIASES = {"GR": "EL", "GB": "UK"}


def fold(text: str) -> str:
    """Lower case without accents or punctuation ("Česko" -> "cesko", "Österreich" -> "osterreich")."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^\w]+", " ", plain.casefold()).strip()


def _names() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, (english, others) in COUNTRIES.items():
        for name in (english, *others):
            out[fold(name)] = code
    return out


NAMES = _names()  # folded name -> Eurostat code


def name(code: str) -> str:
    """The English short name of a Eurostat country code (the code itself when unknown)."""
    return COUNTRIES.get(code, (code, ()))[0]


def resolve(text: str) -> str | None:
    """The Eurostat code a search text names as a whole: a code (PL, EL or GR) or a name (Poland, Polska).

    Case, accents and surrounding punctuation do not matter; None when the text is not one country.
    """
    raw = str(text).strip()
    code = raw.upper()
    if re.fullmatch(r"[A-Za-z]{2}", raw):
        code = ISO_ALIASES.get(code, code)
        return code if code in COUNTRIES else None
    return NAMES.get(fold(raw))


def split_query(text: str) -> tuple[str | None, str]:
    """A search text split into the country it names (as a whole or as words in it) and the remaining words.

    A two-letter code counts inside a longer text only when typed in capitals ("PL packaging"), so ordinary words
    ("is", "de") stay words. The longest name wins ("North Macedonia" before "Macedonia").
    """
    whole = resolve(text)
    if whole:
        return whole, ""
    folded = fold(text)
    for alias in sorted(NAMES, key=len, reverse=True):
        match = re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", folded)
        if match:
            rest = (folded[: match.start()] + " " + folded[match.end() :]).split()
            return NAMES[alias], " ".join(rest)
    words = str(text).split()
    for i, word in enumerate(words):
        stripped = word.strip(".,;:()")
        if re.fullmatch(r"[A-Z]{2}", stripped) and resolve(stripped):
            return resolve(stripped), " ".join(words[:i] + words[i + 1 :])
    return None, str(text).strip()
