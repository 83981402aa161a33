"""What the hiring service knows of an upload beyond its bytes: the framework its opening pins
and how late it came (issues 23 and 25). The pipeline turns it into the profile's pin (a
submission in another framework gets the framework-mismatch red flag and its question first,
grader/recommend.py) and a report message ("late by N minutes"); `grader run` passes none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from grader.profiles import Profile
from grader.report.model import Message


@dataclass(frozen=True)
class UploadContext:
    """An upload's circumstances, as its opening and invite record them."""

    pinned_framework: str = ""      # the opening's framework ('' when it pins none)
    late_minutes: int = 0           # past the invite's deadline (0: on time)
    window_minutes: int = 0         # the opening's window

    def pin(self, profile: Profile) -> Profile:
        """The profile with the opening's framework as its pin: the opening names the role
        the candidate applied for, whatever the level's profile file pins."""
        if not self.pinned_framework:
            return profile
        return replace(profile, frameworks=[self.pinned_framework.lower()])

    def messages(self) -> list[Message]:
        if self.late_minutes <= 0:
            return []
        n = self.late_minutes
        window = f" of {self.window_minutes} minutes" if self.window_minutes else ""
        return [Message(level="warning", rule="upload.late", text=(
            f"Late by {n} minute{'' if n == 1 else 's'}: uploaded after the window{window} "
            "that started at the kit's download (accepted, and marked late in the cohort "
            "table)"))]
