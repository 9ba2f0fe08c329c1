"""catalyst-gen: builds Catalyst connectors for Camunda 7 from YAML specs."""

__version__ = "0.1.0"
