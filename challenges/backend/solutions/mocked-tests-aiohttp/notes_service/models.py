from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class User:
    id: int
    username: str


@dataclass(frozen=True)
class Note:
    id: int
    title: str
    body: str
    created_at: str
    updated_at: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)
