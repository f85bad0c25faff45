from django.db import migrations

# Okabe–Ito colours, which stay distinct for the common kinds of colour blindness.
BUILTIN = [
    ("Quote", "quote", "#e69f00", "q", 10, "Words the article attributes to someone, direct or reported."),
    ("Speaker", "speaker", "#0072b2", "s", 20, "A mention of a person or body who speaks or is cited."),
    ("Claim", "claim", "#009e73", "c", 30, "A statement of fact the article makes or reports."),
]


def create_labels(apps, schema_editor):
    Label = apps.get_model("reader", "Label")
    for name, kind, colour, shortcut, position, description in BUILTIN:
        Label.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "colour": colour,
                "shortcut": shortcut,
                "position": position,
                "description": description,
            },
        )


def remove_labels(apps, schema_editor):
    Label = apps.get_model("reader", "Label")
    Label.objects.filter(name__in=[row[0] for row in BUILTIN], annotations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reader", "0001_initial")]
    operations = [migrations.RunPython(create_labels, remove_labels)]
