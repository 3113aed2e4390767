"""Issue 11, backups: `manage.py backup` (pg_dump + the stored files + a manifest) and `manage.py restore` into
an empty database; every signed letter's file in the restored copy still has the hash recorded at signing."""

import hashlib
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from commitments.models import LetterDocument
from hkcourt.org.management.commands.restore import check_restored
from tests.requires import require_tool


def _admin_connection():
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres",
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
    )
    conn.autocommit = True
    return conn


@pytest.fixture
def empty_database():
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump / pg_restore")
    require_tool("pg_dump")
    require_tool("pg_restore")
    name = f"{settings.DATABASES['default']['NAME']}_restored"
    conn = _admin_connection()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    yield name
    conn = _admin_connection()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_letter_hash_matching(
    letter_of, sign, settings, tmp_path, empty_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    signed = [sign(letter_of(u)) for u in ("staff_demo", "head_demo")]
    documents = list(LetterDocument.objects.filter(letter__in=signed))
    assert len(documents) == 2

    call_command("backup", str(tmp_path / "backup"))
    assert {p.name for p in (tmp_path / "backup").iterdir()} == {"database.dump", "media.tar", "manifest.json"}

    restored_media = tmp_path / "restored-media"
    call_command("restore", str(tmp_path / "backup"), database=empty_database, media=str(restored_media))

    db = settings.DATABASES["default"]
    conn = psycopg2.connect(dbname=empty_database, host=db.get("HOST") or None, user=db.get("USER") or None)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT file, sha256 FROM commitments_letterdocument ORDER BY id")
        rows = cur.fetchall()
        cur.execute("SELECT count(*) FROM org_person")
        people = cur.fetchone()[0]
        cur.execute("SELECT tgname FROM pg_trigger WHERE tgname = 'org_auditentry_append_only'")
        trigger = cur.fetchall()
    conn.close()
    assert {sha for _f, sha in rows} == {d.sha256 for d in documents}
    for file, sha in rows:
        assert hashlib.sha256((restored_media / file).read_bytes()).hexdigest() == sha
    assert people > 0 and trigger  # the whole database, the audit log's guard included

    # the check catches one changed byte in a restored letter
    path = Path(restored_media / rows[0][0])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    assert check_restored(db, empty_database, restored_media)

    # a second restore into the now filled database is refused
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "backup"), database=empty_database, media=str(tmp_path / "again"))


def test_a_damaged_backup_is_refused(tmp_path, db):
    (tmp_path / "manifest.json").write_text('{"dump_sha256": "0", "files_sha256": "0", "signed_documents": []}')
    (tmp_path / "database.dump").write_bytes(b"x")
    (tmp_path / "media.tar").write_bytes(b"y")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(tmp_path), database="nowhere", media=str(tmp_path / "m"))
