"""The variables of the research exports, and the codebook that documents them.

Every dataset of exports.py is a list of Variables: name, Dutch label, type, value labels and
user-missing codes. The same list drives the CSV header, the XLSX columns, the SPSS variable
and value labels, and the codebook rows, so the codebook cannot drift from the files.

Codes:
- "Weet niet" is its own code, never an empty cell: DONT_KNOW_NUMBER (-1) for items answered
  with numbers, DONT_KNOW_CODE ("weetniet") for items answered with text codes. In SPSS these
  are user-missing values.
- Practices (section C, "Wat doen jullie al?") are numbers: PRACTICE_CODES (1 = nog niet,
  2 = deels, 3 = al: higher is further along), "niet van toepassing" -2 and "weet niet" -1,
  both user-missing in SPSS.
- An empty cell means "not answered" for an item; other variables say what it means (the
  scores: "no score", fewer than 75% of the challenge's items answered), in `empty`.
- The scores' notes give the formula (scoring/scales.py `scores_of`) and the items.
- A value label longer than SPSS's 120 bytes is shortened at a word boundary in the .sav file
  (spss.py); the codebook keeps the full text and says so in the note.
- Free text is never exported (EXCLUDED_SCALES): an open answer may name or describe people.
- No group below the anonymity threshold k within a round (suppression.py): the notes of
  round_key, role, A_role and round_month (responses) and n_responses (scores) say how.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from django.conf import settings

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import Item, get_questionnaire

from .spss import MAX_VALUE_LABEL

DONT_KNOW_NUMBER = -1
# At most 8 characters: SPSS allows no longer user-missing value for a text variable.
DONT_KNOW_CODE = "weetniet"
EMPTY_MEANS = "Leeg: niet beantwoord."
NEVER_EMPTY = "Nooit leeg."
# What an empty cell means in the columns that are not items ("not answered" is for items).
FIXED_EMPTY: dict[str, str] = {
    **dict.fromkeys(
        (
            "org_key",
            "round_key",
            "round_month",
            "questionnaire_version",
            "model_version",
            "catalogue_version",
            "n_responses",
            "action",
            "relevance",
            "feasibility",
            "rated_month",
        ),
        NEVER_EMPTY,
    ),
    "sector": "Leeg: de organisatie gaf geen sector op.",
    "size_band": "Leeg: de organisatie gaf geen grootte op.",
    **dict.fromkeys(
        ("profile", "profile_probability", "nearest_prototype"),
        "Leeg: het rapport bewaarde geen profiel.",
    ),
    "challenge": "Leeg: de actie staat niet (meer) in de catalogus.",
}
# Practices as numbers: higher is further along. "Niet van toepassing" and "weet niet" are
# user-missing: neither says how far an organisation is.
PRACTICE_CODES: dict[str, int] = {"nog_niet": 1, "deels": 2, "al": 3, "nvt": -2}
PRACTICE_NOT_APPLICABLE = PRACTICE_CODES["nvt"]
PRACTICE_SCALE = "practice"
SHORTENED_NOTE = (
    f"Waardelabels langer dan {MAX_VALUE_LABEL} bytes (de grens van SPSS) zijn in het "
    ".sav-bestand ingekort op een woordgrens, met '…'; de volledige tekst staat hier bij values."
)
# Open questions: the respondent's own words may identify them or others.
EXCLUDED_SCALES = {"text"}
EXCLUDED_NOTE = (
    "Niet geëxporteerd: een open antwoord in eigen woorden kan personen herkenbaar maken."
)

Kind = Literal["text", "number", "decimal"]


@dataclass(frozen=True)
class Variable:
    """One column of a dataset, with what the codebook says about it."""

    name: str
    label: str
    kind: Kind
    values: dict[int | str, str] = field(default_factory=dict)
    # User-missing codes (SPSS): "weet niet".
    missing: tuple[int | str, ...] = ()
    section: str = ""
    scale: str = ""
    reverse: bool | None = None
    challenge: int | None = None
    action: str = ""
    questionnaire_version: str = ""
    note: str = ""
    # SPSS measurement level; by default from the kind (see measure_of).
    measure: Literal["", "nominal", "ordinal", "scale"] = ""
    # What an empty cell means, for the codebook; by default EMPTY_MEANS (not answered).
    empty: str = ""


CODEBOOK_HEADER = (
    "dataset",
    "variable",
    "label",
    "type",
    "values",
    "missing",
    "section",
    "scale",
    "reverse",
    "challenge",
    "action",
    "questionnaire_version",
    "note",
)


def measure_of(variable: Variable) -> str:
    if variable.measure:
        return variable.measure
    if variable.kind == "text":
        return "nominal"
    if variable.kind == "number" and variable.values:
        return "ordinal"
    return "scale"


def is_exported(item: Item) -> bool:
    return item.scale not in EXCLUDED_SCALES


def is_practice(item: Item) -> bool:
    return item.scale == PRACTICE_SCALE


def item_is_numeric(item: Item) -> bool:
    """Whether the export holds numbers for the item: numeric answers, or practices (coded)."""
    if is_practice(item):
        return True
    values = [option.value for option in item.options if option.value is not None]
    return bool(values) and all(isinstance(value, int) for value in values)


def dont_know_code(item: Item) -> int | str | None:
    """The code "Weet niet" gets in the export, or None when the item does not offer it."""
    if not item.allows_dont_know:
        return None
    return DONT_KNOW_NUMBER if item_is_numeric(item) else DONT_KNOW_CODE


def practice_code(state: str | None) -> int | None:
    """A practice state ("al", "deels", "nog_niet", "nvt") as its number; None stays None."""
    return None if state is None else PRACTICE_CODES[state]


def practice_values(dont_know: bool = True) -> dict[int | str, str]:
    """The practices' value labels, in code order, then the user-missing codes."""
    labels = {option.value: option.label for option in get_questionnaire().scales.practice}
    values: dict[int | str, str] = {
        code: labels[state]
        for state, code in sorted(PRACTICE_CODES.items(), key=lambda pair: pair[1])
        if code > 0
    }
    values[PRACTICE_NOT_APPLICABLE] = labels["nvt"]
    if dont_know:
        values[DONT_KNOW_NUMBER] = get_questionnaire().scales.dont_know_label
    return values


def practice_note() -> str:
    return (
        "Gecodeerd als getal: 1 = nog niet, 2 = deels, 3 = al (hoger = verder). Niet van "
        f"toepassing ({PRACTICE_NOT_APPLICABLE}) en weet niet ({DONT_KNOW_NUMBER}) zeggen niet "
        "hoe ver een organisatie staat: in SPSS user-missing, in CSV en XLSX de code zelf."
    )


def _shortened(values: Mapping[int | str, str]) -> bool:
    return any(len(label.encode()) > MAX_VALUE_LABEL for label in values.values())


def with_label_notes(variable: Variable) -> Variable:
    """The variable with a note when SPSS gets a shortened value label."""
    if not _shortened(variable.values) or SHORTENED_NOTE in variable.note:
        return variable
    return replace(
        variable, note=" ".join(part for part in (variable.note, SHORTENED_NOTE) if part)
    )


def item_variable(item: Item, version: str) -> Variable:
    if is_practice(item):
        return _practice_item_variable(item, version)
    values: dict[int | str, str] = {
        option.value: option.label for option in item.options if option.value is not None
    }
    code = dont_know_code(item)
    if code is not None:
        values[code] = get_questionnaire().scales.dont_know_label
    return Variable(
        name=item.id,
        label=item.text,
        kind="number" if item_is_numeric(item) else "text",
        values=values,
        missing=() if code is None else (code,),
        section=item.section,
        scale=item.scale or "",
        reverse=item.reverse if item.challenge is not None else None,
        challenge=item.challenge,
        action=item.action or "",
        questionnaire_version=version,
        # A ranked challenge is a category, not an amount.
        measure="nominal" if item.scale == "challenges" else "",
    )


def _practice_item_variable(item: Item, version: str) -> Variable:
    dont_know = item.allows_dont_know
    return Variable(
        name=item.id,
        label=item.text,
        kind="number",
        values=practice_values(dont_know),
        missing=(PRACTICE_NOT_APPLICABLE, *((DONT_KNOW_NUMBER,) if dont_know else ())),
        section=item.section,
        scale=item.scale or "",
        action=item.action or "",
        questionnaire_version=version,
        measure="ordinal",
        note=practice_note(),
    )


def _options(item_id: str) -> dict[int | str, str]:
    item = get_questionnaire().item(item_id)
    if item is None:
        return {}
    return {option.value: option.label for option in item.options if option.value is not None}


def challenge_titles() -> dict[int | str, str]:
    return {challenge.number: challenge.title for challenge in get_catalogue().challenges}


def action_titles() -> dict[int | str, str]:
    return {action.id: action.title for action in get_catalogue().actions()}


def organisation_variables() -> list[Variable]:
    return [
        Variable(
            "org_key",
            "Pseudoniem van de organisatie: sleutel uit de organisatiecode (HMAC met de geheime "
            "sleutel van de server), niet de code of de naam; gelijk over alle exports",
            "text",
        ),
        Variable(
            "round_key",
            "Pseudoniem van de ronde (HMAC van de rondecode); verbindt de datasets",
            "text",
        ),
        Variable(
            "sector",
            "Sector van de organisatie (NACE-sectie), zoals de organisatie ze opgaf",
            "text",
            _options("A_sector"),
        ),
        Variable(
            "size_band",
            "Aantal medewerkers van de organisatie, zoals de organisatie het opgaf",
            "text",
            _options("A_size"),
        ),
    ]


def round_variables() -> list[Variable]:
    """Keys and context of a round: the first columns of every per-round dataset."""
    return [
        *organisation_variables(),
        Variable("round_month", "Maand waarin de ronde begon (JJJJ-MM)", "text"),
        Variable("questionnaire_version", "Versie van de vragenlijst van de ronde", "text"),
    ]


# The merged role group of suppression.py.
MERGED_ROLE = "overig"
MERGED_ROLE_LABEL = "Overig (samengevoegde kleine groepen)"


def rounds_note() -> str:
    k = settings.ANONYMITY_THRESHOLD
    return (
        f"Alleen afgesloten rondes met minstens {k} verstuurde antwoorden (de "
        "anonimiteitsdrempel); een kleinere ronde staat er helemaal niet in, een open ronde "
        "pas na afsluiten."
    )


def roles_note() -> str:
    k = settings.ANONYMITY_THRESHOLD
    return (
        f"Binnen een ronde: een combinatie van role en A_role met minder dan {k} respondenten "
        f"wordt in beide kolommen '{MERGED_ROLE}'; blijft die samengevoegde groep onder {k}, "
        "dan schuift de kleinste getoonde combinatie erbij, tot ze groot genoeg is; lukt dat "
        "niet, dan zijn role en A_role leeg voor de hele ronde. Elke getoonde waarde, ook "
        f"'{MERGED_ROLE}', telt dus minstens {k} respondenten van de ronde."
    )


def _with_merged_role(variable: Variable) -> Variable:
    values = {**variable.values, MERGED_ROLE: MERGED_ROLE_LABEL}
    note = " ".join(part for part in (variable.note, roles_note()) if part)
    blanked = "voor de hele ronde leeggemaakt als geen rolgroep te beschermen was (zie note)"
    empty = f"Leeg: {blanked}." if variable.name == "role" else f"{EMPTY_MEANS[:-1]}, of {blanked}."
    return replace(variable, values=values, note=note, empty=empty)


def flag(name: str, label: str, note: str = "") -> Variable:
    """A yes/no variable: 0 = nee, 1 = ja, never empty."""
    return Variable(
        name,
        label,
        "number",
        {0: "nee", 1: "ja"},
        measure="nominal",
        empty=NEVER_EMPTY,
        note=note,
    )


def response_variables() -> list[Variable]:
    questionnaire = get_questionnaire()
    version = questionnaire.version
    keys = organisation_variables()
    keys[1] = replace(keys[1], note=rounds_note())
    items = [item_variable(item, version) for item in questionnaire.items() if is_exported(item)]
    return [
        *keys,
        _with_merged_role(
            Variable("role", "Rol waarin de respondent antwoordde", "text", _options("A_role"))
        ),
        Variable(
            "questionnaire_version",
            "Versie van de vragenlijst van de ronde",
            "text",
            note=f"De itemkolommen volgen vragenlijst {version}: een item dat in een andere "
            "versie een ander id had, staat er niet in.",
        ),
        Variable(
            "round_month",
            "Maand waarin de ronde begon (JJJJ-MM)",
            "text",
            note="Geen datum per respondent: wanneer iemand antwoordde, kan iemand herkenbaar "
            "maken. De rijen van een ronde staan in een willekeurige, vaste volgorde.",
        ),
        *(_with_merged_role(item) if item.name == "A_role" else item for item in items),
        # After the items: the columns researchers' scripts know keep their positions.
        flag(
            "entered_by_organisation",
            "Antwoorden die de organisatie zelf invoerde (papieren vragenlijst, import), niet "
            "via de link van de respondent",
            note="Laatste kolom, na de items, zodat de bestaande kolommen op hun plaats "
            "blijven. 0 = de respondent antwoordde zelf via een link.",
        ),
    ]


def excluded_item_variables() -> list[Variable]:
    """The questionnaire's items that no export holds, for the codebook."""
    questionnaire = get_questionnaire()
    return [
        Variable(
            item.id,
            item.text,
            "text",
            section=item.section,
            scale=item.scale or "",
            questionnaire_version=questionnaire.version,
            note=EXCLUDED_NOTE,
            empty="Geen kolom in de export.",
        )
        for item in questionnaire.items()
        if not is_exported(item)
    ]


def _format_values(values: dict[int | str, str]) -> str:
    return "; ".join(f"{code} = {label}" for code, label in values.items())


def _format_missing(variable: Variable) -> str:
    # The label first: a cell that starts with "-1" would be taken for a formula.
    parts = [f"{variable.values.get(code, 'Ontbrekend')}: {code}." for code in variable.missing]
    empty = variable.empty or FIXED_EMPTY.get(variable.name, EMPTY_MEANS)
    return " ".join([*parts, empty])


def codebook_rows(datasets: Iterable[tuple[str, Sequence[Variable]]]) -> Iterator[list]:
    """One row per variable of each (dataset name, variables), in CODEBOOK_HEADER order."""
    for dataset, variables in datasets:
        for variable in map(with_label_notes, variables):
            yield [
                dataset,
                variable.name,
                variable.label,
                variable.kind,
                _format_values(variable.values),
                _format_missing(variable),
                variable.section,
                variable.scale,
                "" if variable.reverse is None else int(variable.reverse),
                variable.challenge,
                variable.action,
                variable.questionnaire_version,
                variable.note,
            ]
