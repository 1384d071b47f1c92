# nnfeyn: two commands do everything on a fresh machine.
#   make run    installs what is missing, builds in release, expands a shipped example to order 3
#   make test   installs what is missing, builds, runs every test (and compiles the LaTeX goldens)

APT_PACKAGES := libgmp-dev libmpfr-dev libopenblas-dev texlive-latex-base texlive-pictures texlive-latex-extra poppler-utils
SWIFT ?= swift
EXAMPLE ?= grammar/examples/toy.nn
# One BLAS thread keeps numeric output and training bit-for-bit reproducible.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: run test deps python-deps build release clean

# NumPy for the helper in python/ and its tests (from PyPI, only when it is missing).
python-deps:
	@python3 -c "import numpy" 2>/dev/null || python3 -m pip install -q numpy

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
