"""Forms of the minimal pages (Django's forms: validation and CSRF come with them)."""

from __future__ import annotations

from django import forms


class KitDownloadForm(forms.Form):
    """The candidate confirms the download, which starts the clock (a POST: a link
    prefetcher must not start it)."""

    confirm = forms.BooleanField(required=True, initial=True, widget=forms.HiddenInput)
