"""Readable config validation errors.

Snakemake's ``validate`` reports a schema violation with the whole schema and
config attached, which buries the one line that matters. This check runs the
same JSON schema first and raises one short line per problem, naming the key,
the value found and what is allowed.
"""

import jsonschema
import yaml


class ConfigError(ValueError):
    """The workflow config does not match its schema."""


def _key_path(error):
    return ".".join(str(part) for part in error.absolute_path) or "(top level)"


def _describe(error):
    path = _key_path(error)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        where = f" in {path}" if error.absolute_path else ""
        return f"unknown key {', '.join(repr(k) for k in unknown)}{where}; allowed keys: {', '.join(allowed)}"
    description = error.schema.get("description")
    hint = f" ({description})" if description else ""
    return f"{path}: {error.message}{hint}"


def check_config(config, schema_path):
    """Raise ``ConfigError`` listing every schema violation of ``config``; return nothing if it is valid."""
    with open(schema_path, encoding="utf-8") as handle:
        schema = yaml.safe_load(handle)
    validator = jsonschema.Draft202012Validator(schema)
    problems = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if problems:
        lines = "\n".join(f"  - {_describe(error)}" for error in problems)
        raise ConfigError(f"invalid config ({len(problems)} problem{'s' if len(problems) > 1 else ''}):\n{lines}\n"
                          "Fix these keys in the config file; workflow/schemas/config.schema.yaml documents each one.")
