"""One award entry (a candidate file of a prize such as the Prix TERRITORIA), validated once for every format.

The model is shared by the award-file reader (ingestion), ``kg similar`` / ``kg jury-report`` and
``POST /api/similar``, so that an entry means the same thing wherever it comes from. Values are normalised
(medal names, authority types, amounts) rather than rejected when their meaning is clear; the messages of
what is rejected are French, as users read them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kg.text import fold

Medal = Literal["Or", "Argent", "Bronze", "Prix spécial"]

MEDALS: dict[str, Medal | None] = {
    "or": "Or",
    "gold": "Or",
    "medaille d'or": "Or",
    "argent": "Argent",
    "silver": "Argent",
    "medaille d'argent": "Argent",
    "bronze": "Bronze",
    "medaille de bronze": "Bronze",
    "prix special": "Prix spécial",
    "special": "Prix spécial",
    "special prize": "Prix spécial",
    "prix special du jury": "Prix spécial",
    "": None,
    "-": None,
    "aucun": None,
    "aucune": None,
    "none": None,
    "null": None,
    "sans": None,
}

# Surface forms of the authority types (scheme/authority-types keys); anything else is kept as written.
AUTHORITY_TYPES: dict[str, str] = {
    "commune": "commune",
    "ville": "commune",
    "mairie": "commune",
    "municipality": "commune",
    "city": "commune",
    "epci": "epci",
    "intercommunalite": "epci",
    "communaute de communes": "communaute-de-communes",
    "communaute d'agglomeration": "communaute-d-agglomeration",
    "agglomeration": "communaute-d-agglomeration",
    "communaute urbaine": "communaute-urbaine",
    "metropole": "metropole",
    "departement": "departement",
    "conseil departemental": "departement",
    "conseil general": "departement",
    "county": "departement",
    "region": "region",
    "conseil regional": "region",
    "sdis": "sdis",
    "ccas": "ccas",
    "etablissement public": "other-public",
    "syndicat": "other-public",
    "syndicat mixte": "other-public",
}

_AMOUNT = re.compile(r"^(?P<n>\d+(?:[.,]\d+)?)\s*(?P<mult>k|m|md|mds|millions?|milliards?)?\s*(?:€|eur|euros?)?$")
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "million": 1e6, "millions": 1e6, "md": 1e9, "mds": 1e9}
_MULTIPLIERS |= {"milliard": 1e9, "milliards": 1e9}


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def parse_amount(value: object) -> float | None:
    """Euros from a number or from text such as "120 000 €", "35 k€", "1,5 M€" (ValueError otherwise)."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError("montant attendu en euros (par ex. 120000 ou « 120 000 € »)")
        return None
    if isinstance(value, int | float):
        return float(value)
    text = fold(str(value)).replace("\u00a0", " ").replace("\u202f", " ").strip()
    if not text:
        return None
    text = re.sub(r"(?<=\d)[ .](?=\d{3}\b)", "", text)  # thousands separators
    m = _AMOUNT.match(text.replace("ht", "").replace("ttc", "").strip())
    if not m:
        raise ValueError(f"montant attendu en euros (par ex. 120000 ou « 120 000 € »), pas « {value} »")
    return float(m.group("n").replace(",", ".")) * _MULTIPLIERS.get(m.group("mult") or "", 1.0)


def normalise_medal(value: object) -> Medal | None:
    if value is None:
        return None
    key = re.sub(r"\s+", " ", fold(str(value))).strip(" .")
    for candidate in (key, re.sub(r"^(?:prix|medaille|medal) (?:d'|de )?", "", key)):
        if candidate in MEDALS:
            return MEDALS[candidate]
    raise ValueError(f"distinction inconnue « {value} » (Or, Argent, Bronze, Prix spécial ou vide)")


def normalise_authority_type(value: str) -> str:
    """The scheme key of a known authority type ("EPCI" → "epci", "Département" → "departement"), else as is."""
    key = re.sub(r"\s+", " ", fold(value)).strip(" .")
    return AUTHORITY_TYPES.get(key, AUTHORITY_TYPES.get(key.rstrip("s"), value.strip()))


class AwardEntry(BaseModel):
    """A candidate file: what it is (title, description…), who carries it, and the award it won, if any."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    title: str = Field(min_length=1, max_length=500, description="Titre du projet.")
    authority: str = Field(min_length=1, max_length=300, description="Collectivité porteuse, telle qu'écrite.")
    year: int | None = Field(None, ge=1900, le=2100, description="Année du prix (ou de la candidature).")
    category: str | None = Field(None, max_length=200, description="Catégorie du prix.")
    medal: Medal | None = Field(None, description="Or, Argent, Bronze, Prix spécial, ou rien.")
    authority_type: str | None = Field(None, max_length=100, description="Type de collectivité (commune, EPCI…).")
    description: str | None = Field(None, max_length=20000)
    objectives: str | None = Field(None, max_length=20000)
    results: str | None = Field(None, max_length=20000)
    cost: float | None = Field(None, ge=0, description="Coût en euros.")
    partners: list[str] = Field(default_factory=list, description="Partenaires.")
    source_url: str | None = Field(None, max_length=2000, description="Adresse web de la source.")

    @field_validator("year", "category", "authority_type", "description", "objectives", "results", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: object) -> object:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    @field_validator("medal", mode="before")
    @classmethod
    def _medal(cls, value: object) -> Medal | None:
        return normalise_medal(_blank_to_none(value))

    @field_validator("authority_type")
    @classmethod
    def _authority_type(cls, value: str | None) -> str | None:
        return normalise_authority_type(value) if value else None

    @field_validator("cost", mode="before")
    @classmethod
    def _cost(cls, value: object) -> float | None:
        return parse_amount(_blank_to_none(value))

    @field_validator("partners", mode="before")
    @classmethod
    def _partners(cls, value: object) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [p.strip() for p in re.split(r"[;|\n]", value) if p.strip()]
        if isinstance(value, list | tuple):
            return [str(p).strip() for p in value if p is not None and str(p).strip()]
        raise ValueError("liste de partenaires attendue (ou texte séparé par des « ; »)")

    @field_validator("source_url", mode="before")
    @classmethod
    def _url(cls, value: object) -> str | None:
        value = _blank_to_none(value)
        if value is None:
            return None
        if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+\S*$", value.strip()):
            raise ValueError(f"adresse web attendue (http:// ou https://), pas « {value} »")
        return value.strip()

    def text(self) -> str:
        """What the entry says about the project (title and free texts), without who and which prize."""
        parts = [self.title, self.description, self.objectives, self.results]
        return "\n".join(p for p in parts if p)

    def prize_line(self) -> str:
        prize = "Prix TERRITORIA"
        if self.year:
            prize += f" {self.year}"
        details = [d for d in (self.category, self.medal) if d]
        if details:
            prize += " — " + ", ".join(details)
        return prize
