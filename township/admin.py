from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from township.models import (
    County,
    HelpUnit,
    StaffProfile,
    Township,
    TownshipYear,
    Village,
    VillageCriterionCheck,
    VillageExitCriterion,
    VillageYear,
)


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "county"]
    list_select_related = ["county"]
    search_fields = ["name", "code"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "township"]
    list_filter = ["township"]
    list_select_related = ["township"]
    search_fields = ["name", "code"]


@admin.register(StaffProfile)
class StaffProfileAdmin(SimpleHistoryAdmin):
    list_display = ["name", "user", "role", "unit", "phone", "township", "village"]
    list_filter = ["role"]
    list_select_related = ["user", "township", "village"]
    search_fields = ["name", "user__username", "unit", "phone"]
    autocomplete_fields = ["county", "township", "village"]
    raw_id_fields = ["user"]


@admin.register(VillageYear)
class VillageYearAdmin(SimpleHistoryAdmin):
    list_display = [
        "village",
        "year",
        "rural_population",
        "is_poor_village",
        "exit_year",
        "collective_income",
    ]
    list_filter = ["year"]
    autocomplete_fields = ["village"]


@admin.register(TownshipYear)
class TownshipYearAdmin(SimpleHistoryAdmin):
    list_display = ["township", "year", "exit_target", "exit_target_people"]
    list_filter = ["year"]


@admin.register(VillageExitCriterion)
class VillageExitCriterionAdmin(SimpleHistoryAdmin):
    list_display = ["year", "name", "order"]
    list_filter = ["year"]


@admin.register(VillageCriterionCheck)
class VillageCriterionCheckAdmin(SimpleHistoryAdmin):
    list_display = ["village", "criterion", "met", "note"]
    list_filter = ["criterion__year", "met"]
    autocomplete_fields = ["village"]


@admin.register(HelpUnit)
class HelpUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "county"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["villages"]
