"""Run pytest in a process forked from one that has already imported the libraries.

Each mutant needs a fresh interpreter (the mutated module is imported from
disk), but three of the five seconds a pytest start takes here go to
importing third-party code that never changes: pytest, Django, factory_boy,
Faker, Hypothesis, psycopg. ``serve`` imports them once and forks a child per
run; the child imports the project (mutated) and runs pytest. Nothing of the
project is imported before the fork.

    python -m tools.pytest_fork serve SOCKET           # started by tools.mutate
    python -m tools.pytest_fork run SOCKET -- ARGS...  # the per-mutant test command

``run`` prints the output and exits with pytest's code; without a server it
runs pytest itself.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

# Imported before forking: everything heavy that is not the project.
PRELOAD = [
    "pytest",
    "_pytest.python",
    "_pytest.fixtures",
    "pytest_django",
    "pytest_django.plugin",
    "django",
    "django.test",
    "django.db.models",
    "django.db.backends.sqlite3.base",
    "django.forms",
    "django.template",
    "django.contrib.admin",
    "factory",
    "factory.django",
    "faker",
    "hypothesis",
    "psycopg",
    "django_fsm",
]


def _send(connection: socket.socket, payload: bytes) -> None:
    connection.sendall(struct.pack("!I", len(payload)) + payload)


def _receive(connection: socket.socket) -> bytes:
    header = b""
    while len(header) < 4:
        chunk = connection.recv(4 - len(header))
        if not chunk:
            raise ConnectionError("closed")
        header += chunk
    (size,) = struct.unpack("!I", header)
    data = b""
    while len(data) < size:
        chunk = connection.recv(min(65536, size - len(data)))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _child(request: dict[str, object], output: int) -> None:
    os.setsid()
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(int(str(request["timeout"])))
    os.chdir(str(request["cwd"]))
    sys.path.insert(0, str(request["cwd"]))
    os.dup2(output, 1)
    os.dup2(output, 2)
    import pytest

    code = pytest.main([str(argument) for argument in request["args"]])  # type: ignore[attr-defined]
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


def serve(path: str) -> None:
    sys.dont_write_bytecode = True  # a mutant may keep the size and the second of the original
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    for name in PRELOAD:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a library that needs settings is imported later
            continue
    Path(path).unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    while True:
        connection, _ = server.accept()
        with connection:
            try:
                request = json.loads(_receive(connection))
            except ConnectionError:
                continue
            if request.get("stop"):
                return
            with tempfile.TemporaryFile() as output:
                pid = os.fork()
                if pid == 0:
                    _child(request, output.fileno())
                _, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                output.seek(0)
                text = output.read().decode(errors="replace")
            try:
                _send(connection, json.dumps({"code": code, "output": text}).encode())
            except OSError:
                continue


def run(path: str, args: list[str]) -> int:
    timeout = int(os.environ.get("PYTEST_FORK_TIMEOUT", "85"))
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(path)
    except OSError:
        return subprocess.call([sys.executable, "-m", "pytest", *args])
    with connection:
        request = {"cwd": os.getcwd(), "args": args, "timeout": timeout}
        _send(connection, json.dumps(request).encode())
        answer = json.loads(_receive(connection))
    sys.stdout.write(answer["output"])
    code = int(answer["code"])
    return code if code >= 0 else 128 - code  # killed by a signal (the timeout): a failure


def stop(path: str) -> None:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(path)
            _send(connection, json.dumps({"stop": True}).encode())
    except OSError:
        return


def main() -> None:
    command, path, *rest = sys.argv[1:]
    if command == "serve":
        serve(path)
    elif command == "stop":
        stop(path)
    else:
        sys.exit(run(path, rest[1:] if rest[:1] == ["--"] else rest))


if __name__ == "__main__":
    main()
