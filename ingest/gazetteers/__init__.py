"""Reference data kept in the repo: départements, regions, communes with INSEE codes, known aliases.

Everything is keyed by folded names (``kg.text.fold``) with hyphens and spaces unified, so that
"Seine et Marne" and "Seine-et-Marne" meet.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.text import fold

HERE = Path(__file__).parent


def name_key(name: str) -> str:
    """Folded name with hyphens, spaces and apostrophes unified ("Saint-Paul lès Dax" → "saint paul les dax")."""
    return " ".join(fold(name).replace("-", " ").replace("'", " ").split())


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    article: str
    region: str

    @property
    def label(self) -> str:
        sep = "" if self.article.endswith("'") else " "
        return f"Département {self.article}{sep}{self.name}"

    @property
    def of_name(self) -> str:
        sep = "" if self.article.endswith("'") else " "
        return f"{self.article}{sep}{self.name}"


# Regions, current (2016) and former (still named in older documents), with the current region each
# belongs to. Former regions are distinct authorities for the years they existed.
REGIONS: dict[str, str] = {
    "Auvergne-Rhône-Alpes": "Auvergne-Rhône-Alpes",
    "Bourgogne-Franche-Comté": "Bourgogne-Franche-Comté",
    "Bretagne": "Bretagne",
    "Centre-Val de Loire": "Centre-Val de Loire",
    "Corse": "Corse",
    "Grand Est": "Grand Est",
    "Hauts-de-France": "Hauts-de-France",
    "Île-de-France": "Île-de-France",
    "Normandie": "Normandie",
    "Nouvelle-Aquitaine": "Nouvelle-Aquitaine",
    "Occitanie": "Occitanie",
    "Pays de la Loire": "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur": "Provence-Alpes-Côte d'Azur",
    "Alsace": "Grand Est",
    "Lorraine": "Grand Est",
    "Champagne-Ardenne": "Grand Est",
    "Aquitaine": "Nouvelle-Aquitaine",
    "Limousin": "Nouvelle-Aquitaine",
    "Poitou-Charentes": "Nouvelle-Aquitaine",
    "Auvergne": "Auvergne-Rhône-Alpes",
    "Rhône-Alpes": "Auvergne-Rhône-Alpes",
    "Bourgogne": "Bourgogne-Franche-Comté",
    "Franche-Comté": "Bourgogne-Franche-Comté",
    "Languedoc-Roussillon": "Occitanie",
    "Midi-Pyrénées": "Occitanie",
    "Nord-Pas-de-Calais": "Hauts-de-France",
    "Picardie": "Hauts-de-France",
    "Basse-Normandie": "Normandie",
    "Haute-Normandie": "Normandie",
    "Centre": "Centre-Val de Loire",
    "PACA": "Provence-Alpes-Côte d'Azur",
}


@dataclass(frozen=True)
class KnownEntity:
    """An organisation known by name, with its aliases (aliases.csv)."""

    key: str
    label: str
    type: str
    parent: str | None
    aliases: tuple[str, ...]


@cache
def departements() -> dict[str, Departement]:
    with (HERE / "departements.csv").open(encoding="utf-8") as fh:
        rows = [Departement(r["code"], r["name"], r["article"], r["region"]) for r in csv.DictReader(fh)]
    return {d.code: d for d in rows}


@cache
def departements_by_name() -> dict[str, Departement]:
    return {name_key(d.name): d for d in departements().values()}


@cache
def regions_by_name() -> dict[str, str]:
    return {name_key(r): r for r in REGIONS}


@cache
def communes_by_name() -> dict[str, tuple[str, str]]:
    """name key → (official name, INSEE code)."""
    path = HERE / "communes.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return {name_key(r["name"]): (r["name"], r["insee"]) for r in csv.DictReader(fh)}


@cache
def known_entities() -> tuple[KnownEntity, ...]:
    with (HERE / "aliases.csv").open(encoding="utf-8") as fh:
        return tuple(
            KnownEntity(
                r["key"],
                r["label"],
                r["type"],
                r["parent"] or None,
                tuple(a for a in r["aliases"].split("|") if a),
            )
            for r in csv.DictReader(fh)
        )
