from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response


class NotePagination(LimitOffsetPagination):
    """limit/offset pagination that rejects bad values instead of silently clamping them,
    and answers with {items, total, limit, offset}."""

    default_limit = 20
    max_limit = 100

    def _int_param(self, request: Request, name: str, default: int, low: int, high: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError({name: "Must be an integer."}) from None
        if not low <= value <= high:
            raise ValidationError({name: f"Must be between {low} and {high}."})
        return value

    def get_limit(self, request: Request) -> int:
        return self._int_param(request, self.limit_query_param, self.default_limit, 1,
                               self.max_limit)

    def get_offset(self, request: Request) -> int:
        return self._int_param(request, self.offset_query_param, 0, 0, 2**63 - 1)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"items": data, "total": self.count, "limit": self.limit, "offset": self.offset}
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["items", "total", "limit", "offset"],
            "properties": {
                "items": schema,
                "total": {"type": "integer"},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
            },
        }
