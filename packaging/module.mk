# Packaging: every install rule of the project, RPM and Debian packages, and the generated example
# configuration.
#
#   make install [DESTDIR=…]        everything built in $(B), in the directories of the Makefile
#   make install-kubeslurm          installs what is built in $(B) now, builds nothing (the spec's
#                                   %install; under `make install`, after `all`)
#   make packaging-artifacts        builds only what the packages ship (the spec's %build)
#   make packaging-docs             regenerates packaging/kubeslurm.conf and kubeslurm.conf(5) keys
#   make rpm                        RPMs from the `make dist` tarball, under $(B)-rpm/RPMS
#   make deb                        .debs for Debian/Ubuntu sites, under $(B)-deb
#   make packaging-info             the Slurm the packages are for and where they land (for tests)
#
# Every target takes the Slurm of the top Makefile (SLURM=24.11, or SLURM_PREFIX=/SLURM_SRC= for a
# site's own build): the packages are built for it and name its version.
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

# The Slurm version the plugins are built for (the Makefile reads it from slurm_version.h) and the
# bounds the packages derive from it: 24.11.5 -> 24.11; next minor 24.12 (Slurm goes 24.05, 24.11,
# 25.05: "< 24.12" admits every 24.11.x and nothing else; 22.05 -> 22.06); next micro 24.11.6.
KS_SLURM_VERSION := $(SLURM_VERSION)
ks_slurm_v = $(subst ., ,$(KS_SLURM_VERSION))
KS_SLURM_MAJMIN = $(word 1,$(ks_slurm_v)).$(word 2,$(ks_slurm_v))
KS_SLURM_NEXT_MINOR = $(word 1,$(ks_slurm_v)).$(shell printf %02d $$((1$(word 2,$(ks_slurm_v)) - 99)))
KS_SLURM_NEXT_MICRO = $(KS_SLURM_MAJMIN).$(shell echo $$(($(word 3,$(ks_slurm_v)) + 1)))

# Artefacts that some fragment knows how to build (expanded in recipes only, see above).
ks_buildable = $(sort $(filter $(KS_PKG_ARTIFACTS),$(CMD_BINS) $(PLUGINS) $(EXTRA_BINS)))

# $(call ks_install,SOURCE,MODE,TARGET): installs SOURCE when it was built, else says why not.
ks_install = if [ -e $(1) ]; then install -D -m $(2) $(1) $(DESTDIR)$(3) && echo "  install $(3)"; \
             else echo "  skip    $(3): $(1) was not built here"; fi

.PHONY: packaging-artifacts packaging-buildable packaging-info install-kubeslurm packaging-docs rpm deb

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
#
# kubeslurm (commands, sync, checker, data; slurm >= 24.11, < 24.12), kubeslurm-spank (the same
# bounds), kubeslurm-select (slurm = 24.11.5) and kubeslurm-gpu; Release 1.slurm24.11.5. The spec
# builds from the tarball against the Slurm given here (slurm_prefix: headers and libslurm;
# slurm_src: the configured tree) and links without a run path into that prefix: on the site
# libslurm comes from its Slurm package in /usr. rpmbuild gets none of this make's MAKEFLAGS, so
# the spec's defines alone decide the build.

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
	   SLURM_PREFIX=$(abspath $(SLURM_PREFIX)) SLURM_SRC=$(abspath $(SLURM_SRC)) CUDA_HOME=$(CUDA_HOME) packaging-buildable) "; \
	 flag() { case "$$have" in *"/$$1 "*) echo 1;; *) echo "rpm: no kubeslurm-$$2 package: $$1 is not buildable from the tarball ($$3)" >&2; echo 0;; esac; }; \
	 spank=$$(flag spank_kubeslurm.so spank "no spank/ sources committed"); \
	 select=$$(flag select_cons_tres_topo.so select "no plugins/select sources committed, or no configured Slurm tree at $(SLURM_SRC)"); \
	 gpu=$$(flag libkubeslurm-gpu.so gpu "no CUDA/NCCL at CUDA_HOME=$(CUDA_HOME), or no GPU backend sources"); \
	 echo "rpmbuild: Slurm $(KS_SLURM_VERSION) at $(SLURM_PREFIX), log in $(RPM_TOPDIR)/rpmbuild.log"; \
	 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL rpmbuild -bb --nodeps --define "_topdir $(RPM_TOPDIR)" \
	  --define "ks_version $(VERSION)" --define "slurm_version $(KS_SLURM_VERSION)" \
	  --define "slurm_prefix $(abspath $(SLURM_PREFIX))" --define "slurm_src $(abspath $(SLURM_SRC))" \
	  --define "cuda_home $(CUDA_HOME)" \
	  --define "have_spank $$spank" --define "have_select $$select" --define "have_gpu $$gpu" \
	  packaging/rpm/kubeslurm.spec > $(RPM_TOPDIR)/rpmbuild.log 2>&1 || \
	  { tail -n 60 $(RPM_TOPDIR)/rpmbuild.log; echo "rpm: rpmbuild failed, see $(RPM_TOPDIR)/rpmbuild.log"; exit 1; }
	@find $(RPM_TOPDIR)/RPMS -name '*.rpm' -printf 'wrote %p\n' | sort

# ---- Debian packages ------------------------------------------------------------------------------
#
# Two packages, because their artefacts follow Slurm differently:
#   kubeslurm         the commands, kubeslurm-sync, the checker, the SPANK plugin, the GPU backend
#                     (when built), configuration and data. libslurm's API and the SPANK ABI follow
#                     Slurm's major.minor: Depends slurm-client (>= 24.11), slurm-client (<< 24.12).
#   kubeslurm-select  the select plugin alone. Slurm loads it only for the micro release it was
#                     compiled for, and it forwards to that build of cons_tres: Depends kubeslurm
#                     (= same version), slurm-wlm-basic-plugins (>= 24.11.5), (<< 24.11.6~): any
#                     Debian revision of 24.11.5, as the RPM's `slurm = 24.11.5` (stable and
#                     security updates keep the micro release and its structures).
# Their version carries the Slurm version (0.1.0+slurm24.11.5), and so do the file names: the
# packages of two Slurm lines never collide, and moving a site from 22.05 to 24.11 is an upgrade.
# Shared-library dependencies come from dpkg-shlibdeps and name the packages of the build host's
# distribution: build the packages on the release they are for (for Debian 13, on Debian 13).
# Nothing packaged carries a run path into a Slurm build prefix: against a Slurm outside /usr the
# commands are linked again without it (SLURM_RPATH=0) in a twin of $(B) holding hard links to its
# objects, libraries and plugins, all of them given to make as old files (-o): nothing is compiled
# twice and no file shared with $(B) is ever written. The plugins never had a run path.

DEB_DIR   := $(abspath $(B))-deb
DEB_VERSION = $(VERSION)+slurm$(KS_SLURM_VERSION)
# The names and the plugin directory of Debian's Slurm packages; a site with other Slurm packages
# (SchedMD's slurm-smd, say) names its own.
DEB_SLURM_CLIENT  ?= slurm-client
DEB_SLURM_PLUGINS ?= slurm-wlm-basic-plugins
DEB_SLURM_PLUGINDIR ?= $(or $(if $(SLURM_SYSTEM),$(SLURM_PLUGINDIR)),/usr/lib/$(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)/slurm-wlm)
# Where the packaged artefacts come from.
DEB_BUILD  = $(if $(SLURM_SYSTEM),$(abspath $(B)),$(DEB_DIR)/build)
deb_root   = $(DEB_DIR)/debian/$(1)

deb:
	@for t in dpkg-deb dpkg-shlibdeps dpkg-architecture; do command -v $$t >/dev/null || \
	  { echo "deb: $$t not found (Debian: apt-get install dpkg-dev)"; exit 1; }; done
	@test -n "$(KS_SLURM_VERSION)" || { echo "deb: Slurm version unknown (no $(SLURM_INCLUDE)/slurm/slurm_version.h)"; exit 1; }
	@$(MAKE) --no-print-directory packaging-artifacts
	@rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/debian
	@$(if $(SLURM_SYSTEM),true,echo "deb: linking the commands again without the run path into $(SLURM_PREFIX)/lib" && \
	  mkdir -p $(DEB_BUILD) && for d in obj lib plugins; do [ ! -d $(abspath $(B))/$$d ] || \
	    cp -al $(abspath $(B))/$$d $(DEB_BUILD)/ 2>/dev/null || cp -a $(abspath $(B))/$$d $(DEB_BUILD)/; done && \
	  { $(MAKE) --no-print-directory B=$(DEB_BUILD) SLURM_RPATH=0 $$(find $(DEB_BUILD) -type f -printf '-o %p ') \
	      $(patsubst $(B)/%,$(DEB_BUILD)/%,$(filter $(B)/bin/%,$(ks_buildable))) > $(DEB_DIR)/relink.log 2>&1 || \
	    { tail -n 40 $(DEB_DIR)/relink.log; echo "deb: relinking failed: see $(DEB_DIR)/relink.log"; exit 1; }; })
	@# The directories compiled into the programs stay as built; only Slurm's plugin directory
	@# and the unit directory follow Debian.
	@$(MAKE) --no-print-directory install-kubeslurm B=$(DEB_BUILD) DESTDIR=$(call deb_root,kubeslurm) \
	  unitdir=/lib/systemd/system slurm_plugindir=$(DEB_SLURM_PLUGINDIR) >/dev/null
	@so=$(DEB_SLURM_PLUGINDIR)/select_cons_tres_topo.so; \
	 if [ -e $(call deb_root,kubeslurm)$$so ]; then mkdir -p $(call deb_root,kubeslurm-select)$(DEB_SLURM_PLUGINDIR) && \
	   mv $(call deb_root,kubeslurm)$$so $(call deb_root,kubeslurm-select)$$so; \
	 else echo "deb: no kubeslurm-select package: the select plugin is not built here"; fi
	@packaging/deb/mkdeb.sh $(DEB_DIR) kubeslurm $(DEB_VERSION) \
	  "$(DEB_SLURM_CLIENT) (>= $(KS_SLURM_MAJMIN)), $(DEB_SLURM_CLIENT) (<< $(KS_SLURM_NEXT_MINOR))" \
	  "Slurm on Kubernetes: GPU health gate, node sync, topology (Slurm $(KS_SLURM_MAJMIN))" \
	  "kubeslurm-sync, kubeslurm-topo, the GPU checker, kubeslurm-burnin and the SPANK health gate, built for Slurm $(KS_SLURM_VERSION) (runs on any $(KS_SLURM_MAJMIN).x)." \
	  $(if $(SLURM_SYSTEM),,-l$(abspath $(SLURM_PREFIX))/lib)
	@if [ -d $(call deb_root,kubeslurm-select) ]; then packaging/deb/mkdeb.sh $(DEB_DIR) kubeslurm-select $(DEB_VERSION) \
	  "kubeslurm (= $(DEB_VERSION)), $(DEB_SLURM_PLUGINS) (>= $(KS_SLURM_VERSION)), $(DEB_SLURM_PLUGINS) (<< $(KS_SLURM_NEXT_MICRO)~)" \
	  "Select plugin select/cons_tres_topo for Slurm $(KS_SLURM_VERSION): jobs in the fewest NVLink domains" \
	  "Places every multi-node job in the fewest NVLink domains and leaf switches that can hold it; built for Slurm $(KS_SLURM_VERSION) exactly (Slurm loads select plugins of its own micro release only)."; fi

# ---- what the packages are for --------------------------------------------------------------------

packaging-info:
	@echo "SLURM_VERSION=$(KS_SLURM_VERSION)"
	@echo "SLURM_PREFIX=$(abspath $(SLURM_PREFIX))"
	@echo "SLURM_SRC=$(abspath $(SLURM_SRC))"
	@echo "SLURM_LIBDIR=$(if $(SLURM_SYSTEM),,$(abspath $(SLURM_PREFIX))/lib)"
	@echo "RPM_DIR=$(RPM_TOPDIR)/RPMS"
	@echo "DEB_DIR=$(DEB_DIR)"
	@echo "DEB_VERSION=$(DEB_VERSION)"
	@echo "DEB_SLURM_PLUGINDIR=$(DEB_SLURM_PLUGINDIR)"
