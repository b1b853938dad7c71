"""Peak resident memory of a process, read so that each stage's figure is its own.

Why VmHWM and not only ru_maxrss: on Linux, exec keeps the high-water mark of
the image it replaces, so ru_maxrss of a freshly exec'd child (and RUSAGE_CHILDREN
after a library forks a helper like `ldconfig`) can report the parent's size.
VmHWM in /proc/<pid>/status belongs to the process's own address space.
"""
from __future__ import annotations

import resource
from pathlib import Path


def vm_hwm(pid: int | str = "self") -> int | None:
    """Peak resident set size in bytes from /proc/<pid>/status (None where unavailable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_rss_self() -> int:
    """This process's peak RSS in bytes: VmHWM, else ru_maxrss."""
    return vm_hwm() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
