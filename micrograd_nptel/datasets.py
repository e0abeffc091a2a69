"""Real and toy data sets, as plain Python lists, and the usual preprocessing.

- :func:`load_iris`: Fisher's Iris data, shipped with the package (``data/iris.csv``).
- :func:`make_moons`: the two-moons toy set of micrograd's demo.
- :func:`train_test_split` and :class:`StandardScaler`.
- :func:`prepare`: a named set split, scaled and sized as ``micrograd-nptel train`` trains on it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
import numbers
import os
import random
import sys
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ._progress import bar_options
from .files import check_input_file


class Dataset(NamedTuple):
    """A classification data set: ``X`` (N rows of n floats), ``y`` (N ints in [0, k)), ``class_names`` (k str)."""

    X: list[list[float]]
    y: list[int]
    class_names: tuple[str, ...]


IRIS_CLASSES = ("setosa", "versicolor", "virginica")
IRIS_FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")


def load_iris() -> Dataset:
    """Fisher's Iris data: 150 flowers, 4 measurements each (cm), 3 species of 50.

    Columns of X: sepal length, sepal width, petal length, petal width (cm). Labels:
    0 setosa, 1 versicolor, 2 virginica, in the file's order (50 of each, in blocks).

    Source: UCI Machine Learning Repository, "Iris" (R. A. Fisher, 1936), CC BY 4.0,
    with rows 35 and 38 as in Fisher's paper (as R's ``datasets::iris``); provenance is
    in the header of ``micrograd_nptel/data/iris.csv``.

    Returns:
        ``Dataset(X, y, class_names)`` with ``len(X) == 150`` and ``len(X[0]) == 4``.
    """
    text = resources.files("micrograd_nptel").joinpath("data/iris.csv").read_text(encoding="utf-8")
    rows = csv.reader(line for line in io.StringIO(text) if not line.startswith("#"))
    header = next(rows)
    if tuple(header) != IRIS_FEATURES + ("species",):
        raise ValueError(f"iris.csv has an unexpected header {header!r}")
    X, y = [], []
    for row in rows:
        X.append([float(v) for v in row[:4]])
        y.append(IRIS_CLASSES.index(row[4]))
    return Dataset(X, y, IRIS_CLASSES)


DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
"""The sha256 of the shipped ``data/digits.csv.gz`` (scikit-learn 1.9.1's copy)."""


def load_digits() -> Dataset:
    """The UCI "Optical Recognition of Handwritten Digits" set, 8x8 images, as scikit-learn ships it.

    1797 images of the digits 0-9 (178, 182, 177, 183, 181, 182, 181, 179, 174, 180 of each); each
    row of X is an 8x8 image read row by row, 64 pixel counts in 0..16 (the number of ink pixels in
    a 4x4 block of a 32x32 bitmap). Scale them (``StandardScaler``, or divide by 16) before training.

    Source: E. Alpaydin and C. Kaynak (1998), UCI Machine Learning Repository, CC BY 4.0; the
    test-set copy shipped with scikit-learn (``sklearn/datasets/data/digits.csv.gz``), shipped here
    unchanged as ``micrograd_nptel/data/digits.csv.gz`` (provenance in ``data/PROVENANCE.md``).

    Returns:
        ``Dataset(X, y, class_names)`` with 1797 rows of 64 floats, labels 0-9, names "0".."9".

    Raises:
        ValueError: the shipped file is damaged (its sha256 or shape is not the expected one).
    """
    raw = resources.files("micrograd_nptel").joinpath("data/digits.csv.gz").read_bytes()
    if hashlib.sha256(raw).hexdigest() != DIGITS_SHA256:
        raise ValueError("micrograd_nptel/data/digits.csv.gz is damaged (sha256 mismatch); reinstall the package")
    table = np.loadtxt(io.StringIO(gzip.decompress(raw).decode("ascii")), delimiter=",")
    if table.shape != (1797, 65):
        raise ValueError(f"digits.csv.gz has shape {table.shape}, expected (1797, 65)")
    return Dataset(table[:, :64].tolist(), [int(v) for v in table[:, 64]], tuple(str(d) for d in range(10)))


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles in 2-D, the toy set of micrograd's demo.

    Class 0 ("upper") is ``(cos t, sin t)``, class 1 ("lower") is
    ``(1 - cos t, 0.5 - sin t)``, t evenly spaced in [0, π]; Gaussian noise of standard
    deviation ``noise`` is added and the rows are shuffled, all from numpy's PCG64
    generator seeded with ``seed`` (the same numbers on every machine). The same
    construction as ``sklearn.datasets.make_moons``.

    Args:
        n: the number of points N (class 0 gets ``n - n // 2``, class 1 gets ``n // 2``).
        noise: the noise's standard deviation (same units as the coordinates, >= 0).
        seed: the generator seed.

    Raises:
        ValueError: ``n < 2`` or ``noise < 0``.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    if isinstance(noise, bool) or not (isinstance(noise, numbers.Real) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    n_out, n_in = n - n // 2, n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.column_stack([np.cos(t_out), np.sin(t_out)]), np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)])])
    y = np.hstack([np.zeros(n_out, dtype=int), np.ones(n_in, dtype=int)])
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n)
    return Dataset(X[order].tolist(), [int(v) for v in y[order]], ("upper", "lower"))


def train_test_split(
    X: Sequence[Sequence[float]], y: Sequence[int], test_size: float = 0.2, seed: int = 0, stratify: bool = True
) -> tuple[list[list[float]], list[list[float]], list[int], list[int]]:
    """Split N examples into a training and a held-out test set.

    With ``stratify`` each class contributes ``round(test_size * its count)`` examples to
    the test set, so both sets keep the class proportions (Iris: 10 test flowers of each
    species with the default). The choice is a ``random.Random(seed)`` shuffle.

    Args:
        X: N rows of features; y: N labels.
        test_size: the fraction in (0, 1) of examples held out.
        seed: the shuffle's seed.
        stratify: keep class proportions (default) or split the shuffled whole.

    Returns:
        ``(X_train, X_test, y_train, y_test)`` as lists, in shuffled order.

    Raises:
        ValueError: ``X`` and ``y`` differ in length, or ``test_size`` is outside (0, 1),
        or either side would be empty.
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels (expected equal)")
    if isinstance(test_size, bool) or not (isinstance(test_size, numbers.Real) and 0.0 < test_size < 1.0):
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {seed!r} of type {type(seed).__name__}")
    rng = random.Random(int(seed))
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(y):
        groups.setdefault(label if stratify else 0, []).append(i)
    train, test = [], []
    for key in sorted(groups):
        idx = groups[key]
        rng.shuffle(idx)
        k = round(test_size * len(idx))
        test += idx[:k]
        train += idx[k:]
    rng.shuffle(train)
    rng.shuffle(test)
    if not train or not test:
        raise ValueError(f"test_size={test_size} leaves an empty split of {len(y)} examples")
    return [list(X[i]) for i in train], [list(X[i]) for i in test], [y[i] for i in train], [y[i] for i in test]


class StandardScaler:
    """Feature standardisation ``(x - mean) / std``, each column fitted on the training set.

    Attributes:
        mean, std: n floats each (std is the population standard deviation; a constant
            column gets std 1 so it maps to 0).
    """

    def __init__(self) -> None:
        self.mean: list[float] = []
        self.std: list[float] = []

    def fit(self, X: Sequence[Sequence[float]]) -> StandardScaler:
        """Learn each column's mean and standard deviation from N >= 1 rows of n features."""
        A = np.asarray(X, dtype=float)
        if A.ndim != 2 or A.shape[0] == 0:
            raise ValueError(f"X must be a non-empty list of equal-length rows, got shape {A.shape}")
        std = A.std(axis=0)
        self.mean, self.std = A.mean(axis=0).tolist(), np.where(std > 0, std, 1.0).tolist()
        return self

    def transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """Standardise rows of n features with the fitted mean and std.

        Raises:
            ValueError: not fitted, or rows of the wrong width.
        """
        if not self.mean:
            raise ValueError("StandardScaler is not fitted: call fit(X_train) first")
        A = np.asarray(X, dtype=float)
        if A.ndim != 2 or A.shape[1] != len(self.mean):
            raise ValueError(f"X must have rows of {len(self.mean)} features, got shape {A.shape}")
        result: list[list[float]] = ((A - np.asarray(self.mean)) / np.asarray(self.std)).tolist()
        return result

    def fit_transform(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)


# ---------------------------------------------------------------------- IDX files: MNIST and Fashion-MNIST
class ImageData(NamedTuple):
    """An image classification set: ``X_train`` (N, rows*cols) and ``X_test`` (M, rows*cols) in [0, 1], int labels, class names."""

    X_train: NDArray[np.float64]
    y_train: NDArray[np.int64]
    X_test: NDArray[np.float64]
    y_test: NDArray[np.int64]
    class_names: tuple[str, ...]


IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
"""The four files of an MNIST-style set, each as ``NAME.gz`` (as published) or ``NAME``."""

MNIST = {
    "url": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "sha256": {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "classes": tuple(str(d) for d in range(10)),
}
"""MNIST (LeCun, Cortes and Burges): the official files, mirrored where PyTorch's torchvision fetches them."""

FASHION_MNIST = {
    "url": "https://fashion-mnist.s3.eu-central-1.amazonaws.com/",
    "sha256": {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
    "classes": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
}
"""Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017, MIT licence): Zalando Research's official files."""

MAX_IDX_BYTES = 200_000_000
"""The largest IDX payload read (MNIST's training images are 47 MB)."""

MAX_IMAGE_SET_BYTES = 1_000_000_000
"""The most memory one image set may take once loaded: its four payloads as bytes plus the images as float64
(9 bytes a pixel); MNIST takes 494 MB. Checked from the four headers before any data are read, so four small
.gz files that inflate to gigabytes (a gzip bomb) are refused at once."""

_IDX_MAGIC = {2049: 1, 2051: 3}  # labels: 1 dimension; images: 3 (count, rows, cols); the type byte 0x08 is unsigned bytes


def read_idx(path: str | os.PathLike[str]) -> NDArray[np.uint8]:
    """Read one IDX file of unsigned bytes (``.gz`` or plain): labels (N,) or images (N, rows, cols).

    The header is checked before the data are read: the magic number (2049 for labels, 2051
    for images), positive sizes, and a payload of at most :data:`MAX_IDX_BYTES`; then exactly that
    many bytes must follow, no fewer (truncated) and no more.

    Source: the IDX format of LeCun et al.'s MNIST page (big-endian 32-bit header fields).

    Raises:
        OSError: the file cannot be read.
        ValueError: not an IDX file of bytes (bad magic number), truncated, too large, or with
            trailing data; the message names the file.
    """
    name = os.fspath(path)
    with _idx_errors(name):
        with _open_idx(name) as f:
            dims = _idx_dims(f, name)
            size = math.prod(dims)
            data = f.read(size)
            if len(data) < size:
                raise ValueError(f"{name}: truncated: the header promises {size} bytes of data ({dims}), the file has {len(data)}")
            if f.read(1):
                raise ValueError(f"{name}: has data after the {size} bytes its header describes")
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def idx_shape(path: str | os.PathLike[str]) -> list[int]:
    """The dimensions an IDX file's header declares ((N,) or (N, rows, cols)), reading the header only.

    Raises:
        OSError: the file cannot be opened. ValueError: as :func:`read_idx`, for the header.
    """
    name = os.fspath(path)
    with _idx_errors(name), _open_idx(name) as f:
        return _idx_dims(f, name)


def _open_idx(name: str) -> Any:
    check_input_file(name, "IDX file")
    return gzip.open(name, "rb") if name.endswith(".gz") else open(name, "rb")


@contextmanager
def _idx_errors(name: str) -> Iterator[None]:
    """Turn what reading a damaged file raises (a bad gzip header, corrupt deflate data, an early EOF) into one
    ValueError naming the file; a missing file stays FileNotFoundError."""
    try:
        yield
    except FileNotFoundError:
        raise
    except (OSError, EOFError, zlib.error) as e:
        kind = "gzip" if name.endswith(".gz") else "IDX"
        raise ValueError(f"{name}: cannot be read as {kind}: {e}") from None


def _idx_dims(f: Any, name: str) -> list[int]:
    """Read and check an IDX header (magic number, dimensions, payload size) from the open file ``f``."""
    head = f.read(4)
    if len(head) < 4:
        raise ValueError(f"{name}: too short to be an IDX file ({len(head)} bytes)")
    magic = int.from_bytes(head, "big")
    if magic not in _IDX_MAGIC:
        raise ValueError(f"{name}: bad magic number {magic:#010x}; expected 0x00000801 (labels) or 0x00000803 (images)")
    dims_raw = f.read(4 * _IDX_MAGIC[magic])
    if len(dims_raw) < 4 * _IDX_MAGIC[magic]:
        raise ValueError(f"{name}: truncated header")
    dims = [int.from_bytes(dims_raw[i : i + 4], "big") for i in range(0, len(dims_raw), 4)]
    if not all(dims) or math.prod(dims) > MAX_IDX_BYTES:
        raise ValueError(f"{name}: implausible sizes {dims} (each must be > 0, {MAX_IDX_BYTES} bytes at most)")
    return dims


def load_mnist(path: str | os.PathLike[str] | None = None) -> ImageData:
    """MNIST: 60,000 training and 10,000 test images of handwritten digits, 28x28, scaled to [0, 1].

    Args:
        path: a folder with the four IDX files (:data:`IDX_FILES`, ``.gz`` or not). Without it the
            official files are downloaded once (with a progress bar) into the cache folder
            (``$MICROGRAD_NPTEL_DATA/mnist``, by default ``~/.cache/micrograd_nptel/mnist``) and their
            sha256 checked.

    Returns:
        :class:`ImageData`: X of shape (N, 784) in [0, 1], labels 0-9, class names "0".."9".

    Raises:
        ValueError: a file is malformed or corrupt (named), the images and labels disagree in number,
            the set would take more than :data:`MAX_IMAGE_SET_BYTES` in memory (checked from the
            headers first), the cache folder is not a folder, or a download fails or does not match
            its sha256 (the message says where to put the files).
    """
    return _load_idx_set("mnist", MNIST, path)


def load_fashion_mnist(path: str | os.PathLike[str] | None = None) -> ImageData:
    """Fashion-MNIST, the course assignment's data: 60,000 + 10,000 28x28 images of 10 kinds of clothing, in [0, 1].

    Classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.
    ``path`` and the download are as in :func:`load_mnist` (cache folder ``fashion-mnist``).

    Raises:
        ValueError: as :func:`load_mnist`.
    """
    return _load_idx_set("fashion-mnist", FASHION_MNIST, path)


def data_home() -> Path:
    """The cache folder for downloaded data: ``$MICROGRAD_NPTEL_DATA``, or ``~/.cache/micrograd_nptel``.

    Raises:
        ValueError: that path exists and is not a folder (a file, ``/dev/null``).
    """
    env = os.environ.get("MICROGRAD_NPTEL_DATA")
    home = Path(env or Path.home() / ".cache" / "micrograd_nptel")
    if home.exists() and not home.is_dir():
        source = "MICROGRAD_NPTEL_DATA" if env else "the default cache folder"
        raise ValueError(f"{source} {str(home)!r} is not a folder; set MICROGRAD_NPTEL_DATA to a folder for the downloaded data")
    return home


def _load_idx_set(name: str, spec: dict[str, Any], path: str | os.PathLike[str] | None) -> ImageData:
    folder = Path(path) if path is not None else data_home() / name
    if path is not None and not folder.is_dir():
        raise ValueError(f"{folder} is not a folder; put the four {name} files there: {', '.join(f + '.gz' for f in IDX_FILES)}")
    files = []
    for stem in IDX_FILES:
        found = next((folder / f for f in (stem + ".gz", stem) if (folder / f).is_file()), None)
        if found is None:
            if path is not None:
                raise ValueError(f"{folder} has no {stem}.gz (or {stem}); the {name} files are {', '.join(f + '.gz' for f in IDX_FILES)}")
            found = _download(spec["url"] + stem + ".gz", folder / (stem + ".gz"), spec["sha256"][stem + ".gz"], name)
        files.append(found)
    shapes = [idx_shape(f) for f in files]  # the headers only: what loading will cost, before it costs it
    need = sum(math.prod(d) for d in shapes) + 8 * (math.prod(shapes[0]) + math.prod(shapes[2]))
    if need > MAX_IMAGE_SET_BYTES:
        raise ValueError(
            f"the {name} files in {folder} declare {' + '.join(str(d) for d in shapes)} values: loaded as float64 they would take "
            f"{need / 1e9:.1f} GB, over the {MAX_IMAGE_SET_BYTES / 1e9:.1f} GB limit (MAX_IMAGE_SET_BYTES); not an MNIST-sized set"
        )
    X_train, y_train, X_test, y_test = (read_idx(f) for f in files)
    for images, labels, (fi, fl) in ((X_train, y_train, files[:2]), (X_test, y_test, files[2:])):
        if images.ndim != 3 or labels.ndim != 1:
            raise ValueError(f"{fi} must hold images (N, rows, cols) and {fl} labels (N,), got shapes {images.shape} and {labels.shape}")
        if images.shape[0] != labels.shape[0]:
            raise ValueError(f"{fi} has {images.shape[0]} images but {fl} has {labels.shape[0]} labels")
        if labels.max() >= len(spec["classes"]):
            raise ValueError(f"{fl} has a label {labels.max()}, outside 0..{len(spec['classes']) - 1}")
    if X_train.shape[1:] != X_test.shape[1:]:
        raise ValueError(f"{files[0]} has {X_train.shape[1:]} images but {files[2]} has {X_test.shape[1:]}")

    def flat(images: NDArray[np.uint8]) -> NDArray[np.float64]:
        scaled = images.reshape(images.shape[0], -1).astype(np.float64)
        scaled /= 255.0  # in place: one float64 copy of the images, not two
        return scaled

    return ImageData(flat(X_train), y_train.astype(np.int64), flat(X_test), y_test.astype(np.int64), spec["classes"])


def _download(url: str, target: Path, sha256: str, name: str) -> Path:
    """Fetch ``url`` into ``target`` (via a temp file, with a progress bar) and check its sha256."""
    import tempfile
    import urllib.request

    from tqdm import tqdm

    where = (
        f"put the four files ({', '.join(f + '.gz' for f in IDX_FILES)}) in {target.parent}, or read them from another "
        "folder: --data-dir FOLDER on the command line, path=FOLDER in Python"
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".download-")
    except OSError as e:
        raise ValueError(f"cannot store the {name} download in {str(target.parent)!r}: {e.strerror}; {where}") from None
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=30) as response:
            length = response.headers.get("Content-Length")
            if length is not None and not length.strip().isdigit():
                raise ValueError(f"{url}: the server sent Content-Length {length!r}, not a number of bytes; {target} was not written")
            total = int(length) if length is not None else None
            if total is not None and total > MAX_IDX_BYTES:
                raise ValueError(f"{url} is {total} bytes, larger than {MAX_IDX_BYTES}; not an IDX file of this set")
            with tqdm(total=total, unit="B", unit_scale=True, desc=f"{name}: {target.name}", file=sys.stderr, **bar_options()) as bar:
                while chunk := response.read(1 << 16):
                    if out.tell() + len(chunk) > MAX_IDX_BYTES:
                        raise ValueError(f"{url} is larger than {MAX_IDX_BYTES} bytes; not an IDX file of this set")
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        if digest.hexdigest() != sha256:
            raise ValueError(f"{url} does not have the official sha256 ({digest.hexdigest()} != {sha256}); {where}")
        os.replace(tmp, target)
    except OSError as e:  # urllib's URLError is an OSError: offline, refused, not found
        raise ValueError(f"cannot download {name} ({url}: {getattr(e, 'reason', e)}); {where}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


# ---------------------------------------------------------------------- a set ready to train on
DATASETS = ("iris", "moons", "digits", "mnist", "fashion-mnist")
"""The names :func:`prepare` (and ``micrograd-nptel train --dataset``) knows."""


class Prepared(NamedTuple):
    """A data set split and scaled, with the sizes ``micrograd-nptel train`` uses for it by default.

    ``X_train`` (N, n) and ``X_test`` (M, n): lists of rows for iris, moons and digits, numpy float64 arrays for the
    image sets; ``y_train``, ``y_test``: lists of int labels in [0, k); ``class_names``: k names; ``hidden``: the
    hidden-layer sizes (the lecture's ``n, n`` for iris); ``epochs``, ``batch_size``; ``backend``: ``"scalar"``, or
    ``"numpy"`` for the image sets, where the scalar engine would take hours an epoch.
    """

    name: str
    X_train: Any
    y_train: list[int]
    X_test: Any
    y_test: list[int]
    class_names: tuple[str, ...]
    hidden: list[int]
    epochs: int
    batch_size: int
    backend: str

    @property
    def sizes(self) -> list[int]:
        """``[n, *hidden, k]``: the network's layer sizes, as ``batched.Network`` takes them."""
        return [len(self.X_train[0]), *self.hidden, len(self.class_names)]


def prepare(name: str, test_size: float = 0.2, seed: int = 0, data_dir: str | os.PathLike[str] | None = None) -> Prepared:
    """The data set ``name`` ready to train on, as ``micrograd-nptel train --dataset NAME`` prepares it.

    - ``"iris"`` (150 flowers, 4 features, 3 classes) and ``"moons"`` (:func:`make_moons` ``(200, noise=0.1, seed)``):
      a stratified split (:func:`train_test_split`), then each feature standardised with the training rows' mean and
      standard deviation (:class:`StandardScaler`): CS7015 Lecture 4's inputs, on a common scale.
    - ``"digits"`` (1797 8x8 images): the split, the pixels 0..16 divided by 16 into [0, 1].
    - ``"mnist"``, ``"fashion-mnist"``: the sets' own 60,000 / 10,000 split (``test_size`` and ``seed`` are not used),
      pixels in [0, 1], read from ``data_dir`` or downloaded once (:func:`load_mnist`).

    A notebook then trains as the command line does, in three calls::

        data = prepare("iris")
        net = MLP(data.sizes[0], data.hidden, data.sizes[-1], seed=0)   # or batched.Network(data.sizes)
        net.fit(data.X_train, data.y_train, data.epochs, data.batch_size); net.accuracy(data.X_test, data.y_test)

    Args:
        name: one of :data:`DATASETS`.
        test_size: the held-out fraction, in (0, 1).
        seed: the seed of the split (and of the moons' noise).
        data_dir: the folder of the four IDX files, for the image sets.

    Returns:
        :class:`Prepared`.

    Raises:
        ValueError: an unknown name (the names are listed), a bad ``test_size``, or a malformed image file.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; expected one of {', '.join(DATASETS)}")
    if name in ("mnist", "fashion-mnist"):
        images = (load_mnist if name == "mnist" else load_fashion_mnist)(data_dir)
        y_train, y_test = images.y_train.tolist(), images.y_test.tolist()
        return Prepared(name, images.X_train, y_train, images.X_test, y_test, images.class_names, [128, 128], 10, 64, "numpy")
    data = load_digits() if name == "digits" else load_iris() if name == "iris" else make_moons(200, noise=0.1, seed=seed)
    X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, test_size=test_size, seed=seed)
    if name == "digits":
        X_train, X_test = [[v / 16.0 for v in row] for row in X_train], [[v / 16.0 for v in row] for row in X_test]  # 0..16 -> [0, 1]
        return Prepared(name, X_train, y_train, X_test, y_test, data.class_names, [32], 10, 32, "scalar")
    scaler = StandardScaler().fit(X_train)
    n = len(data.X[0])
    hidden = [n, n] if name == "iris" else [16, 16]
    return Prepared(name, scaler.transform(X_train), y_train, scaler.transform(X_test), y_test, data.class_names, hidden, 200, 8, "scalar")
