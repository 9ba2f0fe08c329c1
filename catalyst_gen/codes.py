"""The stable code of every problem catalyst-gen reports, in one registry.

CI systems, editors and people's notes refer to problems by code
(``--format json``/``github`` print it), so a code never changes meaning and
is never reused.  Codes are grouped by the stage that finds the problem:

- ``CG1xx`` reading files: YAML, presets, library files
- ``CG2xx`` the spec's JSON Schema (one code per schema keyword)
- ``CG3xx`` the consistency rules beyond the schema
- ``CG4xx`` checks of the generated artifacts (templates, BPMN, SVG, element template)
- ``CG5xx`` ``dist/``, template versions and the library's state
- ``CG6xx`` commands: scaffolding, ``try``, ``preview``, the selection of connectors
- ``CG9xx`` the environment (the operating system refused) and catalyst-gen itself

Every code here is documented in the README's "Diagnostics" table (a unit
test compares both ways), and :class:`catalyst_gen.errors.Problem` refuses a
code that is not registered.  This module imports nothing: the unchanged-build
path loads it.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    """What a code means and what usually fixes it (the README's table, word for word)."""

    meaning: str
    fix: str


CODES: dict[str, Code] = {
    # ------------------------------------------------------------ CG1xx reading files
    "CG101": Code(
        "a spec, preset or library file does not exist", "check the connector id, the folder and the file name"
    ),
    "CG102": Code("a file exists but cannot be read", "check its permissions"),
    "CG103": Code("a file is larger than the limit for a spec", "move large text out of the spec"),
    "CG104": Code("a file is not valid UTF-8", "save the file as UTF-8"),
    "CG105": Code("YAML syntax error (or a character YAML does not allow)", "fix the YAML at the position shown"),
    "CG106": Code("YAML nesting deeper than the limit", "flatten the structure"),
    "CG107": Code("a number that is too long or written ambiguously", "write a plain decimal number"),
    "CG108": Code(
        "a YAML value catalyst-gen cannot read (unsupported tag or type)",
        "write a plain string, number, list or mapping",
    ),
    "CG109": Code(
        "YAML anchors and aliases expand to too many values or too much text",
        "remove the aliases that multiply content",
    ),
    "CG110": Code("YAML merge keys (`<<`) are used", "write the keys out, or use `extends:` with a preset"),
    "CG111": Code("a mapping key is not a string", "quote the key"),
    "CG112": Code("a key appears twice in one mapping", "remove or merge the repeated key"),
    "CG113": Code(
        "the file is empty", "restore it from version control; a new connector starts from `catalyst-gen new <id>`"
    ),
    "CG114": Code(
        "the document is not a mapping of keys",
        "restore it from version control; a new connector starts from `catalyst-gen new <id>`",
    ),
    "CG120": Code("`extends` does not name a preset in kebab-case", "write the preset's file name without `.yaml`"),
    "CG121": Code("presets extend each other in a loop", "remove one of the `extends`"),
    "CG122": Code(
        "the preset named by `extends` (or `--preset`) does not exist", "use one of the presets in connectors/_presets/"
    ),
    "CG123": Code(
        "the spec merged with its presets exceeds the limits of one file (values, text, nesting)", "shorten the presets"
    ),
    "CG130": Code("a library file is a link to a file outside the library", "replace the link with the file itself"),
    "CG131": Code("a library file is not a regular file", "replace it with a file"),
    "CG140": Code("connectors/_library.yaml is missing", "run from the library's root, or pass `-C <root>`"),
    "CG141": Code(
        "not inside a connector library (no connectors/_library.yaml here or above), or `-C` names a folder that is not one",
        "run inside a library, pass `-C <root>`, or start one with `catalyst-gen init`",
    ),
    # ------------------------------------------------------------ CG2xx JSON Schema (one per keyword)
    "CG200": Code(
        "the spec breaks a schema rule (a keyword without its own code)",
        "follow the message; `catalyst-gen schema` prints the schema",
    ),
    "CG201": Code("a required key is missing (schema `required`)", "add the key"),
    "CG202": Code(
        "an unknown key (schema `additionalProperties`)", "fix the spelling (see the hint) or remove the key"
    ),
    "CG203": Code("a value is not one of the allowed choices (schema `enum`)", "use one of the values listed"),
    "CG204": Code("a value has the wrong type (schema `type`)", "write a value of the type named, e.g. quote a string"),
    "CG205": Code("a value does not have the required form (schema `pattern`)", "follow the form named in the hint"),
    "CG206": Code("a number is out of range (schema `minimum`/`maximum`)", "use a number within the range"),
    "CG207": Code("a text is too short or too long (schema `minLength`/`maxLength`)", "shorten or complete the text"),
    "CG208": Code("a list repeats an item (schema `uniqueItems`)", "list each item once"),
    # ------------------------------------------------------------ CG3xx consistency rules
    "CG301": Code(
        "a `${placeholder}` is not a valid process variable name, or a `${` is never closed",
        "use letters, digits and `_`, starting with a letter, and close it with `}`",
    ),
    "CG302": Code(
        "the payload is not valid JSON once placeholders are filled in", "fix the JSON at the position shown"
    ),
    "CG303": Code(
        "the endpoint URL is not a usable absolute http(s) URL (or a placeholder stands where it cannot)",
        "write the full https:// address; placeholders only in the host, path or query",
    ),
    "CG304": Code("a fixed header carries credentials", "remove the value: the runtime adds the key from its secret"),
    "CG305": Code("a header value is not a single line of text", "write it on one line"),
    "CG306": Code("the console URL is not a plain https:// link", "write the plain https:// address of the console"),
    "CG307": Code(
        "a header value holds `{name}`, which the runtime would fill in as a placeholder",
        "write `${name}` for a placeholder, or rephrase the value",
    ),
    "CG308": Code(
        "the documentation URL is not a plain https:// link", "write the plain https:// address of the documentation"
    ),
    "CG309": Code(
        "a `request.placeholders` entry names no placeholder of the payload, URL or headers",
        "write `${name}` where the value goes, or remove the entry",
    ),
    "CG310": Code("more than one model is marked default", "keep `default: true` on one model"),
    "CG311": Code("a model is listed twice", "list each model once"),
    "CG312": Code("the payload's model is not in `models`", "add it to `models`, or use a listed one"),
    "CG313": Code("the payload's model is not the default model", "make the payload use the default model"),
    "CG320": Code(
        "an `errors` key is not a real HTTP status written plainly", "use a status 100-599 without leading zeros"
    ),
    "CG321": Code(
        "a BPMN error code is not an identifier", "use letters, digits and `_`, starting with a letter or `_`"
    ),
    "CG322": Code("a retry status is not a real HTTP status", "use a status 100-599"),
    "CG323": Code("`retry.max_backoff_ms` is smaller than `retry.backoff_ms`", "raise max_backoff_ms"),
    "CG324": Code("a response variable uses a name reserved for the runtime (`catalyst_*`)", "rename the variable"),
    "CG325": Code("a JSON path in `response_mapping` does not parse", "write it like `a.b[0].c`"),
    "CG326": Code(
        "a JSON path in `response` (`success_when.path`, `error_path`) does not parse", "write it like `a.b[0].c`"
    ),
    "CG330": Code(
        "an auth key that has no meaning with auth type `none`", "remove the key, or choose another auth type"
    ),
    "CG331": Code("`auth.secret_name` is missing", "add `secret_name`"),
    "CG332": Code("`auth.header` is missing for an auth type that needs it", "add `header`"),
    "CG333": Code("`auth.type` is not one of `auth.types`", "add it to `types`, or choose one of them"),
    "CG334": Code(
        "an auth setting that basicAuth does not use (a prefix, a header other than Authorization)",
        "remove it: basicAuth sends `Authorization: Basic` + the Base64 of `user:password` itself",
    ),
    "CG335": Code(
        "`auth.show_key_settings` with an auth type that sends a key",
        "remove it: such types always show their settings",
    ),
    "CG340": Code("a logo is both a file and drawn", "keep either `file` or `text`/`background`/`foreground`"),
    "CG341": Code("the drawn logo lacks `text`, `background` or `foreground`", "add the missing keys"),
    "CG342": Code("the logo file does not exist next to the spec", "put it in the connector's folder"),
    "CG343": Code("the logo file is a link to a file outside the connector's folder", "copy the file into the folder"),
    "CG344": Code("the logo file cannot be read", "check its permissions"),
    "CG345": Code("the logo file is larger than the limit", "simplify the drawing; do not embed bitmaps"),
    "CG346": Code(
        "the drawn logo's text has too little contrast with its background (under 3:1)",
        "use a lighter or darker foreground",
    ),
    "CG350": Code(
        "a connector id is not lower-case kebab-case, or is reserved", "rename the connector (and its folder)"
    ),
    "CG351": Code("the spec's `id` does not match its folder", "make `id` equal the folder name"),
    "CG352": Code(
        "the connector is not a member of the suite its README names (`readme.suite.members`)",
        "add it to the members, or remove `readme.suite`",
    ),
    "CG353": Code("a connector is listed twice in `readme.suite.members`", "list each connector once"),
    "CG354": Code(
        "the README links to a connector that is not in the library (a suite member, or `[text](../<id>/)`)",
        "correct the id, create the connector, or remove the link",
    ),
    "CG360": Code("a value contains an invisible character", "delete the character"),
    "CG361": Code("a value contains `${` or `#{`, which Camunda 7 would evaluate", "rephrase the text (see the hint)"),
    "CG362": Code(
        "something in the spec looks like a real credential",
        "delete it (and revoke it); write `example` in sample values",
    ),
    "CG363": Code("a value is blank (only spaces)", "write the text, or remove the key to use its default"),
    "CG364": Code("the library name or tagline in _library.yaml spans several lines", "write it on one line"),
    "CG365": Code(
        "the library website in _library.yaml is not a plain https:// link", "write the plain https:// address"
    ),
    "CG370": Code(
        "a TODO placeholder is left in the spec (a warning for build and validate; check and package refuse it)",
        "replace it with the connector's real value",
    ),
    "CG375": Code(
        "`!replace` tags something that is not a mapping",
        "remove the tag: a list or a single value already replaces the inherited one whole",
    ),
    "CG380": Code(
        "`template.fields` names a field this connector's template does not have",
        "remove the entry, or add the section that brings the field (e.g. `response:`)",
    ),
    "CG381": Code(
        "a field the runtime needs filled in is hidden while the connector leaves it empty",
        "make the field visible, or give it a value in the spec",
    ),
    "CG382": Code(
        "a `template.properties` entry is not read by any runtime input (a property that does nothing)",
        "use `${name}` in the payload, URL or a header, or name an optional runtime input such as `retryOn429`",
    ),
    "CG383": Code(
        "a property's type, value or choices do not fit together or the runtime input's grammar",
        "give a Dropdown choices that hold its value, a Boolean true or false, and values the input takes",
    ),
    "CG384": Code("a Dropdown lists a choice value or label twice", "list each choice once"),
    "CG385": Code(
        "a property duplicates a runtime input or another property's label",
        "set the runtime input under `template.fields`, or choose another name or label",
    ),
    "CG386": Code(
        "a README `fields:` block shows a template group in which the Modeler shows no field",
        "show a group that has visible fields, or make a field of that group visible",
    ),
    "CG387": Code(
        "`readme.error_table.order` lists an HTTP status that `errors` does not have",
        "list only the statuses of `errors`, each once",
    ),
    "CG388": Code(
        "an error of `errors` is missing from `readme.error_table.order`",
        "list every status of `errors` where its row goes",
    ),
    "CG389": Code(
        "`readme.error_table` has both `sort` and `order`",
        "keep one: `sort: status` orders the rows by status, `order` lists them",
    ),
    # ------------------------------------------------------------ CG4xx artifact checks
    "CG390": Code(
        "`readme.order` names a section that does not exist", "use a standard section or a key of `readme.sections`"
    ),
    "CG391": Code(
        "a README section is listed twice in `readme.order`, or an authored section is not in it",
        "list every section once, where it goes",
    ),
    "CG392": Code(
        "a link in README text is not written `[text](https://...)` with a plain https:// address, nor `[text](../<id>/)`",
        "write the link as [text](https://host/path), or [text](../<id>/) to another connector",
    ),
    "CG393": Code("a README table row has a different number of cells than its header", "write one cell per column"),
    "CG394": Code(
        "a README block has no kind or more than one",
        "write one of text, list, steps, table, code, json, section, break, show, fields per block",
    ),
    "CG395": Code(
        "a README section setting that does not fit the section (an authored section without title or blocks, `before`/`after` on it, a title on the footer, a subsection in a subsection)",
        "follow the message",
    ),
    "CG396": Code(
        "the README error table's Fix column and the errors' `fix` disagree",
        "give every error a `fix`, or show no Fix column",
    ),
    "CG397": Code(
        "the README shows the About section and the spec has no `about`, or the spec has `about` and the README "
        "does not show it",
        "write `about`, or remove it when `readme.order` leaves `about` out (or `readme.sections.about.blocks` replaces it)",
    ),
    "CG401": Code("a Jinja template is missing or too large", "restore the template in templates/"),
    "CG402": Code("a Jinja template does not compile or render", "fix the template named in the hint"),
    "CG403": Code("the rendered element template is not valid JSON", "fix templates/ (the element template's Jinja)"),
    "CG404": Code("the example process picture cannot be drawn", "fix the example template"),
    "CG410": Code("the example BPMN is not well-formed, or uses DTDs or entities", "fix the example template"),
    "CG411": Code("the example BPMN is not valid against the BPMN 2.0 XSD", "fix the example template"),
    "CG412": Code(
        "the example process lacks a required part (one executable process, the connector task, history time to live)",
        "fix the example template",
    ),
    "CG413": Code("a reference in the example BPMN does not resolve", "fix the example template"),
    "CG414": Code(
        "the example's template id or version differs from the element template's", "fix the example template"
    ),
    "CG415": Code(
        "the example's flow is wrong (error routing, gateways, a path to Review or to the end)",
        "fix the example template",
    ),
    "CG416": Code(
        "the example's diagram is wrong (missing shapes or edges, overlaps, labels too small)",
        "fix the example template or the layout",
    ),
    "CG417": Code(
        "an artifact contains `${` or `#{` outside the payload, which Camunda 7 would evaluate",
        "rephrase the value in the spec",
    ),
    "CG418": Code(
        "an artifact would ship something that looks like a credential",
        "remove it from the spec, its presets, the logo or _library.yaml",
    ),
    "CG420": Code(
        "an SVG contains something unsafe (script, event handler, external reference, ...)",
        "remove it: a logo must be inert",
    ),
    "CG421": Code("an SVG is not 64x64 with a square viewBox", 'set width/height 64 and viewBox="0 0 64 64"'),
    "CG422": Code("an SVG does not render, or renders blank", "draw something visible with plain SVG shapes"),
    "CG430": Code("the element template lacks a required part or property text", "fix the element template's Jinja"),
    "CG431": Code(
        "the element template and the example's service task disagree", "fix the templates so both bind the same values"
    ),
    "CG440": Code(
        "the rendered README has HTML, an image, a link or a table row its templates must not make",
        "fix templates/readme/: write spec text with the md_* filters",
    ),
    # ------------------------------------------------------------ CG5xx dist/, versions, state
    "CG501": Code("a file in dist/ is out of date", "run `catalyst-gen build` and commit dist/"),
    "CG502": Code("a file is missing from dist/", "run `catalyst-gen build` and commit dist/"),
    "CG503": Code("a file in dist/ is produced by no connector", "delete it, or restore its connector spec"),
    "CG510": Code("a template version is not recorded in connectors/_versions.lock", "run `catalyst-gen bump <id>`"),
    "CG511": Code("a template version is lower than the released one", "versions only go up: raise `version`"),
    "CG512": Code("the element template changed but its version did not", "run `catalyst-gen bump <id>`"),
    "CG513": Code("connectors/_versions.lock is not a version record catalyst-gen can use", "restore it from git"),
    "CG514": Code("`bump` cannot write the new version into the spec", "write `version:` in the spec yourself"),
    "CG515": Code(
        "`bump` cannot find the template released as the current version (or `--released` is not it)",
        "pass the released file with `--released FILE`",
    ),
    "CG516": Code("`bump` refuses a change that would drop users' values", "keep the property, or pass `--breaking`"),
    "CG517": Code("the draft record of a new connector's version is out of date", "run `catalyst-gen build <id>`"),
    "CG520": Code("a folder catalyst-gen writes is a symbolic link", "delete the link"),
    "CG521": Code("the library lock cannot be opened", "check that .catalyst-gen/ is writable and the lock is a file"),
    "CG522": Code("another catalyst-gen is writing this library", "wait for it to finish"),
    "CG523": Code(
        "the write journal is damaged", "delete it and the staging folders, then `catalyst-gen build --force`"
    ),
    "CG524": Code("a name is not a connector id or file name catalyst-gen may write", "rename it"),
    "CG530": Code(
        "a kept version in connectors/<id>/versions/ cannot be read or is not an element template",
        "restore it from git",
    ),
    "CG531": Code("a kept version's template id or version differs from its file name", "restore it from git"),
    "CG532": Code("connectors/<id>/versions/ holds something other than kept versions", "remove it"),
    "CG533": Code(
        "a kept version is not older than the current one, or not recorded",
        "remove it, or restore connectors/_versions.lock",
    ),
    "CG534": Code("a kept version was changed after its release", "restore it from git"),
    "CG535": Code("a released version's kept template is missing", "restore it from git"),
    # ------------------------------------------------------------ CG6xx commands
    "CG601": Code("no connector with that id", "check the id (see the hint), or `catalyst-gen list`"),
    "CG602": Code("the library has no connectors", "add one with `catalyst-gen new <id>`"),
    "CG603": Code("a connector with that id already exists", "edit its spec instead"),
    "CG604": Code(
        "the folder has no scaffold template: it is not a connector library",
        "run from the library's root, or pass `-C <root>`",
    ),
    "CG605": Code("the scaffold does not build (a bug in templates/scaffold/)", "fix templates/scaffold/"),
    "CG606": Code("`bump` would leave a spec that does not build", "fix the spec first"),
    "CG607": Code("`try` has no value for a `${placeholder}`", "pass `--var name=value`"),
    "CG608": Code(
        "`try` failed: a secret is missing or the inputs break the runtime contract",
        "set the secret, or fix the inputs",
    ),
    "CG609": Code("`preview` cannot listen on the port", "choose another `--port`, or `--port 0`"),
    "CG610": Code(
        "the id was used by a connector of this library before (it is in connectors/_versions.lock)",
        "choose another id, or restore the old connector",
    ),
    "CG611": Code(
        "`init` would use a folder that is, or is inside, a library, or holds files it would write",
        "init an empty folder",
    ),
    "CG612": Code(
        "a `new` option (`--name`, `--url`) has a value the spec cannot hold",
        "give a value the spec's rule takes (see the hint)",
    ),
    "CG613": Code(
        "`try` got a `--var` that is no placeholder of the connector (a warning)", "remove it, or fix its name"
    ),
    # ------------------------------------------------------------ CG9xx environment, catalyst-gen itself
    "CG900": Code("a problem without a more specific code", "follow the message (and report it: it should get a code)"),
    "CG901": Code(
        "the operating system refused (full disk, read-only checkout, missing folder, permissions)",
        "fix the environment and run again",
    ),
    "CG902": Code("a dependency catalyst-gen needs is not installed", "install it (see the hint)"),
    "CG999": Code(
        "an internal error: a bug in catalyst-gen", "rerun with CATALYST_GEN_DEBUG=1 and report the traceback"
    ),
}

GENERIC = "CG900"  # errors.GENERIC_CODE: a CatalystError raised from a bare message
ENVIRONMENT = "CG901"  # errors.ENVIRONMENT_CODE: an OSError the command-line handler turns into a problem
INTERNAL = "CG999"

SCHEMA_KEYWORDS: dict[str, str] = {
    "required": "CG201",
    "additionalProperties": "CG202",
    "propertyNames": "CG202",
    "enum": "CG203",
    "type": "CG204",
    "pattern": "CG205",
    "minimum": "CG206",
    "maximum": "CG206",
    "exclusiveMinimum": "CG206",
    "exclusiveMaximum": "CG206",
    "minLength": "CG207",
    "maxLength": "CG207",
    "uniqueItems": "CG208",
}
"""JSON Schema keyword -> code: the one table that gives schema errors their codes."""


def schema_code(keyword: object) -> str:
    """The code of a JSON Schema error from its keyword (``error.validator``); CG200 for the rest."""
    return SCHEMA_KEYWORDS.get(str(keyword), "CG200")


def is_registered(code: object) -> bool:
    return isinstance(code, str) and code in CODES
