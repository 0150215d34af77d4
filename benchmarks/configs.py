"""The networks the benchmark trains, as plain data shared by every system.

Every configuration is a two-layer perceptron ``784 - hidden - 10``: one hidden
layer (sigmoid or ReLU) and an output that is either sigmoid units trained on
the quadratic loss (Nielsen's chapter 1) or a softmax trained on cross-entropy.
Each system (nnlib, PyTorch, scikit-learn, the NumPy reference, the per-example
loop) reads the same ``Config`` and builds its own version of that network.
"""

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Config:
    """One network and how it is trained.

    ``output`` is 'sigmoid' (with ``loss`` 'mse', the quadratic loss
    mean_n 1/2 ||a_n - y_n||^2) or 'softmax' (with ``loss`` 'cross_entropy').
    ``optimizer`` is 'sgd', 'momentum' or 'adam' with keyword arguments
    ``optimizer_args`` in nnlib's names (``lr``, ``momentum``). ``dropout`` and
    ``lr_decay`` (lr * lr_decay**(epoch - 1)) are used by the time-to-98% recipe.
    """

    name: str
    sizes: tuple[int, ...]
    activation: str
    output: str
    loss: str
    init: str
    optimizer: str
    optimizer_args: dict = field(default_factory=dict)
    batch_size: int = 128
    dropout: float = 0.0
    lr_decay: float = 1.0

    @property
    def n_params(self) -> int:
        """Weights and biases: sum over layers of (n_in + 1) * n_out."""
        return sum((a + 1) * b for a, b in zip(self.sizes[:-1], self.sizes[1:], strict=True))

    def lr(self, epoch: int) -> float:
        """The learning rate of ``epoch`` (counting from 1)."""
        return self.optimizer_args["lr"] * self.lr_decay ** (epoch - 1)

    def as_dict(self) -> dict:
        return asdict(self)


def _sigmoid_quadratic(name: str, hidden: int) -> Config:
    return Config(
        name=name,
        sizes=(784, hidden, 10),
        activation="sigmoid",
        output="sigmoid",
        loss="mse",
        init="normal",
        optimizer="sgd",
        optimizer_args={"lr": 3.0},
        batch_size=10,
    )


def _relu_softmax(
    name: str, hidden: int, optimizer: str, optimizer_args: dict, init="he", lr_decay=1.0
) -> Config:
    """784-hidden-10 ReLU/softmax with cross-entropy and minibatches of 128."""
    return Config(
        name=name,
        sizes=(784, hidden, 10),
        activation="relu",
        output="softmax",
        loss="cross_entropy",
        init=init,
        optimizer=optimizer,
        optimizer_args=optimizer_args,
        batch_size=128,
        lr_decay=lr_decay,
    )


#: The timed configurations, in the order the report lists them.
CONFIGS = {
    c.name: c
    for c in (
        _sigmoid_quadratic("nielsen", 30),
        _sigmoid_quadratic("seed", 64),
        _relu_softmax("modern", 128, "adam", {"lr": 1e-3}),
        _relu_softmax("wide", 800, "momentum", {"lr": 0.05, "momentum": 0.9}),
    )
}

#: Time to 98% test accuracy: the course's fastest nnlib recipe (width, initialization,
#: learning rate and its schedule are fair game; measured: 98.1% after 3 epochs) ...
FAST_RECIPE = _relu_softmax("fast_recipe", 512, "adam", {"lr": 0.003}, lr_decay=0.6)

#: ... against the same network in PyTorch with Adam at its default settings
#: (and PyTorch's default initialization).
TORCH_DEFAULTS = _relu_softmax(
    "torch_adam_defaults", 800, "adam", {"lr": 1e-3}, init="torch_default"
)

#: The accuracy the time-to-accuracy race runs to.
TARGET_ACCURACY = 0.98

#: The race: (system, configuration) pairs, each run until TARGET_ACCURACY.
RACE = (("nnlib", FAST_RECIPE), ("torch", TORCH_DEFAULTS))

#: Every configuration by name, for the worker processes.
ALL_CONFIGS = {**CONFIGS, FAST_RECIPE.name: FAST_RECIPE, TORCH_DEFAULTS.name: TORCH_DEFAULTS}
