# nnfeyn: two commands do everything on a fresh machine.
#   make run    installs what is missing, builds in release, expands a shipped example to order 3
#   make test   installs what is missing, builds, runs every test (and compiles the LaTeX goldens)

APT_PACKAGES := libgmp-dev libmpfr-dev libopenblas-dev texlive-latex-base texlive-pictures texlive-latex-extra poppler-utils
SWIFT ?= swift
EXAMPLE ?= grammar/examples/toy.nn
# One BLAS thread keeps numeric output and training bit-for-bit reproducible.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: run test deps python-deps build release clean

# Python for python/ and its tests, each package only when it is missing: NumPy for the helper; safetensors, PyTorch
# (CPU only: a local wheel from $(TORCH_WHEELS) when one fits this Python, else PyTorch's CPU index, never the
# default one, which pulls CUDA) and JAX for the comparison with their autodiff (python/autodiff).
TORCH_WHEELS ?= /opt/wheels
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
python-deps:
	@python3 -c "import numpy" 2>/dev/null || python3 -m pip install -q numpy
	@python3 -c "import safetensors" 2>/dev/null || python3 -m pip install -q safetensors
	@python3 -c "import torch" 2>/dev/null || { \
	  tag=$$(python3 -c 'import sys; print("cp%d%d" % sys.version_info[:2])'); \
	  wheel=$$(ls $(TORCH_WHEELS)/torch-*+cpu-$$tag-$$tag-*.whl 2>/dev/null | tail -n 1); \
	  if [ -n "$$wheel" ]; then python3 -m pip install -q "$$wheel"; \
	  else python3 -m pip install -q torch --index-url $(TORCH_CPU_INDEX); fi; }
	@python3 -c "import jax" 2>/dev/null || python3 -m pip install -q "jax[cpu]"
	@python3 -c "import numpy, safetensors, torch, jax" || { echo "python-deps: numpy, safetensors, torch and jax are needed by the tests" >&2; exit 1; }

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

release: deps
	$(SWIFT) build -c release --product nnfeyn

run: release
	.build/release/nnfeyn expand $(EXAMPLE) --order 3

build: deps
	$(SWIFT) build --build-tests

test: deps python-deps
	$(SWIFT) build --build-tests
	$(SWIFT) build --product nnfeyn
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
