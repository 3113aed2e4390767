"""The figures of a questionnaire: per item counts, means and satisfaction, and the groups (court · division)
big enough to be shown. A handful of aggregate queries per questionnaire, never one per answer.

Small groups are never shown on their own: free-text answers appear only when an item has at least
:data:`~.models.MIN_GROUP` of them, and a division's figures only when at least that many of its people
answered; smaller divisions are merged into one row, itself shown only when it reaches the minimum.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from .models import MIN_GROUP, RATING_MAX, RATING_MIN, Answer, Channel, Item, ItemKind, Response


def _pct(n, total):
    return int((Decimal(100 * n) / total).quantize(Decimal("1"), ROUND_HALF_UP)) if total else 0


def _mean(total, n):
    return (Decimal(total) / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else None


@dataclass
class Group:
    label: str
    answered: int
    mean: Decimal | None = None
    satisfaction: int | None = None


@dataclass
class ItemStats:
    item: Item
    answered: int = 0  # respondents who answered the item
    choices: list = field(default_factory=list)  # [{"choice", "n", "pct"}]
    ratings: list = field(default_factory=list)  # [{"score", "n"}] for 1..5
    mean: Decimal | None = None
    satisfaction: int | None = None  # % of respondents choosing a choice marked 满意
    texts: list | None = None  # [{"text", "n"}]; None: hidden, fewer than MIN_GROUP
    groups: list = field(default_factory=list)
    level: str = "division"
    hidden_groups: int = 0  # groups too small to be shown, not even merged
    below: bool = False
    threshold: str = ""
    min_group: int = MIN_GROUP

    @property
    def measured(self) -> bool:
        """The item has a figure that can be under the threshold (a mean or a satisfaction rate)."""
        return self.mean is not None or self.satisfaction is not None

    @property
    def figure(self) -> str:
        if self.mean is not None:
            return _("平均%(mean)s分") % {"mean": self.mean}
        if self.satisfaction is not None:
            return _("满意率%(pct)s%%") % {"pct": self.satisfaction}
        return ""

    def chart(self) -> dict:
        """The data the results page charts (plain values only: labels are drawn as text, never HTML)."""
        if self.item.kind == ItemKind.RATING:
            return {
                "kind": "rating",
                "labels": [f"{r['score']}分" for r in self.ratings],
                "values": [r["n"] for r in self.ratings],
            }
        if self.item.has_choices:
            return {
                "kind": "choice",
                "labels": [c["choice"].text for c in self.choices],
                "values": [c["n"] for c in self.choices],
            }
        return {}


def _group_label(court_name, division_name, channel):
    if channel == Channel.PUBLIC:
        return _("社会公众")
    if division_name:
        return f"{court_name}·{division_name}"
    return court_name or "—"


def questionnaire_stats(questionnaire, items=None) -> tuple[int, list[ItemStats]]:
    """(number of responses, per-item figures) for ``questionnaire``. ``items`` may be given prefetched
    with their choices."""
    q = questionnaire
    if items is None:
        items = list(Item.objects.filter(questionnaire=q).prefetch_related("choices").order_by("number"))
    total = Response.objects.filter(questionnaire=q).count()
    answers = Answer.objects.filter(item__questionnaire=q)
    answered = dict(
        answers.values("item_id").annotate(n=Count("response_id", distinct=True)).values_list("item_id", "n")
    )
    by_choice = {
        (r["item_id"], r["choice_id"]): r["n"]
        for r in answers.filter(choice__isnull=False).values("item_id", "choice_id").annotate(n=Count("id"))
    }
    by_rating = {
        (r["item_id"], r["rating"]): r["n"]
        for r in answers.filter(rating__isnull=False).values("item_id", "rating").annotate(n=Count("id"))
    }
    satisfied = dict(
        answers.filter(choice__satisfied=True)
        .values("item_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("item_id", "n")
    )
    shown_text_items = [i.pk for i in items if i.kind == ItemKind.TEXT and answered.get(i.pk, 0) >= MIN_GROUP]
    texts = defaultdict(list)
    if shown_text_items:
        # The same words written by several people appear once, with how many wrote them; ordered by that
        # and the text itself: the order of rows says nothing about who wrote them.
        rows = (
            answers.filter(item_id__in=shown_text_items)
            .exclude(text="")
            .values("item_id", "text")
            .annotate(n=Count("id"))
            .order_by("-n", "text")
        )
        for r in rows:
            texts[r["item_id"]].append({"text": r["text"], "n": r["n"]})
    level = "division"
    if Response.objects.filter(questionnaire=q, court__isnull=False).values("court_id").distinct().count() > 1:
        level = "court"
    groups = _groups(items, level) if total >= MIN_GROUP else {}

    result = []
    for item in items:
        s = ItemStats(item=item, answered=answered.get(item.pk, 0))
        if item.has_choices:
            choices = list(item.choices.all())
            s.choices = [
                {
                    "choice": c,
                    "n": by_choice.get((item.pk, c.pk), 0),
                    "pct": _pct(by_choice.get((item.pk, c.pk), 0), s.answered),
                }
                for c in choices
            ]
            if any(c.satisfied for c in choices) and s.answered:
                s.satisfaction = _pct(satisfied.get(item.pk, 0), s.answered)
        elif item.kind == ItemKind.RATING:
            s.ratings = [{"score": k, "n": by_rating.get((item.pk, k), 0)} for k in range(RATING_MIN, RATING_MAX + 1)]
            n = sum(r["n"] for r in s.ratings)
            s.mean = _mean(sum(r["score"] * r["n"] for r in s.ratings), n)
        elif item.kind == ItemKind.TEXT and s.answered >= MIN_GROUP:
            s.texts = texts.get(item.pk, [])
        s.groups, s.hidden_groups = groups.get(item.pk, ([], 0))
        s.level = level
        _judge(s, q)
        result.append(s)
    return total, result


def _judge(s: ItemStats, q):
    if s.answered < MIN_GROUP:
        return
    if s.mean is not None:
        s.threshold = _("整改线%(t)s分") % {"t": q.rating_threshold}
        s.below = s.mean < q.rating_threshold
    elif s.satisfaction is not None:
        s.threshold = _("整改线%(t)s%%") % {"t": q.satisfaction_threshold}
        s.below = s.satisfaction < q.satisfaction_threshold


def _groups(items, level):
    """Per item: the groups with at least MIN_GROUP respondents, the smaller ones merged, and how many were
    left out. One level only — courts when the answers come from several courts, else divisions (and the
    public as one group): figures at two levels could be subtracted from each other."""
    measured = [
        i.pk
        for i in items
        if i.kind == ItemKind.RATING or (i.has_choices and any(c.satisfied for c in i.choices.all()))
    ]
    if not measured:
        return {}
    key = ("item_id", "response__channel", "response__court__short_name")
    if level == "division":
        key += ("response__division__name",)
    rows = defaultdict(lambda: {"n": 0, "sum": 0, "sat": 0})
    answers = Answer.objects.filter(item_id__in=measured)
    for r in answers.filter(rating__isnull=False).values(*key).annotate(n=Count("id"), total=Sum("rating")):
        g = rows[tuple(r[k] for k in key)]
        g["n"] += r["n"]
        g["sum"] += r["total"] or 0
    for r in answers.filter(choice__isnull=False).values(*key).annotate(n=Count("response_id", distinct=True)):
        rows[tuple(r[k] for k in key)]["n"] += r["n"]
    for r in answers.filter(choice__satisfied=True).values(*key).annotate(n=Count("response_id", distinct=True)):
        rows[tuple(r[k] for k in key)]["sat"] += r["n"]
    kinds = {i.pk: i.kind for i in items}
    per_item = defaultdict(list)
    for (item_id, channel, court, *division), g in rows.items():
        per_item[item_id].append((str(_group_label(court, division[0] if division else None, channel)), g))
    return {item_id: _partition(entries, kinds[item_id] == ItemKind.RATING) for item_id, entries in per_item.items()}


def _partition(entries, rating):
    """Rows of at least MIN_GROUP respondents that together make up everyone: groups below the minimum are
    merged, and when the merged rest is still too small the smallest shown group joins it — otherwise the
    rest could be worked out as the total minus the rows shown."""

    def figure(label, g):
        if rating:
            return Group(label, g["n"], mean=_mean(g["sum"], g["n"]))
        return Group(label, g["n"], satisfaction=_pct(g["sat"], g["n"]))

    big = sorted((e for e in entries if e[1]["n"] >= MIN_GROUP), key=lambda e: (-e[1]["n"], e[0]))
    small = [e for e in entries if e[1]["n"] < MIN_GROUP]
    rest, merged = {"n": 0, "sum": 0, "sat": 0}, 0
    for _label, g in small:
        for k in rest:
            rest[k] += g[k]
        merged += 1
    while small and rest["n"] < MIN_GROUP and big:
        _label, g = big.pop()
        for k in rest:
            rest[k] += g[k]
        merged += 1
    shown = [figure(label, g) for label, g in sorted(big, key=lambda e: e[0])]
    if merged and rest["n"] >= MIN_GROUP:
        shown.append(figure(_("其他（%(k)s个单位合并）") % {"k": merged}, rest))
        return shown, 0
    return shown, merged if rest["n"] else 0


def item_stats(item) -> ItemStats:
    """One item's figures (the results page sets ``item.stats`` so that the policy need not count again)."""
    cached = getattr(item, "stats", None)
    if cached is not None:
        return cached
    _total, stats = questionnaire_stats(item.questionnaire, [item])
    return stats[0]
