"""A jury session's report: for each new entry, its closest past entries and cases, duplicates first.

HTML for reading (one self-contained file: inline CSS, no script, no image, no external link, so that it
opens offline and can be mailed to the jury) and CSV for sorting in a spreadsheet, one row per match.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from jinja2 import Environment

from ingest.awards.model import AwardEntry

CSV_COLUMNS = (
    "entry_number",
    "entry_file",
    "entry_title",
    "entry_authority",
    "entry_year",
    "near_duplicate_id",
    "near_duplicate_title",
    "rank",
    "id",
    "title",
    "authority",
    "year",
    "category",
    "kind",
    "score",
    "shared_axes",
    "shared_tools",
    "shared_outcomes",
    "why",
)


@dataclass(frozen=True)
class NewEntry:
    entry: AwardEntry
    file: str
    number: int  # order in the session (1-based)


@dataclass(frozen=True)
class EntryReport:
    new: NewEntry
    result: dict  # the similar-entries JSON contract

    @property
    def duplicate(self) -> dict | None:
        return self.result.get("near_duplicate")


def build_reports(
    similar: Callable[[AwardEntry], dict], entries: list[NewEntry], progress: Callable[[], None] | None = None
) -> list[EntryReport]:
    """One report per entry; entries with a near duplicate come first, then the others, each in file order."""
    reports = []
    for new in entries:
        reports.append(EntryReport(new, similar(new.entry)))
        if progress:
            progress()
    return sorted(reports, key=lambda r: (r.duplicate is None, r.new.number))


def render_csv(reports: list[EntryReport]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in reports:
        e, dup = r.new.entry, r.duplicate or {}
        head = [r.new.number, r.new.file, e.title, e.authority, e.year, dup.get("id"), dup.get("title")]
        for rank, m in enumerate(r.result["matches"], start=1):
            shared = m["shared"]
            writer.writerow(
                [
                    *head,
                    rank,
                    m["id"],
                    m["title"],
                    m["authority"],
                    m["year"],
                    m["category"],
                    m["kind"],
                    f"{m['score']:.4f}",
                    " | ".join(shared["axes"]),
                    " | ".join(shared["tools"]),
                    " | ".join(shared["outcomes"]),
                    m["why"],
                ]
            )
        if not r.result["matches"]:
            writer.writerow([*head, *[""] * (len(CSV_COLUMNS) - len(head))])
    return buf.getvalue()


def render_html(reports: list[EntryReport], generated: datetime, settings_line: str, problems: list[str]) -> str:
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["score"] = lambda v: f"{v:.2f}".replace(".", ",")
    return env.from_string(TEMPLATE).render(
        reports=reports,
        duplicates=sum(1 for r in reports if r.duplicate),
        generated=generated.strftime("%d/%m/%Y à %H:%M"),
        settings_line=settings_line,
        problems=problems,
        kinds={"award": "Prix", "case": "Cas de séminaire"},
    )


TEMPLATE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Rapport du jury — entrées similaires</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1d2430; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin: 0 0 .3rem; }
.meta, .muted { color: #5b6472; font-size: .9rem; }
.summary { background: #f3f5f8; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0 1.5rem; }
.entry { border: 1px solid #d9dee6; border-radius: 8px; padding: 1rem 1.2rem; margin: 0 0 1.4rem;
         page-break-inside: avoid; }
.entry.dup { border-color: #c0392b; border-width: 2px; }
.flag { background: #fdecea; color: #922b21; border-radius: 4px; padding: .45rem .7rem; margin: .5rem 0;
        font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin-top: .6rem; font-size: .88rem; }
th, td { border-bottom: 1px solid #e6e9ef; padding: .35rem .45rem; text-align: left; vertical-align: top; }
th { background: #f7f8fa; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.is-dup td { background: #fff6f5; }
.kind { font-size: .78rem; border-radius: 3px; padding: 0 .3rem; background: #e8eef9; white-space: nowrap; }
.kind.case { background: #eaf6ec; }
.bar { display: inline-block; height: .55rem; background: #3b6fd8; border-radius: 2px; vertical-align: middle; }
code { font-size: .75rem; color: #5b6472; word-break: break-all; }
ul.problems { color: #922b21; }
@media print { body { margin: 0; } .entry { border-color: #999; } }
</style>
</head>
<body>
<h1>Rapport du jury — entrées similaires</h1>
<p class="meta">Généré le {{ generated }} · {{ settings_line }}</p>
<div class="summary">
  <strong>{{ reports|length }}</strong> entrée{{ "s" if reports|length > 1 }} examinée{{ "s" if reports|length > 1 }},
  dont <strong>{{ duplicates }}</strong> doublon{{ "s" if duplicates > 1 }} probable{{ "s" if duplicates > 1 }}
  (présenté{{ "s" if duplicates > 1 }} en premier).
  Le score (0 à 1) combine la proximité des textes et ce que le graphe sait des deux pratiques
  (outils, axes, collectivité, catégorie).
</div>
{% if problems %}
<h2>Entrées non lues</h2>
<ul class="problems">{% for p in problems %}<li>{{ p }}</li>{% endfor %}</ul>
{% endif %}
{% for r in reports %}
{% set e = r.new.entry %}
<section class="entry{{ ' dup' if r.duplicate }}" id="entree-{{ r.new.number }}">
  <h2>{{ r.new.number }}. {{ e.title }}</h2>
  <div class="muted">{{ e.authority }}{% if e.year %} · {{ e.year }}{% endif %}{% if e.category %}
    · {{ e.category }}{% endif %}{% if e.medal %} · {{ e.medal }}{% endif %} · {{ r.new.file }}</div>
  {% if e.description %}<p>{{ e.description }}</p>{% endif %}
  {% if r.duplicate %}
  <div class="flag">Doublon probable : « {{ r.duplicate.title }} » <code>{{ r.duplicate.id }}</code></div>
  {% endif %}
  {% if r.result.matches %}
  <table>
    <thead><tr><th>#</th><th>Entrée ou cas proche</th><th>Collectivité</th><th>Année</th><th>Type</th>
      <th>Score</th><th>En commun</th><th>Pourquoi</th></tr></thead>
    <tbody>
    {% for m in r.result.matches %}
    <tr class="{{ 'is-dup' if r.duplicate and r.duplicate.id == m.id }}">
      <td class="num">{{ loop.index }}</td>
      <td>{{ m.title }}{% if m.category %}<div class="muted">{{ m.category }}</div>{% endif %}
        <div><code>{{ m.id }}</code></div></td>
      <td>{{ m.authority }}</td>
      <td class="num">{{ m.year or "–" }}</td>
      <td><span class="kind {{ m.kind }}">{{ kinds[m.kind] }}</span></td>
      <td class="num">{{ m.score|score }}<br>
        <span class="bar" style="width: {{ (m.score * 60)|round|int }}px"></span></td>
      <td>{% for label, items in [("Axes", m.shared.axes), ("Outils", m.shared.tools),
            ("Résultats", m.shared.outcomes)] if items %}
          <div><strong>{{ label }}</strong> : {{ items|join(", ") }}</div>
          {% else %}–{% endfor %}</td>
      <td>{{ m.why }}</td>
    </tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}
  <p class="muted">Aucune entrée passée ne correspond aux critères.</p>
  {% endif %}
</section>
{% endfor %}
</body>
</html>
"""
