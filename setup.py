"""Build hook: the wheel carries the stored lessons, so ``pkilab lessons DIR`` works
where only the package is installed (Colab, a hosted Jupyter, ``pip install pkilab``).

Everything else about the package is in pyproject.toml. At build time the executed
notebooks, notebooks/*.ipynb (English) and notebooks/zh-CN/*.ipynb (Chinese), are
copied into the built package as ``pkilab/lessons/en/`` and ``pkilab/lessons/zh-CN/``;
the repository keeps one copy of them, in notebooks/. An editable install copies
nothing: there ``pkilab lessons`` reads notebooks/ in place. A sdist carries notebooks/
(MANIFEST.in), so a wheel built from it has the lessons too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: edition -> the folder of its stored notebooks (the same names as pkilab.cli.lessons_cmd)
EDITIONS = {"en": HERE / "notebooks", "zh-CN": HERE / "notebooks" / "zh-CN"}


class BuildWithLessons(build_py):
    """build_py, then the stored notebooks into ``<build>/pkilab/lessons/<edition>/``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # the package is the checkout itself: notebooks/ is right there
        # a build/ folder is reused between builds: a lesson renamed since must not linger
        shutil.rmtree(Path(self.build_lib) / "pkilab" / "lessons", ignore_errors=True)
        for source, target in self._lesson_files():
            self.mkpath(str(target.parent))
            self.copy_file(str(source), str(target), preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if self.editable_mode:
            return outputs
        return outputs + [str(target) for _, target in self._lesson_files()]

    def _lesson_files(self) -> list[tuple[Path, Path]]:
        pairs = []
        for edition, folder in EDITIONS.items():
            found = sorted(folder.glob("*.ipynb"))
            if edition == "en" and not found:
                # a wheel without lessons would install and then fail at `pkilab lessons`
                raise SystemExit(f"no stored lessons in {folder}: build from a checkout "
                                 "or a sdist of pkilab (they carry notebooks/)")
            target = Path(self.build_lib) / "pkilab" / "lessons" / edition
            pairs += [(notebook, target / notebook.name) for notebook in found]
        return pairs


setup(cmdclass={"build_py": BuildWithLessons})
