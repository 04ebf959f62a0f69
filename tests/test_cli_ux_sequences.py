"""Issue 10's command line for the sequence datasets and the newer commands, run in subprocesses where the issue
asks: validation by default, run folders refused/resumed, options that do not apply refused, run folders and
--debug for generate, export, plot attention, check, lab and sweep.

The book's addition and PTB files come from $NUMNET_DATA_DIR, cut so that an epoch takes a second.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from numnet import io, sequence_presets
from numnet.cli import main
from numnet.models import MLP
from numnet.sequence_models import RNNLM, PeekySeq2seq
from numnet.training import Trainer
from test_cli_ux import check_error, check_ok, interrupt_after, numnet, patched, snapshot

#: Patches numnet so that the addition problems are 1,500 for training and 100 for testing.
CUT_ADDITION = (
    "from numnet import sequence_presets\n"
    "load = sequence_presets.load_sequences\n"
    "def cut(*args, **kwargs):\n"
    "    (x, t), (x_test, t_test), vocab = load(*args, **kwargs)\n"
    "    return (x[:1500], t[:1500]), (x_test[:100], t_test[:100]), vocab\n"
    "sequence_presets.load_sequences = cut\n"
)
ADDITION = ("--dataset", "addition", "--epochs", "1", "--hidden", "16", "--wordvec", "8")


@pytest.fixture(scope="module")
def addition_run(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A finished one-epoch addition run on the cut data, trained in a subprocess."""
    home = tmp_path_factory.mktemp("addition")
    check_ok(patched(CUT_ADDITION, "train", *ADDITION, "--quiet", "--out", "run", cwd=home))
    return home / "run"


def test_a_sequence_run_validates_on_a_tenth_of_the_questions(addition_run) -> None:
    record = json.loads((addition_run / "run.json").read_text())
    assert record["validate_on"] == "split" and record["validation_split"] == 0.1
    assert record["results"]["samples"] == {"training": 1350, "validation": 150, "test": 100}
    assert {"best_epoch", "val_exact_match", "test_exact_match"} <= record["results"].keys()
    history = json.loads((addition_run / "history.json").read_text())
    assert len(history["val_loss"]) == len(history["val_exact_match"]) == 1
    header = (addition_run / "history.csv").read_text().splitlines()[0]
    assert header == "epoch,train_loss,train_acc,train_exact_match,val_loss,val_acc,val_exact_match,epoch_time"
    assert {p.name for p in addition_run.iterdir()} == {
        "model.npz",
        "history.json",
        "history.csv",
        "run.json",
        "learning_curves.png",
    }


def test_a_sequence_run_folder_is_refused_before_training(addition_run) -> None:
    home, before = addition_run.parent, snapshot(addition_run)
    result = patched(CUT_ADDITION, "train", *ADDITION, "--out", "run", cwd=home)
    check_error(result, 1, "run already holds a run: pass --force to replace it")
    assert "epoch" not in result.stdout and snapshot(addition_run) == before


def test_a_sequence_run_may_track_the_test_set_instead(monkeypatch, data_dir, tmp_path, capsys) -> None:
    load = sequence_presets.load_sequences

    def cut(*args, **kwargs):
        (x, t), (x_test, t_test), vocab = load(*args, **kwargs)
        return (x[:500], t[:500]), (x_test[:50], t_test[:50]), vocab

    monkeypatch.setattr(sequence_presets, "load_sequences", cut)
    monkeypatch.setenv("NUMNET_DATA_DIR", str(data_dir))
    assert main(["train", *ADDITION, "--validate-on", "test", "--out", str(tmp_path / "r")]) == 0
    stdout = capsys.readouterr().out
    assert "(500 training / 50 test sequences, questions reversed)" in stdout and "tracking the test set" in stdout
    assert "test_exact_match" in json.loads((tmp_path / "r" / "history.json").read_text())


def test_an_interrupted_sequence_run_resumes_smoke(monkeypatch, data_dir, tmp_path, capsys) -> None:
    """In-process, on 500 problems: Ctrl-C after epoch 1 keeps a checkpoint; --resume refuses too few epochs."""
    load = sequence_presets.load_sequences

    def cut(*args, **kwargs):
        (x, t), (x_test, t_test), vocab = load(*args, **kwargs)
        return (x[:500], t[:500]), (x_test[:50], t_test[:50]), vocab

    train_epoch = Trainer._train_epoch

    def stopping(self, batches, bar):
        if self._progress.epoch == 1:
            self._interrupt_requested = True
        return train_epoch(self, batches, bar)

    monkeypatch.setattr(sequence_presets, "load_sequences", cut)
    monkeypatch.setenv("NUMNET_DATA_DIR", str(data_dir))
    out = tmp_path / "r"
    with monkeypatch.context() as patch:
        patch.setattr(Trainer, "_train_epoch", stopping)
        assert main(["train", *ADDITION, "--epochs", "2", "--quiet", "--out", str(out)]) == 130
    assert {p.name for p in out.iterdir()} == {"checkpoint.npz", "run.json"}
    assert main(["train", "--resume", str(out), "--epochs", "1"]) == 2
    assert "--epochs is the total number of epochs" in capsys.readouterr().err
    assert main(["train", "--resume", str(out), "--quiet"]) == 0
    assert {p.name for p in out.iterdir()} >= {"model.npz", "run.json"} and not (out / "checkpoint.npz").exists()
    assert len(json.loads((out / "history.json").read_text())["val_loss"]) == 2


@pytest.mark.slow
def test_an_interrupted_sequence_run_resumes_and_refuses_conflicting_options(tmp_path, data_dir) -> None:
    script = CUT_ADDITION + interrupt_after(1)
    result = patched(script, "train", *ADDITION, "--epochs", "2", "--out", "r", cwd=tmp_path)
    assert result.returncode == 130 and "Traceback" not in result.stderr
    assert {p.name for p in (tmp_path / "r").iterdir()} == {"checkpoint.npz", "run.json"}
    before = snapshot(tmp_path / "r")
    for options, fragments in (
        (("--epochs", "1"), ("--epochs is the total number of epochs", "has done 1")),
        (("--no-reverse",), ("--no-reverse (its questions are reversed)",)),
        (("--hidden", "32"), ("--hidden 32 (it holds PeekySeq2seq",)),
    ):
        check_error(patched(CUT_ADDITION, "train", "--resume", "r", *options, cwd=tmp_path), 2, *fragments)
        assert snapshot(tmp_path / "r") == before
    stdout = check_ok(patched(CUT_ADDITION, "train", "--resume", "r", "--epochs", "2", cwd=tmp_path))
    assert "resuming from" in stdout and "epoch 2/2" in stdout
    assert "checkpoint.npz" not in {p.name for p in (tmp_path / "r").iterdir()}
    assert len(json.loads((tmp_path / "r" / "history.json").read_text())["val_loss"]) == 2


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("--dataset", "addition", "--dropout", "0.2"), "--dropout does not apply to the sequence models of addition"),
        (("--dataset", "dates", "--activation", "tanh"), "--activation does not apply to the sequence models of dates"),
        (("--dataset", "addition", "--hidden", "8", "8"), "one hidden size: give --hidden N"),
        (("--dataset", "addition", "--batch-size", "full"), "train in mini-batches"),
        (("--dataset", "addition", "--train-split", "valid"), "--train-split applies to ptb"),
        (("--dataset", "ptb", "--no-reverse"), "--reverse applies to the questions of addition and dates"),
        (("--dataset", "spiral", "--wordvec", "8"), "--wordvec apply to the sequence datasets"),
        (("--dataset", "spiral", "--model", "rnnlm"), "--model rnnlm is for the sequence datasets"),
    ],
)
def test_options_a_sequence_model_lacks_are_refused(tmp_path, argv, fragment) -> None:
    check_error(numnet("train", *argv, cwd=tmp_path), 1, fragment)
    assert list(tmp_path.iterdir()) == []


def test_a_language_model_validates_on_the_last_tenth_of_each_stream(monkeypatch, data_dir, tmp_path) -> None:
    """ptb.valid.txt cut to 6,000 words (8 batches of 20 chunks of 35 words), ptb.test.txt to 3,000."""
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
    assert record["results"]["samples"] == {"training": 140, "validation": 20, "test": 80}  # chunks
    history = json.loads((out / "history.json").read_text())
    assert history["val_perplexity"] == [pytest.approx(np.exp(history["val_loss"][0]))]
    assert record["results"]["val_perplexity"] == pytest.approx(history["val_perplexity"][0])
    assert len(history["loss"]) == 7  # 7 of the 8 batches trained on


# ------------------------------------------------------------ the newer commands


def test_generate_export_and_attention_take_run_folders_and_refuse_what_does_not_apply(tmp_path, capsys) -> None:
    peeky = tmp_path / "peeky"
    peeky.mkdir()
    model = PeekySeq2seq(13, 4, 8, seed=0)
    model.metadata = {"dataset": "addition", "symbols": list("0123456789+ _"), "reverse": True}
    io.save(model, peeky / "model.npz")
    assert main(["generate", str(peeky), "--question", "1+1"]) == 0
    assert capsys.readouterr().out.startswith("Q 1+1  A ")
    assert main(["generate", str(peeky), "--start", "the", "--length", "5"]) == 1
    assert "--start and --length do not apply to" in capsys.readouterr().err

    lm = tmp_path / "lm"
    lm.mkdir()
    language = RNNLM(3, 4, 4, seed=0)
    language.metadata = {"dataset": "ptb", "symbols": ["<eos>", "the", "cat"], "reverse": False}
    io.save(language, lm / "model.npz")
    assert main(["generate", str(lm), "--question", "1+1", "--count", "3"]) == 1
    assert "--question and --count do not apply to" in capsys.readouterr().err
    assert main(["plot", "attention", str(lm), "--question", "x"]) == 1
    assert "an attention map needs an AttentionSeq2seq" in capsys.readouterr().err

    stopped = tmp_path / "stopped"
    stopped.mkdir()
    (stopped / "checkpoint.npz").write_bytes(b"")
    for argv in (["generate"], ["export", "--onnx", "x.onnx"], ["plot", "attention"]):
        assert main([*argv, str(stopped)]) == 1
        error = capsys.readouterr().err
        assert f"{stopped} holds an interrupted run, not a trained model: finish it with 'numnet train" in error
    (tmp_path / "mlp").mkdir()
    io.save(MLP([4, 3], seed=0), tmp_path / "mlp" / "model.npz")
    assert main(["generate", str(tmp_path / "mlp")]) == 1
    assert "generate takes a Seq2seq model or an RNNLM" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "missing"],
        ["export", "missing", "--onnx", "x.onnx"],
        ["plot", "attention", "missing"],
        ["check", "missing.py:Affine"],
        ["lab", "optimizers", "--dataset", "mnist", "--data-dir", "missing"],
        ["sweep", "--dataset", "mnist", "--data-dir", "missing"],
    ],
)
def test_debug_is_accepted_by_the_newer_commands(tmp_path, monkeypatch, capsys, argv) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    assert capsys.readouterr().err.startswith("numnet: error: ")
    for debugged in ([*argv, "--debug"], ["--debug", *argv], [argv[0], "--debug", *argv[1:]]):
        with pytest.raises(Exception, match="missing"):
            main(debugged)
    assert list(tmp_path.iterdir()) == []


def test_lab_refuses_a_data_dir_for_the_bundled_data(tmp_path) -> None:
    check_error(numnet("lab", "overfit", "--data-dir", str(tmp_path), cwd=tmp_path), 1, "--data-dir applies to")


def test_info_and_compare_read_sequence_runs(addition_run) -> None:
    home = addition_run.parent
    stdout = check_ok(numnet("info", "run", cwd=home))
    assert "1,350 training / 150 validation / 100 test sequences" in stdout
    assert "model: peeky (--hidden 16 --wordvec 8 --reverse)" in stdout and "test exact match" in stdout
    shutil.copytree(addition_run, home / "copy", dirs_exist_ok=True)
    stdout = check_ok(numnet("compare", "run", "copy", "--out", "both.png", cwd=home))
    assert stdout.splitlines()[-1] == "both.png" and (home / "both.png").is_file()


def test_the_attention_map_is_titled_and_its_colour_explained(tmp_path, capsys) -> None:
    pytest.importorskip("matplotlib")
    from numnet import plotting

    weights = np.full((2, 4), 0.25)
    figure = plotting.attention_figure(weights, list("1+23"), list("24"), title="addition · a model\nattention")
    assert figure._suptitle.get_text() == "addition · a model\nattention"
    main_ax, colorbar = figure.axes
    assert (main_ax.get_xlabel(), main_ax.get_ylabel()) == ("question", "answer")
    assert colorbar.get_ylabel() == "attention weight"


@pytest.mark.parametrize("option", [["--validate-on", "test"], ["--validation-split", "0.2"], ["--resume", "r"]])
def test_word_vectors_refuse_validation_and_resuming(tmp_path, capsys, option) -> None:
    assert main(["train", "--dataset", "ptb", "--model", "cbow", *option, "--out", str(tmp_path / "w")]) == 1
    assert f"{option[0]} does not apply to word vectors" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_word_vector_run_folder_is_checked_before_training(tmp_path, capsys) -> None:
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "notes.txt").write_text("mine")
    assert main(["train", "--dataset", "ptb", "--model", "skipgram", "--out", str(tmp_path / "w")]) == 1
    assert "holds other files than a run's" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "w").iterdir()] == ["notes.txt"]


def test_a_loss_only_history_is_one_panel(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    from numnet import plotting

    figure = plotting.history_figure({"loss": [4.0, 3.0, 2.9, 2.8], "train_loss": [3.5, 2.85]}, title="ptb · CBOW")
    (panel,) = figure.axes
    assert panel.get_title() == "loss" and [line.get_label() for line in panel.lines][-1] == "training"
