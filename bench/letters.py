"""Benchmark: rendering commitment letters (issue 6). Not a test: it prints figures for bench/README.md.

    # a database with the demo data (PostgreSQL here; SQLite works too)
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hk_letters_bench
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/letters.py single --runs 50
    .venv/bin/python bench/letters.py celery --letters 1000 --concurrency 2

``single`` renders one personal letter (staff_demo's, signed layout with verification code and QR) through
the production path — Django template, guarded fetcher, WeasyPrint in a forked child with the time and memory
cap — and reports the median, p90 and min; it also reports the same render in-process (no fork) to show the
cost of the isolation.

``celery`` starts its own Celery worker (prefork, ``--concurrency`` processes, prefetch 1, acks late) on a
private Redis database and queue, queues ``commitments.render_letter`` once per letter (cycling over the
demo's personal letters until ``--letters`` tasks), and times from the first queued task to the last
"succeeded" line of the worker's log; then it stops the worker it started.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkcourt.settings.dev")


def setup():
    import django

    django.setup()


def staff_letter():
    from commitments.models import CommitmentLetter

    letter = CommitmentLetter.objects.current().filter(signer__username="staff_demo", kind="personal").first()
    if letter is None:
        sys.exit("no letter for staff_demo: run `manage.py seed_demo` on this DATABASE_URL first")
    if not letter.verification_code:
        letter.verification_code = "BENC-HMAR-K000-0001"  # in memory only: render the signed layout
    return letter


def single(args):
    setup()
    from weasyprint import HTML

    from commitments import rendering, services

    letter = staff_letter()
    html = services.letter_html(letter, edition="signed", verify_base="http://127.0.0.1:8000/")
    rendering.render_pdf(html)  # warm-up (fonts, fontconfig) in the parent, as a worker has after its first letter
    forked, inproc, sizes = [], [], []
    for _ in range(args.runs):  # interleaved, so that load from elsewhere hits both alike
        started = time.perf_counter()
        html = services.letter_html(letter, edition="signed", verify_base="http://127.0.0.1:8000/")
        result = rendering.render_pdf(html)
        forked.append(time.perf_counter() - started)
        sizes.append(len(result.pdf))
        started = time.perf_counter()
        HTML(string=html, url_fetcher=rendering.AllowListFetcher()).write_pdf()
        inproc.append(time.perf_counter() - started)

    def report(name, samples):
        samples = sorted(samples)
        p90 = samples[int(0.9 * (len(samples) - 1))]
        print(
            f"{name:<34} median {1000 * statistics.median(samples):6.0f} ms   p90 {1000 * p90:6.0f} ms   "
            f"min {1000 * samples[0]:6.0f} ms   (n={len(samples)})"
        )

    print(f"letter #{letter.pk}: {len(letter.body.get('risks', []))} risk points, PDF {sizes[0] // 1024} KB")
    report("render_pdf (fork + caps, production)", forked)
    report("WeasyPrint in-process (no isolation)", inproc)


def celery(args):
    os.environ["CELERY_BROKER_URL"] = args.broker
    setup()
    from commitments.models import CommitmentLetter
    from commitments.tasks import render_letter_pdf

    broker = args.broker
    settings_env = {**os.environ, "CELERY_BROKER_URL": broker}
    ids = list(CommitmentLetter.objects.current().filter(kind="personal").values_list("pk", flat=True))
    if not ids:
        sys.exit("no letters: run `manage.py seed_demo` on this DATABASE_URL first")
    log_path = ROOT / "var" / "bench-letters-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "hkcourt",
                "worker",
                "--pool=prefork",
                f"--concurrency={args.concurrency}",
                "--prefetch-multiplier=1",
                "-Q",
                args.queue,
                "--loglevel=INFO",
                "-n",
                f"bench-letters-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=settings_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.time() + 60
        while "ready." not in log_path.read_text():
            if worker.poll() is not None or time.time() > deadline:
                sys.exit(f"worker did not start, see {log_path}")
            time.sleep(0.2)
        succeeded = re.compile(r"Task commitments\.render_letter\[[^\]]+\] succeeded")
        started = time.perf_counter()
        for n in range(args.letters):
            render_letter_pdf.apply_async((ids[n % len(ids)],), queue=args.queue)
        queued = time.perf_counter() - started
        done = 0
        while done < args.letters:
            time.sleep(0.5)
            done = len(succeeded.findall(log_path.read_text()))
            if worker.poll() is not None:
                sys.exit(f"worker died after {done} letters, see {log_path}")
        elapsed = time.perf_counter() - started
        failed = log_path.read_text().count("raised unexpected")
        print(
            f"{args.letters} letters through commitments.render_letter, prefork concurrency {args.concurrency}: "
            f"{elapsed:.1f} s total ({1000 * elapsed / args.letters:.0f} ms/letter wall, "
            f"{args.letters / elapsed:.1f} letters/s); queueing took {queued:.1f} s; failures: {failed}"
        )
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("single")
    one.add_argument("--runs", type=int, default=50)
    many = sub.add_parser("celery")
    many.add_argument("--letters", type=int, default=1000)
    many.add_argument("--concurrency", type=int, default=2)
    many.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    many.add_argument("--queue", default="bench_letters")
    args = parser.parse_args()
    {"single": single, "celery": celery}[args.command](args)


if __name__ == "__main__":
    main()
