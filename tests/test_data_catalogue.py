"""The dataset catalogue: names, shapes and class names, and what load_dataset returns."""

from __future__ import annotations

import numpy as np
import pytest

from numnet.data import DatasetError, load_mnist_mini, make_planar, make_spiral
from numnet.data.catalogue import DATASETS, DatasetInfo, dataset_info, load_dataset


def sorted_rows(x: np.ndarray) -> list[tuple[float, ...]]:
    return sorted(tuple(row) for row in x.reshape(len(x), -1).tolist())


def test_every_entry_describes_its_dataset_consistently():
    assert list(DATASETS) == ["mnist-mini", "mnist", "fashion-mnist", "catvnoncat", "spiral", "planar"]
    for name, info in DATASETS.items():
        assert info.name == name and info.description
        assert info.n_classes == len(info.class_names) >= 2
        assert info.is_images == (len(info.sample_shape) >= 2)
    assert DATASETS["catvnoncat"].class_names == ("non-cat", "cat")
    assert DATASETS["fashion-mnist"].class_names[9] == "Ankle boot"
    assert DATASETS["catvnoncat"].sample_shape == (64, 64, 3) and DATASETS["spiral"].sample_shape == (2,)


def test_mnist_mini_comes_as_gray_images_in_natural_layout():
    dataset = load_dataset("mnist-mini")
    (x_train, _), (_, t_test) = load_mnist_mini(flatten=False)
    assert dataset.x_train.shape == (6000, 28, 28) and dataset.x_test.shape == (1000, 28, 28)
    assert dataset.x_train.dtype == np.float32 and dataset.is_images
    np.testing.assert_array_equal(dataset.x_train, x_train[:, 0])
    np.testing.assert_array_equal(dataset.t_test, t_test)
    assert dataset.name == "mnist-mini" and dataset.class_names == tuple("0123456789")


@pytest.mark.parametrize(
    ("name", "generated", "n_test"),
    [("spiral", make_spiral(100, 3, seed=0), 60), ("planar", make_planar(400, seed=0), 80)],
)
def test_synthetic_sets_split_the_points_generated_with_seed_0_the_same_every_time(name, generated, n_test):
    dataset = load_dataset(name)
    x, t = generated
    assert len(dataset.x_test) == n_test == len(x) // 5 and not dataset.is_images
    # a partition: every generated point (with its label) is in exactly one of the two sets
    both = np.concatenate(
        [np.column_stack([dataset.x_train, dataset.t_train]), np.column_stack([dataset.x_test, dataset.t_test])]
    )
    assert sorted_rows(both) == sorted_rows(np.column_stack([x, t]))
    again = load_dataset(name)
    np.testing.assert_array_equal(again.x_test, dataset.x_test)
    np.testing.assert_array_equal(again.t_train, dataset.t_train)


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'; choose from mnist-mini, mnist,"):
        load_dataset("imagenet")
    with pytest.raises(ValueError, match="unknown dataset"):
        dataset_info(None)  # type: ignore[arg-type]


def test_a_loader_giving_the_wrong_shape_is_refused():
    def loader(data_dir, verbose):
        x = np.zeros((4, 3), np.float32)
        return (x, np.zeros(4, np.int64)), (x, np.zeros(4, np.int64))

    info = DatasetInfo("points", "test", (2,), ("a", "b"), loader)
    with pytest.raises(DatasetError, match=r"points training set has samples of shape \(3,\), expected \(2,\)"):
        info.load()


def test_missing_catvnoncat_files_raise_the_loaders_error(tmp_path, monkeypatch):
    pytest.importorskip("h5py")
    monkeypatch.delenv("NUMNET_DATA_DIR", raising=False)
    with pytest.raises(DatasetError, match="train_catvnoncat.h5 not found"):
        load_dataset("catvnoncat", data_dir=tmp_path)


@pytest.mark.needs_data
def test_catvnoncat_photos_are_scaled_to_the_unit_interval():
    from numnet.data import load_catvnoncat

    dataset = load_dataset("catvnoncat")
    (x_train, t_train), _, _ = load_catvnoncat()
    assert dataset.x_train.shape == (209, 64, 64, 3) and dataset.x_train.dtype == np.float32
    np.testing.assert_allclose(dataset.x_train, x_train / 255, rtol=1e-6)
    np.testing.assert_array_equal(dataset.t_train, t_train)
