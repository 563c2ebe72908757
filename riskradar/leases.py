"""Is the process that claimed some work still alive? (job runs, claimed inbox files)

Work is claimed by ``host`` + ``pid``. On the same host a dead pid means the claim is
abandoned; a claim from another host can only be judged by its age (the lease).
"""

from __future__ import annotations

import os
import socket

HOST = socket.gethostname()


def pid_alive(pid: int) -> bool:
    """True when a process with ``pid`` exists on this host (signal 0 probes without signalling)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def claim_is_dead(host: str | None, pid: int | None) -> bool:
    """True only when the claim was made on this host by a process that no longer exists.

    ``host=None`` or ``pid=None`` (unknown) and other hosts give False: only the lease can
    release those. This process's own claims are never dead.
    """
    if host is None or pid is None or host != HOST:
        return False
    if pid == os.getpid():
        return False
    return not pid_alive(pid)
