"""``manage.py backup DIR``: a consistent copy of the registry — the database (``pg_dump`` custom format) and
the stored files (signed letters, attachments: ``MEDIA_ROOT`` as a tar) — with a manifest that names every
signed letter's file and SHA-256, so a restore can be checked. See docs/backup.md."""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

DUMP = "database.dump"
FILES = "media.tar"
MANIFEST = "manifest.json"


def libpq_env(db: dict) -> dict:
    """The environment pg_dump / pg_restore / psql read the connection from (no password on a command line)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (Debian: postgresql-client)")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the stored files (MEDIA_ROOT) into DIR, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        if connection.vendor != "postgresql":
            raise CommandError("backup needs PostgreSQL (pg_dump)")
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        db = settings.DATABASES["default"]
        started = timezone.now()
        # One snapshot: pg_dump reads the whole database in a single repeatable-read transaction.
        subprocess.run(  # noqa: S603 - our own arguments, no shell
            [
                tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "-f",
                str(target / DUMP),
                f"--dbname={db['NAME']}",
            ],
            env=libpq_env(db),
            check=True,
        )
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(target / FILES, "w") as tar:
            if media.exists():
                tar.add(media, arcname=".")
        # The signed letters' files and hashes, read by table name: the ground floor imports no app above it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, letter_id, file, sha256 FROM commitments_letterdocument ORDER BY id")
            letters = [{"id": i, "letter": lt, "file": f, "sha256": h} for i, lt, f, h in cursor.fetchall()]
        manifest = {
            "created_at": started.isoformat(),
            "database": db["NAME"],
            "dump_sha256": sha256_of(target / DUMP),
            "files_sha256": sha256_of(target / FILES),
            "signed_documents": letters,
        }
        (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"backup written to {target}: {len(letters)} signed documents")
