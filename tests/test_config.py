"""Settings precedence and errors, and the job lock that keeps two runs apart."""
from __future__ import annotations

from pathlib import Path

import pytest

from newsgraph.config import ConfigError, load_settings
from newsgraph.connections import JobLocked, job_lock


def test_precedence_option_over_env_over_file(tmp_path):
    cfg = tmp_path / "newsgraph.toml"
    cfg.write_text('[newsgraph]\ndb = "from-file.db"\nneo4j_uri = "bolt://file:7687"\n')
    s = load_settings({}, env={"NEWSGRAPH_CONFIG": str(cfg)})
    assert s.db == Path("from-file.db") and s.neo4j_uri == "bolt://file:7687"
    s = load_settings({}, env={"NEWSGRAPH_CONFIG": str(cfg), "NEWSGRAPH_DB": "env.db"})
    assert s.db == Path("env.db")
    s = load_settings({"db": Path("opt.db")}, env={"NEWSGRAPH_CONFIG": str(cfg), "NEWSGRAPH_DB": "env.db"})
    assert s.db == Path("opt.db")


def test_unknown_setting_is_named(tmp_path):
    cfg = tmp_path / "n.toml"
    cfg.write_text('[newsgraph]\ndatabase_path = "x.db"\n')
    with pytest.raises(ConfigError, match="database_path"):
        load_settings({}, env={"NEWSGRAPH_CONFIG": str(cfg)})


def test_broken_toml_is_named(tmp_path):
    cfg = tmp_path / "n.toml"
    cfg.write_text("[newsgraph\n")
    with pytest.raises(ConfigError, match=str(cfg)):
        load_settings({}, env={"NEWSGRAPH_CONFIG": str(cfg)})


def test_job_lock_refuses_second_writer(tmp_path):
    db = tmp_path / "r.db"
    with job_lock(db):
        with pytest.raises(JobLocked, match="another newsgraph job"):
            with job_lock(db):
                pass
    with job_lock(db):  # released afterwards
        pass
