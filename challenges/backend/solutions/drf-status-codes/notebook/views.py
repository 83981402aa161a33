"""Notes API views: registration, token exchange and the notes ViewSet."""

from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from rest_framework import status, viewsets
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from notebook.models import AccessToken, Note
from notebook.serializers import (
    NoteSerializer,
    RegisterSerializer,
    TokenRequestSerializer,
    UserSerializer,
)

User = get_user_model()


@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    return Response({"status": "ok"})


class RegisterView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        if User.objects.filter(username=username).exists():
            return Response({"detail": "Username already taken."}, status=status.HTTP_409_CONFLICT)
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, password=serializer.validated_data["password"]
                )
        except IntegrityError:
            return Response({"detail": "Username already taken."}, status=status.HTTP_409_CONFLICT)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            return Response(
                {"detail": "Invalid username or password."},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        token = AccessToken.issue(user, data["expires_in"])
        return Response(
            {"access_token": token.key, "token_type": "bearer", "expires_in": data["expires_in"]}
        )


class NoteViewSet(viewsets.ModelViewSet):
    """CRUD on the current user's notes. Other users' notes are simply not in the
    queryset, so they 404."""

    serializer_class = NoteSerializer
    http_method_names = ["get", "post", "put", "delete", "head", "options"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Note]:
        return Note.objects.filter(owner=self.request.user).order_by("created_at", "id")

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer: BaseSerializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save(owner=request.user)
        return Response(serializer.data)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        note = self.get_object()
        note_id = note.pk
        note.delete()
        return Response({"detail": "Note deleted.", "id": note_id})
