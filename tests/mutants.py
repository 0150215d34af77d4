"""Small mechanical mutants of a piece of code, made with ``ast``, for mutation-testing the
exercises' checks (tests/test_mutants.py).

Each mutation changes one place of the code the way a slip of the learner's would: an
axis swapped, a ``keepdims`` dropped, a transpose added or removed, a sign flipped, a
term, a factor or a division dropped, an integer (an index, a loop bound) shifted by one,
a comparison made strict or loose, a per-row reduction made global, an update made in
place or out of place, one argument of the function used where another belongs, a min
made a max, an activation or a logarithm left out, the
operands of a difference, a quotient or a matrix product swapped, ``and`` made ``or``, a
``not`` dropped, the two parts of a returned pair swapped.
Only the bodies of functions are mutated (not their docstrings, not the imports, not
the insides of f-strings, which are messages).

    mutants(code) -> [Mutant(name, code), ...]

A mutant's ``name`` says what changed where, e.g. ``forward: `z2.max(axis=1, keepdims=True)`
-> `z2.max(axis=1)```; it is stable while the code is, so a test can list by name the
mutants it deems equivalent to the original.
"""

import ast
import copy
from collections import Counter
from dataclasses import dataclass

REDUCTIONS = {"sum", "mean", "max", "min", "all", "any", "argmax", "argmin", "std", "var", "prod"}
SWAPS = {
    "argmin": "argmax",
    "argmax": "argmin",
    "min": "max",
    "max": "min",
    "all": "any",
    "any": "all",
    "sum": "mean",
    "mean": "sum",
    "maximum": "minimum",
    "minimum": "maximum",
}
#: One-argument functions whose call a slip may leave out: an activation, a logarithm, ...
UNWRAPPED = {"sigmoid", "softmax", "exp", "log", "sqrt", "abs", "round", "tanh", "relu"}
COMPARISONS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}


@dataclass(frozen=True)
class Mutant:
    name: str
    code: str


def _replacements(node: ast.AST, parameters=()):
    """(what, the node to put in ``node``'s place) for each mutation of ``node`` itself;
    ``parameters`` are the names of the enclosing function's arguments."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in parameters:
        for other in parameters:  # the wrong argument: y_true where y_pred belongs
            if other != node.id:
                yield "use another argument", ast.Name(other, ast.Load())
    elif isinstance(node, ast.Call):
        func = node.func
        for i, kw in enumerate(node.keywords):
            if kw.arg == "axis" and isinstance(kw.value, ast.Constant) and kw.value.value in (0, 1):
                new = copy.deepcopy(node)
                new.keywords[i].value = ast.Constant(1 - kw.value.value)
                yield "swap the axis", new
            if kw.arg in ("axis", "keepdims"):
                new = copy.deepcopy(node)
                del new.keywords[i]
                yield f"drop {kw.arg}", new
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in REDUCTIONS and node.args and isinstance(node.args[-1], ast.Constant):
            value = node.args[-1].value  # x.sum(0): a positional axis
            if value in (0, 1) and isinstance(func, ast.Attribute):
                new = copy.deepcopy(node)
                new.args[-1] = ast.Constant(1 - value)
                yield "swap the axis", new
                new = copy.deepcopy(node)
                del new.args[-1]
                yield "drop the axis", new
        if name == "range":  # a loop bound: range(epochs) -> range(epochs - 1), ...
            for i, arg in enumerate(node.args[:2]):
                if not isinstance(arg, ast.Constant):
                    for what, shifted in _shifted(arg):
                        new = copy.deepcopy(node)
                        new.args[i] = shifted
                        yield f"{what} a loop bound", new
        if name in UNWRAPPED and len(node.args) == 1 and not node.keywords:
            yield f"drop {name}()", node.args[0]
        if name in SWAPS:
            new = copy.deepcopy(node)
            if isinstance(func, ast.Attribute):
                new.func.attr = SWAPS[name]
            else:
                new.func.id = SWAPS[name]
            yield f"{name} -> {SWAPS[name]}", new
    elif isinstance(node, ast.Slice):  # an index: order[start : start + m] -> [start + 1 : ...]
        for field in ("lower", "upper"):
            bound = getattr(node, field)
            if bound is not None and not isinstance(bound, ast.Constant):
                for what, shifted in _shifted(bound):
                    new = copy.deepcopy(node)
                    setattr(new, field, shifted)
                    yield f"{what} a slice's {field} bound", new
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        yield "drop the transpose", node.value
    elif isinstance(node, ast.BinOp):
        op = type(node.op)
        if op is ast.MatMult:
            yield (
                "transpose the left operand",
                ast.BinOp(ast.Attribute(node.left, "T", ast.Load()), node.op, node.right),
            )
            yield (
                "transpose the right operand",
                ast.BinOp(node.left, node.op, ast.Attribute(node.right, "T", ast.Load())),
            )
        if op in (ast.Sub, ast.Div, ast.MatMult):
            yield "swap the operands", ast.BinOp(node.right, node.op, node.left)
        if op in (ast.Add, ast.Sub):
            yield (
                "flip the sign",
                ast.BinOp(node.left, ast.Sub() if op is ast.Add else ast.Add(), node.right),
            )
        if op in (ast.Add, ast.Sub, ast.Mult):
            yield "drop the right term", node.left
            if op is not ast.Sub:
                yield "drop the left term", node.right
        if op in (ast.Div, ast.FloorDiv):
            yield "drop the division", node.left
        if op is ast.FloorDiv:
            yield "// -> /", ast.BinOp(node.left, ast.Div(), node.right)
        if op is ast.Pow:
            yield "** -> *", ast.BinOp(node.left, ast.Mult(), node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        yield "drop the minus" if isinstance(node.op, ast.USub) else "drop not", node.operand
    elif isinstance(node, ast.BoolOp):
        yield (
            "and <-> or",
            ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values),
        )
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        swapped = COMPARISONS.get(type(node.ops[0]))
        if swapped:
            yield (
                "loosen or tighten the comparison",
                ast.Compare(node.left, [swapped()], node.comparators),
            )
    elif (
        isinstance(node, ast.Constant)
        and type(node.value) is int
        and not getattr(node, "_axis", False)
    ):
        yield "add 1", ast.Constant(node.value + 1)
        yield "subtract 1", ast.Constant(node.value - 1)
    elif isinstance(node, ast.AugAssign):
        yield (
            "out of place",
            ast.Assign(
                [copy.deepcopy(node.target)],
                ast.BinOp(_load(node.target), node.op, node.value),
                lineno=node.lineno,
            ),
        )
    elif (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.BinOp)
        and isinstance(node.value.left, ast.Name)
        and node.value.left.id == node.targets[0].id
    ):
        yield (
            "in place",
            ast.AugAssign(node.targets[0], node.value.op, node.value.right, lineno=node.lineno),
        )
    elif (
        isinstance(node, ast.Return)
        and isinstance(node.value, ast.Tuple)
        and len(node.value.elts) == 2
    ):
        yield "swap the returned pair", ast.Return(ast.Tuple(node.value.elts[::-1], ast.Load()))


def _shifted(bound: ast.expr):
    for what, op in (("add 1 to", ast.Add()), ("subtract 1 from", ast.Sub())):
        yield what, ast.BinOp(copy.deepcopy(bound), op, ast.Constant(1))


def _load(target: ast.expr) -> ast.expr:
    new = copy.deepcopy(target)
    for node in ast.walk(new):
        if hasattr(node, "ctx"):
            node.ctx = ast.Load()
    return new


def _mark_axes(tree: ast.AST) -> None:
    """Axis constants are mutated as axes (0 <-> 1), not shifted by one."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("axis", "dtype"):
            for inner in ast.walk(node.value):
                inner._axis = True
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in REDUCTIONS and isinstance(node.args[-1], ast.Constant):
                node.args[-1]._axis = True


def _sites(tree: ast.Module):
    """(enclosing function, node) for every node inside a function's body, docstrings aside."""
    for top in ast.walk(tree):
        if not isinstance(top, ast.FunctionDef):
            continue
        body = top.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        for statement in body:
            for node in _walk(statement):
                yield top, node


def _walk(node: ast.AST):
    """``node`` and everything below it, but neither an inner function (walked as a function
    of its own) nor the insides of an f-string (a message, not a result)."""
    if isinstance(node, ast.FunctionDef):
        return
    yield node
    if isinstance(node, ast.JoinedStr):
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk(child)


def _parents(tree: ast.AST) -> dict:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _src(node: ast.AST) -> str:
    return " ".join(ast.unparse(node).split())


def mutants(code: str) -> list[Mutant]:
    """Every single-place mutant of ``code`` (the source of one or more functions)."""
    tree = ast.parse(code)
    _mark_axes(tree)
    sites = list(_sites(tree))
    found, seen = [], Counter()
    for index, (top, node) in enumerate(sites):
        function, parameters = top.name, [a.arg for a in top.args.args]
        for what, replacement in _replacements(node, parameters):
            mutated = copy.deepcopy(tree)
            _mark_axes(mutated)
            target = list(_sites(mutated))[index][1]
            replacement = copy.deepcopy(replacement)
            if not _replace(mutated, target, replacement):
                continue
            ast.fix_missing_locations(mutated)
            try:
                text = ast.unparse(mutated)
                compile(text, "<mutant>", "exec")
            except (SyntaxError, ValueError, TypeError):
                continue
            shown, into = node, replacement
            if isinstance(node, ast.Constant | ast.Attribute | ast.UnaryOp | ast.Name):
                # a number or a .T alone does not say where it is: show its parent expression
                parent = _parents(tree).get(node)
                if isinstance(parent, ast.expr):
                    copied = copy.deepcopy(parent)
                    for field, value in ast.iter_fields(parent):
                        if value is node:
                            setattr(copied, field, replacement)
                        elif isinstance(value, list) and node in value:
                            getattr(copied, field)[value.index(node)] = replacement
                    shown, into = parent, copied
            name = f"{function}: {what}: `{_src(shown)}` -> `{_src(into)}`"
            seen[name] += 1
            if seen[name] > 1:
                name += f" #{seen[name]}"
            found.append(Mutant(name, text))
    return found


def _replace(tree: ast.AST, target: ast.AST, replacement: ast.AST) -> bool:
    """Put ``replacement`` where ``target`` is in ``tree``; False if it has no parent."""
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, replacement)
                return True
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is target:
                        value[i] = replacement
                        return True
    return False
