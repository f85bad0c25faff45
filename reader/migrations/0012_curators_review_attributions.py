from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "curator"
# Curators review and correct attributions in the admin as they do annotations; an attribution
# is made and deleted on the text, in the reader.
CODENAMES = ["view_attribution", "change_attribution"]


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("reader"), apps=apps, verbosity=0, using=using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.using(using).filter(content_type__app_label="reader", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.using(using).filter(name=GROUP):
        group.permissions.remove(
            *Permission.objects.using(using).filter(content_type__app_label="reader", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("reader", "0011_comparison_blind")]
    operations = [migrations.RunPython(grant, revoke)]
