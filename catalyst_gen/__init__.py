"""catalyst-gen: builds Catalyst connectors for Camunda 7 from YAML specs.

The Python API is :mod:`catalyst_gen.api` (one function per command, loaded
lazily); this package's own import stays cheap on purpose, because the
command line and every no-op build start here.
"""

__version__ = "0.1.0"
