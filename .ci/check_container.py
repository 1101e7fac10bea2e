"""Check the container definition without a container engine (CI has the docker client, no daemon).

What can be checked here: compose.yaml is valid YAML with the four services (db, migrate, web, worker), each
ocilink service builds from the Containerfile and runs an ocilink command that exists, every variable it sets is
a documented setting, and the three share one volume for raw documents; the Containerfile starts from Debian slim
Python 3.11, installs with `pip install` without extras, runs as a user other than root, and every file it COPYs
exists. With the compose plugin installed,
`docker compose config -q` checks the file against the Compose specification too. Building and running the image
needs an engine and is not done here (docs/deploy.md).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {"db", "migrate", "web", "worker"}
# Variables compose passes that are not ocilink settings (or are documented elsewhere than the table).
NOT_SETTINGS = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
# For `docker compose config`: values the real .env gives.
SAMPLE_ENV = {"POSTGRES_PASSWORD": "x", "SECRET_KEY": "x", "OCILINK_KEYRING": "x"}


def fail(problems: list[str]) -> None:
    for problem in problems:
        sys.stderr.write(f"container definition: {problem}\n")
    raise SystemExit(1)


def documented_settings() -> set[str]:
    """The variables in the first column of the README's tables."""
    readme = (ROOT / "README.md").read_text()
    first_columns = re.findall(r"^\|([^|]+)\|", readme, flags=re.M)
    return {name for column in first_columns for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", column)}


def ocilink_commands() -> set[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import get_commands

    django.setup()
    return set(get_commands())


def check_containerfile(problems: list[str]) -> None:
    path = ROOT / "Containerfile"
    if not path.exists():
        problems.append("Containerfile is missing")
        return
    lines = [
        line.strip() for line in path.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    froms = [line.split()[1] for line in lines if line.upper().startswith("FROM ")]
    if not froms or not re.fullmatch(r"python:3\.11(\.\d+)?-slim(-bookworm|-trixie)?", froms[-1]):
        problems.append(f"the image must start from Debian slim Python 3.11, not {froms}")
    for line in lines:
        if line.upper().startswith(("COPY ", "ADD ")):
            parts = [part for part in line.split()[1:] if not part.startswith("--")]
            for source in parts[:-1]:
                if not (ROOT / source).exists():
                    problems.append(f"{line!r}: {source} does not exist")
    installs = [line for line in lines if "pip install" in line]
    if not installs or any("[" in line for line in installs):
        problems.append(f"the image must `pip install` ocilink without extras: {installs}")
    users = [line.split()[1] for line in lines if line.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        problems.append("the image must run as a user other than root (USER)")
    entry = " ".join(line for line in lines if line.upper().startswith(("ENTRYPOINT", "CMD")))
    if '"ocilink"' not in entry or '"serve"' not in entry:
        problems.append(f"the image must run `ocilink serve` by default: {entry}")


def check_compose(problems: list[str]) -> None:
    path = ROOT / "compose.yaml"
    if not path.exists():
        problems.append("compose.yaml is missing")
        return
    compose = yaml.safe_load(path.read_text())
    services = compose.get("services") or {}
    if set(services) != SERVICES:
        problems.append(f"compose.yaml must have the services {sorted(SERVICES)}, not {sorted(services)}")
    commands = ocilink_commands()
    documented = documented_settings()
    for name in SERVICES - {"db"}:
        service = services.get(name) or {}
        build = service.get("build") or {}
        dockerfile = build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
        context = build.get("context", ".") if isinstance(build, dict) else build
        if not (ROOT / context / dockerfile).exists():
            problems.append(f"service {name} builds from {context}/{dockerfile}, which does not exist")
        command = service.get("command") or []
        if not command or command[0] not in commands:
            problems.append(f"service {name} runs {command}: not an ocilink command")
        for variable in service.get("environment") or {}:
            if variable not in documented and variable not in NOT_SETTINGS:
                problems.append(f"service {name} sets {variable}, which the README's configuration table lacks")
    check_raw_documents_volume(compose, problems)


def check_raw_documents_volume(compose: dict, problems: list[str]) -> None:
    """The web, worker and migrate containers keep raw documents in RAW_DOCUMENTS_DIR: one named volume, mounted
    there in all three (a container's own disk would lose them, and each would see only its own)."""
    services = compose.get("services") or {}
    sources = set()
    for name in sorted(SERVICES - {"db"}):
        service = services.get(name) or {}
        folder = (service.get("environment") or {}).get("RAW_DOCUMENTS_DIR")
        if not folder:
            problems.append(f"service {name} sets no RAW_DOCUMENTS_DIR")
            continue
        mounted = [str(volume).split(":") for volume in service.get("volumes") or []]
        here = [parts[0] for parts in mounted if len(parts) >= 2 and parts[1] == folder]
        if not here:
            problems.append(f"service {name} mounts no volume at RAW_DOCUMENTS_DIR ({folder})")
        sources.update(here)
    if len(sources) > 1:
        problems.append(f"the ocilink services must share one volume for raw documents, not {sorted(sources)}")
    for source in sources:
        if source not in (compose.get("volumes") or {}):
            problems.append(f"the volume {source} for raw documents is not declared under volumes")


def compose_config(problems: list[str]) -> str:
    docker = shutil.which("docker")
    if docker is None:
        return "no docker client: `docker compose config` not run"
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        return "the docker client has no compose plugin: `docker compose config` not run"
    checked = subprocess.run(
        [docker, "compose", "-f", str(ROOT / "compose.yaml"), "config", "-q"],
        capture_output=True,
        text=True,
        env={**os.environ, **SAMPLE_ENV},
    )
    if checked.returncode != 0:
        problems.append(f"docker compose config: {checked.stderr.strip()}")
    return "docker compose config: ok"


def main() -> None:
    problems: list[str] = []
    check_containerfile(problems)
    check_compose(problems)
    note = compose_config(problems)
    if problems:
        fail(problems)
    sys.stdout.write(f"container definition: Containerfile and compose.yaml checked ({note}); no image built\n")


if __name__ == "__main__":
    main()
