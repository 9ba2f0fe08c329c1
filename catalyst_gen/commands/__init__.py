"""The commands layer: catalyst-gen's public Python API, one function per command.

Each function takes the library root and plain arguments, and returns a
result dataclass; it never prints, exits or touches click.  Failures raise
:class:`catalyst_gen.errors.CatalystError` carrying located problems.  A
command that has something to show even when it fails (``build`` lists the
connectors it built, ``check`` the diffs) raises :class:`CommandFailed`,
whose ``report`` is that partial result.

=================  ==========================================
Module             Functions
=================  ==========================================
``build``          :func:`build_library`
``verify``         :func:`check`, :func:`validate`
``release``        :func:`package_release`, :func:`bump`
``connector``      :func:`create_connector`, :func:`try_connector`, :func:`render_diagram`
``info``           :func:`list_connectors`, :func:`spec_schema`
``preview``        :func:`preview_connector`, :func:`serve_preview`
``watch``          :func:`watch_library`
=================  ==========================================

:mod:`catalyst_gen.api` re-exports all of them lazily.  The command line
(:mod:`catalyst_gen.cli`) is a thin layer over exactly these functions.
"""
