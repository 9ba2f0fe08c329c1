"""Messages a connector author meets on a bad option, a broken file or a failed `try`.

Found by running the tool as a new author does (stop 19): each message names the option, file or
value at fault and gives a hint that, followed, works. Every case exits 1 without a traceback and
leaves the library as it was.
"""

from __future__ import annotations

import pytest
from helpers import tree


@pytest.mark.parametrize(
    "args, message, hint",
    [
        (["--url", "notaurl"], "--url 'notaurl': \"notaurl\" is not valid here", "starts with https://"),
        (["--name", "Acme ${x}"], "--name 'Acme ${x}': the value contains `${`", "remove the `${`"),
        (["--preset", "../_presets/atlassian"], "is not a preset name", "did you mean `atlassian`?"),
        (["--preset", ""], "--preset '' is not a preset name", "presets: atlassian"),
    ],
    ids=["url", "name", "preset-path", "preset-empty"],
)
def test_a_bad_new_option_is_named_not_blamed_on_the_scaffold(project, cli, args, message, hint):
    before = tree(project)
    result = cli(project, "new", "acme-ai", *args)
    assert result.exit_code == 1, result.output
    assert message in result.output and hint in result.output, result.output
    assert "a bug in templates/scaffold/" not in result.output
    assert result.output.count("error:") == 1, result.output
    assert tree(project) == before, "a refused `new` left files behind"


def test_a_scaffold_that_does_not_build_without_any_option_is_still_the_scaffolds_fault(project, cli):
    scaffold = project / "templates" / "scaffold" / "connector.yaml.j2"
    scaffold.write_text(scaffold.read_text("utf-8").replace("timeout_seconds:", "timeout_second:"), "utf-8")
    result = cli(project, "new", "acme-ai", "--url", "https://api.acme.example/v1/chat")
    assert result.exit_code == 1, result.output
    assert "a bug in templates/scaffold/" in result.output and "--url" not in result.output, result.output


@pytest.mark.parametrize(
    "where, message, hint",
    [
        ("missing", "does not exist", "check the path given with -C/--project-dir"),
        ("connectors", "is inside a connector library, not its root", "give the library's root: -C "),
    ],
)
def test_a_project_dir_that_is_no_library_says_why(project, cli, where, message, hint):
    folder = project / where
    result = cli(folder, "list")  # the fixture passes --project-dir folder
    assert result.exit_code == 1, result.output
    assert message in result.output and hint in result.output, result.output
    if where == "connectors":
        assert f"-C {project}" in result.output


def test_a_connector_folder_whose_name_is_no_id_is_named_with_its_path(project, cli):
    stray = project / "connectors" / "BadOne"
    stray.mkdir()
    (stray / "connector.yaml").write_text("id: bad-one\n", "utf-8")
    result = cli(project, "list")
    assert result.exit_code == 1, result.output
    assert "connectors/BadOne/connector.yaml:1:1:" in result.output, result.output
    assert "'BadOne' is not a connector id" in result.output and "e.g. bad-one" in result.output


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- list\n"], ids=["empty", "comment", "list"])
def test_an_empty_spec_gets_a_hint_that_can_be_followed(project, cli, text):
    (project / "connectors" / "slack" / "connector.yaml").write_text(text, "utf-8")
    result = cli(project, "build", "slack")
    assert result.exit_code == 1, result.output
    assert "restore the file from version control" in result.output, result.output


def test_try_against_nothing_says_no_answer_came(cli, project):
    result = cli(project, "try", "webhook", "--var", "userMessage=hi", "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("No answer (tried 1 time)"), result.output
    assert "Request sent" not in result.output


def test_try_names_the_misspelt_var_when_a_placeholder_has_no_value(cli, project):
    result = cli(project, "try", "webhook", "--var", "userMesage=hi", "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 2, result.output
    assert "missing --var userMessage=... (--var userMesage: did you mean userMessage?)" in result.output


def test_try_warns_of_a_var_the_connector_does_not_use(cli, project):
    result = cli(
        project, "try", "webhook", "--var", "userMessage=hi", "--var", "extra=1", "--base-url", "http://127.0.0.1:9"
    )
    assert result.exit_code == 1, result.output  # nothing answered; the warning does not change the outcome
    assert "warning: --var extra: webhook has no placeholder `${extra}`, so the value is not used" in result.output


def test_try_refuses_a_base_url_with_an_impossible_port(cli, project):
    result = cli(project, "try", "webhook", "--var", "userMessage=hi", "--base-url", "http://127.0.0.1:99999")
    assert result.exit_code == 1, result.output
    assert "has a port that is not a number from 1 to 65535" in result.output and "No answer" not in result.output
