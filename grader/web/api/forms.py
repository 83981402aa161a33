"""Validation of the API's JSON bodies with the pages' own Django forms
(grader/web/pages/forms.py), so the API and the pages accept exactly the same openings,
invites, manual scores and decisions. A key the form does not know, or a value that is not a
string, number, boolean or null, is refused (422) rather than ignored: a typo must not pass
silently. The API's names: an opening's `profile` is the form's `role_profile` (a profile
the challenge ships, `none`, or left out: the one named like the level)."""

from __future__ import annotations

from typing import Any

from django import forms

from grader.web.api.errors import invalid

_SCALARS = (str, int, float, bool, type(None))


def bind(form_class: type[forms.Form] | type[forms.ModelForm[Any]], data: dict[str, Any],
         renamed: dict[str, str] | None = None, extra: tuple[str, ...] = (),
         **kwargs: Any) -> Any:
    """The form bound to `data` and valid, or ApiError 422 naming each field's problem.
    `renamed`: API key -> form field; `extra`: keys the view reads itself."""
    renamed = renamed or {}
    back = {form_field: key for key, form_field in renamed.items()}
    known = [back.get(name, name) for name in form_class.base_fields] + list(extra)
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise invalid({key: [f"unknown field (the fields: {', '.join(known)})"]
                       for key in unknown})
    wrong = sorted(k for k, v in data.items() if not isinstance(v, _SCALARS))
    if wrong:
        raise invalid({key: ["expected a string, a number, true/false or null"]
                       for key in wrong})
    values = {renamed.get(k, k): v for k, v in data.items() if v is not None and k not in extra}
    form = form_class(data=values, **kwargs)
    if not form.is_valid():
        raise invalid({back.get(field, field): [e["message"] for e in errors]
                       for field, errors in form.errors.get_json_data().items()})
    return form
