"""Run a roster import (the whole file, ``commit=True``) as its own process, printing ``row`` after each person it
writes: the fault test kills this process half-way (SIGKILL, as the kernel's OOM killer or a power cut would).

    DJANGO_SETTINGS_MODULE=hkcourt.settings.test DATABASE_URL=… python -m tests.faults.interrupted_import FILE
"""

import sys
import time

import django


def main(path):
    django.setup()
    from django.contrib.auth import get_user_model

    from hkcourt.org import services

    create_person = services.create_person

    def reporting(*args, **kwargs):
        person = create_person(*args, **kwargs)
        print("row", flush=True)
        time.sleep(0.01)  # a long file on a busy server: time for the kill to land inside it
        return person

    services.create_person = reporting
    admin = get_user_model().objects.get(username="admin")
    with open(path, "rb") as f:
        outcome = services.import_roster(actor=admin, filename="roster.xlsx", content=f.read(), commit=True)
    print("done", outcome.committed, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
