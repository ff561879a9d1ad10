"""Build the native extension with CMake: the one build definition stays CMakeLists.txt.

Settings from the environment:
  PORTOUT_BUILD_DIR  where CMake builds (default: build/cmake-wheel in the source tree, kept
                     between builds so that a rebuild only recompiles what changed)
  PYTHON_EXECUTABLE  the Python whose headers the extension is built against (default: the
                     interpreter running this build)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE_DIR = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        output_dir = Path(self.get_ext_fullpath(ext.name)).resolve().parent
        build_dir = Path(os.environ.get("PORTOUT_BUILD_DIR", SOURCE_DIR / "build" / "cmake-wheel"))
        build_dir.mkdir(parents=True, exist_ok=True)
        python = os.environ.get("PYTHON_EXECUTABLE", sys.executable)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
        configure = [
            "cmake", "-S", str(SOURCE_DIR), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPYTHON_EXECUTABLE={python}",
            f"-DPORTOUT_PYTHON_OUTPUT_DIR={output_dir}",
            "-DPORTOUT_BUILD_TESTS=OFF",
            "-DPORTOUT_BUILD_PYTHON=ON",
        ]
        if shutil.which("ninja") and not (build_dir / "CMakeCache.txt").exists():
            configure += ["-G", "Ninja"]
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_core", "-j", jobs],
                       check=True)


setup(ext_modules=[CMakeExtension("portout._core")], cmdclass={"build_ext": CMakeBuild})
