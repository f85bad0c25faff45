from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "curator"

# What curation needs, and nothing more (see reader/admin.py):
PERMISSIONS = {
    "reader": [
        # review (status, reviewer) and correct annotators' work; nothing is deleted by review
        "view_annotation",
        "change_annotation",
        "view_link",
        "change_link",
        # spans are read-only in the admin (offsets change only through the reader or a text edit)
        "view_span",
        # correcting a document's text re-anchors its spans
        "view_document",
        "change_document",
        "view_comparison",
        # the design lets curators extend the tag vocabulary
        "view_label",
        "add_label",
        "change_label",
        # merging speakers moves their mentions to one and deletes the others
        "view_speaker",
        "add_speaker",
        "change_speaker",
        "delete_speaker",
    ],
    # the admin's autocomplete for annotators (author fields) asks for it
    "auth": ["view_user"],
}


def create_group(apps, schema_editor):
    # Permissions are normally made after the last migration (post_migrate); a new database has
    # none yet, so make them now. Passing the migration's `apps` makes them from its models.
    using = schema_editor.connection.alias
    for app_label in PERMISSIONS:
        create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    wanted = [
        Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)
        for app_label, codenames in PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(wanted)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reader", "0002_builtin_labels"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
