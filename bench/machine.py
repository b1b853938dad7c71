"""What the figures were measured on: CPU, cores, memory, Python, library and Neo4j versions.

Why: a pages-per-second figure means nothing without the machine and the library
versions beside it; results.json carries this description so two runs can be
compared honestly. Library versions come from package metadata (no import of
torch or spaCy just to ask), the Neo4j server version from `CALL dbms.components()`.
"""
from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

LIBRARIES = ("spacy", "trafilatura", "torch", "sentence-transformers", "neo4j", "numpy",
             "lxml", "networkx")


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_bytes(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def neo4j_server_version(driver) -> dict | None:
    """Name, versions and edition of the server behind `driver` (None if it cannot say)."""
    try:
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD name, versions, edition "
                                             "RETURN name, versions, edition")
    except Exception as exc:  # a server without the procedure still gets benchmarked
        return {"error": f"{type(exc).__name__}: {exc}"}
    if not records:
        return None
    r = records[0]
    return {"name": r["name"], "version": ", ".join(r["versions"]), "edition": r["edition"]}


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: a busy machine explains slow figures."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def describe(driver=None) -> dict:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_bytes": memory_bytes(),
        "os": f"{platform.system()} {platform.release()}",
        "load_average": load_average(),
        "python": platform.python_version(),
        "libraries": library_versions(),
        "neo4j_server": neo4j_server_version(driver) if driver is not None else None,
    }
