"""`gradaudit train ARCH --dataset NAME`: train with the generated gradients on a bundled real data set."""
from __future__ import annotations

from ..corpus import architecture_arg
from ..errors import GradauditError


def add_arguments(parser) -> None:
    from ..datasets import DATASETS
    parser.add_argument("arch", nargs="?", help="architecture id (see `gradaudit list`), or give --network")
    parser.add_argument("--network", metavar="FILE", help="a declared network: a YAML file of the network's keys "
                        "(layers, loss, ...), or notes whose front matter declares one")
    parser.add_argument("--dataset", required=True, choices=sorted(DATASETS),
                        help="; ".join(f"{k}: {v[1]}" for k, v in DATASETS.items()))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.05, help="learning rate (per-example mean gradient)")
    parser.add_argument("--momentum", type=float, default=0.9, help="heavy-ball momentum; 0 for plain SGD")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0, help="seeds the split, the initial weights and the shuffles")
    parser.add_argument("--sizes", help="layer widths, comma-separated, input first and output last, e.g. 64,128,64,10; "
                        "for a CNN: filters per convolution, then dense widths, e.g. 8,16,32,10")
    parser.add_argument("--depth", type=int, help="L for an L-layer architecture (default: from --sizes)")
    parser.add_argument("--activation", default=None, help="the generic g of an architecture that has one: relu, tanh or sigmoid")
    parser.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    parser.add_argument("--plot", metavar="FILE.png", help="save loss and accuracy per epoch to this PNG")


def parse_sizes(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        sizes = [int(s) for s in text.replace(" ", "").split(",") if s]
    except ValueError:
        raise GradauditError(f"--sizes must be comma-separated integers, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise GradauditError(f"--sizes must be positive integers, got {text!r}")
    return sizes


def run(args) -> int:
    from ..codegen.network import compile_for_data
    from ..datasets import load
    from ..train import fit, plot

    data = load(args.dataset, seed=args.seed)
    net = compile_for_data(architecture_arg(args.arch, args.network), data, sizes=parse_sizes(args.sizes), depth=args.depth,
                           dtype=args.dtype, activation=args.activation)
    print(f"{net.describe()}")
    print(f"data: {args.dataset}, {data.X_train.shape[0]} train / {data.X_test.shape[0]} test examples (stratified, "
          f"seed {args.seed}), features standardised with the training statistics")
    print(f"SGD, heavy-ball momentum {args.momentum}, lr {args.lr}, batch {args.batch_size}, {args.epochs} epochs, {args.dtype}")
    every = max(1, args.epochs // 10)

    def progress(epoch, h):
        if epoch % every == 0 or epoch == args.epochs:
            print(f"epoch {epoch:4d}  train loss {h.train_loss[-1]:.4f} acc {h.train_acc[-1]:.3f}  "
                  f"test loss {h.test_loss[-1]:.4f} acc {h.test_acc[-1]:.3f}", flush=True)

    _, history = fit(net, data, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size,
                     momentum=args.momentum, seed=args.seed, progress=progress)
    print(f"train accuracy {history.train_acc[-1]:.4f}, loss {history.train_loss[-1]:.4f}")
    print(f"test accuracy  {history.test_acc[-1]:.4f}, loss {history.test_loss[-1]:.4f}  ({history.seconds:.1f} s)")
    if args.plot:
        plot(history, args.plot, f"{net.arch.id} on {args.dataset}")
        print(f"plot written to {args.plot}")
    return 0
