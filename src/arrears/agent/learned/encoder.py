"""The sentence encoder: WordLlama's 256-dimension token codebook, mean-pooled, from its PyPI wheel.

Why this encoder: it ships its weights inside the `wordllama` wheel (MIT licence, Miller 2024; the codebook
is distilled from Llama-2-family token embeddings for sentence similarity), so nothing is ever fetched from a
model hub; it needs numpy and `tokenizers` only, embeds a turn in about 0.05 ms on one core, and is
deterministic. It places "we are bankrupt" near "I filed chapter 7", which hashed word pieces cannot.

The package's own loader looks for its tokenizer in a folder name the wheel does not use and then tries the
network, so the two files are opened here by path; a missing file is an installation error, never a
download.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DIMENSIONS = 256
ENCODER_NAME = "wordllama-0.4.0.post1/l2_supercat_256"
_MAX_TOKENS = 512
"""A turn is a sentence or an e-mail; a pasted thread is cut here, which bounds the cost of any input."""


class Encoder:
    """Turns text into a unit vector of DIMENSIONS floats (the zero vector for text with no tokens)."""

    def __init__(self, codebook: npt.NDArray[np.float32], tokenizer: Any) -> None:
        self._codebook = codebook
        self._tokenizer = tokenizer

    def embed(self, text: str) -> npt.NDArray[np.float32]:
        ids = self._tokenizer.encode(text, add_special_tokens=False).ids[:_MAX_TOKENS]
        if not ids:
            return np.zeros(DIMENSIONS, dtype=np.float32)
        rows = self._codebook[np.clip(np.asarray(ids, dtype=np.int64), 0, len(self._codebook) - 1)]
        pooled: npt.NDArray[np.float32] = rows.mean(axis=0, dtype=np.float32)
        norm = float(np.linalg.norm(pooled))
        return pooled / norm if norm > 0 else pooled

    def embed_many(self, texts: list[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self.embed(text)
        return out


def _package_files() -> tuple[Path, Path]:
    root = Path(str(resources.files("wordllama")))
    weights = root / "weights" / "l2_supercat_256.safetensors"
    tokenizer = root / "tokenizers" / "l2_supercat_tokenizer_config.json"
    for path in (weights, tokenizer):
        if not path.is_file():
            raise RuntimeError(f"the wordllama package is incomplete: {path} is missing; reinstall arrears")
    return weights, tokenizer


@lru_cache(maxsize=1)
def load_encoder() -> Encoder:
    """The encoder, read once per process from the installed package (about 0.5 s)."""
    from safetensors import safe_open
    from tokenizers import Tokenizer

    weights, tokenizer_file = _package_files()
    with safe_open(str(weights), framework="np", device="cpu") as handle:
        codebook = np.ascontiguousarray(handle.get_tensor("embedding.weight").astype(np.float32))
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return Encoder(codebook, tokenizer)
