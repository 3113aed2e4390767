"""``manage.py restore DIR --database NAME --media PATH``: restore a backup made by ``manage.py backup`` into an
EMPTY database and a media folder, then check every signed letter: its file is there and its SHA-256 is the
one recorded when it was signed. Refuses a database that already has tables. See docs/backup.md."""

import json
import subprocess
import tarfile
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from .backup import DUMP, FILES, MANIFEST, libpq_env, sha256_of, tool


def _connect(db, name):
    return psycopg2.connect(
        dbname=name,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
    )


def check_restored(db, name, media: Path) -> list[str]:
    """Problems found in a restored copy (empty: every signed letter's file matches its recorded hash)."""
    problems = []
    with _connect(db, name) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, file, sha256 FROM commitments_letterdocument ORDER BY id")
        for pk, file, sha in cur.fetchall():
            path = media / file
            if not path.exists():
                problems.append(f"document {pk}: {file} missing")
            elif sha256_of(path) != sha:
                problems.append(f"document {pk}: {file} does not match its SHA-256")
    return problems


class Command(BaseCommand):
    help = "Restore a backup into an empty database and a media folder, then check every signed letter."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--database", required=True, help="an existing, EMPTY PostgreSQL database")
        parser.add_argument("--media", required=True, help="the folder to unpack the stored files into")

    def handle(self, *args, directory, database, media, **options):
        source = Path(directory)
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        for name, key in ((DUMP, "dump_sha256"), (FILES, "files_sha256")):
            if sha256_of(source / name) != manifest[key]:
                raise CommandError(f"{name} does not match the manifest: the backup is damaged")
        db = settings.DATABASES["default"]
        with _connect(db, database) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            if cur.fetchone()[0]:
                raise CommandError(f"database {database} is not empty: restore only into an empty database")
        subprocess.run(  # noqa: S603 - our own arguments, no shell
            [
                tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={database}",
                str(source / DUMP),
            ],
            env=libpq_env(db),
            check=True,
        )
        target = Path(media)
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / FILES) as tar:
            tar.extractall(target, filter="data")  # no absolute paths, no links out of the folder
        problems = check_restored(db, database, target)
        expected = {d["sha256"] for d in manifest["signed_documents"]}
        with _connect(db, database) as conn, conn.cursor() as cur:
            cur.execute("SELECT sha256 FROM commitments_letterdocument")
            restored = {row[0] for row in cur.fetchall()}
        if restored != expected:
            problems.append("the restored documents differ from the manifest")
        if problems:
            raise CommandError("restore check failed:\n" + "\n".join(problems))
        self.stdout.write(f"restored into {database}: {len(expected)} signed documents, every hash matches")
