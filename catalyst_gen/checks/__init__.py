"""Stage 5: check the rendered artifacts before anything is written.

The checks read the artifacts back with independent parsers (lxml, the OMG
BPMN 2.0 XSD, cairosvg) rather than trusting the templates.  One module per
artifact:

* :mod:`.bpmn` -- the example process: XSD, references, boundary errors,
  reachability, diagram completeness and overlaps;
* :mod:`.svg` -- the logo rules (also used by ``validate`` on a supplied logo);
* :mod:`.template` -- the element template, and its agreement with the example;
* :mod:`.engine` -- no expression opener in any value either artifact hands to the engine;
* :mod:`.shipped` -- no credential in any artifact, as users receive it;
* :mod:`.readme` -- the README has no HTML, image, link or table row its templates must not make.

Importing this package imports none of them, so ``from .checks.svg import
check_svg`` does not load the XSD or the BPMN checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

    from ..model import Connector


def check_artifacts(connector: Connector, files: dict[str, bytes], example: etree._Element) -> None:
    """Run every artifact check; raise :class:`~catalyst_gen.errors.CheckError` with all failures.

    ``files`` are the rendered artifacts (file name -> bytes) and ``example``
    the example process as the build parsed it, once.
    """
    from ..errors import CheckError
    from .bpmn import check_bpmn
    from .engine import check_example_expressions, check_template_expressions
    from .readme import check_readme
    from .shipped import check_shipped_secrets
    from .svg import check_svg
    from .template import check_agreement, check_element_template

    names = connector.file_names
    template, logo = files[names["element_template"]], files[names["logo"]]
    problems = check_svg(logo, names["logo"])
    problems += check_element_template(template, names["element_template"], svg=logo)
    problems += check_bpmn(
        example,
        names["example"],
        template_id=connector.template_id,
        template_version=connector.version,
        error_codes=connector.error_codes,
    )
    problems += check_example_expressions(example, names["example"])
    problems += check_template_expressions(template, names["element_template"])
    problems += check_shipped_secrets(files, example, vetted=(connector.id, connector.process_id))
    problems += check_readme(files[names["readme"]].decode("utf-8"), names["readme"], names["diagram"])
    if not problems:
        problems += check_agreement(template, example, names["example"])
    if problems:
        raise CheckError(problems)
