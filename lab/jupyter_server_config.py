"""Jupyter server configuration for ``make lab``: saving a chapter keeps the notebook as stored.

JupyterLab writes what the kernel tells it into every notebook it saves, autosave included, even
when nothing was edited: the interpreter's ``version`` and other ``language_info`` details, and
per-cell ``execution`` timings when timing is recorded. Those differ per machine and fail
``tests/test_book_notebooks.py::test_no_timing_or_machine_metadata``. The hook below removes
them from each notebook before it is written, so opening a chapter (and running it) leaves the
file as the book keeps it; outputs and source, what a reader may really change, are untouched.
``tests/test_lab_round_trip.py`` saves a notebook through Jupyter's contents manager with this
configuration, as Lab does.
"""

#: The only ``language_info`` key the book's notebooks keep (``make notebooks`` writes the same).
KEPT_LANGUAGE_INFO = ("name",)


def keep_notebook_as_stored(model, **kwargs):
    """ContentsManager pre-save hook: drop machine-specific metadata from a notebook model."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = model["content"]
    metadata = notebook.setdefault("metadata", {})
    info = metadata.get("language_info")
    if isinstance(info, dict):
        metadata["language_info"] = {k: v for k, v in info.items() if k in KEPT_LANGUAGE_INFO}
    for cell in notebook.get("cells", ()):
        if isinstance(cell.get("metadata"), dict):
            cell["metadata"].pop("execution", None)


c = get_config()  # noqa: F821 - provided by Jupyter when it reads this file
c.ContentsManager.pre_save_hook = keep_notebook_as_stored
