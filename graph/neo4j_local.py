"""Build, start, stop and inspect a local embedded Neo4j 5.26 with Bolt.

Why this exists: Neo4j is in neither Debian nor PyPI, but its jars are on Maven
Central. `graph/neo4j_server/` is a tiny Maven project (a launcher around
Neo4j's `DatabaseManagementServiceBuilder`); this module builds it once with
Maven (offline afterwards, from ~/.m2), runs it in the background, and manages
it through two small files in the data directory:

    DATA/neo4j.pid   the Java process id
    DATA/neo4j.port  "HOST PORT" of its Bolt connector
    DATA/neo4j.out   the launcher's stdout/stderr (READY line, start errors)
    DATA/logs/       Neo4j's own logs (neo4j.log, debug.log)

The local server has authentication disabled (it listens on 127.0.0.1 only);
clients still send NEO4J_USER/NEO4J_PASSWORD when set, so the same code talks
to a remote, password-protected server.

CLI: python -m graph.neo4j_local start|stop|status [--data DIR] [--port N]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SERVER_DIR = Path(__file__).resolve().parent / "neo4j_server"
DEFAULT_DATA_DIR = Path(".newsgraph") / "neo4j"
LAUNCHER_CLASS = "newsgraph.Neo4jLauncher"
MIN_JAVA = 17
BUILD_STAMP = "target/.newsgraph-build-stamp"
# Heap bounded so a test run stays small; the add-opens let Neo4j's page cache and
# Netty use direct buffers without the "fallback mode" warning in debug.log.
# The parallel collector instead of G1: a sync is a stream of write transactions, and G1's
# concurrent threads take CPU from them on a small machine (a warm sync of 10,000 claims on
# two cores, with a 2 GB heap: 4.5-5.1 s against 5.2-5.8 s with G1); its young-generation
# pauses stay in the tens of milliseconds at this heap size.
JVM_FLAGS = (
    "-Xms256m",
    "-Xmx1g",
    "-XX:+UseParallelGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-OmitStackTraceInFastThrow",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)
STOP_WAIT_SECONDS = 60
READY_PREFIX = "READY "


class Neo4jLocalError(RuntimeError):
    """Building, starting or stopping the local Neo4j failed; the message says what to do."""


@dataclass(frozen=True)
class LocalNeo4j:
    uri: str
    pid: int
    data_dir: Path
    host: str
    port: int
    log: Path

    def as_dict(self) -> dict:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}


# -- build ------------------------------------------------------------------------------------------

def find_java() -> str:
    """The `java` to run: $JAVA_HOME/bin/java first, then PATH; must be Java 17 or newer."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    candidates.append(shutil.which("java") or "")
    for java in candidates:
        if java and os.access(java, os.X_OK):
            major = java_major_version(java)
            if major is not None and major >= MIN_JAVA:
                return java
    raise Neo4jLocalError(
        f"Java {MIN_JAVA} not found: install openjdk-{MIN_JAVA}-jre-headless (Debian/Ubuntu: "
        f"apt-get install openjdk-{MIN_JAVA}-jdk-headless to also build) or set JAVA_HOME to a "
        f"Java {MIN_JAVA}+ installation"
    )


def java_major_version(java: str) -> int | None:
    """Major version from `java -version` ("17.0.15" -> 17, old style "1.8.0" -> 8)."""
    try:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def is_built(server_dir: Path = SERVER_DIR) -> bool:
    """True when the build stamp is newer than the pom and every source file."""
    stamp = server_dir / BUILD_STAMP
    launcher = server_dir / "target" / "classes" / (LAUNCHER_CLASS.replace(".", "/") + ".class")
    lib = server_dir / "target" / "lib"
    if not (stamp.exists() and launcher.exists() and lib.is_dir() and any(lib.glob("*.jar"))):
        return False
    inputs = [server_dir / "pom.xml", *(p for p in (server_dir / "src").rglob("*") if p.is_file())]
    built_at = stamp.stat().st_mtime
    return all(p.stat().st_mtime <= built_at for p in inputs)


def ensure_built(server_dir: Path = SERVER_DIR, quiet: bool = True) -> Path:
    """Run Maven once (compile the launcher, copy jars to target/lib); skip when up to date."""
    server_dir = Path(server_dir).resolve()
    if is_built(server_dir):
        return server_dir
    find_java()
    if not shutil.which("javac"):
        raise Neo4jLocalError(
            f"javac not found: building the Neo4j launcher needs a JDK; install "
            f"openjdk-{MIN_JAVA}-jdk-headless"
        )
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jLocalError(
            "mvn not found: install Maven (Debian/Ubuntu: apt-get install maven); it fetches Neo4j "
            "from Maven Central once and works offline afterwards"
        )
    cmd = [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(server_dir / "pom.xml"), "package"]
    started = time.time()
    proc = subprocess.run(cmd, cwd=server_dir, stdin=subprocess.DEVNULL, text=True,
                          capture_output=quiet)
    if proc.returncode != 0:
        output = (proc.stdout or "") + (proc.stderr or "") if quiet else "(output above)"
        raise Neo4jLocalError(
            f"Maven build of {server_dir} failed (exit {proc.returncode}); if this is the first "
            f"build, Maven Central must be reachable. Last output:\n{_tail_text(output)}"
        )
    stamp = server_dir / BUILD_STAMP
    stamp.write_text(f"built in {time.time() - started:.1f}s\n")
    return server_dir


def classpath(server_dir: Path = SERVER_DIR) -> str:
    return f"{server_dir / 'target' / 'classes'}{os.pathsep}{server_dir / 'target' / 'lib' / '*'}"


# -- start / stop / status ---------------------------------------------------------------------------

def start(data_dir: Path, port: int | None = None, host: str = "127.0.0.1", timeout: float = 120,
          pagecache: str = "128m", server_dir: Path = SERVER_DIR, owner_pid: int | None = None) -> LocalNeo4j:
    """Start a server on `data_dir` (or return the one already running there).

    `owner_pid`: the server shuts itself down once that process is gone (tests pass their own
    pid, so a killed test run leaves no server behind); without it the server runs until stopped.

    Returns once the launcher printed READY and the Python driver verified
    connectivity; on failure or timeout the process is stopped and the error
    carries the tail of DATA/neo4j.out.
    """
    data_dir = Path(data_dir).resolve()
    running = _running(data_dir)
    if running is not None:
        if _bolt_verified(running.uri, deadline=time.monotonic() + min(timeout, 30)):
            return running
        raise Neo4jLocalError(
            f"a Neo4j process (pid {running.pid}) owns {data_dir} but Bolt at {running.uri} does not "
            f"answer; stop it first (python -m graph.neo4j_local stop --data {data_dir})"
        )
    _remove_state(data_dir)
    server_dir = ensure_built(server_dir)
    java = find_java()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port(host)
    out = data_dir / "neo4j.out"
    offset = out.stat().st_size if out.exists() else 0
    pid = _spawn_detached(
        [java, *JVM_FLAGS, "-cp", classpath(server_dir), LAUNCHER_CLASS,
         "--data", str(data_dir), "--host", host, "--port", str(port), "--pagecache", pagecache,
         *(["--owner-pid", str(owner_pid)] if owner_pid else [])],
        log=out, cwd=data_dir,
    )
    (data_dir / "neo4j.pid").write_text(f"{pid}\n")
    (data_dir / "neo4j.port").write_text(f"{host} {port}\n")
    server = LocalNeo4j(uri=f"bolt://{host}:{port}", pid=pid, data_dir=data_dir, host=host,
                        port=port, log=out)
    deadline = time.monotonic() + timeout
    try:
        _wait_ready(server, offset, deadline)
        if not _bolt_verified(server.uri, deadline):
            raise Neo4jLocalError(f"Neo4j printed READY but the driver cannot connect to {server.uri}")
    except BaseException as exc:
        _terminate(pid)
        _remove_state(data_dir)
        if isinstance(exc, Neo4jLocalError):
            raise Neo4jLocalError(f"{exc}\n--- tail of {out} ---\n{_tail_file(out, offset)}") from None
        raise
    return server


def stop(data_dir: Path) -> bool:
    """SIGTERM the server of `data_dir` (SIGKILL after 60 s); False when none was running."""
    data_dir = Path(data_dir).resolve()
    running = _running(data_dir)
    if running is None:
        _remove_state(data_dir)
        return False
    _terminate(running.pid)
    _remove_state(data_dir)
    return True


def status(data_dir: Path) -> dict | None:
    """The running server of `data_dir` as a JSON-ready dict (uri, pid, port, ...), else None."""
    running = _running(Path(data_dir).resolve())
    if running is None:
        return None
    return {**running.as_dict(), "bolt_listening": _port_open(running.host, running.port)}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def auth_from_env() -> tuple[str, str] | None:
    """Basic auth for remote servers (NEO4J_USER, default neo4j, and NEO4J_PASSWORD); None otherwise."""
    password = os.environ.get("NEO4J_PASSWORD")
    return (os.environ.get("NEO4J_USER") or "neo4j", password) if password else None


# -- internals --------------------------------------------------------------------------------------

def _running(data_dir: Path) -> LocalNeo4j | None:
    """The server recorded in data_dir's pid/port files, if that process still runs."""
    try:
        pid = int((data_dir / "neo4j.pid").read_text().strip())
        host, port = (data_dir / "neo4j.port").read_text().split()
    except (OSError, ValueError):
        return None
    if not _is_our_launcher(pid, data_dir):
        return None
    return LocalNeo4j(uri=f"bolt://{host}:{port}", pid=pid, data_dir=data_dir, host=host,
                      port=int(port), log=data_dir / "neo4j.out")


def _is_our_launcher(pid: int, data_dir: Path) -> bool:
    """Alive and (where /proc exists) really our launcher on this data dir, not a reused pid."""
    if not _alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        return True
    try:
        args = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return LAUNCHER_CLASS.encode() in args and str(data_dir).encode() in args


def _alive(pid: int) -> bool:
    try:
        # Reap it if it is our own exited child, so a zombie does not count as running.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _spawn_detached(cmd: list[str], log: Path, cwd: Path) -> int:
    """Start `cmd` in its own session, detached from this process, output appended to `log`.

    A tiny sh starts it in the background and prints its pid: the server is then
    a child of init, not of this Python process, so it outlives the CLI that
    started it and never lingers as a zombie here after it exits.
    """
    script = '"$@" </dev/null >>"$0" 2>&1 & echo $!'
    proc = subprocess.run(["sh", "-c", script, str(log), *cmd], cwd=cwd, capture_output=True,
                          text=True, start_new_session=True, timeout=30)
    if proc.returncode != 0 or not proc.stdout.strip().isdigit():
        raise Neo4jLocalError(f"could not launch Java: {proc.stderr.strip() or proc.stdout.strip()}")
    return int(proc.stdout.strip())


def _wait_ready(server: LocalNeo4j, offset: int, deadline: float) -> None:
    while True:
        text = _read_from(server.log, offset)
        if any(line.startswith(READY_PREFIX) for line in text.splitlines()):
            return
        if not _alive(server.pid):
            raise Neo4jLocalError(f"Neo4j exited during start on {server.data_dir} (port {server.port})")
        if time.monotonic() > deadline:
            raise Neo4jLocalError(f"Neo4j did not report READY in time on {server.data_dir}")
        time.sleep(0.2)


def _bolt_verified(uri: str, deadline: float) -> bool:
    import neo4j
    from neo4j.exceptions import DriverError, Neo4jError

    while True:
        try:
            with neo4j.GraphDatabase.driver(uri, auth=auth_from_env()) as driver:
                driver.verify_connectivity()
            return True
        except (DriverError, Neo4jError, OSError):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)


def _terminate(pid: int) -> None:
    """SIGTERM (Neo4j's shutdown hook runs), then SIGKILL if it is still alive after the wait."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        while _alive(pid):
            time.sleep(0.1)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _remove_state(data_dir: Path) -> None:
    for name in ("neo4j.pid", "neo4j.port"):
        (data_dir / name).unlink(missing_ok=True)


def _read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _tail_file(path: Path, offset: int = 0, lines: int = 40) -> str:
    return _tail_text(_read_from(path, offset), lines)


def _tail_text(text: str, lines: int = 40) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


# -- CLI --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.neo4j_local", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("build", "start", "stop", "status"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data directory (default: %(default)s)")
    parser.add_argument("--port", type=int, default=None, help="Bolt port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(ensure_built(quiet=False))
        elif args.command == "start":
            server = start(args.data, port=args.port, host=args.host, timeout=args.timeout)
            print(server.uri)
        elif args.command == "stop":
            print("stopped" if stop(args.data) else "not running")
        else:
            info = status(args.data)
            print(json.dumps(info, indent=2) if info else "not running")
            return 0 if info else 1
    except Neo4jLocalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
