"""The pages' forms (Django's forms: validation, and CSRF through the middleware).

- `OpeningForm`: title, challenge, pinned framework (the challenge's kits; required when it
  has several: `Opening.clean`), level, time window (default 120 minutes) and the role
  profile: by default the challenge's profile named like the level (junior/mid/senior),
  `none` for no recommendation, or another profile the challenge ships.
- `InviteForm`: the candidate's name and e-mail (kept as text: nothing is sent).
- `KitDownloadForm`, `UploadForm`: the candidate's kit download (starts the clock) and zip.
- `ManualScoreForm`: the points of one manual criterion (0 to its maximum) and notes.
- `DecisionForm`: advance / hold / reject, with a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from grader.db.models import Invite, Level, Opening, Outcome
from grader.web.pages import catalog

DEFAULT_PROFILE = ""
NO_PROFILE = "none"


if TYPE_CHECKING:        # generic in django-stubs only: not subscriptable at run time
    OpeningModelForm = forms.ModelForm[Opening]
    InviteModelForm = forms.ModelForm[Invite]
else:
    OpeningModelForm = InviteModelForm = forms.ModelForm


def _choices(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class OpeningForm(OpeningModelForm):
    challenge = forms.ChoiceField(choices=())
    framework = forms.ChoiceField(choices=(), required=False,
                                  help_text="the kit candidates get; required when the "
                                            "challenge has several")
    level = forms.ChoiceField(choices=Level.choices, initial=Level.MID)
    window_minutes = forms.IntegerField(initial=120, label="Time window (minutes)",
                                        validators=[MinValueValidator(10),
                                                    MaxValueValidator(14 * 24 * 60)])
    role_profile = forms.ChoiceField(
        choices=(), required=False, label="Role profile",
        help_text="what the reports recommend for this role (docs/profile-yaml.md)")

    class Meta:
        model = Opening
        fields = ("title", "challenge", "framework", "level", "window_minutes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = {e.id: e for e in catalog.available()}
        _choices(self, "challenge").choices = [(e.id, f"{e.title} ({e.id})")
                                            for e in self.entries.values()]
        kits = sorted({k for e in self.entries.values() for k in e.kits})
        _choices(self, "framework").choices = [("", "(the challenge's only kit)"),
                                            *[(k, k) for k in kits]]
        names = sorted({n for e in self.entries.values() for n in e.profiles})
        _choices(self, "role_profile").choices = [
            (DEFAULT_PROFILE, "the challenge's profile for the level (default)"),
            (NO_PROFILE, "none: no recommendation"), *[(n, n) for n in names]]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        entry = self.entries.get(str(data.get("challenge") or ""))
        chosen = str(data.get("role_profile") or DEFAULT_PROFILE)
        if entry is None:
            return data
        if chosen == NO_PROFILE:
            self.instance.profile = None
        elif chosen == DEFAULT_PROFILE:
            level = str(data.get("level") or "")
            self.instance.profile = level if level in entry.profiles else None
        elif chosen in entry.profiles:
            self.instance.profile = chosen
        else:
            self.add_error("role_profile", f"challenge {entry.id} ships no profile "
                           f"'{chosen}' (it has: {', '.join(entry.profiles) or 'none'})")
        return data


class InviteForm(InviteModelForm):
    email = forms.EmailField(required=False, max_length=254,
                             help_text="kept as text: nothing is sent")

    class Meta:
        model = Invite
        fields = ("name", "email")


class KitDownloadForm(forms.Form):
    """The candidate confirms the download, which starts the clock (a POST: a link
    prefetcher must not start it)."""

    confirm = forms.BooleanField(required=True, initial=True, widget=forms.HiddenInput)


class UploadForm(forms.Form):
    file = forms.FileField(label="Your submission (a zip)", allow_empty_file=False)


class ManualScoreForm(forms.Form):
    criterion = forms.CharField(widget=forms.HiddenInput, max_length=200)
    points = forms.FloatField(min_value=0)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                            max_length=10_000)

    def __init__(self, *args: Any, max_points: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_points = max_points
        self.fields["points"].widget.attrs.update({"max": f"{max_points:g}", "step": "0.5"})
        self.fields["points"].help_text = f"0 to {max_points:g}"

    def clean_points(self) -> float:
        points = float(self.cleaned_data["points"])
        if points > self.max_points:
            raise forms.ValidationError(f"at most {self.max_points:g} points for this "
                                        "criterion")
        return points


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)

