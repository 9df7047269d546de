"""Bad files are named with their reason, leave the graph unchanged, and do not stop the others."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.readers import ReaderError, read
from kg.cli import app

pytestmark = pytest.mark.integration

GOOD = (
    "Atelier n°1 - Des innovations numériques\n\nM. Jean DUPONT - dgs de la ville de Lescar : « Un guichet unique »\n\n"
    "Le guichet unique a permis de réaliser 10 % d'économies.\n"
)


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bon.txt").write_text(GOOD, encoding="utf-8")
    (folder / "corrompu.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage \x00\xff")
    (folder / "vide.txt").write_text("   \n", encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n")
    return folder


def test_corrupt_pdf_is_a_clear_reader_error(mixed_folder):
    with pytest.raises(ReaderError, match="PDF"):
        read(mixed_folder / "corrompu.pdf")


def test_unknown_format_is_named(mixed_folder):
    with pytest.raises(ReaderError, match="format non pris en charge"):
        read(mixed_folder / "image.png")


def test_a_run_with_bad_files_ingests_the_good_one_and_exits_non_zero(mixed_folder, tmp_path):
    data = tmp_path / "data"
    files = [str(p) for p in sorted(mixed_folder.iterdir())]
    result = CliRunner().invoke(app, ["ingest", *files, "--data-dir", str(data)])
    assert result.exit_code == 1
    assert "corrompu.pdf" in result.output and "PDF illisible" in result.output
    assert "vide.txt" in result.output and "fichier vide" in result.output
    assert "image.png" in result.output and "format non pris en charge" in result.output
    stats = CliRunner().invoke(app, ["stats", "--json", "--data-dir", str(data)])
    assert '"documents": 1' in stats.output
    assert '"practices": 1' in stats.output


def test_docx_and_pdf_readers_read_real_files(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("La ville de Nevers a mis en place un management par activités.")
    d.save(tmp_path / "cas.docx")
    assert "Nevers" in read(tmp_path / "cas.docx").text

    pdf = tmp_path / "cas.pdf"
    pdf.write_bytes(_minimal_pdf("La ville de Rezé mesure la performance RH."))
    assert "performance RH" in read(pdf).text


def _minimal_pdf(line: str) -> bytes:
    """A one-page PDF with one line of text, written by hand (no PDF writer needed)."""
    content = f"BT /F1 12 Tf 72 720 Td ({line.encode('latin-1').decode('latin-1')}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out
