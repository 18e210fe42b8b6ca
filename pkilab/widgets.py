"""Notebook explorers: a certificate builder, a chain breaker and a format explorer.

Each function returns an ipywidgets box (controls above one Output area). All logic
lives in :mod:`pkilab.explore` and the pictures in :mod:`pkilab.viz`; the callbacks
only call those and replace the Output's contents, so nothing is ever printed to
another cell. ipywidgets is imported only when one of these functions runs.

Lesson cells that show a widget are tagged ``nbval-ignore-output``.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import PkilabError

#: The path-length dropdown's "no limit" choice. ipywidgets 8 treats a value of None as
#: "nothing selected" and shows a blank box, so the widget uses this and maps it to None.
NO_LIMIT = -1


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, facecolor="white",
                   metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def show(output, text: str | None = None, figure=None) -> None:
    """Replace what ``output`` (an ipywidgets Output) shows with ``text`` and a figure.

    Writes the outputs directly instead of ``with output: print(...)``, so it works
    from any thread and outside a running kernel (tests), and never leaks elsewhere.
    """
    items: list[dict[str, Any]] = []
    if text is not None:
        items.append({"output_type": "stream", "name": "stdout", "text": text + "\n"})
    if figure is not None:
        width, height = figure.get_size_inches()
        items.append({"output_type": "display_data", "metadata": {},
                      "data": {"image/png": _png(figure),
                               "text/plain": f"<picture {width:g} x {height:g} in>"}})
    output.outputs = tuple(items)


def _explorer(controls: dict[str, Any], update: Callable[[], None], intro: str):
    import ipywidgets as w

    output = w.Output(layout=w.Layout(border="1px solid #ccc", padding="4px"))

    def refresh(_change: Any = None) -> None:
        try:
            update_output = update()
        except PkilabError as exc:  # a learner's input: say what is wrong, in the output
            show(output, f"✘ {exc}")
            return
        show(output, *update_output)

    for control in controls.values():
        control.observe(refresh, names="value")
    box = w.VBox([w.HTML(f"<b>{intro}</b>"),
                  w.GridBox(list(controls.values()),
                            layout=w.Layout(grid_template_columns="repeat(2, 48%)")),
                  output])
    box.controls, box.output, box.refresh = controls, output, refresh
    refresh()
    return box


def certificate_builder(seed: str = "explore"):
    """Choose key type, validity, CA flag, path length and names; see the certificate
    (:func:`pkilab.inspect.summary`) and whether it verifies, and why not."""
    import ipywidgets as w

    from .explore import build_certificate
    from .keys import KEY_KINDS

    style = {"description_width": "150px"}
    controls = {
        "key_kind": w.Dropdown(options=[(label, kind) for kind, label in KEY_KINDS.items()],
                               value="ec", description="key type", style=style),
        "days": w.BoundedIntText(value=397, min=1, max=3650, description="valid (days)",
                                 style=style),
        "checked_after_days": w.BoundedIntText(value=30, min=0, max=4000,
                                               description="checked after (days)",
                                               style=style),
        "is_ca": w.Checkbox(value=False, description="CA certificate (CA:TRUE)"),
        "path_length": w.Dropdown(options=[("no limit", NO_LIMIT), ("0", 0), ("1", 1),
                                           ("2", 2)],
                                  value=NO_LIMIT, description="path length", style=style),
        "cas_below": w.BoundedIntText(value=0, min=0, max=3, description="CAs below it",
                                      style=style),
        "common_name": w.Text(value="localhost", description="common name (CN)",
                              style=style, continuous_update=False),
        "names": w.Text(value="localhost, 127.0.0.1", description="names (SAN)", style=style,
                        continuous_update=False),
        "host": w.Text(value="", placeholder="first name", description="host to check",
                       style=style, continuous_update=False),
    }

    def update():
        values = {k: c.value for k, c in controls.items()}
        values["host"] = values["host"] or None
        if values["path_length"] == NO_LIMIT:
            values["path_length"] = None
        built = build_certificate(seed=seed, **values)
        return (built.text(),)

    return _explorer(controls, update, "Certificate builder: change a setting, read the "
                     "certificate and the verdict")


def chain_breaker(cs=None):
    """Break the chain on purpose (remove an intermediate, expire a certificate, change
    the host, drop a CA flag) and watch the verdict and the chain diagram change."""
    import ipywidgets as w

    from .explore import EXPIRABLE, REMOVABLE, STRIPPABLE, break_chain
    from .viz.chain import draw_chain

    if cs is None:
        from .certset import build_certificate_set

        cs = build_certificate_set(seed="explore-chain")
    style = {"description_width": "150px"}
    controls = {
        "remove_intermediate": w.Dropdown(options=REMOVABLE, value="none",
                                          description="leave out", style=style),
        "expire": w.Dropdown(options=EXPIRABLE, value="none", description="expire",
                             style=style),
        "host": w.Text(value="localhost", description="host name", style=style,
                       continuous_update=False),
        "drop_ca_flag": w.Dropdown(options=STRIPPABLE, value="none",
                                   description="drop the CA flag of", style=style),
    }

    def update():
        report = break_chain(cs, **{k: c.value for k, c in controls.items()})
        return report.text(), draw_chain(report)

    return _explorer(controls, update, "Chain breaker: break one thing, read the verdict")


def format_explorer(folder: str | Path = "."):
    """Pick a file from ``folder``: what it is, what it holds, and the same thing as PEM,
    as DER bytes, and the openssl command that shows it."""
    import ipywidgets as w

    from .explore import explore_file, first_file, list_files

    folder = Path(folder)
    files = list_files(folder)
    style = {"description_width": "100px"}
    controls = {
        "file": w.Dropdown(options=files, value=first_file(files),
                           description="file", style=style),
        "password": w.Password(value="", description="password", style=style,
                               continuous_update=False),
        "view": w.Dropdown(options=["what it is", "objects", "as PEM", "as DER (hex)",
                                    "summary", "openssl"], value="what it is",
                           description="show", style=style),
    }

    def update():
        if controls["file"].value is None:
            return (f"(no files in {folder})",)
        found = explore_file(folder / controls["file"].value, controls["password"].value)
        text = found.views.get(controls["view"].value, "(nothing to show for this file)")
        if found.error and controls["view"].value in ("as PEM", "as DER (hex)", "summary"):
            text = f"{text}\n\n✘ {found.error}" if found.error not in text else text
        return (text,)

    return _explorer(controls, update, "Format explorer: pick a file and a view")
