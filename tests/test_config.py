"""Settings: defaults, kg.toml, KG_* variables, and clear errors."""

from pathlib import Path

import pytest

from kg.config import DEFAULT_BASE_IRI, ConfigError, load_settings


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(environ={}, config_file=tmp_path / "absent.toml")
    assert settings.base_iri == DEFAULT_BASE_IRI
    assert settings.store == "embedded"
    assert settings.store_path == Path("var/store")
    assert settings.write_token == ""
    assert settings.query_timeout == 30.0


def test_toml_then_environment_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "kg.toml"
    config.write_text('[kg]\nbase_iri = "https://example.org/kg/"\nmax_rows = 50\nstore = "memory"\n')
    env = {"KG_MAX_ROWS": "70", "KG_INFER_AFTER_LOAD": "no"}
    settings = load_settings(environ=env, config_file=config, query_timeout=5)
    assert settings.base_iri == "https://example.org/kg"  # trailing slash removed
    assert settings.base == "https://example.org/kg/"
    assert settings.max_rows == 70
    assert settings.infer_after_load is False
    assert settings.query_timeout == 5.0
    assert settings.store == "memory"


@pytest.mark.parametrize(("env", "needle"), [
    ({"KG_MAX_ROWS": "many"}, "KG_MAX_ROWS"),
    ({"KG_BASE_IRI": "ftp://x"}, "base_iri"),
    ({"KG_STORE": "cloud"}, "store"),
    ({"KG_STORE": "remote"}, "remote_query_url"),
    ({"KG_INFER_AFTER_LOAD": "perhaps"}, "KG_INFER_AFTER_LOAD"),
])
def test_bad_values_name_the_setting(tmp_path: Path, env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_settings(environ=env, config_file=tmp_path / "absent.toml")


def test_unknown_key_in_toml(tmp_path: Path) -> None:
    config = tmp_path / "kg.toml"
    config.write_text("base_irl = 'https://x.org'\n")
    with pytest.raises(ConfigError, match="base_irl"):
        load_settings(environ={}, config_file=config)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "kg.toml"
    config.write_text("base_iri = \n")
    with pytest.raises(ConfigError, match=r"kg\.toml"):
        load_settings(environ={}, config_file=config)
