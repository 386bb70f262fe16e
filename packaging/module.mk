# Packaging: every install rule of the project, RPM and Debian packages, and the generated example
# configuration.
#
#   make install [DESTDIR=…]        everything built in $(B), in the directories of the Makefile
#   make install-kubeslurm          installs what is built in $(B) now, builds nothing (the spec's
#                                   %install; under `make install`, after `all`)
#   make packaging-artifacts        builds only what the packages ship (the spec's %build)
#   make packaging-docs             regenerates packaging/kubeslurm.conf and kubeslurm.conf(5) keys
#   make rpm                        RPMs from the `make dist` tarball, under $(B)-rpm/RPMS
#   make deb                        one .deb for Debian/Ubuntu sites, under $(B)-deb
#
# This file is read before the plugin and spank fragments, so everything that depends on their
# PLUGINS/EXTRA_BINS entries is expanded inside recipes (after all fragments have been read).

# ---- what gets installed where (artefact names are fixed by the contracts) ----------------------

KS_PLUGIN_SPANK  := $(B)/plugins/spank_kubeslurm.so
KS_PLUGIN_SELECT := $(B)/plugins/select_cons_tres_topo.so
KS_GPU_LIB       := $(B)/lib/libkubeslurm-gpu.so
KS_PKG_BINS      := $(addprefix $(B)/bin/,kubeslurm-sync kubeslurm-topo kubeslurm-gpucheck kubeslurm-burnin)
KS_PKG_ARTIFACTS := $(KS_PKG_BINS) $(KS_PLUGIN_SPANK) $(KS_PLUGIN_SELECT) $(KS_GPU_LIB)
KS_THRESHOLDS     = $(wildcard src/health/thresholds.d/*.conf src/health/gpu/thresholds.d/*.conf)
KS_SNIPPETS      := packaging/slurm/plugstack.conf.d/kubeslurm.conf packaging/slurm/slurm.conf.kubeslurm \
                    packaging/slurm/topology.conf.kubeslurm
KS_MANIFESTS      = $(wildcard packaging/kubernetes/*.yaml)
KS_MANPAGES       = $(wildcard docs/man/*.[1-8])
KS_UNIT_IN       := packaging/systemd/kubeslurm-sync.service.in

# The Slurm version the plugins are built for (the Makefile reads it from slurm_version.h).
KS_SLURM_VERSION := $(SLURM_VERSION)

# Artefacts that some fragment knows how to build (expanded in recipes only, see above).
ks_buildable = $(sort $(filter $(KS_PKG_ARTIFACTS),$(CMD_BINS) $(PLUGINS) $(EXTRA_BINS)))

# $(call ks_install,SOURCE,MODE,TARGET): installs SOURCE when it was built, else says why not.
ks_install = if [ -e $(1) ]; then install -D -m $(2) $(1) $(DESTDIR)$(3) && echo "  install $(3)"; \
             else echo "  skip    $(3): $(1) was not built here"; fi

.PHONY: packaging-artifacts packaging-buildable install-kubeslurm packaging-docs rpm deb

packaging-artifacts:
	@set -- $(ks_buildable); if [ $$# -eq 0 ]; then echo "packaging: nothing to build"; \
	 else $(MAKE) --no-print-directory $$*; fi

# Under `make install` the top-level `all` must finish first (make -j would otherwise install
# half-built files); a direct `make install-kubeslurm` installs what is there.
install-kubeslurm: $(if $(filter install,$(MAKECMDGOALS)),all)
	@echo "installing kubeslurm $(VERSION) into $(if $(DESTDIR),$(DESTDIR),/)"
	@$(call ks_install,$(B)/bin/kubeslurm-topo,0755,$(bindir)/kubeslurm-topo)
	@$(call ks_install,$(B)/bin/kubeslurm-burnin,0755,$(bindir)/kubeslurm-burnin)
	@$(call ks_install,$(B)/bin/kubeslurm-sync,0755,$(sbindir)/kubeslurm-sync)
	@$(call ks_install,$(B)/bin/kubeslurm-gpucheck,0755,$(libexecdir)/kubeslurm/kubeslurm-gpucheck)
	@if [ -e $(B)/bin/kubeslurm-gpucheck ]; then install -d $(DESTDIR)$(bindir) && \
	  ln -sfn $(libexecdir)/kubeslurm/kubeslurm-gpucheck $(DESTDIR)$(bindir)/kubeslurm-gpucheck && \
	  echo "  link    $(bindir)/kubeslurm-gpucheck -> $(libexecdir)/kubeslurm/kubeslurm-gpucheck"; fi
	@$(call ks_install,$(KS_PLUGIN_SPANK),0755,$(slurm_plugindir)/spank_kubeslurm.so)
	@$(call ks_install,$(KS_PLUGIN_SELECT),0755,$(slurm_plugindir)/select_cons_tres_topo.so)
	@$(call ks_install,$(KS_GPU_LIB),0755,$(libdir)/kubeslurm/libkubeslurm-gpu.so)
	@$(if $(KS_THRESHOLDS),,echo "  skip    $(datadir)/kubeslurm/thresholds.d: no thresholds files in the tree")
	@$(foreach f,$(KS_THRESHOLDS),$(call ks_install,$(f),0644,$(datadir)/kubeslurm/thresholds.d/$(notdir $(f)));)
	@$(foreach f,$(KS_SNIPPETS),$(call ks_install,$(f),0644,$(datadir)/kubeslurm/$(patsubst packaging/slurm/%,%,$(f)));)
	@$(foreach f,$(KS_MANIFESTS),$(call ks_install,$(f),0644,$(datadir)/kubeslurm/kubernetes/$(notdir $(f)));)
	@$(foreach f,$(KS_MANPAGES),$(call ks_install,$(f),0644,$(mandir)/man$(subst .,,$(suffix $(f)))/$(notdir $(f)));)
	@install -d $(DESTDIR)$(unitdir) && sed -e 's|@sbindir@|$(sbindir)|g' -e 's|@sysconfdir@|$(sysconfdir)|g' \
	  -e 's|@localstatedir@|$(localstatedir)|g' $(KS_UNIT_IN) > $(DESTDIR)$(unitdir)/kubeslurm-sync.service && \
	  chmod 0644 $(DESTDIR)$(unitdir)/kubeslurm-sync.service && echo "  install $(unitdir)/kubeslurm-sync.service"
	@install -d -m 0755 $(DESTDIR)$(localstatedir)/lib/kubeslurm && echo "  dir     $(localstatedir)/lib/kubeslurm"
	@# An administrator's configuration is never overwritten.
	@if [ -e $(DESTDIR)$(sysconfdir)/kubeslurm/kubeslurm.conf ]; then \
	  echo "  keep    $(sysconfdir)/kubeslurm/kubeslurm.conf (exists; the example is in $(datadir)/kubeslurm)"; \
	 else $(call ks_install,packaging/kubeslurm.conf,0644,$(sysconfdir)/kubeslurm/kubeslurm.conf); fi
	@$(call ks_install,packaging/kubeslurm.conf,0644,$(datadir)/kubeslurm/kubeslurm.conf.example)

INSTALL_TARGETS += install-kubeslurm

# ---- generated example configuration ------------------------------------------------------------

KS_CONF_TOOL := $(B)/tools/kubeslurm-conf-tool
EXTRA_BINS += $(KS_CONF_TOOL)

$(KS_CONF_TOOL): $(call objs_of,packaging/tools/conf-tool.cpp) $(call modlib,common)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $(EXE_LDFLAGS) -o $@ $(filter %.o,$^) $(call modlibs,) $(CMD_LDLIBS)

packaging-docs: $(KS_CONF_TOOL)
	@$(PYTHON) packaging/gen-config-example.py $(KS_CONF_TOOL)

# ---- RPM ------------------------------------------------------------------------------------------

# Beside $(B), not in it: the Makefile includes every '*.d' under $(B), and the packaged trees hold
# directories such as thresholds.d.
RPM_TOPDIR := $(abspath $(B))-rpm

# The artefacts that can be built from the tree in the current directory (make rpm asks the
# unpacked dist tree, so optional subpackages follow what the tarball really holds).
packaging-buildable:
	@echo $(ks_buildable)

rpm:
	@command -v rpmbuild >/dev/null || { echo "rpm: rpmbuild not found (Debian: apt-get install rpm)"; exit 1; }
	@test -n "$(KS_SLURM_VERSION)" || { echo "rpm: Slurm version unknown (no $(SLURM_INCLUDE)/slurm/slurm_version.h)"; exit 1; }
	@$(MAKE) --no-print-directory dist
	@rm -rf $(RPM_TOPDIR) && mkdir -p $(RPM_TOPDIR)/SOURCES
	@mv $(DIST_NAME).tar.gz $(RPM_TOPDIR)/SOURCES/
	@set -e; \
	 have=" $$($(MAKE) -s --no-print-directory -C build/dist/$(DIST_NAME) B=build/probe \
	   SLURM_SRC=$(abspath $(SLURM_SRC)) CUDA_HOME=$(CUDA_HOME) packaging-buildable) "; \
	 flag() { case "$$have" in *"/$$1 "*) echo 1;; *) echo "rpm: no kubeslurm-$$2 package: $$1 is not buildable from the tarball ($$3)" >&2; echo 0;; esac; }; \
	 spank=$$(flag spank_kubeslurm.so spank "no spank/ sources committed"); \
	 select=$$(flag select_cons_tres_topo.so select "no plugins/select sources committed, or no configured Slurm tree at $(SLURM_SRC)"); \
	 gpu=$$(flag libkubeslurm-gpu.so gpu "no CUDA/NCCL at CUDA_HOME=$(CUDA_HOME), or no GPU backend sources"); \
	 echo "rpmbuild: Slurm $(KS_SLURM_VERSION), log in $(RPM_TOPDIR)/rpmbuild.log"; \
	 rpmbuild -bb --nodeps --define "_topdir $(RPM_TOPDIR)" \
	  --define "ks_version $(VERSION)" --define "slurm_version $(KS_SLURM_VERSION)" \
	  --define "slurm_src $(abspath $(SLURM_SRC))" --define "cuda_home $(CUDA_HOME)" \
	  --define "have_spank $$spank" --define "have_select $$select" --define "have_gpu $$gpu" \
	  packaging/rpm/kubeslurm.spec > $(RPM_TOPDIR)/rpmbuild.log 2>&1 || \
	  { tail -n 60 $(RPM_TOPDIR)/rpmbuild.log; echo "rpm: rpmbuild failed, see $(RPM_TOPDIR)/rpmbuild.log"; exit 1; }
	@find $(RPM_TOPDIR)/RPMS -name '*.rpm' -printf 'wrote %p\n' | sort

# ---- Debian package -------------------------------------------------------------------------------

DEB_DIR  := $(abspath $(B))-deb
DEB_ROOT := $(DEB_DIR)/root
DEB_ARCH  = $(shell dpkg --print-architecture)
# The select plugin forwards to this exact build of cons_tres.
DEB_SLURM_PLUGINS = $(shell dpkg-query -W -f='$${Version}' slurm-wlm-basic-plugins 2>/dev/null)

deb:
	@command -v dpkg-deb >/dev/null || { echo "deb: dpkg-deb not found"; exit 1; }
	@$(MAKE) --no-print-directory packaging-artifacts
	@rm -rf $(DEB_DIR) && mkdir -p $(DEB_ROOT)/DEBIAN
	@# The directories compiled into the programs stay as built; only Slurm's plugin directory
	@# and the unit directory follow Debian.
	@$(MAKE) --no-print-directory install-kubeslurm DESTDIR=$(DEB_ROOT) unitdir=/lib/systemd/system \
	  slurm_plugindir=$(SLURM_PLUGINDIR) >/dev/null
	@echo /etc/kubeslurm/kubeslurm.conf > $(DEB_ROOT)/DEBIAN/conffiles
	@{ echo "Package: kubeslurm"; echo "Version: $(VERSION)"; echo "Architecture: $(DEB_ARCH)"; \
	   echo "Maintainer: kubeslurm developers <kubeslurm@localhost>"; \
	   echo "Installed-Size: $$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)"; \
	   echo "Depends: slurm-client, libcurl4, libyaml-cpp0.7, libmunge2$(if $(DEB_SLURM_PLUGINS),$(comma) slurm-wlm-basic-plugins (= $(DEB_SLURM_PLUGINS)))"; \
	   echo "Section: admin"; echo "Priority: optional"; \
	   echo "Description: Slurm on Kubernetes: topology-aware placement and GPU health gate"; \
	   echo " Select plugin, SPANK health gate, kubeslurm-sync, kubeslurm-topo, the GPU checker and burn-in."; \
	 } > $(DEB_ROOT)/DEBIAN/control
	@dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $(DEB_DIR)/kubeslurm_$(VERSION)_$(DEB_ARCH).deb
