"""PyTorch on the CPU: the same network, initial weights, loss, optimizer and minibatch order.

The network is ``nn.Sequential`` of ``nn.Linear`` layers, the weights copied from
nnlib's (``Linear.weight`` is nnlib's W transposed); the race configuration
(``init='torch_default'``) keeps PyTorch's own initialization instead, seeded
with ``torch.manual_seed``. The losses are nnlib's: the quadratic loss written
out as ``0.5 * ((a - y) ** 2).sum(1).mean()`` and ``F.cross_entropy`` on logits
(softmax fused into cross-entropy, as in nnlib). Minibatches are gathered from
one tensor by the shared permutation, the plain loop a PyTorch user would write
for data that fits in memory (a ``DataLoader`` would add per-example collation).
"""

import time

from benchmarks.system import Trainer as BaseTrainer
from benchmarks.system import missing_package
from benchmarks.workload import initial_params


def unavailable(config):
    return missing_package("torch")


def set_threads(n: int) -> int:
    """Use ``n`` intra-op threads; return what torch reports."""
    import torch

    torch.set_num_threads(n)
    return torch.get_num_threads()


class Trainer(BaseTrainer):
    def __init__(self, config, data, seed):
        super().__init__(config, data, seed)
        import torch
        from torch import nn

        self.torch = torch
        torch.manual_seed(seed)
        activation = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}[config.activation]
        pairs = list(zip(config.sizes[:-1], config.sizes[1:], strict=True))
        layers = []
        for i, (n_in, n_out) in enumerate(pairs):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(pairs) - 1:
                layers.append(activation())
                if config.dropout:
                    layers.append(nn.Dropout(config.dropout))
        if config.output == "sigmoid":
            layers.append(nn.Sigmoid())
        self.model = nn.Sequential(*layers)
        if config.init != "torch_default":
            linears = [layer for layer in layers if isinstance(layer, nn.Linear)]
            params = initial_params(config, seed)
            with torch.no_grad():
                for linear, W, b in zip(linears, params[0::2], params[1::2], strict=True):
                    linear.weight.copy_(torch.from_numpy(W.T))
                    linear.bias.copy_(torch.from_numpy(b))
        self.optimizer = _optimizer(torch, self.model.parameters(), config)
        self.x = torch.from_numpy(data.x_train)
        if config.loss == "mse":
            self.y = torch.from_numpy(data.targets)
            self.loss = _quadratic
        else:
            self.y = torch.from_numpy(data.y_train)
            self.loss = nn.functional.cross_entropy

    def train_epoch(self, epoch):
        for group in self.optimizer.param_groups:
            group["lr"] = self.config.lr(epoch)
        model, optimizer, loss_fn, B = self.model, self.optimizer, self.loss, self.config.batch_size
        model.train()
        start = time.perf_counter()
        order = self.torch.from_numpy(self.orders.next_order())
        for i in range(0, len(order), B):
            idx = order[i : i + B]
            xb, yb = self.x[idx], self.y[idx]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        return time.perf_counter() - start

    def predict(self, x):
        self.model.eval()
        with self.torch.inference_mode():
            return self.model(self.torch.from_numpy(x)).argmax(dim=1).numpy()


def _quadratic(a, y):
    """nnlib's quadratic loss: the batch mean of 1/2 ||a - y||^2."""
    return 0.5 * ((a - y) ** 2).sum(dim=1).mean()


def _optimizer(torch, params, config):
    args = config.optimizer_args
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=args["lr"])
    if config.optimizer == "momentum":
        return torch.optim.SGD(params, lr=args["lr"], momentum=args["momentum"])
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=args["lr"])
    raise ValueError(f"no PyTorch optimizer for {config.optimizer!r}")


def versions():
    import torch

    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}
