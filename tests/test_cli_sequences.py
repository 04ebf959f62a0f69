"""The command line for sequences: numnet train on addition/dates, numnet generate, numnet plot attention/history.

The commands run in-process (numnet.cli.main) on the book's files from $NUMNET_DATA_DIR, cut to a few
thousand problems so that an epoch takes seconds.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from numnet import io, sequence_presets
from numnet.cli import main
from numnet.data import sequences
from numnet.models import MLP
from numnet.sequence_models import RNNLM, AttentionSeq2seq, PeekySeq2seq
from numnet.word2vec import CBOW, SkipGram

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def small_data(monkeypatch, data_dir):
    """The book's files, 1,500 training and 100 test problems of them."""
    load = sequences.load_sequences

    def cut(*args, **kwargs):
        (x, t), (x_test, t_test), vocab = load(*args, **kwargs)
        return (x[:1500], t[:1500]), (x_test[:100], t_test[:100]), vocab

    monkeypatch.setattr(sequence_presets, "load_sequences", cut)
    monkeypatch.setenv("NUMNET_DATA_DIR", str(data_dir))
    return data_dir


def test_train_addition_then_generate(small_data, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "addition", "--epochs", "1", "--hidden", "32", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "PeekySeq2seq" in printed and "questions reversed" in printed and "test exact match" in printed
    assert {p.name for p in out.iterdir()} >= {"model.npz", "history.json", "run.json", "learning_curves.png"}
    record = json.loads((out / "run.json").read_text())
    assert record["dataset"] == "addition" and record["model_class"] == "PeekySeq2seq" and record["reverse"] is True
    model = io.load(out / "model.npz")
    assert isinstance(model, PeekySeq2seq) and model.metadata["reverse"] is True
    _, (x_test, t_test), _ = sequences.load_addition(small_data, reverse=True)
    assert record["results"]["test_exact_match"] == model.exact_match(x_test[:100], t_test[:100])
    history = json.loads((out / "history.json").read_text())
    assert len(history["val_exact_match"]) == 1 and len(history["train_acc"]) == 1

    assert main(["generate", str(out), "--question", "1+1", "--question", "100+900"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  A ")[0] for line in lines] == ["Q 1+1", "Q 100+900"]
    assert all(len(line.split("  A ")[1]) <= 4 for line in lines)

    assert main(["generate", str(out), "--count", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(" right " in line or " wrong " in line for line in lines)
    question = lines[0].split("  T ")[0][2:].strip()
    assert eval(question) == int(lines[0].split("  T ")[1].split()[0])


def test_train_dates_with_attention_and_plot_its_map(small_data, tmp_path, capsys):
    out = tmp_path / "dates"
    argv = ["train", "--dataset", "dates", "--epochs", "1", "--hidden", "8", "--quiet", "--out", str(out)]
    assert main(argv) == 0
    model = io.load(out / "model.npz")
    assert isinstance(model, AttentionSeq2seq) and model.config["hidden_size"] == 8
    picture = tmp_path / "attention.png"
    assert main(["plot", "attention", str(out / "model.npz"), "--question", "May 3, 1999", "--out", str(picture)]) == 0
    assert capsys.readouterr().out.strip() == str(picture)
    assert picture.read_bytes().startswith(PNG_SIGNATURE)
    assert main(["plot", "attention", str(out / "model.npz")]) == 0  # the first test question, beside the model
    assert (out / "attention.png").read_bytes().startswith(PNG_SIGNATURE)


def test_generate_text_with_a_language_model(tmp_path, capsys):
    words = ["<eos>", "the", "cat", "sat", "N", "<unk>", "on", "mat"]
    model = RNNLM(len(words), 8, 8, seed=0)
    model.metadata = {"dataset": "ptb", "symbols": words, "reverse": False}
    io.save(model, tmp_path / "model.npz")
    argv = ["generate", str(tmp_path), "--start", "the cat", "--length", "30", "--seed", "3"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert text.startswith("the cat")
    assert not {"N", "<unk>"} & set(text.split())
    assert main(argv) == 0 and capsys.readouterr().out == text  # seeded
    assert main(["generate", str(tmp_path), "--start", "dog"]) == 1
    assert "--start must be words the model knows; unknown: ['dog']" in capsys.readouterr().err


def test_sequence_options_are_checked(tmp_path, capsys):
    assert main(["train", "--dataset", "addition", "--model", "rnnlm", "--out", str(tmp_path)]) == 1
    assert "model 'rnnlm' does not fit the addition dataset" in capsys.readouterr().err
    assert main(["train", "--dataset", "addition", "--model", "mlp", "--out", str(tmp_path)]) == 1
    assert "--model mlp does not train on addition" in capsys.readouterr().err
    assert main(["train", "--dataset", "spiral", "--model", "peeky", "--out", str(tmp_path)]) == 1
    assert "--model peeky is for the sequence datasets" in capsys.readouterr().err
    io.save(MLP([4, 3]), tmp_path / "mlp.npz")
    assert main(["generate", str(tmp_path / "mlp.npz")]) == 1
    assert "generate takes a Seq2seq model or an RNNLM" in capsys.readouterr().err
    assert main(["plot", "attention", str(tmp_path / "mlp.npz"), "--question", "x"]) == 1
    assert "an attention map needs an AttentionSeq2seq" in capsys.readouterr().err
    io.save(PeekySeq2seq(13, 4, 8), tmp_path / "peeky.npz")
    assert main(["evaluate", str(tmp_path / "peeky.npz")]) == 1
    assert "holds a PeekySeq2seq, not a classifier this command takes; 'numnet generate'" in capsys.readouterr().err


def test_history_figure_shows_perplexity_for_a_language_model(tmp_path):
    pytest.importorskip("matplotlib")
    from numnet import plotting

    history = {"loss": [6.0, 5.5, 5.2, 5.0], "train_loss": [5.6, 5.0], "val_loss": [5.4, 5.1]}
    history |= {"train_perplexity": list(np.exp([5.6, 5.0])), "val_perplexity": list(np.exp([5.4, 5.1]))}
    figure = plotting.history_figure(history)
    right = figure.axes[1]
    assert right.get_title() == "perplexity" and right.get_yscale() == "log"
    assert [line.get_label() for line in right.lines] == ["training", "validation"]
    np.testing.assert_allclose(right.lines[1].get_ydata(), history["val_perplexity"])
    path = plotting.save_figure(figure, tmp_path / "curves.png")
    assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_train_a_language_model_on_ptb_then_write_text(monkeypatch, data_dir, tmp_path, capsys):
    """ptb.valid.txt cut to 6,000 words to train on, ptb.test.txt to 3,000 to evaluate on."""
    load = sequence_presets.load_ptb

    def cut(split, *args, **kwargs):
        corpus, word_to_id, id_to_word = load(split, *args, **kwargs)
        return corpus[:6000] if split == "valid" else corpus[:3000], word_to_id, id_to_word

    monkeypatch.setattr(sequence_presets, "load_ptb", cut)
    monkeypatch.setenv("NUMNET_DATA_DIR", str(data_dir))
    out = tmp_path / "lm"
    argv = ["train", "--dataset", "ptb", "--train-split", "valid", "--epochs", "1", "--hidden", "8", "--wordvec", "8"]
    assert main([*argv, "--quiet", "--out", str(out)]) == 0
    record = json.loads((out / "run.json").read_text())
    model = io.load(out / "model.npz")
    assert isinstance(model, RNNLM) and model.vocab_size == len(model.metadata["symbols"]) == 7596
    assert 100 < record["results"]["test_perplexity"] < 7596 / 2  # well below the vocabulary's size already
    history = json.loads((out / "history.json").read_text())
    assert history["val_perplexity"] == [pytest.approx(np.exp(history["val_loss"][0]))]
    assert main(["generate", str(out), "--start", "the company", "--length", "20", "--temperature", "0"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("the company") and len(text.replace(".\n", " ").split()) >= 20


@pytest.mark.parametrize(("model_name", "model_class"), [("cbow", CBOW), ("skipgram", SkipGram)])
def test_train_word_vectors_on_ptb(model_name, model_class, monkeypatch, data_dir, tmp_path, capsys):
    """Chapter 4 from the command line: ptb.valid.txt cut to 5,000 words, 16-dimensional vectors."""
    load = sequence_presets.load_ptb
    monkeypatch.setattr(sequence_presets, "load_ptb", lambda split, *a, **k: _cut(load(split, *a, **k), 5000))
    monkeypatch.setenv("NUMNET_DATA_DIR", str(data_dir))
    out = tmp_path / model_name
    argv = ["train", "--dataset", "ptb", "--model", model_name, "--train-split", "valid", "--wordvec", "16"]
    assert main([*argv, "--epochs", "2", "--window", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "unigram baseline loss" in printed and "nearest words:" in printed and "  year: " in printed
    record = json.loads((out / "run.json").read_text())
    results = record["results"]
    assert record["window"] == 2 and results["epochs"] == 2
    assert results["train_loss"] == pytest.approx(json.loads((out / "history.json").read_text())["train_loss"][-1])
    assert set(results["nearest_words"]) == {"you", "year"}  # car and toyota are not in the first 5,000 words
    assert all(len(words) == 5 and query not in words for query, words in results["nearest_words"].items())
    model = io.load(out / "model.npz")
    assert isinstance(model, model_class) and model.word_vecs.shape == (7596, 16)
    assert model.metadata["symbols"][:3] == ["consumers", "may", "want"]
    assert sequence_presets.nearest_words(model) == results["nearest_words"]
    assert results["unigram_baseline"] == pytest.approx(sequence_presets.unigram_baseline(model))


def _cut(loaded, words):
    corpus, word_to_id, id_to_word = loaded
    return corpus[:words], word_to_id, id_to_word


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dataset", "mnist-mini", "--model", "cbow"], "--model cbow trains word vectors on --dataset ptb"),
        (["--dataset", "ptb", "--model", "skipgram", "--hidden", "8"], "--hidden does not apply to word vectors"),
        (["--dataset", "ptb", "--model", "cbow", "--batch-size", "full"], "give --batch-size N"),
        (["--dataset", "ptb", "--window", "3"], "--window is for word vectors"),
    ],
)
def test_word_vector_options_refused(argv, message, tmp_path, capsys):
    assert main(["train", *argv, "--out", str(tmp_path / "run")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
