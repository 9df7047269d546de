"""Docs cannot drift: every setting, CLI command and API route is named in the README."""

import pytest

from kg.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in README or f"`{name}," in README or f", `{name}`" in README, name


def test_every_cli_command_is_documented():
    from typer.main import get_command

    from kg.cli import app

    commands = get_command(app).commands
    missing = [c for c in commands if f"kg {c}" not in README]
    assert not missing, missing


def test_every_api_route_is_documented():
    from search_api.app import create_app

    app = create_app(warm_up=False)
    paths = {getattr(r, "path", "") for r in app.routes}
    api = sorted(p for p in paths if p.startswith("/api/"))
    missing = [p for p in api if p.split("{")[0].rstrip("/") not in README]
    assert not missing, missing
