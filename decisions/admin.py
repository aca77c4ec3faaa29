from django.contrib import admin

from decisions.models import DecisionCriterion, StandardCondition
from registry.admin import ReadOnlyHistoryAdmin


@admin.register(DecisionCriterion)
class DecisionCriterionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("code", "text", "retired")
    list_filter = ("retired",)
    search_fields = ("code", "text")


@admin.register(StandardCondition)
class StandardConditionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("code", "text", "retired")
    list_filter = ("retired",)
    search_fields = ("code", "text")
