"""The measure catalogue as data, and a database guard that keeps the ledger append-only."""

from django.db import migrations

CATALOGUE = [
    # code, Chinese name, English name, causes answered
    ("industry", "产业扶持", "Industry support (planting, breeding, cooperative dividends)",
     ["funds", "technology", "land", "transport"]),
    ("employment", "就业扶持和劳务输出", "Employment and labour export", ["technology", "funds", "land", "self_drive"]),
    ("training", "技能培训", "Skills training", ["technology", "self_drive"]),
    ("education", "教育扶持（含雨露计划）", "Education support (incl. Rain and Dew plan)", ["schooling"]),
    ("housing", "危房改造", "Dilapidated-house renovation", ["disaster", "funds"]),
    ("microfinance", "扶贫小额信贷", "Microfinance", ["funds"]),
    ("health", "健康扶贫", "Health support", ["illness", "disability"]),
    ("dibao", "低保兜底", "Minimum living guarantee", ["labour", "illness", "disability"]),
    ("five_guarantee", "特困供养（五保）", "Five-guarantee support", ["labour", "disability"]),
    ("relocation", "易地扶贫搬迁", "Relocation", ["transport", "water", "land", "disaster"]),
    ("welfare_posts", "公益岗位", "Public-welfare and ecological posts", ["technology", "land", "self_drive"]),
    ("dividends", "光伏及其他收益分红", "Photovoltaic and other dividends", ["labour", "illness", "disability", "land"]),
    ("spiritual", "扶志扶智", "Spiritual support (motivation, customs)", ["self_drive"]),
    ("social", "社会帮扶", "Charity and social help", ["disaster", "other"]),
    ("other", "其他", "Other", ["other"]),
]

GUARD = """
CREATE OR REPLACE FUNCTION assistance_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are immutable: record a reversal instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assistance_ledger_append_only
    BEFORE UPDATE OR DELETE ON assistance_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION assistance_ledger_append_only();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS assistance_ledger_append_only ON assistance_ledgerentry;
DROP FUNCTION IF EXISTS assistance_ledger_append_only();
"""


def load_catalogue(apps, schema_editor):
    MeasureKind = apps.get_model("assistance", "MeasureKind")
    MeasureCause = apps.get_model("assistance", "MeasureCause")
    for order, (code, name, name_en, causes) in enumerate(CATALOGUE):
        kind, _ = MeasureKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )
        for cause in causes:
            MeasureCause.objects.get_or_create(kind=kind, cause=cause)


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]

    operations = [
        migrations.RunPython(load_catalogue, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
