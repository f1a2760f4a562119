# pod — build, test, demo, install.

GO       ?= go
TAGS     := containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper
PREFIX   ?= /usr/local
DESTDIR  ?=
BIN      := bin/pod
# The container monitors' and network holder's executable, installed
# beside pod (userns.Helper); pod alone still works, at pod's size.
MONITOR  := bin/pod-monitor
COMPOSE  := bin/pod-compose
E2E_TIMEOUT ?= 45m
VM_TIMEOUT ?= 40m
# -race needs cgo; without a C compiler unit tests run without it.
RACE     := $(shell command -v gcc >/dev/null 2>&1 && echo -race)
UNIT_PKGS = $(shell $(GO) list -tags "$(TAGS)" ./... | grep -v -e /test/e2e -e /test/vm -e /bench)

export CGO_ENABLED = 0

.PHONY: all build test test-unit test-e2e test-vm deps demo install install-compat lint bench bench-compare bench-registry bench-lifecycle bench-build bench-network completions clean

all: build

build:
	$(GO) build -tags "$(TAGS)" -o $(BIN) ./cmd/pod
	$(GO) build -tags "$(TAGS)" -o $(MONITOR) ./cmd/pod-monitor
	$(GO) build -tags "$(TAGS)" -o $(COMPOSE) ./cmd/pod-compose

deps:
	hack/deps.sh

# Unit tests with the race detector, the end-to-end tests, then the
# systemd tests in a VM. As root, the end-to-end tests run pod as the
# unprivileged user podtest.
test: deps
	@if [ "$$(id -u)" -eq 0 ]; then hack/testuser.sh; fi
	$(MAKE) test-unit
	$(MAKE) test-e2e
	$(MAKE) test-vm

test-unit:
	CGO_ENABLED=$(if $(RACE),1,0) $(GO) test $(RACE) -tags "$(TAGS)" -count=1 $(UNIT_PKGS)

# As root, the tests of a systemd container and of distrobox import the
# Debian root filesystems hack/systemd-image.sh builds once (mmdebstrap).
test-e2e: build
	@if [ "$$(id -u)" -eq 0 ]; then hack/systemd-image.sh >/dev/null && hack/systemd-image.sh distrobox >/dev/null; fi
	POD_E2E_SYSTEMD_IMAGE=$$(if [ "$$(id -u)" -eq 0 ]; then hack/systemd-image.sh; fi) \
	POD_E2E_DISTROBOX_IMAGE=$$(if [ "$$(id -u)" -eq 0 ]; then hack/systemd-image.sh distrobox; fi) \
	POD_BINARY=$(CURDIR)/$(BIN) $(GO) test -tags "$(TAGS)" -count=1 -timeout $(E2E_TIMEOUT) -v ./test/e2e/

# pod under systemd: a Debian VM booted with qemu (test/vm). Its image is
# built on first use by hack/vm-image.sh (as root) and cached in
# $POD_VM_CACHE (default /var/cache/pod-vm as root).
test-vm: build
	POD_BINARY=$(CURDIR)/$(BIN) $(GO) test -tags "$(TAGS)" -count=1 -timeout $(VM_TIMEOUT) -v ./test/vm/

# Builds the example image and runs it rootless.
demo: deps build
	@if [ "$$(id -u)" -eq 0 ]; then hack/testuser.sh; fi
	hack/demo.sh

# The generators are links to pod, which acts as one by the name it is
# started as; systemd looks in $(PREFIX)/lib/systemd/*-generators. The user
# units (pod-restart.service...) run $(PREFIX)/bin/pod.
# The drop-in links podman and docker to the installed pod, in COMPAT_DIR
# (never over a file, never ahead of a real podman or docker on PATH
# unless FORCE=1).
COMPAT_DIR ?= $(HOME)/.local/bin
install-compat:
	hack/install-compat.sh "$(COMPAT_DIR)" "$(DESTDIR)$(PREFIX)/bin/pod"

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/pod
	install -D -m 0755 $(MONITOR) $(DESTDIR)$(PREFIX)/bin/pod-monitor
	install -D -m 0755 $(COMPOSE) $(DESTDIR)$(PREFIX)/bin/pod-compose
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/user-generators $(DESTDIR)$(PREFIX)/lib/systemd/system-generators
	ln -sf $(PREFIX)/bin/pod $(DESTDIR)$(PREFIX)/lib/systemd/user-generators/pod-user-generator
	ln -sf $(PREFIX)/bin/pod $(DESTDIR)$(PREFIX)/lib/systemd/system-generators/pod-system-generator
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/user
	@for u in contrib/systemd/user/*; do \
		sed 's|@BINDIR@|$(PREFIX)/bin|g' $$u >$(DESTDIR)$(PREFIX)/lib/systemd/user/$${u##*/}; \
		chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/user/$${u##*/}; \
	done
	@for f in completions/pod.bash completions/_pod completions/pod.fish; do \
		[ -f $$f ] || continue; \
		case $$f in \
		*.bash) install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pod ;; \
		*/_pod) install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_pod ;; \
		*.fish) install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/pod.fish ;; \
		esac; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt -l: files need formatting:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags "$(TAGS)" ./...
	hack/check-imports.sh

# The performance goals in one table (start-up against Podman and the
# runtime's floor, monitor memory, scaling with the store): under 10 minutes.
bench: build
	bench/table.sh

# run --rm, images and ps -a against Podman and a bare runc run.
bench-compare: build
	bench/compare.sh

# run -d/stop/rm cycle, ps -a with 200 containers, monitor memory, pod vs Podman.
bench-lifecycle: build
	bench/lifecycle.sh

# iperf3 throughput and request latency through a published port, and the
# start time of a container with and without a network, pod vs Podman.
bench-network: build
	bench/network.sh
	bench/usernet.sh

# pod build of a 20-step Dockerfile: cold, cached, one late file changed; pod vs Podman.
bench-build: build
	bench/build.sh

# Pull and push of a ~200 MB image from a local registry, pod vs Podman.
bench-registry: build
	bench/registry.sh

completions: build
	mkdir -p completions
	$(BIN) completion bash > completions/pod.bash
	$(BIN) completion zsh > completions/_pod
	$(BIN) completion fish > completions/pod.fish
	$(BIN) completion powershell > completions/pod.ps1

clean:
	rm -rf bin
