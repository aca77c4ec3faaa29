"""ModelSerializers, as a stock team writes them; the input is checked as the registry's is."""

from decimal import Decimal

from rest_framework import serializers

from bench.peer.models import PeerApplication, PeerCountry
from licenses.models import EndUserKind, Product

REASON = "Submitted through the API"


class PeerCountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = PeerCountry
        fields = ["code", "alpha3", "name", "eligible", "eligible_since", "revision"]


class EndUserSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=EndUserKind.choices)


class PeerApplicationSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="reference", queryset=Product.objects.none())
    destination = serializers.SlugRelatedField(
        slug_field="code", queryset=PeerCountry.objects.all()
    )
    value = serializers.DecimalField(
        max_digits=15, decimal_places=2, min_value=Decimal("0"), coerce_to_string=True
    )
    currency = serializers.RegexField(r"^[A-Z]{3}\Z", max_length=3)
    end_use = serializers.CharField(max_length=5000)
    end_user = EndUserSerializer(write_only=True)

    class Meta:
        model = PeerApplication
        fields = [
            "id",
            "licence_type",
            "product",
            "destination",
            "end_use",
            "value",
            "currency",
            "end_user",
            "end_user_name",
            "end_user_kind",
            "status",
            "submitted_at",
        ]
        read_only_fields = ["id", "end_user_name", "end_user_kind", "status", "submitted_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["product"].queryset = Product.objects.filter(
                vendor_id=request.user.vendor_id
            )

    def to_internal_value(self, data):
        # The registry refuses unknown fields rather than dropping them; so does the peer.
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)

    def create(self, validated_data):
        request = self.context["request"]
        end_user = validated_data.pop("end_user")
        application = PeerApplication(
            **validated_data,
            vendor_id=request.user.vendor_id,
            submitted_by=request.user,
            end_user_name=end_user["name"],
            end_user_kind=end_user["kind"],
        )
        # simple-history's documented way of naming the user and the reason of a change.
        application._history_user = request.user
        application._change_reason = REASON
        application.save()
        return application
