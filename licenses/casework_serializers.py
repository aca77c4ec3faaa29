"""Requests for information and shared notes as the vendors' API reads and answers them."""

from rest_framework import serializers

from licenses.models import CaseNote, InformationRequest
from registry.api.fields import StrictSerializer

TEXT_MAX_LENGTH = 5000


class InformationRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "question",
            "due_on",
            "status",
            "raised_at",
            "response",
            "documents",
            "answered_at",
        ]
        read_only_fields = fields

    documents = serializers.SerializerMethodField(
        help_text="The ids of the documents named in the answer."
    )

    def get_documents(self, request) -> list[str]:
        return list(request.response_documents or [])


class ResponseSerializer(StrictSerializer):
    response = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, help_text="Your answer to the question, as text."
    )
    documents = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=20,
        help_text="Ids of documents you uploaded to this application (`POST …/documents/`) "
        "that belong to the answer.",
    )


class SharedNoteSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="The official who wrote it.")

    class Meta:
        model = CaseNote
        fields = ["text", "created_at", "author"]
        read_only_fields = fields

    def get_author(self, note) -> str:
        return note.author.get_full_name() or note.author.get_username()
