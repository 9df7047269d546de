"""One settings object for the whole product: declared once, overridable by file, environment and flags.

Precedence (highest first): explicit arguments (CLI flags), environment variables ``KG_*``,
the TOML file named by ``KG_SETTINGS_FILE`` (or ``./kg.toml`` when present), then defaults.
Secrets are never stored here: settings name the environment variable that holds them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _settings_file() -> Path:
    return Path(os.environ.get("KG_SETTINGS_FILE", "kg.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the graph store, vector index and models live.")
    base_iri: str = Field(
        "http://127.0.0.1:8000/",
        description="Base IRI of every entity and of the ontology namespace; the service dereferences it.",
    )
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Default corpus ingested by `make run`.")
    ontology_dir: Path = Field(PROJECT_ROOT / "ontology", description="Ontology, SKOS schemes and SHACL shapes.")
    spacy_model: str = Field("fr_core_news_md", description="spaCy pipeline used for French extraction.")
    embedding_model_dir: Path | None = Field(
        None,
        description="A local sentence-transformers folder; default: the converted multilingual-e5-small "
        "under <data_dir>/models.",
    )
    passage_max_chars: int = Field(900, description="Passages longer than this are split at sentence ends.")
    api_key_env: str = Field("KG_API_KEY", description="Name of the environment variable holding the API key.")
    sparql_timeout_s: float = Field(10.0, description="Time limit of one SPARQL query, in seconds.")
    sparql_max_rows: int = Field(10000, description="Cap on the rows a SPARQL SELECT returns.")
    sparql_workers: int = Field(2, description="Worker processes evaluating SPARQL queries (killed at the limit).")
    sparql_update: Literal["admin", "disabled"] = Field(
        "admin", description="SPARQL Update: allowed with the admin key, or disabled altogether."
    )
    sparql_allow_service: bool = Field(
        False, description="Allow federated SERVICE queries (the server then makes outbound requests)."
    )
    admin_key_env: str = Field("KG_ADMIN_KEY", description="Name of the environment variable holding the admin key.")
    max_upload_mb: int = Field(20, description="Largest upload accepted by POST /api/ingest, in megabytes.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS (none by default).")
    store: Literal["oxigraph", "remote"] = Field(
        "oxigraph",
        description="Graph store: the embedded Oxigraph under <data_dir>/store, or a remote SPARQL 1.1 endpoint.",
    )
    remote_query_url: str | None = Field(None, description="SPARQL 1.1 query endpoint of the remote store.")
    remote_update_url: str | None = Field(None, description="SPARQL 1.1 update endpoint of the remote store.")
    remote_store_url: str | None = Field(
        None,
        description="Optional Graph Store HTTP Protocol endpoint of the remote store (e.g. oxigraph's /store): "
        "graphs are then replaced atomically by PUT and exported by GET.",
    )
    remote_timeout_s: float = Field(30.0, description="Time limit of one HTTP request to the remote store, in seconds.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if _settings_file().is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=_settings_file()))
        return tuple(sources)

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def model_dir(self) -> Path:
        return self.embedding_model_dir or self.data_dir / "models" / "multilingual-e5-small"


def load_settings(**overrides: Any) -> Settings:
    """Build settings, ignoring overrides left at None (unset CLI flags)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
